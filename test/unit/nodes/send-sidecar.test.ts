/**
 * WhatsApp Send Message through the sidecar: parameters → the HTTP request the
 * sidecar receives → the items the node outputs, and the errors a user sees.
 * The node runs in n8n's own execution context against the real sidecar (in
 * process, simulator driver), its requests recorded on the way.
 */
import { NodeApiError, NodeOperationError, type INodeExecutionData } from 'n8n-workflow';
import { validateNormalizedEvent } from '../../../core/events/validate-event';
import { WhatsAppCrmSend } from '../../../nodes/WhatsAppCrmSend/WhatsAppCrmSend.node';
import { runNode, failureOf } from './support/run-node';
import { sidecarCredential, startNodeTestSidecar, type NodeTestSidecar } from './support/real-sidecar';

const SESSION = '3f2b8c1e-6d4a-4f1b-9c2e-7a5d3b1c9e0f';
const OTHER_SESSION = '9a1d5e2c-0b7f-4c3a-8d6e-1f2a3b4c5d6e';
/** A number WhatsApp does not know (every other number is on WhatsApp for the simulator). */
const NOT_ON_WHATSAPP = '+5511912345678';

// Starting the sidecar and linking its sessions takes a few seconds on a busy machine.
jest.setTimeout(60_000);

let sidecar: NodeTestSidecar;
const nodeType = new WhatsAppCrmSend();

beforeAll(async () => {
	sidecar = await startNodeTestSidecar();
	await sidecar.link(SESSION, '5511900001111');
	// Linked once, then the phone removed the device: disconnected.
	await sidecar.link(OTHER_SESSION, '5511900002222');
	await sidecar.simulate(OTHER_SESSION, 'drop-link');
	await sidecar.receiver.waitFor((event) => event.type === 'session.state' && event.sessionId === OTHER_SESSION && event.session.state === 'disconnected');
	await sidecar.simulate(SESSION, 'not-on-whatsapp', { numbers: [NOT_ON_WHATSAPP] });
});

beforeEach(() => {
	sidecar.requests.length = 0;
});

afterAll(async () => {
	await sidecar?.close();
});

const apiRequests = () => sidecar.requests;

function send(parameters: Record<string, unknown>, extra: { items?: INodeExecutionData[]; continueOnFail?: boolean; apiKey?: string } = {}) {
	return runNode({
		nodeType,
		parameters: { source: 'sidecar', sessionId: SESSION, ...parameters } as never,
		credentials: { whatsAppSidecarApi: sidecarCredential(sidecar, extra.apiKey ? { apiKey: extra.apiKey } : {}) },
		items: extra.items,
		continueOnFail: extra.continueOnFail,
	});
}

