/**
 * The WhatsApp CRM Trigger in a real n8n (2.41.1 on Node 24) with this package
 * installed as a community package: signed sidecar events and signed Meta
 * bodies start executions with the normalized items; forged, stale, unsigned,
 * malformed and oversized requests get their 4xx and start nothing; Meta's GET
 * handshake answers right and wrong tokens.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { normalizeMetaWebhook } from '../../core/events/normalize-meta-webhook';
import { NO_MESSAGE_CONTENT, type MessagePayload } from '../../core/events/types';
import { PACKAGE_NAME, startN8n, triggerOutputItems, type N8nInstance, type WorkflowJson } from '../support/n8n';
import { backfillBatch, messageEvent, signedDelivery } from '../support/sidecar-deliveries';
import { metaBody, messagesValue, recentUnix, signedMetaDelivery, statusOf } from '../support/meta-deliveries';
import { signSidecarPayload } from '../../core/signatures';

const SECRET = 'e2e-sidecar-webhook-secret-0123456789';
const APP_SECRET = 'e2e-meta-app-secret';
const VERIFY_TOKEN = 'e2e-verify-token';
const SIDECAR_HOOK = '0b8f6a3e-8a57-4c2b-9f0e-7d6c5b4a3e21';
const META_HOOK = '4c3b2a19-7e6d-4f5a-8b9c-0d1e2f3a4b5c';

function triggerWorkflow(name: string, webhookId: string, parameters: Record<string, unknown>, credentials: Record<string, unknown>): WorkflowJson {
	return {
		name,
		nodes: [
			{
				id: `node-${webhookId}`,
				name: 'WhatsApp CRM Trigger',
				type: `${PACKAGE_NAME}.whatsAppCrmTrigger`,
				typeVersion: 1,
				position: [0, 0],
				webhookId,
				parameters,
				credentials,
			},
		],
		connections: {},
		settings: { executionOrder: 'v1' },
	};
}

describe('WhatsApp CRM Trigger on a real n8n', () => {
	let n8n: N8nInstance;
	let sidecarWorkflow: string;
	let metaWorkflow: string;
	let cloudCredential: string;
	let sidecarCredential: string;

	beforeAll(async () => {
		n8n = await startN8n();
		sidecarCredential = await n8n.createCredential('whatsAppSidecarApi', 'Sidecar', {
			baseUrl: 'http://127.0.0.1:9',
			apiKey: 'unused-in-this-test',
			webhookSecret: SECRET,
			toleranceSeconds: 300,
		});
		cloudCredential = await n8n.createCredential('whatsAppCloudApi', 'Cloud API', {
			accessToken: 'unused-in-this-test',
			phoneNumberId: '106540352242922',
			appSecret: APP_SECRET,
			verifyToken: VERIFY_TOKEN,
		});
		sidecarWorkflow = await n8n.importWorkflow(
			triggerWorkflow(
				'Sidecar trigger',
				SIDECAR_HOOK,
				{ source: 'sidecar', events: ['inbound', 'outbound', 'backfill'], options: { maxBodySizeKb: 64 } },
				{ whatsAppSidecarApi: { id: sidecarCredential, name: 'Sidecar' } },
			),
		);
		metaWorkflow = await n8n.importWorkflow(
			triggerWorkflow(
				'Cloud API trigger',
				META_HOOK,
				{ source: 'cloudApi', events: ['inbound', 'outbound', 'status'] },
				{ whatsAppCloudApi: { id: cloudCredential, name: 'Cloud API' } },
			),
		);
		await n8n.activate(sidecarWorkflow);
		await n8n.activate(metaWorkflow);
		await n8n.waitForWebhook(`${SIDECAR_HOOK}/webhook`, 'POST');
		await n8n.waitForWebhook(`${META_HOOK}/webhook`, 'POST');
	});

	afterAll(async () => {
		await n8n?.stop();
	});

	const sidecarUrl = () => n8n.webhookUrl(`${SIDECAR_HOOK}/webhook`);
	const metaUrl = () => n8n.webhookUrl(`${META_HOOK}/webhook`);

	async function post(url: string, body: Buffer | string, headers: Record<string, string>) {
		const res = await fetch(url, { method: 'POST', body, headers });
		const text = await res.text();
		return { status: res.status, text };
	}

	async function itemsOfNextExecution(workflowId: string, before: number) {
		const executions = await n8n.waitForExecutions(workflowId, before + 1);
		return triggerOutputItems(executions[before]);
	}

	test('a signed sidecar message starts one execution with the normalized event', async () => {
		const before = await n8n.countExecutions(sidecarWorkflow);
		const event = messageEvent();
		const delivery = signedDelivery(event, SECRET);
		const response = await post(sidecarUrl(), delivery.body, delivery.headers);
		expect(response.status).toBe(200);
		expect(JSON.parse(response.text)).toMatchObject({ ok: true, deliveryId: event.eventId, emitted: 1, duplicates: 0 });
		const items = await itemsOfNextExecution(sidecarWorkflow, before);
		expect(items).toEqual([JSON.parse(JSON.stringify(event))]);
	});

	test('a backfill batch of 50 starts one execution with 50 backfilled message items', async () => {
		const before = await n8n.countExecutions(sidecarWorkflow);
		const delivery = signedDelivery(backfillBatch(50), SECRET);
		expect((await post(sidecarUrl(), delivery.body, delivery.headers)).status).toBe(200);
		const items = await itemsOfNextExecution(sidecarWorkflow, before);
		expect(items).toHaveLength(50);
		expect(items.every((item) => (item.message as { origin: string }).origin === 'backfill')).toBe(true);
	});

	test('forged, stale, unsigned, malformed and oversized requests get 4xx and start nothing', async () => {
		const before = await n8n.countExecutions(sidecarWorkflow);
		const now = Math.floor(Date.now() / 1000);
		const forged = signedDelivery(messageEvent(), 'someone-elses-secret-000000');
		const stale = signedDelivery(messageEvent(), SECRET, { timestamp: now - 3600 });
		const event = messageEvent();
		const notJson = Buffer.from('this is not json');
		const signedNotJson = signSidecarPayload({ secret: SECRET, id: event.eventId, body: notJson });
		const oversized = signedDelivery(messageEvent({ text: 'x'.repeat(70 * 1024) }), SECRET);
		const cases: Array<[string, Buffer, Record<string, string>, number]> = [
			['forged', forged.body, forged.headers, 401],
			['stale', stale.body, stale.headers, 401],
			['unsigned', Buffer.from(JSON.stringify(event)), { 'Content-Type': 'application/json' }, 401],
			['not JSON', notJson, { 'Content-Type': 'text/plain', ...signedNotJson }, 415],
			['oversized', oversized.body, oversized.headers, 413],
		];
		for (const [label, body, headers, status] of cases) {
			const response = await post(sidecarUrl(), body, headers);
			expect({ label, status: response.status }).toEqual({ label, status });
			expect(JSON.parse(response.text)).toHaveProperty('error.code');
		}
		// Declared as JSON but unparseable: n8n's own body parser refuses it (422) before the trigger runs.
		const broken = await post(sidecarUrl(), notJson, { 'Content-Type': 'application/json', ...signedNotJson });
		expect(broken.status).toBeGreaterThanOrEqual(400);
		expect(broken.status).toBeLessThan(500);
		await n8n.expectNoNewExecutions(sidecarWorkflow, before);
	});

	test('a webhook secret rotated in n8n applies to the very next delivery; the old one stays accepted as the previous secret', async () => {
		const before = await n8n.countExecutions(sidecarWorkflow);
		const first = signedDelivery(messageEvent(), SECRET);
		expect((await post(sidecarUrl(), first.body, first.headers)).status).toBe(200); // the trigger now holds the credential
		const rotatedSecret = 'rotated-e2e-sidecar-secret-0123456789';
		await n8n.api('PATCH', `/credentials/${sidecarCredential}`, { data: { webhookSecret: rotatedSecret, previousWebhookSecret: SECRET }, isPartialData: true });
		try {
			const rotated = signedDelivery(messageEvent(), rotatedSecret);
			expect((await post(sidecarUrl(), rotated.body, rotated.headers)).status).toBe(200);
			const stillOld = signedDelivery(messageEvent(), SECRET);
			expect((await post(sidecarUrl(), stillOld.body, stillOld.headers)).status).toBe(200);
			const executions = await n8n.waitForExecutions(sidecarWorkflow, before + 3);
			expect(executions).toHaveLength(before + 3);
		} finally {
			await n8n.api('PATCH', `/credentials/${sidecarCredential}`, { data: { webhookSecret: SECRET, previousWebhookSecret: '' }, isPartialData: true });
		}
	});

	test("Meta's GET handshake answers the challenge for the right token and 403 otherwise", async () => {
		const right = await fetch(`${metaUrl()}?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=987654321`);
		expect(right.status).toBe(200);
		expect(await right.text()).toBe('987654321');
		const wrong = await fetch(`${metaUrl()}?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=987654321`);
		expect(wrong.status).toBe(403);
		await wrong.arrayBuffer();
	});

	test('a signed Meta body with several entries, messages and a status starts one execution with one item each', async () => {
		const before = await n8n.countExecutions(metaWorkflow);
		const body = metaBody([
			[
				messagesValue([
					{ from: '5511987654321', id: 'wamid.E2E.A1', text: 'Olá! Preço: R$ 10/un 😀', name: 'Maria' },
					{ from: '5215512345678', id: 'wamid.E2E.A2', text: '¿Cuánto cuesta?' },
				]),
				messagesValue([], [statusOf('wamid.E2E.OUT', 'read', '4915112345678')]),
			],
			[messagesValue([{ from: '919876543210', id: 'wamid.E2E.B1', text: 'नमस्ते' }])],
		]);
		const delivery = signedMetaDelivery(body, APP_SECRET);
		expect((await post(metaUrl(), delivery.body, delivery.headers)).status).toBe(200);
		const items = await itemsOfNextExecution(metaWorkflow, before);
		expect(items.map((item) => item.type)).toEqual(['message', 'message', 'message.status', 'message']);
		expect(items[0]).toMatchObject({
			source: 'cloud_api',
			sessionId: '106540352242922',
			message: { messageId: 'wamid.E2E.A1', text: 'Olá! Preço: R$ 10/un 😀', remote: { phone: '+5511987654321', name: 'Maria' } },
		});
		expect(items[3]).toMatchObject({ message: { text: 'नमस्ते', remote: { phone: '+919876543210' } } });
	});

	test('schema version 2 through n8n: a sidecar reaction and a Cloud API reaction and button reply arrive with their content; a version-1 event comes out as version 2', async () => {
		const NULLS = NO_MESSAGE_CONTENT;
		// Sidecar: a reaction (what the sidecar now forwards), then a version-1 text from an older sidecar.
		const target = 'true_5511987654321@c.us_3EB0E2ETARGET';
		const reaction = messageEvent({ kind: 'reaction', rawType: 'reaction', text: null, contextMessageId: target, reaction: { emoji: '🙏', messageId: target, removed: false } });
		const older = JSON.parse(JSON.stringify(messageEvent({ text: 'from a version-1 sidecar' })));
		for (const key of Object.keys(NULLS)) delete older.message[key];
		older.schemaVersion = 1;
		const sidecarBefore = await n8n.countExecutions(sidecarWorkflow);
		for (const event of [reaction, older]) {
			const delivery = signedDelivery(event, SECRET);
			expect((await post(sidecarUrl(), delivery.body, delivery.headers)).status).toBe(200);
		}
		const sidecarRuns = await n8n.waitForExecutions(sidecarWorkflow, sidecarBefore + 2);
		const sidecarItems = sidecarRuns.slice(sidecarBefore).flatMap((run) => triggerOutputItems(run));
		expect(sidecarItems).toContainEqual(JSON.parse(JSON.stringify(reaction)));
		expect(sidecarItems).toContainEqual({ ...older, schemaVersion: 2, message: { ...older.message, ...NULLS } });

		// Cloud API: Meta's reaction and interactive button_reply webhooks, in one body.
		const metaBefore = await n8n.countExecutions(metaWorkflow);
		const value = messagesValue([]);
		value.contacts = [{ profile: { name: 'Maria' }, wa_id: '5511987654321' }];
		value.messages = [
			{ from: '5511987654321', id: 'wamid.E2E.R1', timestamp: String(recentUnix(20)), type: 'reaction', reaction: { message_id: 'wamid.E2E.OUT', emoji: '👍' } },
			{
				context: { from: '15550783881', id: 'wamid.E2E.BUTTONS' },
				from: '5511987654321',
				id: 'wamid.E2E.I1',
				timestamp: String(recentUnix(10)),
				type: 'interactive',
				interactive: { type: 'button_reply', button_reply: { id: 'confirm-yes', title: 'Confirmar' } },
			},
		];
		const delivery = signedMetaDelivery(metaBody([[value]]), APP_SECRET);
		expect((await post(metaUrl(), delivery.body, delivery.headers)).status).toBe(200);
		const items = await itemsOfNextExecution(metaWorkflow, metaBefore);
		expect(items).toHaveLength(2);
		expect(items[0]).toMatchObject({
			schemaVersion: 2,
			message: { kind: 'reaction', text: null, contextMessageId: 'wamid.E2E.OUT', reaction: { emoji: '👍', messageId: 'wamid.E2E.OUT', removed: false }, interactive: null, media: null },
		});
		expect(items[1]).toMatchObject({
			schemaVersion: 2,
			message: {
				kind: 'interactive',
				text: null,
				contextMessageId: 'wamid.E2E.BUTTONS',
				interactive: { type: 'button_reply', id: 'confirm-yes', title: 'Confirmar', description: null },
				reaction: null,
				location: null,
			},
		});
	});

	test("every message type of Meta's documented webhooks, through n8n: one item per message, each with its content as the normalizer makes it", async () => {
		// Media passed on (option Media Messages: Emit), so every kind is an item.
		const webhookId = 'b7c8d9e0-1f2a-4b3c-8d4e-5f6a7b8c9d0e';
		const workflow = await n8n.importWorkflow(
			triggerWorkflow('Cloud API trigger, every kind', webhookId, { source: 'cloudApi', events: ['inbound', 'outbound'], options: { media: 'emit' } }, {
				whatsAppCloudApi: { id: cloudCredential, name: 'Cloud API' },
			}),
		);
		await n8n.activate(workflow);
		await n8n.waitForWebhook(`${webhookId}/webhook`, 'POST');
		const body = JSON.parse(readFileSync(join(__dirname, '../fixtures/meta/message-contents.json'), 'utf8'));
		const delivery = signedMetaDelivery(body, APP_SECRET);
		expect((await post(n8n.webhookUrl(`${webhookId}/webhook`), delivery.body, delivery.headers)).status).toBe(200);
		const items = await itemsOfNextExecution(workflow, 0);

		const expected = normalizeMetaWebhook(body, { receivedAt: new Date() }).events.filter((event) => event.type === 'message');
		const withoutArrival = (event: Record<string, unknown>) => ({ ...event, occurredAt: undefined });
		expect(items.map(withoutArrival)).toEqual(JSON.parse(JSON.stringify(expected)).map(withoutArrival));
		// What the issue asked to see, by kind: the file's reference, the emoji, the button, the Flow's answers, the order.
		const messages = items.map((item) => item.message as MessagePayload);
		const byKind = (kind: string) => messages.filter((message) => message.kind === kind);
		expect(byKind('image')[0]).toMatchObject({ media: { ref: expect.stringMatching(/^cloud_api:\d+$/), mimeType: 'image/jpeg' } });
		expect(byKind('reaction')[0]).toMatchObject({ reaction: { emoji: '👍', removed: false } });
		expect(byKind('interactive').map((m) => m.interactive?.type)).toEqual(['button_reply', 'list_reply', 'nfm_reply']);
		expect(byKind('interactive')[2]!.interactive?.response).toMatchObject({ appointment_date: '2025-11-25' });
		expect(byKind('order')[0]!.order?.items).toEqual([{ productId: 'SKU-991', quantity: 2, itemPrice: 49.9, currency: 'BRL' }]);
		expect(new Set(messages.map((message) => message.kind))).toEqual(
			new Set(['text', 'image', 'video', 'voice', 'audio', 'document', 'sticker', 'location', 'contacts', 'reaction', 'interactive', 'button', 'order', 'system', 'unsupported', 'revoked']),
		);
	});

	test('a Cloud API trigger whose credential has no app secret is not put on the air: its URL stays unregistered', async () => {
		// Before the activation check, such a trigger registered and answered every Meta event 500, silently.
		// n8n 2.41 records the workflow as published but does not register the webhook: the node's
		// activation check (nodes/WhatsAppCrmTrigger/activation.ts, unit-tested for its message) refused it.
		const webhookId = 'c6a1f2e3-0b9d-4e8f-a7c6-5d4e3f2a1b0c';
		const credential = await n8n.createCredential('whatsAppCloudApi', 'Cloud API without app secret', {
			accessToken: 'unused-in-this-test',
			phoneNumberId: '106540352242922',
			verifyToken: VERIFY_TOKEN,
		});
		const workflow = await n8n.importWorkflow(
			triggerWorkflow('Cloud API trigger without app secret', webhookId, { source: 'cloudApi' }, {
				whatsAppCloudApi: { id: credential, name: 'Cloud API without app secret' },
			}),
		);
		await n8n.activate(workflow).catch(() => undefined);
		// n8n stores the webhook, runs the node's activation check, and removes the webhook again when
		// the check fails; under load a probe can land in between. So: wait until Meta's POST is
		// refused as not registered three times in a row, a second apart, and check nothing ran.
		const body = metaBody([[messagesValue([{ from: '5511987654321', id: 'wamid.E2E.NOSECRET', text: 'hi' }])]]);
		const delivery = signedMetaDelivery(body, APP_SECRET);
		let notRegisteredInARow = 0;
		const deadline = Date.now() + 30_000;
		while (notRegisteredInARow < 3) {
			const response = await post(n8n.webhookUrl(`${webhookId}/webhook`), delivery.body, delivery.headers);
			notRegisteredInARow = response.status === 404 && /not registered/.test(response.text) ? notRegisteredInARow + 1 : 0;
			if (Date.now() > deadline) throw new Error(`the trigger without app secret still answers: ${response.status} ${response.text}`);
			await new Promise((resolve) => setTimeout(resolve, 1000));
		}
		expect(await n8n.countExecutions(workflow)).toBe(0);
	});

	test('a Meta body with a wrong or missing signature gets 401 and starts nothing', async () => {
		const before = await n8n.countExecutions(metaWorkflow);
		const body = metaBody([[messagesValue([{ from: '5511987654321', id: 'wamid.E2E.X', text: 'hi' }])]]);
		const forged = signedMetaDelivery(body, 'not-the-app-secret');
		expect((await post(metaUrl(), forged.body, forged.headers)).status).toBe(401);
		expect((await post(metaUrl(), JSON.stringify(body), { 'Content-Type': 'application/json' })).status).toBe(401);
		await n8n.expectNoNewExecutions(metaWorkflow, before);
	});
});
