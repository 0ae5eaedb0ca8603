import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NO_MESSAGE_CONTENT, normalizeMetaWebhook, validateNormalizedEvent } from '../../../core/events';
import type { MessageEvent, NormalizedEvent, StatusEvent } from '../../../core/events';

/** Read a fixture the way the trigger reads a request: raw bytes, then JSON.parse. */
function fixture(name: string): unknown {
	return JSON.parse(readFileSync(join(__dirname, '../../fixtures/meta', name)).toString('utf8'));
}

const RECEIVED_AT = new Date('2025-11-22T12:00:01.250Z');

function messages(events: NormalizedEvent[]): MessageEvent['message'][] {
	return events.filter((e): e is MessageEvent => e.type === 'message').map((e) => e.message);
}

function expectAllValid(events: NormalizedEvent[]): void {
	for (const event of events) expect(validateNormalizedEvent(event)).toEqual({ ok: true, event });
}

describe('normalizeMetaWebhook: a body with 2 entries, several changes, messages and statuses', () => {
	const { events, errors } = normalizeMetaWebhook(fixture('multi-entry.json'), { receivedAt: RECEIVED_AT });

	it('turns every message and status of every entry and change into an event, in order', () => {
		expect(errors).toEqual([]);
		expect(events.map((e) => [e.type, e.sessionId, e.type === 'message' ? e.message.messageId : e.type === 'message.status' ? `${e.status.messageId}/${e.status.status}` : ''])).toEqual([
			['message', '106540352242922', 'wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFDNBMDFDMkQzRTRGNTA2MTcyODM5AA=='],
			['message', '106540352242922', 'wamid.HBgNNTUyMTk5ODc2NTQzMhUCABIYFDNBMDJDMkQzRTRGNTA2MTcyODQwAA=='],
			['message', '106540352242922', 'wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFDNBMDNDMkQzRTRGNTA2MTcyODQxAA=='],
			['message.status', '106540352242922', 'wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEjRBQjY0MUI3QkZBNjM0RjlCNwA=/sent'],
			['message.status', '106540352242922', 'wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEjRBQjY0MUI3QkZBNjM0RjlCNwA=/delivered'],
			['message.status', '106540352242922', 'wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEjRBQjY0MUI3QkZBNjM0RjlCNwA=/read'],
			['message', '223344556677889', 'wamid.HBgMNDQ3NDAwMTIzNDU2FQIAEhgUM0EwNEMyRDNFNEY1MDYxNzI4NDIA'],
			['message', '223344556677889', 'wamid.HBgNNTIxNTUxMjM0NTY3OBUCABIYFDNBMDVDMkQzRTRGNTA2MTcyODQzAA=='],
			['message.status', '223344556677889', 'wamid.HBgMNDQ3NDAwMTIzNDU2FQIAERgSMkQ0QUI2OUQzRjE1QjU4QjAwAA==/delivered'],
			['message.status', '223344556677889', 'wamid.HBgMNDkxNTEyMzQ1Njc4ORUCABEYEkQ3RTM0QTk5MDlBQTQ5QzFGNAA=/failed'],
		]);
	});

	it('makes a full Cloud API message event', () => {
		expect(events[0]).toEqual({
			schemaVersion: 2,
			eventId: 'cloud_api:msg:wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFDNBMDFDMkQzRTRGNTA2MTcyODM5AA==',
			source: 'cloud_api',
			sessionId: '106540352242922',
			occurredAt: '2025-11-22T12:00:01.250Z',
			type: 'message',
			message: {
				messageId: 'wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFDNBMDFDMkQzRTRGNTA2MTcyODM5AA==',
				direction: 'inbound',
				chatKind: 'direct',
				chatId: '5511987654321',
				remote: { idKind: 'person', phone: '+5511987654321', rawId: '5511987654321', name: 'Maria Souza', about: null },
				kind: 'text',
				isMedia: false,
				rawType: 'text',
				text: 'Oi, vocês entregam em Campinas?',
				timestamp: '2025-11-22T12:00:00.000Z',
				origin: 'live',
				participant: null,
				contextMessageId: null,
				...NO_MESSAGE_CONTENT,
			},
		});
	});

	it("gives each sender the profile name of their own contacts[] entry, including Mexico's +52 1 wa_id", () => {
		expect(messages(events).map((m) => [m.remote.phone, m.remote.name])).toEqual([
			['+5511987654321', 'Maria Souza'],
			['+5521998765432', 'João Pereira'],
			['+5511987654321', 'Maria Souza'],
			['+447400123456', 'Oliver Smith'],
			['+5215512345678', 'Lupita Hernández'],
		]);
	});

	it('gives deterministic event ids: a redelivered body yields the same ids', () => {
		const again = normalizeMetaWebhook(fixture('multi-entry.json'), { receivedAt: new Date('2025-11-22T12:05:00Z') });
		expect(again.events.map((e) => e.eventId)).toEqual(events.map((e) => e.eventId));
		expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
		expect(events[3].eventId).toBe('cloud_api:status:wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEjRBQjY0MUI3QkZBNjM0RjlCNwA=:sent');
	});

	it('keeps one event per id when a body repeats a message', () => {
		const body = fixture('multi-entry.json') as { entry: Array<{ changes: Array<{ value: { messages?: unknown[] } }> }> };
		const first = body.entry[0].changes[0].value.messages as unknown[];
		first.push(structuredClone(first[0]));
		const result = normalizeMetaWebhook(body, { receivedAt: RECEIVED_AT });
		expect(result.events.length).toBe(events.length);
	});

	it('produces only events that pass the strict validator', () => {
		expectAllValid(events);
	});
});

