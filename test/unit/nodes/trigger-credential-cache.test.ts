/**
 * The trigger decrypts its credentials once per CREDENTIAL_CACHE_MS rather than on
 * every request: within that time the same node reuses them; another node, another
 * selected credential, or the time passing reads them again; a failed read is not kept.
 * Before a refusal that depends on them, cached credentials are read again (one read shared by concurrent refusals).
 */
import type { IWebhookFunctions } from 'n8n-workflow';
import { CREDENTIAL_CACHE_MS, cachedCredentials, clearCredentialCache, readCredentials, rereadCredentials } from '../../../nodes/WhatsAppCrmTrigger/credential-cache';

function node(nodeId: string, credentialId = 'cred-1') {
	let reads = 0;
	let secret = 'first-secret';
	let failNext = false;
	const ctx = {
		getWorkflow: () => ({ id: 'wf-1' }),
		getNode: () => ({ id: nodeId, credentials: { whatsAppSidecarApi: { id: credentialId, name: 'Sidecar' } } }),
		getCredentials: async () => {
			reads += 1;
			if (failNext) {
				failNext = false;
				throw new Error('database unavailable');
			}
			return { webhookSecret: secret };
		},
	} as unknown as Pick<IWebhookFunctions, 'getCredentials' | 'getNode' | 'getWorkflow'>;
	return {
		ctx,
		reads: () => reads,
		setSecret: (value: string) => (secret = value),
		failNextRead: () => (failNext = true),
	};
}

beforeEach(() => clearCredentialCache());

test('the same node reuses its decrypted credentials within the cache time, and reads them again after it', async () => {
	const a = node('node-a');
	const t = 1_000_000;
	expect(await cachedCredentials(a.ctx, 'whatsAppSidecarApi', t)).toEqual({ webhookSecret: 'first-secret' });
	a.setSecret('rotated-secret');
	expect(await cachedCredentials(a.ctx, 'whatsAppSidecarApi', t + CREDENTIAL_CACHE_MS - 1)).toEqual({ webhookSecret: 'first-secret' });
	expect(a.reads()).toBe(1);
	expect(await cachedCredentials(a.ctx, 'whatsAppSidecarApi', t + CREDENTIAL_CACHE_MS)).toEqual({ webhookSecret: 'rotated-secret' });
	expect(a.reads()).toBe(2);
});

test('concurrent first requests share one read', async () => {
	const a = node('node-a');
	await Promise.all(Array.from({ length: 16 }, () => cachedCredentials(a.ctx, 'whatsAppSidecarApi', 5)));
	expect(a.reads()).toBe(1);
});

test('another node or another selected credential reads its own', async () => {
	const a = node('node-a', 'cred-1');
	const b = node('node-b', 'cred-1');
	const a2 = node('node-a', 'cred-2');
	await cachedCredentials(a.ctx, 'whatsAppSidecarApi', 5);
	await cachedCredentials(b.ctx, 'whatsAppSidecarApi', 5);
	await cachedCredentials(a2.ctx, 'whatsAppSidecarApi', 5);
	expect([a.reads(), b.reads(), a2.reads()]).toEqual([1, 1, 1]);
});

test('a failed read is not remembered: the next request reads again', async () => {
	const a = node('node-a');
	a.failNextRead();
	await expect(cachedCredentials(a.ctx, 'whatsAppSidecarApi', 5)).rejects.toThrow('database unavailable');
	expect(await cachedCredentials(a.ctx, 'whatsAppSidecarApi', 6)).toEqual({ webhookSecret: 'first-secret' });
	expect(a.reads()).toBe(2);
});

test('before a refusal the credential is read again, and requests refused meanwhile share that read', async () => {
	const a = node('node-a');
	const t = 1_000_000;
	expect(await readCredentials(a.ctx, 'whatsAppSidecarApi', t)).toEqual({ data: { webhookSecret: 'first-secret' }, fresh: true });
	const used = await readCredentials(a.ctx, 'whatsAppSidecarApi', t + 1);
	expect(used).toEqual({ data: { webhookSecret: 'first-secret' }, fresh: false });
	a.setSecret('rotated-secret');
	// Several requests refused with the cached secret at once: one read between them.
	const rereads = await Promise.all(Array.from({ length: 8 }, () => rereadCredentials(a.ctx, 'whatsAppSidecarApi', used.data, t + 2)));
	expect(rereads).toEqual(Array.from({ length: 8 }, () => ({ webhookSecret: 'rotated-secret' })));
	expect(a.reads()).toBe(2);
	// Later requests use the new value without reading it again.
	expect(await readCredentials(a.ctx, 'whatsAppSidecarApi', t + 3)).toEqual({ data: { webhookSecret: 'rotated-secret' }, fresh: false });
	expect(a.reads()).toBe(2);
});
