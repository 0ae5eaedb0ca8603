/**
 * What bench 8 and bench/profile-trigger.ts send to a real n8n, and the workflow that
 * receives it: WhatsApp CRM Trigger → No-op (a signed sidecar message event; a signed
 * Cloud API body of 10 text messages) and n8n's own Webhook node (POST, respond
 * immediately) → No-op, fed the same bytes as the sidecar's.
 */
import { randomUUID } from 'node:crypto';
import { messageEvent, signedDelivery } from '../../test/support/sidecar-deliveries';
import { metaBody, messagesValue, signedMetaDelivery } from '../../test/support/meta-deliveries';
import { PACKAGE_NAME, thenNoOp, type N8nInstance, type WorkflowJson } from '../../test/support/n8n';
import type { PreparedRequest } from './n8n-load';

export const SIDECAR_SECRET = 'bench-sidecar-webhook-secret-0123456789';
export const APP_SECRET = 'bench-meta-app-secret';
export const META_MESSAGES = 10;

export type TargetKey = 'webhook' | 'sidecar' | 'meta';

export interface Target {
	key: TargetKey;
	label: string;
	workflow: (credentials: Credentials) => WorkflowJson;
	/** The webhook's path under /webhook/. */
	path: string;
	request: () => PreparedRequest;
	itemsPerRequest: number;
}

/** Credential ids in the n8n the targets run on (createCredentials). */
export interface Credentials {
	sidecar: string;
	meta: string;
}

const HOOKS = { sidecar: 'b3e1c2d4-5f6a-4b7c-8d9e-0f1a2b3c4d5e', meta: 'c4f2d3e5-6a7b-4c8d-9e0f-1a2b3c4d5e6f', webhook: 'd5a3e4f6-7b8c-4d9e-8f1a-2b3c4d5e6f7a' };

function triggerWorkflow(name: string, webhookId: string, source: 'sidecar' | 'cloudApi', credential: Record<string, unknown>): WorkflowJson {
	return thenNoOp(name, {
		id: `trigger-${webhookId}`,
		name: 'WhatsApp CRM Trigger',
		type: `${PACKAGE_NAME}.whatsAppCrmTrigger`,
		typeVersion: 2,
		position: [0, 0],
		webhookId,
		// Answering at once, like the Webhook node it is compared with.
		parameters: { source, events: ['inbound'], acknowledge: 'onReceived', options: {} },
		credentials: credential,
	});
}

function webhookNodeWorkflow(): WorkflowJson {
	return thenNoOp('Webhook node → No-op', {
		id: 'webhook-node',
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [0, 0],
		webhookId: HOOKS.webhook,
		parameters: { httpMethod: 'POST', path: 'bench-webhook-node', responseMode: 'onReceived', options: {} },
	});
}

let metaCounter = 0;
function metaRequest(): PreparedRequest {
	metaCounter += 1;
	const messages = Array.from({ length: META_MESSAGES }, (_, i) => ({
		from: `55119876${String((metaCounter * META_MESSAGES + i) % 100000).padStart(5, '0')}`,
		id: `wamid.BENCH.${metaCounter}.${i}.${randomUUID()}`,
		text: `Olá, mensagem ${i} do corpo ${metaCounter}`,
		name: 'Cliente',
	}));
	return signedMetaDelivery(metaBody([[messagesValue(messages)]]), APP_SECRET);
}

export const TARGETS: Target[] = [
	{
		key: 'webhook',
		label: "n8n's Webhook node → No-op",
		workflow: () => webhookNodeWorkflow(),
		path: 'bench-webhook-node',
		// The same bytes as the sidecar's: a signed message event (the Webhook node checks nothing).
		request: () => signedDelivery(messageEvent(), SIDECAR_SECRET),
		itemsPerRequest: 1,
	},
	{
		key: 'sidecar',
		label: 'WhatsApp CRM Trigger (sidecar) → No-op',
		workflow: (c) => triggerWorkflow('Trigger (sidecar) → No-op', HOOKS.sidecar, 'sidecar', { whatsAppSidecarApi: { id: c.sidecar, name: 'Sidecar' } }),
		path: `${HOOKS.sidecar}/webhook`,
		request: () => signedDelivery(messageEvent(), SIDECAR_SECRET),
		itemsPerRequest: 1,
	},
	{
		key: 'meta',
		label: `WhatsApp CRM Trigger (Cloud API, ${META_MESSAGES} messages per body) → No-op`,
		workflow: (c) => triggerWorkflow('Trigger (Cloud API) → No-op', HOOKS.meta, 'cloudApi', { whatsAppCloudApi: { id: c.meta, name: 'Cloud API' } }),
		path: `${HOOKS.meta}/webhook`,
		request: metaRequest,
		itemsPerRequest: META_MESSAGES,
	},
];

/** The sidecar and Cloud API credentials the trigger targets use, created in `n8n`. */
export async function createCredentials(n8n: N8nInstance): Promise<Credentials> {
	const sidecar = await n8n.createCredential('whatsAppSidecarApi', 'Sidecar', {
		baseUrl: 'http://127.0.0.1:9',
		apiKey: 'unused-in-this-bench',
		webhookSecret: SIDECAR_SECRET,
		toleranceSeconds: 300,
	});
	const meta = await n8n.createCredential('whatsAppCloudApi', 'Cloud API', {
		accessToken: 'unused-in-this-bench',
		phoneNumberId: '106540352242922',
		appSecret: APP_SECRET,
		verifyToken: 'unused-verify-token',
	});
	return { sidecar, meta };
}

/** Imports and activates `target`'s workflow; resolves with its id once its webhook answers. */
export async function deployTarget(n8n: N8nInstance, target: Target, credentials: Credentials): Promise<string> {
	const id = await n8n.importWorkflow(target.workflow(credentials));
	await n8n.activate(id);
	await n8n.waitForWebhook(target.path, 'POST');
	return id;
}