describe('normalizeMetaWebhook: every message type', () => {
	const { events, errors } = normalizeMetaWebhook(fixture('message-types.json'), { receivedAt: RECEIVED_AT });
	const byId = new Map(messages(events).map((m) => [m.messageId, m]));

	it('keeps all 20 messages, none as an error', () => {
		expect(errors).toEqual([]);
		expect(events).toHaveLength(20);
		expectAllValid(events);
	});

	it.each([
		['wamid.T01-text-reply', 'text', false, 'text', 'Sim, pode enviar', 'wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEjRBQjY0MUI3QkZBNjM0RjlCNwA='],
		['wamid.T02-image', 'image', true, 'image', 'Foto do produto', null],
		['wamid.T03-video', 'video', true, 'video', 'Unboxing', null],
		['wamid.T04-voice', 'voice', true, 'audio', null, null],
		['wamid.T05-audio', 'audio', true, 'audio', null, null],
		['wamid.T06-document', 'document', true, 'document', 'Nota fiscal', null],
		['wamid.T07-sticker', 'sticker', true, 'sticker', null, null],
		['wamid.T08-location', 'location', false, 'location', null, null],
		['wamid.T09-contacts', 'contacts', false, 'contacts', null, null],
		['wamid.T10-reaction', 'reaction', false, 'reaction', null, 'wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEjRBQjY0MUI3QkZBNjM0RjlCNwA='],
		['wamid.T11-button-reply', 'interactive', false, 'interactive', null, 'wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEkE1QkU3QjlCMkQ0RDI0QkE1NgA='],
		['wamid.T12-list-reply', 'interactive', false, 'interactive', null, null],
		['wamid.T13-button', 'button', false, 'button', null, 'wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEjk4QTZCNUM0RDNFMkYxMDAwAA=='],
		['wamid.T14-order', 'order', false, 'order', null, null],
		['wamid.T15-system', 'system', false, 'system', null, null],
		['wamid.T16-unsupported', 'unsupported', false, 'unsupported', null, null],
		['wamid.T17-unknown', 'unknown', false, 'unknown', null, null],
		['wamid.T18-request-welcome', 'system', false, 'request_welcome', null, null],
		['wamid.T19-future-type', 'unknown', false, 'hologram', null, null],
	])('%s → kind %s', (id, kind, isMedia, rawType, text, contextMessageId) => {
		expect(byId.get(id)).toMatchObject({ kind, isMedia, rawType, text, contextMessageId, chatKind: 'direct', direction: 'inbound' });
	});

	it('marks a message with group_id as a group message, the sender as participant', () => {
		expect(byId.get('wamid.T20-group-text')).toMatchObject({
			chatKind: 'group',
			chatId: '120363025246125888',
			participant: '5491123456789',
			remote: { idKind: 'group', phone: null, rawId: '120363025246125888' },
			kind: 'text',
			text: 'Hola a todos',
		});
	});
});

