/**
 * WhatsApp Send Message through Meta's Cloud API: the exact Graph API request
 * Meta receives, the items the node outputs, and Meta's errors explained. The
 * node runs in n8n's own execution context against a Graph API stand-in on
 * loopback that speaks Meta's wire format.
 */
import { NodeApiError, NodeOperationError, type INodeExecutionData } from 'n8n-workflow';
import { validateNormalizedEvent } from '../../../core/events/validate-event';
import { WhatsAppCrmSend } from '../../../nodes/WhatsAppCrmSend/WhatsAppCrmSend.node';
import { cloudApiCredential, startMetaGraphStandIn, type MetaGraphStandIn } from '../../support/meta-graph-stand-in';
import { credentialTestRequest, runNode, failureOf } from './support/run-node';

let meta: MetaGraphStandIn;
const nodeType = new WhatsAppCrmSend();

beforeEach(async () => {
	meta = await startMetaGraphStandIn();
});

afterEach(async () => {
	await meta.close();
});

function send(
	parameters: Record<string, unknown>,
	extra: { items?: INodeExecutionData[]; continueOnFail?: boolean; credential?: Record<string, string> | null } = {},
) {
	return runNode({
		nodeType,
		parameters: { source: 'cloudApi', ...parameters } as never,
		credentials: extra.credential === null ? {} : { whatsAppCloudApi: extra.credential ?? cloudApiCredential(meta) },
		items: extra.items,
		continueOnFail: extra.continueOnFail,
	});
}

