/**
 * The trigger's credentials, decrypted once per few seconds instead of on every
 * request. n8n's `getCredentials` reads the credential row from its database and
 * decrypts it each time it is called: about half a millisecond of CPU per
 * request for each credential (bench/README.md, "Where the time goes"), the
 * largest cost of the trigger's own per-request work. The decrypted values stay
 * in this process's memory — where n8n keeps them while a request runs anyway —
 * never in the workflow's static data or anywhere on disk.
 *
 * Keyed by workflow, node, credential type and the selected credential's id, so
 * another credential selected in the node applies at once; a credential edited
 * in place (a rotated secret) applies within CREDENTIAL_CACHE_MS. A failed read
 * is not remembered.
 */
import type { ICredentialDataDecryptedObject, IWebhookFunctions } from 'n8n-workflow';

/** How long decrypted credentials are reused. */
export const CREDENTIAL_CACHE_MS = 10_000;
/** At most this many entries (one per trigger node and credential type in this process). */
const MAX_ENTRIES = 1000;

interface Entry {
	expiresAt: number;
	value: Promise<ICredentialDataDecryptedObject>;
}

const cache = new Map<string, Entry>();

type CredentialContext = Pick<IWebhookFunctions, 'getCredentials' | 'getNode' | 'getWorkflow'>;

/** `ctx.getCredentials(type)`, reused for CREDENTIAL_CACHE_MS per workflow, node and credential. */
export async function cachedCredentials(ctx: CredentialContext, type: string, now = Date.now()): Promise<ICredentialDataDecryptedObject> {
	const node = ctx.getNode();
	const selected = node.credentials?.[type]?.id ?? '';
	const key = `${ctx.getWorkflow().id ?? ''}\0${node.id}\0${type}\0${selected}`;
	const hit = cache.get(key);
	if (hit && hit.expiresAt > now) return await hit.value;
	const value = ctx.getCredentials<ICredentialDataDecryptedObject>(type);
	if (cache.size >= MAX_ENTRIES) {
		for (const [k, entry] of cache) if (entry.expiresAt <= now) cache.delete(k);
		if (cache.size >= MAX_ENTRIES) cache.clear();
	}
	cache.set(key, { expiresAt: now + CREDENTIAL_CACHE_MS, value });
	// A failed read is forgotten; the caller sees n8n's own error.
	value.catch(() => {
		if (cache.get(key)?.value === value) cache.delete(key);
	});
	return await value;
}

/** Forgets every cached credential (tests). */
export function clearCredentialCache(): void {
	cache.clear();
}
