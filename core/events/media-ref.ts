/**
 * The opaque media reference a message's `media.ref` carries (docs/events.md):
 * what a later step needs to fetch the file, and nothing else. The event never
 * carries the file, nor a URL (Meta's URLs expire and need the access token).
 *
 * - Cloud API: `cloud_api:<media id>` — the media id Meta sent (Graph API `GET /<media id>`).
 * - Sidecar: `sidecar:<sessionId>:<messageId>` — the session that saw the
 *   message and WhatsApp's serialized message id (session ids hold no `:`).
 */
import { isId } from './limits';

export type MediaRefParts = { source: 'cloud_api'; mediaId: string } | { source: 'sidecar'; sessionId: string; messageId: string };

export function cloudApiMediaRef(mediaId: string): string {
	return `cloud_api:${mediaId}`;
}

export function sidecarMediaRef(sessionId: string, messageId: string): string {
	return `sidecar:${sessionId}:${messageId}`;
}

/** The parts of a media reference, or null when it is not one. */
export function parseMediaRef(ref: unknown): MediaRefParts | null {
	if (typeof ref !== 'string') return null;
	if (ref.startsWith('cloud_api:')) {
		const mediaId = ref.slice('cloud_api:'.length);
		return isId(mediaId) ? { source: 'cloud_api', mediaId } : null;
	}
	const match = /^sidecar:([^:]+):(.+)$/s.exec(ref);
	if (!match || !isId(match[1]) || !isId(match[2])) return null;
	return { source: 'sidecar', sessionId: match[1], messageId: match[2] };
}