describe('WhatsApp Send Message via the sidecar', () => {
	it('posts the text to the session with the API key and outputs the id, the E.164 number and the outbound event', async () => {
		const [items] = await send({ to: '+55 11 98765-4321', text: 'Olá! Seu pedido saiu para entrega.' });

		const requests = apiRequests();
		expect(requests).toHaveLength(1);
		const request = requests[0]!;
		expect(request.method).toBe('POST');
		expect(request.path).toBe(`/sessions/${SESSION}/messages`);
		expect(request.headers.authorization).toBe(`Bearer ${sidecar.apiKey}`);
		expect(request.headers['content-type']).toMatch(/^application\/json/);
		expect(request.body).toEqual({ to: '5511987654321@c.us', text: 'Olá! Seu pedido saiu para entrega.' });

		expect(items).toHaveLength(1);
		const item = items![0]!;
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(item.json).toEqual({
			messageId: expect.stringMatching(/^true_5511987654321@c\.us_/),
			to: '+5511987654321',
			source: 'sidecar',
			sessionId: SESSION,
			event: expect.any(Object),
		});
		const event = item.json.event as Record<string, any>;
		expect(validateNormalizedEvent(event)).toEqual({ ok: true, event });
		expect(event.type).toBe('message');
		expect(event.source).toBe('sidecar');
		expect(event.sessionId).toBe(SESSION);
		expect(event.message).toMatchObject({
			messageId: item.json.messageId,
			direction: 'outbound',
			chatKind: 'direct',
			kind: 'text',
			text: 'Olá! Seu pedido saiu para entrega.',
			origin: 'live',
			remote: { idKind: 'person', phone: '+5511987654321' },
		});
	});

	it('sends one message per input item, reading To and Text from each item, and pairs every output with its input', async () => {
		const [items] = await send(
			{ to: '={{ $json.phone }}', text: '={{ "Hello " + $json.name }}', options: { defaultCountry: 'BR' } },
			{
				items: [
					{ json: { phone: '(11) 98765-4321', name: 'Ana' } },
					{ json: { phone: '447911123456@c.us', name: 'Tom' } },
				],
			},
		);

		expect(apiRequests().map((request) => request.body)).toEqual([
			{ to: '5511987654321@c.us', text: 'Hello Ana' },
			{ to: '447911123456@c.us', text: 'Hello Tom' },
		]);
		expect(items!.map((item) => [item.json.to, item.pairedItem])).toEqual([
			['+5511987654321', { item: 0 }],
			['+447911123456', { item: 1 }],
		]);
	});

	it('explains a session that is not connected (409) and tells the user to link the phone again', async () => {
		const error = await failureOf(send({ sessionId: OTHER_SESSION, to: '+5511987654321', text: 'Hi' }));

		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toMatch(/not connected/);
		expect(error.message).toMatch(/Link the phone again: open the Connect WhatsApp form/);
		expect(error.httpCode).toBe('409');
		expect(error.description).toContain('not_connected');
		expect(apiRequests()).toHaveLength(1);
	});

	it('explains a number that is not on WhatsApp, and with Continue On Fail goes on with the next item', async () => {
		const [items] = await send(
			{ to: '={{ $json.phone }}', text: 'Hi' },
			{ items: [{ json: { phone: NOT_ON_WHATSAPP } }, { json: { phone: '+5511987654321' } }], continueOnFail: true },
		);

		expect(items).toHaveLength(2);
		expect(items![0]).toMatchObject({
			json: { error: expect.stringMatching(/^This number is not on WhatsApp\. Check the number/), code: 'not_on_whatsapp' },
			pairedItem: { item: 0 },
		});
		// No node error on the item: n8n would replace its json with { error }, dropping the code.
		expect(items![0]!.error).toBeUndefined();
		expect(items![1]!.json).toMatchObject({ to: '+5511987654321', source: 'sidecar' });
		expect(items![1]!.pairedItem).toEqual({ item: 1 });
	});

	it('stops on a number that is not on WhatsApp when Continue On Fail is off, naming the item', async () => {
		const error = await failureOf(send({ to: NOT_ON_WHATSAPP, text: 'Hi' }));
		expect(error.message).toMatch(/This number is not on WhatsApp/);
		expect(error.context?.itemIndex).toBe(0);
	});

	it('refuses a group before calling the sidecar', async () => {
		const error = await failureOf(send({ to: '120363025246125486@g.us', text: 'Hi all' }));

		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toMatch(/is a WhatsApp group\. This node sends one-to-one messages only/);
		expect(apiRequests()).toHaveLength(0);
	});

	it('gives the refusal code of groups, channels and privacy ids to Continue On Fail', async () => {
		const [items] = await send(
			{ to: '={{ $json.to }}', text: 'Hi' },
			{
				items: [{ json: { to: '120363025246125486@g.us' } }, { json: { to: '120363144038483540@newsletter' } }, { json: { to: '201321494937649@lid' } }],
				continueOnFail: true,
			},
		);

		expect(items!.map((item) => item.json.code)).toEqual(['group_not_supported', 'not_a_person', 'lid_not_supported']);
		expect(apiRequests()).toHaveLength(0);
	});

	it('refuses a number it cannot read, suggesting the country code or a Default Country', async () => {
		const error = await failureOf(send({ to: '123', text: 'Hi' }));

		expect(error.message).toMatch(/'To' is not a valid phone number/);
		expect(error.message).toMatch(/Default Country/);
		
		expect(apiRequests()).toHaveLength(0);
	});

	it('refuses an empty text before calling the sidecar', async () => {
		const error = await failureOf(send({ to: '+5511987654321', text: '   ' }));
		expect(error.message).toMatch(/Text is empty/);
		expect(apiRequests()).toHaveLength(0);
	});

	it('says so when the API key is wrong (401)', async () => {
		const error = await failureOf(send({ to: '+5511987654321', text: 'Hi' }, { apiKey: 'not-the-key' }));

		expect(error.message).toMatch(/refused n8n's API key/);
		expect(error.message).toMatch(/SIDECAR_API_KEY/);
		expect(apiRequests()[0]!.headers.authorization).toBe('Bearer not-the-key');
	});

	it('says so when the sidecar has no such session (404)', async () => {
		const error = await failureOf(send({ sessionId: '0c8f3a52-5b1e-4d7a-9e3c-2a1b0c9d8e7f', to: '+5511987654321', text: 'Hi' }));
		expect(error.message).toBe(
			`The sidecar at ${sidecar.url} has no WhatsApp session "0c8f3a52-5b1e-4d7a-9e3c-2a1b0c9d8e7f". Check the Session ID, or connect the phone first (the Connect WhatsApp form, or WhatsApp Session Health with Operation "Connect").`,
		);
		expect(error.httpCode).toBe('404');
	});

	it('says how to write a Session ID the sidecar refuses (422 invalid_session_id)', async () => {
		const error = await failureOf(send({ sessionId: 'ana@example.com', to: '+5511987654321', text: 'Hi' }));
		expect(error.message).toMatch(/Session ID must be the user's id, a UUID/);
	});

	it('says where it looked when the sidecar cannot be reached', async () => {
		// A port nothing listens on: one the kernel gave out and took back.
		const gone = await startNodeTestSidecar();
		const url = gone.url;
		await gone.close();
		const error = await failureOf(
			runNode({
				nodeType,
				parameters: { source: 'sidecar', sessionId: SESSION, to: '+5511987654321', text: 'Hi' },
				credentials: { whatsAppSidecarApi: { baseUrl: `${url}/`, apiKey: 'k' } },
			}),
		);
		expect(error.message).toBe(
			`Cannot reach the WhatsApp sidecar at ${url}, which holds session "${SESSION}". Check that the sidecar is running and that the 'WhatsApp Sidecar API' credential lists the address n8n can reach it at.`,
		);
	});
});
