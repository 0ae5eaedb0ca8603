/**
 * With several sidecars (SIDECAR_PEERS, SIDECAR_SELF_URL): this sidecar
 * starts only the sessions it owns, by the same choice n8n's nodes make
 * (core/sidecar-api/session-owner.ts). A start of another's session is
 * refused 421 `session_not_owned`, naming the owner, so a credential whose
 * list of sidecars differs from SIDECAR_PEERS shows up at once instead of
 * linking a phone where n8n will never look for it.
 */
import { sessionOwner } from '../../../core/sidecar-api/session-owner';
import type { SidecarConfig } from '../config';
import { SidecarError } from '../errors';
import { parseSessionId } from '../drivers/session-id';

export type OwnershipCheck = (rawId: string) => void;

export function ownershipCheck(peers: SidecarConfig['peers']): OwnershipCheck {
	if (peers === null) return () => undefined;
	return (rawId) => {
		const id = parseSessionId(rawId);
		if (id === null) return; // the manager refuses it (422 invalid_session_id)
		const owner = sessionOwner(id, peers.urls);
		if (owner !== peers.self) {
			throw new SidecarError(
				421,
				'session_not_owned',
				`This sidecar (${peers.self}) does not hold this session: by SIDECAR_PEERS, ${owner} owns it. List the same sidecars in n8n's credential as in SIDECAR_PEERS.`,
			);
		}
	};
}

/**
 * The sessions this sidecar holds that another one owns (after SIDECAR_PEERS
 * changed, before they were moved), with their owner: n8n looks for them
 * there, not here. Logged at start-up (sidecar/README.md, "Several sidecars").
 */
export function misplacedSessions(peers: SidecarConfig['peers'], sessionIds: readonly string[]): Array<{ sessionId: string; owner: string }> {
	if (peers === null) return [];
	return sessionIds.map((sessionId) => ({ sessionId, owner: sessionOwner(sessionId, peers.urls) })).filter(({ owner }) => owner !== peers.self);
}