describe('WhatsApp Send Message via the Cloud API', () => {
	it("sends a text with Meta's exact body, the bearer token and the phone number id, and outputs the wamid and the outbound event", async () => {
		const [items] = await send({ to: '+55 (11) 98765-4321', messageType: 'text', text: 'Your order has shipped: https://example.com/t/1' });

		const sends = meta.sends();
		expect(sends).toHaveLength(1);
		expect(sends[0]!.path).toBe(`/v21.0/${meta.phoneNumberId}/messages`);
		expect(sends[0]!.headers.authorization).toBe(`Bearer ${meta.accessToken}`);
		expect(sends[0]!.headers['content-type']).toMatch(/^application\/json/);
		expect(sends[0]!.body).toEqual({
			messaging_product: 'whatsapp',
			recipient_type: 'individual',
			to: '5511987654321',
			type: 'text',
			text: { body: 'Your order has shipped: https://example.com/t/1', preview_url: false },
		});

		const item = items![0]!;
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(item.json).toEqual({
			messageId: expect.stringMatching(/^wamid\./),
			to: '+5511987654321',
			source: 'cloud_api',
			sessionId: meta.phoneNumberId,
			waId: '5511987654321',
			event: expect.any(Object),
		});
		const event = item.json.event as Record<string, any>;
		expect(validateNormalizedEvent(event)).toEqual({ ok: true, event });
		expect(event).toMatchObject({
			eventId: `cloud_api:msg:${item.json.messageId as string}`,
			type: 'message',
			source: 'cloud_api',
			sessionId: meta.phoneNumberId,
			message: {
				messageId: item.json.messageId,
				direction: 'outbound',
				origin: 'live',
				chatKind: 'direct',
				chatId: '5511987654321',
				kind: 'text',
				text: 'Your order has shipped: https://example.com/t/1',
				remote: { idKind: 'person', phone: '+5511987654321', rawId: '5511987654321' },
			},
		});
	});

	it('asks for a link preview when the option is on', async () => {
		await send({ to: '+5511987654321', messageType: 'text', text: 'See https://example.com', options: { previewUrl: true } });
		expect((meta.sends()[0]!.body as { text: unknown }).text).toEqual({ body: 'See https://example.com', preview_url: true });
	});

	it("uses the wa_id Meta answers with for the event's contact", async () => {
		meta.waIds.set('5511987654321', '551187654321');
		const [items] = await send({ to: '+5511987654321', messageType: 'text', text: 'Oi' });

		expect(items![0]!.json.to).toBe('+5511987654321');
		expect(items![0]!.json.waId).toBe('551187654321');
		expect((items![0]!.json.event as any).message.remote).toMatchObject({ rawId: '551187654321', phone: '+551187654321' });
	});

	it('sends an approved template with its language and body variables in order', async () => {
		const [items] = await send({
			to: '5511987654321',
			messageType: 'template',
			templateName: 'order_update',
			languageCode: 'pt-BR',
			bodyVariables: { variable: [{ value: 'Ana' }, { value: '#1234' }] },
		});

		expect(meta.sends()[0]!.body).toEqual({
			messaging_product: 'whatsapp',
			recipient_type: 'individual',
			to: '5511987654321',
			type: 'template',
			template: {
				name: 'order_update',
				language: { code: 'pt_BR' },
				components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }, { type: 'text', text: '#1234' }] }],
			},
		});
		expect(items![0]!.json).toMatchObject({
			source: 'cloud_api',
			to: '+5511987654321',
			template: { name: 'order_update', languageCode: 'pt_BR', bodyVariables: ['Ana', '#1234'] },
		});
		const event = items![0]!.json.event as Record<string, any>;
		expect(validateNormalizedEvent(event)).toEqual({ ok: true, event });
		expect(event.message).toMatchObject({ kind: 'template', rawType: 'template', text: null, direction: 'outbound' });
	});

	it('sends a template without variables in en_US by default, with no components', async () => {
		await send({ to: '+5511987654321', messageType: 'template', templateName: 'hello_world' });

		expect(meta.sends()[0]!.body).toEqual({
			messaging_product: 'whatsapp',
			recipient_type: 'individual',
			to: '5511987654321',
			type: 'template',
			template: { name: 'hello_world', language: { code: 'en_US' } },
		});
	});

	it("explains Meta's 131047: the 24-hour window has passed and an approved template is needed", async () => {
		meta.failFor('5511987654321', { code: 131047 });
		const error = await failureOf(send({ to: '+5511987654321', messageType: 'text', text: 'Are you still interested?' }));

		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe(
			'More than 24 hours have passed since the customer last replied, so WhatsApp only accepts an approved template message to this person now. Send an approved template instead (Message Type: Template); free-form text is possible again once the customer replies.',
		);
		expect(error.httpCode).toBe('400');
		expect(error.description).toContain('Meta error 131047 (Re-engagement message)');
		expect(error.description).toContain('more than 24 hours have passed since the customer last replied');
		expect(error.description).toMatch(/fbtrace_id \S+/);
	});

	it('with Continue On Fail outputs the explanation and the Meta code, and sends the other items', async () => {
		meta.failFor('5511987654321', { code: 131047 });
		const [items] = await send(
			{ to: '={{ $json.to }}', messageType: 'text', text: 'Hello' },
			{ items: [{ json: { to: '+5511987654321' } }, { json: { to: '+5521998765432' } }], continueOnFail: true },
		);

		expect(items).toHaveLength(2);
		expect(items![0]).toEqual({
			json: { error: expect.stringMatching(/More than 24 hours have passed.*Send an approved template instead/), code: 131047 },
			pairedItem: { item: 0 },
		});
		expect(items![1]!.json).toMatchObject({ to: '+5521998765432', messageId: expect.stringMatching(/^wamid\./) });
		expect(meta.sends()).toHaveLength(2);
	});

	it.each([
		[131026, /could not deliver the message/],
		[131056, /Too many messages went to this same recipient/],
		[131030, /allowed list/],
		[368, /temporarily blocked/],
		[80007, /rate limit/],
	])("explains Meta's %i", async (code, explanation) => {
		meta.failFor('5511987654321', { code });
		const [items] = await send({ to: '+5511987654321', messageType: 'text', text: 'Hi' }, { continueOnFail: true });
		expect(items![0]!.json.code).toBe(code);
		expect(items![0]!.json.error).toMatch(explanation);
	});

	it("explains Meta's 132001 for a template name or language that is not approved", async () => {
		const error = await failureOf(send({ to: '+5511987654321', messageType: 'template', templateName: 'order_update', languageCode: 'es' }));

		expect(error.message).toMatch(/No approved template has this name in this language/);
		expect(error.httpCode).toBe('404');
		expect(error.description).toContain('template name (order_update) does not exist in es');
	});

	it("explains Meta's 132000 when the number of body variables does not match the template", async () => {
		const error = await failureOf(
			send({ to: '+5511987654321', messageType: 'template', templateName: 'order_update', bodyVariables: { variable: [{ value: 'Ana' }] } }),
		);
		expect(error.message).toMatch(/Give exactly one Body Variable per \{\{n\}\}/);
	});

	it('explains an access token Meta refuses (190) with how to make a new one', async () => {
		const error = await failureOf(send({ to: '+5511987654321', messageType: 'text', text: 'Hi' }, { credential: cloudApiCredential(meta, { accessToken: 'EAAGexpired' }) }));

		expect(meta.sends()[0]!.headers.authorization).toBe('Bearer EAAGexpired');
		expect(error.message).toMatch(/access token in the credential has expired or is no longer valid/);
		expect(error.message).toMatch(/System Users > Generate token/);
		expect(error.httpCode).toBe('401');
	});

	it('explains a Phone Number ID Meta does not know (100/33)', async () => {
		const error = await failureOf(send({ to: '+5511987654321', messageType: 'text', text: 'Hi' }, { credential: cloudApiCredential(meta, { phoneNumberId: '999000111' }) }));
		expect(meta.sends()[0]!.path).toBe('/v21.0/999000111/messages');
		expect(error.message).toMatch(/Meta does not know the Phone Number ID in the credential/);
	});

	it('says the Cloud API is not configured when the node has no credential, and sends nothing', async () => {
		const error = await failureOf(send({ to: '+5511987654321', messageType: 'text', text: 'Hi' }, { credential: null }));

		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toMatch(/^The WhatsApp Cloud API is not configured: this node has no WhatsApp Cloud API credential\./);
		expect(meta.requests).toHaveLength(0);
	});

	it('says the Cloud API is not configured when the credential has no Phone Number ID', async () => {
		const [items] = await send(
			{ to: '+5511987654321', messageType: 'text', text: 'Hi' },
			{ credential: cloudApiCredential(meta, { phoneNumberId: '  ' }), continueOnFail: true },
		);
		expect(items![0]!.json).toEqual({
			error: expect.stringMatching(/^The WhatsApp Cloud API is not configured: the credential has no Phone Number ID\./),
			code: 'cloud_api_not_configured',
		});
		expect(meta.requests).toHaveLength(0);
	});

	it('refuses a template variable Meta would refuse, before sending', async () => {
		const error = await failureOf(
			send({
				to: '+5511987654321',
				messageType: 'template',
				templateName: 'order_update',
				bodyVariables: { variable: [{ value: 'Ana' }, { value: 'line one\nline two' }] },
			}),
		);
		expect(error.message).toMatch(/Body variable \{\{2\}\} contains a line break/);
		expect(meta.requests).toHaveLength(0);
	});

	it('refuses a group id, before sending', async () => {
		const error = await failureOf(send({ to: '120363025246125486@g.us', messageType: 'text', text: 'Hi' }));
		expect(error.message).toMatch(/is a WhatsApp group/);
		expect(meta.requests).toHaveLength(0);
	});
});

describe("the 'Meta WhatsApp Cloud API' credential test", () => {
	it("asks Meta's Graph API for the phone number with the token, and Meta answers with its name", async () => {
		const request = await credentialTestRequest('whatsAppCloudApi', cloudApiCredential(meta));
		const response = await fetch(request.url, { method: request.method, headers: request.headers });

		expect(meta.requests[0]!.path).toBe(`/v21.0/${meta.phoneNumberId}`);
		expect(meta.requests[0]!.headers.authorization).toBe(`Bearer ${meta.accessToken}`);
		expect(response.status).toBe(200);
		expect(await response.json()).toEqual({ display_phone_number: '+1 555-010-4477', verified_name: 'Test Business', id: meta.phoneNumberId });
	});

	it('fails with a wrong token', async () => {
		const request = await credentialTestRequest('whatsAppCloudApi', cloudApiCredential(meta, { accessToken: 'EAAGwrong' }));
		const response = await fetch(request.url, { method: request.method, headers: request.headers });
		expect(response.status).toBe(401);
		expect(((await response.json()) as { error: { code: number } }).error.code).toBe(190);
	});
});