describe('normalizeMetaWebhook: escaped unicode', () => {
	it('decodes \\u escapes, surrogate pairs, newlines and quotes in the text and the profile name', () => {
		const raw = readFileSync(join(__dirname, '../../fixtures/meta/unicode-text.json'), 'utf8');
		expect(raw).toContain('\\ud83d\\ude00'); // the fixture really carries escapes, as Meta sends them
		const { events, errors } = normalizeMetaWebhook(JSON.parse(raw), { receivedAt: RECEIVED_AT });
		expect(errors).toEqual([]);
		const [message] = messages(events);
		expect(message.text).toBe('Olá! O café custa R$\u00a012,50? 😀☕\n你好 مرحبا "aspas" e barra \\ fim');
		expect(message.remote.name).toBe('José Álvarez 🇧🇷');
		expectAllValid(events);
	});
});

describe('normalizeMetaWebhook: failed statuses', () => {
	const { events, errors } = normalizeMetaWebhook(fixture('status-failed.json'), { receivedAt: RECEIVED_AT });
	const statuses = events.filter((e): e is StatusEvent => e.type === 'message.status').map((e) => e.status);

	it("carries Meta's error code, title and details (131047: outside the 24-hour window)", () => {
		expect(errors).toEqual([]);
		expect(statuses[0]).toEqual({
			messageId: 'wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEkJGMTY0QTIzNkM4RTc5NUQ0RAA=',
			status: 'failed',
			rawStatus: 'failed',
			remote: { idKind: 'person', phone: '+5511987654321', rawId: '5511987654321', name: null, about: null },
			timestamp: '2025-11-23T12:13:19.000Z',
			errors: [
				{
					code: 131047,
					title: 'Re-engagement message',
					message: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
				},
			],
		});
	});

	it('handles an error without a message field (131049) and a Nigerian recipient', () => {
		expect(statuses[1].remote.phone).toBe('+2348031234567');
		expect(statuses[1].errors).toEqual([
			{
				code: 131049,
				title: 'This message was not delivered to maintain healthy ecosystem engagement.',
				message: 'In order to maintain a healthy ecosystem engagement, the message failed to be delivered.',
			},
		]);
		expectAllValid(events);
	});
});

describe('normalizeMetaWebhook: messages the business sent', () => {
	it('makes echoes and messages from the business number outbound, with the customer as remote', () => {
		const { events, errors } = normalizeMetaWebhook(fixture('echoes.json'), { receivedAt: RECEIVED_AT });
		expect(errors).toEqual([]);
		expect(messages(events).map((m) => [m.direction, m.chatId, m.remote.phone, m.remote.name, m.text])).toEqual([
			['outbound', '5511987654321', '+5511987654321', null, 'Entregamos sim, amanhã pela manhã.'],
			['outbound', '5521998765432', '+5521998765432', null, 'O prazo é de 3 dias úteis.'],
		]);
		expectAllValid(events);
	});
});

describe('normalizeMetaWebhook: users with a WhatsApp username (business-scoped user ids)', () => {
	const { events, errors } = normalizeMetaWebhook(fixture('username-users.json'), { receivedAt: RECEIVED_AT });

	it('prefers the phone number when Meta gives both', () => {
		expect(errors).toEqual([]);
		expect(messages(events)[0].remote).toEqual({ idKind: 'person', phone: '+5511987654321', rawId: '5511987654321', name: 'Maria Souza', about: null });
	});

	it('still logs a message whose sender Meta names only by BSUID, without inventing a phone', () => {
		expect(messages(events)[1]).toMatchObject({
			chatId: 'BR.9988776655443322110',
			remote: { idKind: 'lid', phone: null, rawId: 'BR.9988776655443322110', name: 'Bia' },
			text: 'Quero encomendar',
		});
	});

	it('reads a status addressed by BSUID', () => {
		const status = events.find((e): e is StatusEvent => e.type === 'message.status');
		expect(status?.status.remote).toEqual({ idKind: 'lid', phone: null, rawId: 'BR.9988776655443322110', name: null, about: null });
		expectAllValid(events);
	});
});

