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
 * another credential selected in the node applies at once. A credential edited
 * in place applies within CREDENTIAL_CACHE_MS, and a rotated secret at once: a
 * request its cached secrets would refuse is decided again on a fresh read
 * (rereadCredentials). A failed read is not remembered.
 */
import type { ICredentialDataDecryptedObject, IWebhookFunctions } from 'n8n-workflow';

/** How long decrypted credentials are reused. */
export const CREDENTIAL_CACHE_MS = 10_000;
/** A credential read less than this long ago is not read again to double-check a refusal. */
export const REREAD_AFTER_MS = 1_000;
/** At most this many entries (one per trigger node and credential type in this process). */
const MAX_ENTRIES = 1000;

interface Entry {
	readAt: number;
	expiresAt: number;
	value: Promise<ICredentialDataDecryptedObject>;
}

const cache = new Map<string, Entry>();

type CredentialContext = Pick<IWebhookFunctions, 'getCredentials' | 'getNode' | 'getWorkflow'>;

function keyOf(ctx: CredentialContext, type: string): string {
	const node = ctx.getNode();
	const selected = node.credentials?.[type]?.id ?? '';
	return `${ctx.getWorkflow().id ?? ''}\0${node.id}\0${type}\0${selected}`;
}

function read(ctx: CredentialContext, type: string, key: string, now: number): Promise<ICredentialDataDecryptedObject> {
	const value = ctx.getCredentials<ICredentialDataDecryptedObject>(type);
	if (cache.size >= MAX_ENTRIES) {
		for (const [k, entry] of cache) if (entry.expiresAt <= now) cache.delete(k);
		if (cache.size >= MAX_ENTRIES) cache.clear();
	}
	cache.set(key, { readAt: now, expiresAt: now + CREDENTIAL_CACHE_MS, value });
	// A failed read is forgotten; the caller sees n8n's own error.
	value.catch(() => {
		if (cache.get(key)?.value === value) cache.delete(key);
	});
	return value;
}

/** `ctx.getCredentials(type)`, reused for CREDENTIAL_CACHE_MS per workflow, node and credential. */
export async function cachedCredentials(ctx: CredentialContext, type: string, now = Date.now()): Promise<ICredentialDataDecryptedObject> {
	const key = keyOf(ctx, type);
	const hit = cache.get(key);
	if (hit && hit.expiresAt > now) return await hit.value;
	return await read(ctx, type, key, now);
}

/**
 * The credential read again before a refusal that depends on it (a signature that
 * matches no secret, a verify token that does not match): a secret rotated in n8n a
 * moment ago applies to this very request instead of up to CREDENTIAL_CACHE_MS
 * later. Null when the cached value was read under REREAD_AFTER_MS ago (nothing
 * new to decide with: a flood of forged requests costs one read per second).
 */
export async function rereadCredentials(ctx: CredentialContext, type: string, now = Date.now()): Promise<ICredentialDataDecryptedObject | null> {
	const key = keyOf(ctx, type);
	const hit = cache.get(key);
	if (hit && now - hit.readAt < REREAD_AFTER_MS && hit.expiresAt > now) return null;
	return await read(ctx, type, key, now);
}

/** Forgets every cached credential (tests). */
export function clearCredentialCache(): void {
	cache.clear();
}
