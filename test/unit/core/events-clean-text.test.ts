import { buildMessageEvent, buildRemoteParty, cleanStrings, cleanText, normalizeMetaWebhook } from '../../../core/events';
import { receiveSidecarWebhook } from '../../../core/webhooks';
import { signSidecarPayload } from '../../../core/signatures';

describe('cleanText: what PostgreSQL cannot store becomes U+FFFD', () => {
	it.each([
		['NUL', 'a\u0000b', 'a\uFFFDb'],
		['a lone high surrogate', 'x\uD83Dy', 'x\uFFFDy'],
		['a lone low surrogate', 'x\uDE00y', 'x\uFFFDy'],
		['a high surrogate at the end', 'x\uD83D', 'x\uFFFD'],
		['two high surrogates before a low one', '\uD83D\uD83D\uDE00', '\uFFFD\uD83D\uDE00'],
	])('%s', (_name, input, expected) => {
		expect(cleanText(input)).toBe(expected);
	});

	it('leaves emoji, RTL marks, other control characters and quotes as they are', () => {
		const text = "😀👍🏽 \u200F\u202Bשלום\u202C \u0001\u001F\u007F '); DROP TABLE contacts; --";
		expect(cleanText(text)).toBe(text);
	});

	it('cleans every string of a nested value, keys included', () => {
		expect(cleanStrings({ a: ['\u0000', { 'k\u0000': 'v\uD800' }], n: 1, z: null })).toEqual({
			a: ['\uFFFD', { 'k\uFFFD': 'v\uFFFD' }],
			n: 1,
			z: null,
		});
	});
});

describe('every event the product builds is storable', () => {
	const sessionId = '6f1c2a9e-3b7d-4c1e-9a0f-2d5b8e7c4a11';

	it('the sidecar builders clean texts and profile names', () => {
		const event = buildMessageEvent({
			sessionId,
			message: {
				messageId: 'false_5511987654321@c.us_3EB0NUL',
				direction: 'inbound',
				chatKind: 'direct',
				chatId: '5511987654321@c.us',
				remote: buildRemoteParty('5511987654321@c.us', { name: 'Ma\u0000ria', about: '\uDC00' }),
				kind: 'text',
				isMedia: false,
				rawType: 'chat',
				text: 'hi\u0000 \uD83D',
				timestamp: '2026-11-20T12:00:00.000Z',
				origin: 'live',
				participant: null,
				contextMessageId: null,
			},
		});
		expect(event.message.text).toBe('hi\uFFFD \uFFFD');
		expect(event.message.remote.name).toBe('Ma\uFFFDria');
		expect(event.message.remote.about).toBe('\uFFFD');
	});

	it("Meta's normalizer cleans what Meta escaped (\\u0000, lone \\ud83d)", () => {
		const raw = Buffer.from(
			'{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"A\\u0000B"},"wa_id":"5511987654321"}],"messages":[{"from":"5511987654321","id":"wamid.NUL1","timestamp":"1763640000","type":"text","text":{"body":"x\\u0000y\\ud83d"}}]}}]}]}',
		);
		const { events } = normalizeMetaWebhook(JSON.parse(raw.toString('utf8')));
		expect(events).toHaveLength(1);
		const event = events[0];
		if (event.type !== 'message') throw new Error('expected a message');
		expect(event.message.text).toBe('x\uFFFDy\uFFFD');
		expect(event.message.remote.name).toBe('A\uFFFDB');
	});

	it('the trigger cleans a signed sidecar event that still carries NUL (an older sidecar)', () => {
		const body = Buffer.from(
			JSON.stringify({
				schemaVersion: 1,
				eventId: 'e-nul',
				source: 'sidecar',
				sessionId,
				occurredAt: '2026-11-20T12:00:00.000Z',
				type: 'message',
				message: {
					messageId: 'false_5511987654321@c.us_3EB0NUL2',
					direction: 'inbound',
					chatKind: 'direct',
					chatId: '5511987654321@c.us',
					remote: { idKind: 'person', phone: '+5511987654321', rawId: '5511987654321@c.us', name: null, about: null },
					kind: 'text',
					isMedia: false,
					rawType: 'chat',
					text: 'a\u0000b',
					timestamp: '2026-11-20T12:00:00.000Z',
					origin: 'live',
					participant: null,
					contextMessageId: null,
				},
			}),
		);
		const headers = signSidecarPayload({ secret: 's3cret', id: 'e-nul', timestamp: Math.floor(Date.now() / 1000), body });
		const outcome = receiveSidecarWebhook({ method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, rawBody: body, query: {} }, { secrets: ['s3cret'] });
		if (outcome.accepted !== true) throw new Error(`refused: ${JSON.stringify(outcome)}`);
		const event = outcome.events[0];
		if (event.type !== 'message') throw new Error('expected a message');
		expect(event.message.text).toBe('a\uFFFDb');
	});
});
