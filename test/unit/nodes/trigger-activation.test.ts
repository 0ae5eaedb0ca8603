/**
 * Activating a workflow with the WhatsApp CRM Trigger: n8n runs the node's
 * webhookMethods.default (checkExists, then create if that says false). A
 * credential without the secrets the webhook verifies deliveries with must make
 * activation fail, naming the field and the credential, instead of answering
 * every delivery 500 with no execution in sight.
 */
import type { ICredentialDataDecryptedObject, IHookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { WhatsAppCrmTrigger } from '../../../nodes/WhatsAppCrmTrigger/WhatsAppCrmTrigger.node';

const SIDECAR = { baseUrl: 'http://127.0.0.1:3100', apiKey: 'k', webhookSecret: 'sidecar-secret-0123456789', previousWebhookSecret: '', toleranceSeconds: 300 };
const CLOUD_API = { accessToken: 't', phoneNumberId: '1', appSecret: 'meta-app-secret', verifyToken: 'my-verify-token', graphApiVersion: 'v21.0' };

function hookContext(source: 'sidecar' | 'cloudApi', credentials: ICredentialDataDecryptedObject): IHookFunctions {
	return {
		getNodeParameter: (name: string, fallback?: unknown) => (name === 'source' ? source : fallback),
		getCredentials: async (type: string) => {
			if (type !== (source === 'cloudApi' ? 'whatsAppCloudApi' : 'whatsAppSidecarApi')) throw new Error(`unexpected credential ${type}`);
			return credentials;
		},
		getNode: () => ({ id: 'node-1', name: 'WhatsApp CRM Trigger', type: 'whatsAppCrmTrigger', typeVersion: 1, position: [0, 0], parameters: {} }),
		getWebhookName: () => 'default',
	} as unknown as IHookFunctions;
}

const lifecycle = new WhatsAppCrmTrigger().webhookMethods.default;

async function activationError(source: 'sidecar' | 'cloudApi', credentials: ICredentialDataDecryptedObject) {
	return await lifecycle.checkExists.call(hookContext(source, credentials)).then(
		() => undefined,
		(error: unknown) => error,
	);
}

describe('WhatsApp CRM Trigger activation', () => {
	test('a complete sidecar credential activates: nothing to register, nothing to delete', async () => {
		await expect(lifecycle.checkExists.call(hookContext('sidecar', SIDECAR))).resolves.toBe(true);
		await expect(lifecycle.create.call(hookContext('sidecar', SIDECAR))).resolves.toBe(true);
		await expect(lifecycle.delete.call(hookContext('sidecar', { ...SIDECAR, webhookSecret: '' }))).resolves.toBe(true);
	});

	test('a complete Cloud API credential activates', async () => {
		await expect(lifecycle.checkExists.call(hookContext('cloudApi', CLOUD_API))).resolves.toBe(true);
	});

	test.each([[''], ['   '], [undefined]])('a sidecar credential with Webhook Secret %p fails activation, naming field and credential', async (secret) => {
		const error = await activationError('sidecar', { ...SIDECAR, webhookSecret: secret as string });
		expect(error).toBeInstanceOf(NodeOperationError);
		expect((error as NodeOperationError).message).toBe(
			`Fill in "Webhook Secret" in the 'WhatsApp Sidecar API' credential: the WhatsApp CRM Trigger refuses every event it cannot verify.`,
		);
		expect((error as NodeOperationError).description).toContain('WEBHOOK_SECRET');
		// create (run when checkExists says false) refuses too
		await expect(lifecycle.create.call(hookContext('sidecar', { ...SIDECAR, webhookSecret: '' }))).rejects.toThrow('Webhook Secret');
	});

	test('only the previous secret filled in is not enough', async () => {
		const error = await activationError('sidecar', { ...SIDECAR, webhookSecret: '', previousWebhookSecret: 'old-secret' });
		expect(error).toBeInstanceOf(NodeOperationError);
	});

	test.each([
		['App Secret', { appSecret: '' }, '"App Secret"'],
		['Verify Token', { verifyToken: '' }, '"Verify Token"'],
		['both', { appSecret: '', verifyToken: '' }, '"App Secret" and "Verify Token"'],
	])('a Cloud API credential without %s fails activation, naming what to fill in', async (_label, change, named) => {
		const error = await activationError('cloudApi', { ...CLOUD_API, ...change });
		expect(error).toBeInstanceOf(NodeOperationError);
		expect((error as NodeOperationError).message).toBe(
			`Fill in ${named} in the 'Meta WhatsApp Cloud API' credential: the WhatsApp CRM Trigger cannot verify Meta's requests without ${named.includes(' and ') ? 'them' : 'it'}.`,
		);
	});
});
