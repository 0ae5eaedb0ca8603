/**
 * The WhatsApp CRM Trigger's webhook function over real HTTP: an express
 * server (n8n's own HTTP framework) that keeps the raw body the way n8n does
 * and hands each request to the node, answering as n8n does in "respond
 * immediately" mode. What a caller sees (status, body) and what the node emits
 * (items) are asserted; the end-to-end test repeats the essentials on a real n8n.
 */
import express from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { IDataObject, INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { WhatsAppCrmTrigger } from '../../../nodes/WhatsAppCrmTrigger/WhatsAppCrmTrigger.node';
import { backfillBatch, messageEvent, signedDelivery, textMessage, SESSION_ID } from '../../support/sidecar-deliveries';
import { buildMessageEvent } from '../../../core/events';
import { metaBody, messagesValue, recentUnix, signedMetaDelivery, statusOf } from '../../support/meta-deliveries';
import { createHash, randomBytes } from 'node:crypto';
import type { MessageEvent, NormalizedEvent } from '../../../core/events/types';
import { simulatedMediaBytes } from '../../../sidecar/src/drivers/simulator';
import { startMetaGraphStandIn, type MetaGraphStandIn } from '../../support/meta-graph-stand-in';
import { API_KEY, isMessage, linkSession, newSessionId, startSidecarUnderTest, stopSidecarUnderTest, type SidecarUnderTest } from '../../sidecar/helpers/harness';
import { createExecuteContext } from './support/run-node';

const SECRET = 'sidecar-secret-0123456789abcdef';
const OLD_SECRET = 'old-sidecar-secret-0123456789';
const APP_SECRET = 'meta-app-secret-abcdef';
const VERIFY_TOKEN = 'my-verify-token';

interface NodeSetup {
	source: 'sidecar' | 'cloudApi';
	events?: string[];
	options?: IDataObject;
	nodeId?: string;
	/** The sidecar credential's Replay Tolerance (Seconds); 300 unless set. */
	toleranceSeconds?: number;
	/** Values added to the credential (the sidecar's URL and API key, the Graph stand-in's, for Download Media). */
	credentialOverrides?: IDataObject;
}

let server: Server;
let baseUrl: string;
let setup: NodeSetup;
let emitted: INodeExecutionData[][] | undefined;
const n8nHelpers = createExecuteContext({ nodeType: new WhatsAppCrmTrigger(), parameters: {} }).helpers;
const warnings: Array<{ message: string; meta: unknown }> = [];

function contextFor(req: express.Request, res: express.Response, webhookName: string): IWebhookFunctions {
	const parameters: IDataObject = {
		source: setup.source,
		events: setup.events ?? ['inbound', 'outbound', 'backfill'],
		options: setup.options ?? {},
	};
	return {
		getRequestObject: () => req,
		getResponseObject: () => res,
		getQueryData: () => req.query,
		getWebhookName: () => webhookName,
		getNodeParameter: (name: string, fallback?: unknown) => parameters[name] ?? fallback,
		getCredentials: async (type: string) => ({
			...(type === 'whatsAppSidecarApi'
				? { baseUrl: 'http://127.0.0.1:1', apiKey: 'k', webhookSecret: SECRET, previousWebhookSecret: OLD_SECRET, toleranceSeconds: setup.toleranceSeconds ?? 300 }
				: { accessToken: 't', phoneNumberId: '1', appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN }),
			...(setup.credentialOverrides ?? {}),
		}),
		// n8n's own helpers (HTTP client, binary data), from n8n-core's execution context.
		helpers: n8nHelpers,
		logger: { warn: (message: string, meta: unknown) => warnings.push({ message, meta }) },
		getWorkflow: () => ({ id: 'wf-1', name: 'test', active: true }),
		getNode: () => ({ id: setup.nodeId ?? 'node-1', name: 'WhatsApp CRM Trigger' }),
	} as unknown as IWebhookFunctions;
}

beforeAll(async () => {
	const node = new WhatsAppCrmTrigger();
	const app = express();
	// Like n8n: keep the bytes as received (req.rawBody), whatever the content type.
	app.use(express.raw({ type: () => true, limit: '16mb' }), (req, _res, next) => {
		(req as unknown as { rawBody: Buffer }).rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
		next();
	});
	const handle = (webhookName: string) => async (req: express.Request, res: express.Response) => {
		const result: IWebhookResponseData = await node.webhook.call(contextFor(req, res, webhookName));
		emitted = result.workflowData;
		if (result.noWebhookResponse) return;
		res.status(200).json(result.webhookResponse ?? { message: 'Workflow was started' });
	};
	app.get('/webhook', handle('setup'));
	app.post('/webhook', handle('default'));
	server = app.listen(0, '127.0.0.1');
	await new Promise((resolve) => server.once('listening', resolve));
	baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`;
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

beforeEach(() => {
	emitted = undefined;
	setup = { source: 'sidecar', nodeId: `node-${Math.random()}` };
});

async function post(body: Buffer | string, headers: Record<string, string>) {
	const response = await fetch(baseUrl, { method: 'POST', body, headers });
	const text = await response.text();
	return { status: response.status, text, json: text.startsWith('{') ? JSON.parse(text) : undefined };
}

const items = () => (emitted ?? [[]])[0].map((item) => item.json as IDataObject);

describe('sidecar source', () => {
	test('a signed text message is acknowledged with 200 and emitted as one normalized item', async () => {
		const event = messageEvent();
		const delivery = signedDelivery(event, SECRET);
		const response = await post(delivery.body, delivery.headers);
		expect(response.status).toBe(200);
		expect(response.json).toMatchObject({ ok: true, deliveryId: event.eventId, emitted: 1 });
		expect(items()).toEqual([JSON.parse(JSON.stringify(event))]);
	});

	test.each([
		['forged (wrong secret)', 401, 'signature_mismatch', () => signedDelivery(messageEvent(), 'not-the-secret-at-all')],
		['stale (ten minutes old)', 401, 'stale_timestamp', () => signedDelivery(messageEvent(), SECRET, { timestamp: Math.floor(Date.now() / 1000) - 600 })],
		['unsigned', 401, 'missing_header', () => ({ body: Buffer.from(JSON.stringify(messageEvent())), headers: { 'Content-Type': 'application/json' } })],
	] as const)('a %s request gets %i (%s) and starts nothing', async (_label, status, code, make) => {
		const delivery = make();
		const response = await post(delivery.body, delivery.headers);
		expect(response.status).toBe(status);
		expect(response.json.error.code).toBe(code);
		expect(emitted).toBeUndefined();
	});

	test('one tampered byte after signing is refused', async () => {
		const delivery = signedDelivery(messageEvent(), SECRET);
		const tampered = Buffer.from(delivery.body.toString().replace('preço', 'preco'));
		const response = await post(tampered, delivery.headers);
		expect(response.status).toBe(401);
		expect(emitted).toBeUndefined();
	});

	test('the previous secret is still accepted while rotating', async () => {
		const delivery = signedDelivery(messageEvent(), OLD_SECRET);
		expect((await post(delivery.body, delivery.headers)).status).toBe(200);
		expect(items()).toHaveLength(1);
	});

	test('a webhook secret changed in n8n applies to the next delivery, not when the cached credential expires', async () => {
		const first = signedDelivery(messageEvent(), SECRET);
		expect((await post(first.body, first.headers)).status).toBe(200);
		// The user rotates: the new secret in n8n, the one the sidecar used so far as the previous.
		setup.credentialOverrides = { webhookSecret: 'rotated-secret-0123456789abcdef', previousWebhookSecret: SECRET };
		// Well inside the 10 s the trigger keeps credentials for.
		const rotated = signedDelivery(messageEvent(), 'rotated-secret-0123456789abcdef');
		expect((await post(rotated.body, rotated.headers)).status).toBe(200);
		expect(items()).toHaveLength(1);
		// And the secret dropped from n8n is refused as soon as n8n no longer has it.
		setup.credentialOverrides = { webhookSecret: 'rotated-secret-0123456789abcdef', previousWebhookSecret: '' };
		const old = signedDelivery(messageEvent(), OLD_SECRET);
		expect((await post(old.body, old.headers)).status).toBe(401);
	});

	test('a signed body that is not JSON gets 4xx and starts nothing', async () => {
		const body = Buffer.from('hello, not json');
		const { headers } = signedDelivery(messageEvent(), SECRET);
		const response = await post(body, { ...headers, ...signedBodyHeaders(body, headers['X-Webhook-Id']) });
		expect(response.status).toBe(400);
		expect(response.json.error.code).toBe('invalid_json');
		expect(emitted).toBeUndefined();
	});

	test('a signed JSON body that is not an event gets 422 and starts nothing', async () => {
		const body = Buffer.from(JSON.stringify({ eventId: 'x', hello: 'world' }));
		const response = await post(body, { 'Content-Type': 'application/json', ...signedBodyHeaders(body, 'x') });
		expect(response.status).toBe(422);
		expect(response.json.error.code).toBe('invalid_event');
		expect(emitted).toBeUndefined();
	});

	test('a body over the size limit gets 413 and starts nothing', async () => {
		setup.options = { maxBodySizeKb: 1 };
		const event = messageEvent({ text: 'x'.repeat(2000) });
		const delivery = signedDelivery(event, SECRET);
		const response = await post(delivery.body, delivery.headers);
		expect(response.status).toBe(413);
		expect(emitted).toBeUndefined();
	});

	test('a backfill batch of 50 becomes 50 items, each marked as backfilled', async () => {
		const batch = backfillBatch(50);
		const delivery = signedDelivery(batch, SECRET);
		const response = await post(delivery.body, delivery.headers);
		expect(response.status).toBe(200);
		const out = items();
		expect(out).toHaveLength(50);
		expect(new Set(out.map((item) => (item.message as IDataObject).messageId)).size).toBe(50);
		for (const item of out) {
			expect(item.type).toBe('message');
			expect((item.message as IDataObject).origin).toBe('backfill');
			expect(item.backfill).toEqual({ jobId: 'job-1', batchIndex: 1 });
		}
	});

	test('the same delivery twice is acknowledged twice but emitted once', async () => {
		const delivery = signedDelivery(messageEvent(), SECRET);
		expect((await post(delivery.body, delivery.headers)).json.emitted).toBe(1);
		emitted = undefined;
		const again = await post(delivery.body, delivery.headers);
		expect(again.status).toBe(200);
		expect(again.json).toMatchObject({ emitted: 0, duplicates: 1 });
		expect(emitted).toBeUndefined();
	});

	test('with the Duplicate Window at 0, a delivery re-sent within the replay tolerance still starts nothing', async () => {
		setup.options = { dedupWindowMinutes: 0 };
		const delivery = signedDelivery(messageEvent(), SECRET);
		expect((await post(delivery.body, delivery.headers)).json.emitted).toBe(1);
		emitted = undefined;
		const replay = await post(delivery.body, delivery.headers);
		expect(replay.json).toMatchObject({ emitted: 0, duplicates: 1 });
		expect(emitted).toBeUndefined();
	});

	test('a delivery re-sent 20 minutes later, inside a one-hour replay tolerance, starts nothing', async () => {
		setup.toleranceSeconds = 3600; // the credential's maximum; the Duplicate Window stays at its 10-minute default
		const delivery = signedDelivery(messageEvent(), SECRET);
		expect((await post(delivery.body, delivery.headers)).json.emitted).toBe(1);
		emitted = undefined;
		const realNow = Date.now;
		const clock = jest.spyOn(Date, 'now').mockImplementation(() => realNow() + 20 * 60_000);
		try {
			const replay = await post(delivery.body, delivery.headers);
			expect(replay.status).toBe(200); // signature and clock still pass: only the id catches it
			expect(replay.json).toMatchObject({ emitted: 0, duplicates: 1 });
			expect(emitted).toBeUndefined();
		} finally {
			clock.mockRestore();
		}
	});

	test('group messages are left out unless included', async () => {
		const group = buildMessageEvent({
			sessionId: SESSION_ID,
			message: textMessage({ from: '120363041234567890@g.us', chatKind: 'group', participant: '5511987654321@c.us' }),
		});
		let delivery = signedDelivery(group, SECRET);
		expect((await post(delivery.body, delivery.headers)).json.emitted).toBe(0);
		setup.options = { includeGroups: true };
		setup.nodeId = 'another-node';
		delivery = signedDelivery(group, SECRET);
		expect((await post(delivery.body, delivery.headers)).json.emitted).toBe(1);
	});

	test('media is skipped by default and passed with the placeholder text when asked', async () => {
		const media = () => messageEvent({ kind: 'image', isMedia: true, rawType: 'image', text: null });
		let delivery = signedDelivery(media(), SECRET);
		expect((await post(delivery.body, delivery.headers)).json.emitted).toBe(0);
		setup.options = { media: 'placeholder' };
		delivery = signedDelivery(media(), SECRET);
		await post(delivery.body, delivery.headers);
		expect((items()[0].message as IDataObject).text).toBe('Media message received');
	});

	test('Media Messages "Emit" passes media messages as they are, with message.media and no file', async () => {
		setup.options = { media: 'emit' };
		const media = messageEvent({ kind: 'image', isMedia: true, rawType: 'image', text: null });
		const delivery = signedDelivery(media, SECRET);
		await post(delivery.body, delivery.headers);
		expect(items()).toEqual([JSON.parse(JSON.stringify(media))]);
		expect(emitted![0]![0]!.binary).toBeUndefined();
	});

	test('only the selected events are emitted', async () => {
		setup.events = ['inbound'];
		const outbound = signedDelivery(messageEvent({ direction: 'outbound' }), SECRET);
		expect((await post(outbound.body, outbound.headers)).json.emitted).toBe(0);
		const inbound = signedDelivery(messageEvent(), SECRET);
		expect((await post(inbound.body, inbound.headers)).json.emitted).toBe(1);
	});

	test('a GET to a sidecar trigger is refused', async () => {
		const response = await fetch(`${baseUrl}?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1`);
		expect(response.status).toBe(405);
	});
});

describe('Cloud API source', () => {
	beforeEach(() => {
		setup.source = 'cloudApi';
		setup.events = ['inbound', 'outbound', 'status'];
	});

	test('the GET handshake answers the bare challenge for the right token and 403 otherwise', async () => {
		const ok = await fetch(`${baseUrl}?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1158201444`);
		expect(ok.status).toBe(200);
		expect(ok.headers.get('content-type')).toMatch(/^text\/plain/);
		expect(await ok.text()).toBe('1158201444');
		const wrong = await fetch(`${baseUrl}?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1158201444`);
		expect(wrong.status).toBe(403);
		expect(await wrong.text()).not.toContain('1158201444');
	});

	test('a verify token changed in n8n answers Meta\'s "Verify and save" at once', async () => {
		const before = await fetch(`${baseUrl}?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=42`);
		expect(before.status).toBe(200);
		setup.credentialOverrides = { verifyToken: 'a-new-verify-token' };
		const after = await fetch(`${baseUrl}?hub.mode=subscribe&hub.verify_token=a-new-verify-token&hub.challenge=43`);
		expect(after.status).toBe(200);
		expect(await after.text()).toBe('43');
	});

	test('one signed body with several entries, changes, messages and statuses fans out to one item each', async () => {
		const body = metaBody([
			[
				messagesValue([
					{ from: '5511987654321', id: 'wamid.A1', text: 'Olá, tudo bem? Preço: R$ 10/un 😀', name: 'Maria' },
					{ from: '4915112345678', id: 'wamid.A2', text: 'Grüße aus München' },
				]),
				messagesValue([], [statusOf('wamid.OUT1', 'delivered', '5215512345678')]),
			],
			[messagesValue([{ from: '919876543210', id: 'wamid.B1', text: 'नमस्ते' }])],
		]);
		const delivery = signedMetaDelivery(body, APP_SECRET);
		expect(delivery.body.toString()).toContain('Pre\\u00e7o'); // escaped as Meta does
		const response = await post(delivery.body, delivery.headers);
		expect(response.status).toBe(200);
		const out = items();
		expect(out.map((item) => item.type)).toEqual(['message', 'message', 'message.status', 'message']);
		const first = out[0].message as IDataObject;
		expect(first).toMatchObject({ messageId: 'wamid.A1', direction: 'inbound', text: 'Olá, tudo bem? Preço: R$ 10/un 😀' });
		expect(first.remote).toMatchObject({ phone: '+5511987654321', rawId: '5511987654321', name: 'Maria' });
		expect((out[3].message as IDataObject).text).toBe('नमस्ते');
		expect(out[2].status).toMatchObject({ messageId: 'wamid.OUT1', status: 'delivered' });
		for (const item of out) expect(item.source).toBe('cloud_api');
	});

	test('a body re-serialized after signing no longer verifies', async () => {
		const body = metaBody([[messagesValue([{ from: '5511987654321', id: 'wamid.C1', text: 'café' }])]]);
		const delivery = signedMetaDelivery(body, APP_SECRET);
		const response = await post(JSON.stringify(JSON.parse(delivery.body.toString())), delivery.headers);
		expect(response.status).toBe(401);
		expect(response.json.error.code).toBe('signature_mismatch');
		expect(emitted).toBeUndefined();
	});

	test('an unsigned POST gets 401 and starts nothing', async () => {
		const body = metaBody([[messagesValue([{ from: '5511987654321', id: 'wamid.D1', text: 'hi' }])]]);
		const response = await post(JSON.stringify(body), { 'Content-Type': 'application/json' });
		expect(response.status).toBe(401);
		expect(response.json.error.code).toBe('missing_header');
		expect(emitted).toBeUndefined();
	});
});

/** Signs arbitrary bytes with the sidecar scheme (for bodies that are not events). */
function signedBodyHeaders(body: Buffer, id: string): Record<string, string> {
	const { signSidecarPayload } = require('../../../core/signatures') as typeof import('../../../core/signatures');
	return signSidecarPayload({ secret: SECRET, id, body });
}

describe('Download Media', () => {
	let under: SidecarUnderTest;
	let graph: MetaGraphStandIn;
	const sessionId = newSessionId();
	const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

	beforeAll(async () => {
		under = await startSidecarUnderTest();
		await linkSession(under.run, under.receiver.waitFor, sessionId);
		graph = await startMetaGraphStandIn();
	});
	afterAll(async () => {
		await graph.close();
		await stopSidecarUnderTest(under);
	});

	/** A media message as the sidecar forwards it (its media.ref points at the real sidecar's session). */
	async function sidecarEvent(body: Record<string, unknown>): Promise<MessageEvent> {
		const res = await under.run.api('POST', `/simulator/sessions/${sessionId}/inbound`, { from: '+5521987654321', ...body });
		return (await under.receiver.waitFor(isMessage(res.body.messageId))) as MessageEvent;
	}

	const deliver = async (event: NormalizedEvent) => {
		const delivery = signedDelivery(event, SECRET);
		return await post(delivery.body, delivery.headers);
	};

	beforeEach(() => {
		setup.credentialOverrides = { baseUrl: under.run.sidecar.url, apiKey: API_KEY };
		warnings.length = 0;
	});

	test('attaches the file of a sidecar image as binary data (media emitted even with Media Messages on Skip)', async () => {
		setup.options = { downloadMedia: true };
		const event = await sidecarEvent({ type: 'image', caption: 'the receipt', size: 5000 });
		const response = await deliver(event);
		expect(response.status).toBe(200);
		const [item] = emitted![0]!;
		const bytes = simulatedMediaBytes(event.message.messageId, 5000);
		expect(Buffer.from(item!.binary!.data!.data, 'base64').equals(bytes)).toBe(true);
		expect(item!.binary!.data).toMatchObject({ mimeType: 'image/jpeg', fileName: 'whatsapp-media.jpg' });
		expect(item!.json).toMatchObject({
			eventId: event.eventId,
			message: { text: 'the receipt', media: { sha256: sha256(bytes) } },
			mediaFile: { binaryProperty: 'data', mimeType: 'image/jpeg', size: 5000, sha256: sha256(bytes) },
		});
		expect(item!.json.mediaError).toBeUndefined();
	});

	test('uses the binary property asked for, and leaves text messages alone', async () => {
		setup.options = { downloadMedia: true, mediaBinaryProperty: 'photo', media: 'emit' };
		const event = await sidecarEvent({ type: 'document', fileName: 'Nota fiscal.pdf', size: 700 });
		await deliver(event);
		expect(emitted![0]![0]!.binary!.photo).toMatchObject({ mimeType: 'application/pdf', fileName: 'Nota fiscal.pdf' });
		const text = messageEvent();
		await deliver(text);
		expect(emitted![0]![0]).toEqual({ json: JSON.parse(JSON.stringify(text)) });
	});

	test('over the size limit, expired, or the sidecar unreachable: the item is still emitted, without the file, with mediaError', async () => {
		setup.options = { downloadMedia: true, maxMediaSizeMb: 1 };
		const big = await sidecarEvent({ type: 'video', size: 1024 * 1024 + 1 });
		expect((await deliver(big)).status).toBe(200);
		expect(emitted![0]![0]!.binary).toBeUndefined();
		expect(emitted![0]![0]!.json).toMatchObject({ eventId: big.eventId, mediaError: { code: 'media_too_large' } });

		const expired = await sidecarEvent({ type: 'image', mediaExpired: true });
		expect((await deliver(expired)).status).toBe(200);
		expect(emitted![0]![0]!.json.mediaError).toMatchObject({ code: 'media_expired' });

		setup.credentialOverrides = { baseUrl: 'http://127.0.0.1:1', apiKey: API_KEY };
		setup.nodeId = 'unreachable-sidecar';
		const image = await sidecarEvent({ type: 'image' });
		expect((await deliver(image)).status).toBe(200);
		expect(emitted![0]![0]!.json.mediaError).toMatchObject({ code: 'unreachable' });
		// The log says what happened, never the number, the caption or the bytes.
		expect(warnings.map((w) => w.meta)).toEqual([{ code: 'media_too_large', eventType: 'message' }, { code: 'media_expired', eventType: 'message' }, { code: 'unreachable', eventType: 'message' }]);
	});

	test('with Download Media off, nothing is downloaded and media stays skipped by default', async () => {
		const before = under.run.logs.filter((line) => line.includes('media downloaded')).length;
		const event = await sidecarEvent({ type: 'image' });
		expect((await deliver(event)).json).toMatchObject({ emitted: 0 });
		expect(under.run.logs.filter((line) => line.includes('media downloaded')).length).toBe(before);
	});

	test('Cloud API: an access token changed in n8n a moment ago is used for the very next download', async () => {
		setup.source = 'cloudApi';
		setup.events = ['inbound'];
		setup.options = { downloadMedia: true };
		// The trigger reads (and keeps) the credential while its token is an old, revoked one.
		setup.credentialOverrides = { accessToken: 'EAAG-revoked-token', phoneNumberId: graph.phoneNumberId, graphBaseUrl: graph.url, graphApiVersion: 'v21.0' };
		const text = messagesValue([{ from: '5511987654321', id: 'wamid.TEXT-BEFORE-ROTATION', text: 'oi', name: 'Maria' }]);
		const before = signedMetaDelivery(metaBody([[text]]), APP_SECRET);
		expect((await post(before.body, before.headers)).status).toBe(200);
		// The user pastes the new token into the credential; an image arrives right after.
		setup.credentialOverrides = { ...setup.credentialOverrides, accessToken: graph.accessToken };
		const bytes = randomBytes(2000);
		const mediaId = graph.receiveMedia(bytes, 'image/jpeg');
		const value = messagesValue([]);
		value.messages = [{ from: '5511987654321', id: 'wamid.MEDIA-AFTER-ROTATION', timestamp: String(recentUnix(30)), type: 'image', image: { mime_type: 'image/jpeg', sha256: sha256(bytes), id: mediaId } }];
		const delivery = signedMetaDelivery(metaBody([[value]]), APP_SECRET);
		expect((await post(delivery.body, delivery.headers)).status).toBe(200);
		const [item] = emitted![0]!;
		expect(item!.json.mediaError).toBeUndefined();
		expect(Buffer.from(item!.binary!.data!.data, 'base64').equals(bytes)).toBe(true);
	});

	test('Cloud API: the image of a Meta webhook as binary data, through the Graph stand-in', async () => {
		setup.source = 'cloudApi';
		setup.events = ['inbound'];
		setup.options = { downloadMedia: true };
		setup.credentialOverrides = { accessToken: graph.accessToken, phoneNumberId: graph.phoneNumberId, graphBaseUrl: graph.url, graphApiVersion: 'v21.0' };
		const bytes = randomBytes(3000);
		const mediaId = graph.receiveMedia(bytes, 'image/jpeg');
		const value = messagesValue([]);
		value.contacts = [{ profile: { name: 'Maria' }, wa_id: '5511987654321' }];
		value.messages = [
			{ from: '5511987654321', id: 'wamid.MEDIA1', timestamp: String(recentUnix(30)), type: 'image', image: { caption: 'foto', mime_type: 'image/jpeg', sha256: sha256(bytes), id: mediaId } },
		];
		const delivery = signedMetaDelivery(metaBody([[value]]), APP_SECRET);
		expect((await post(delivery.body, delivery.headers)).status).toBe(200);
		const [item] = emitted![0]!;
		expect(Buffer.from(item!.binary!.data!.data, 'base64').equals(bytes)).toBe(true);
		expect(item!.json).toMatchObject({ message: { media: { ref: `cloud_api:${mediaId}` } }, mediaFile: { sha256: sha256(bytes), size: 3000 } });
	});
});
