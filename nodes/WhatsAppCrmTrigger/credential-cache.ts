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
 * request the cached secrets would refuse is decided again on a fresh read
 * (rereadCredentials). A failed read is not remembered.
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

/** Decrypted credentials, and whether this call read them (false: they came from the cache). */
export interface CredentialRead {
	data: ICredentialDataDecryptedObject;
	fresh: boolean;
}

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
	cache.set(key, { expiresAt: now + CREDENTIAL_CACHE_MS, value });
	// A failed read is forgotten; the caller sees n8n's own error.
	value.catch(() => {
		if (cache.get(key)?.value === value) cache.delete(key);
	});
	return value;
}

/** `ctx.getCredentials(type)`, reused for CREDENTIAL_CACHE_MS per workflow, node and credential; says whether it was read now. */
export async function readCredentials(ctx: CredentialContext, type: string, now = Date.now()): Promise<CredentialRead> {
	const key = keyOf(ctx, type);
	const hit = cache.get(key);
	if (hit && hit.expiresAt > now) return { data: await hit.value, fresh: false };
	return { data: await read(ctx, type, key, now), fresh: true };
}

/** readCredentials' data alone. */
export async function cachedCredentials(ctx: CredentialContext, type: string, now = Date.now()): Promise<ICredentialDataDecryptedObject> {
	return (await readCredentials(ctx, type, now)).data;
}

/**
 * The credential as it is now, for a request that cached `used` would refuse for a
 * reason that depends on it (a signature that matches no secret, a verify token
 * that does not match): a secret rotated in n8n a moment ago then applies to this
 * very request instead of up to CREDENTIAL_CACHE_MS later. When another request
 * has read it again meanwhile, that read is shared; otherwise it is read now.
 */
export async function rereadCredentials(
	ctx: CredentialContext,
	type: string,
	used: ICredentialDataDecryptedObject,
	now = Date.now(),
): Promise<ICredentialDataDecryptedObject> {
	const key = keyOf(ctx, type);
	const hit = cache.get(key);
	if (hit && hit.expiresAt > now) {
		const current = await hit.value.catch(() => undefined);
		const latest = cache.get(key);
		if (latest && latest !== hit) return await latest.value; // read again meanwhile
		if (current !== undefined && current !== used) return current;
	}
	return await read(ctx, type, key, now);
}

/** Forgets every cached credential (tests). */
export function clearCredentialCache(): void {
	cache.clear();
}
