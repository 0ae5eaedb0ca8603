/**
 * The trigger decrypts its credentials once per CREDENTIAL_CACHE_MS rather than on
 * every request: within that time the same node reuses them; another node, another
 * selected credential, or the time passing reads them again; a failed read is not kept.
 * Before a refusal that depends on them, they are read again (at most once a second).
 */
import type { IWebhookFunctions } from 'n8n-workflow';
import { CREDENTIAL_CACHE_MS, REREAD_AFTER_MS, cachedCredentials, clearCredentialCache, rereadCredentials } from '../../../nodes/WhatsAppCrmTrigger/credential-cache';

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

test('before a refusal the credential is read again, at most once a second, and the fresh value is what later requests use', async () => {
	const a = node('node-a');
	const t = 1_000_000;
	await cachedCredentials(a.ctx, 'whatsAppSidecarApi', t);
	a.setSecret('rotated-secret');
	// Just read: nothing new to decide with.
	expect(await rereadCredentials(a.ctx, 'whatsAppSidecarApi', t + REREAD_AFTER_MS - 1)).toBeNull();
	expect(a.reads()).toBe(1);
	expect(await rereadCredentials(a.ctx, 'whatsAppSidecarApi', t + REREAD_AFTER_MS)).toEqual({ webhookSecret: 'rotated-secret' });
	expect(await cachedCredentials(a.ctx, 'whatsAppSidecarApi', t + REREAD_AFTER_MS + 1)).toEqual({ webhookSecret: 'rotated-secret' });
	// A flood of refusals within the next second reads nothing more.
	for (let i = 0; i < 50; i++) expect(await rereadCredentials(a.ctx, 'whatsAppSidecarApi', t + REREAD_AFTER_MS + i)).toBeNull();
	expect(a.reads()).toBe(2);
});