describe('normalizeMetaWebhook: malformed input', () => {
	it('reports each unusable part with its path and keeps the rest', () => {
		const { events, errors } = normalizeMetaWebhook(fixture('malformed-partial.json'), { receivedAt: RECEIVED_AT });
		expect(events.map((e) => e.eventId)).toEqual(['cloud_api:msg:wamid.M0-good', 'cloud_api:status:wamid.S1-good:read']);
		expect(errors).toEqual([
			{ path: 'entry[0]', reason: 'entry is not an object' },
			{ path: 'entry[1].changes', reason: 'changes is not an array' },
			{ path: 'entry[2].changes[0]', reason: 'change is not an object' },
			{ path: 'entry[2].changes[1].value', reason: 'value is not an object' },
			{ path: 'entry[2].changes[2].value.metadata.phone_number_id', reason: 'missing phone_number_id' },
			{ path: 'entry[2].changes[3].value.messages[1]', reason: 'message missing or invalid: id' },
			{ path: 'entry[2].changes[3].value.messages[2]', reason: 'message missing or invalid: from' },
			{ path: 'entry[2].changes[3].value.messages[3]', reason: 'message missing or invalid: timestamp' },
			{ path: 'entry[2].changes[3].value.messages[4]', reason: 'not an object' },
			{ path: 'entry[2].changes[3].value.messages[5]', reason: 'message missing or invalid: id, timestamp' },
			{ path: 'entry[2].changes[3].value.statuses', reason: 'not an array' },
			{ path: 'entry[2].changes[4].value.statuses[0]', reason: 'status missing or invalid: recipient_id' },
		]);
		expectAllValid(events);
	});

	it('refuses a body of another Meta product', () => {
		expect(normalizeMetaWebhook(fixture('malformed-wrong-object.json'))).toEqual({
			events: [],
			errors: [{ path: 'object', reason: "not a WhatsApp Business Account webhook (object must be 'whatsapp_business_account')" }],
		});
	});

	it('refuses a body whose entry is not an array', () => {
		expect(normalizeMetaWebhook(fixture('malformed-entry-not-array.json'))).toEqual({
			events: [],
			errors: [{ path: 'entry', reason: 'entry is not an array' }],
		});
	});

	it.each([null, undefined, 'a string', 42, true, [], [{ object: 'whatsapp_business_account' }]])('refuses %j as a body', (body) => {
		expect(normalizeMetaWebhook(body)).toEqual({ events: [], errors: [{ path: '$', reason: 'body is not a JSON object' }] });
	});

	it('never throws, and only emits valid events, whatever single field of a real body is replaced', () => {
		const original = fixture('multi-entry.json');
		const paths: Array<Array<string | number>> = [];
		const collect = (value: unknown, path: Array<string | number>): void => {
			if (path.length > 0) paths.push(path);
			if (Array.isArray(value)) value.forEach((item, i) => collect(item, [...path, i]));
			else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) collect(v, [...path, k]);
		};
		collect(original, []);
		expect(paths.length).toBeGreaterThan(100);
		const replacements: unknown[] = [null, '', 0, -1, [], {}, 'x'.repeat(5000), '99999999999999999999', { __proto__: { id: 'polluted' } }];
		let runs = 0;
		for (const path of paths) {
			for (const replacement of replacements) {
				const body = structuredClone(original) as Record<string | number, unknown>;
				let parent = body;
				for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
				parent[path[path.length - 1]] = replacement;
				const result = normalizeMetaWebhook(body, { receivedAt: RECEIVED_AT });
				for (const event of result.events) {
					const check = validateNormalizedEvent(event);
					if (!check.ok) throw new Error(`${path.join('.')} = ${JSON.stringify(replacement).slice(0, 20)}: ${check.errors.join('; ')}`);
				}
				runs += 1;
			}
		}
		expect(runs).toBe(paths.length * replacements.length);
	});
});
