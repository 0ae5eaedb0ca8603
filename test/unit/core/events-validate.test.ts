import { buildMessageEvent, buildRemoteParty, buildSessionStateEvent, validateNormalizedEvent } from '../../../core/events';
import type { MessagePayload, MessagePayloadInput, NormalizedEvent } from '../../../core/events';

const SESSION = '6f1c2a9e-3b7d-4c1e-9a0f-2d5b8e7c4a11';

function text(overrides: Partial<MessagePayload> = {}): MessagePayloadInput {
	return {
		messageId: 'false_5511987654321@c.us_3EB0C5F1A2B3C4D5E6F7',
		direction: 'inbound',
		chatKind: 'direct',
		chatId: '5511987654321@c.us',
		remote: buildRemoteParty('5511987654321@c.us', { name: 'Maria Souza' }),
		kind: 'text',
		isMedia: false,
		rawType: 'chat',
		text: 'Oi!',
		timestamp: '2025-11-22T12:00:00.000Z',
		origin: 'live',
		participant: null,
		contextMessageId: null,
		...overrides,
	};
}

/** A valid message event as plain JSON, the way the trigger receives it. */
function wire(overrides: Partial<MessagePayload> = {}, eventId?: string): Record<string, unknown> {
	return JSON.parse(JSON.stringify(buildMessageEvent({ sessionId: SESSION, message: text(overrides), eventId, occurredAt: '2025-11-22T12:00:00.412Z' })));
}

function errorsOf(value: unknown): string[] {
	const result = validateNormalizedEvent(value);
	return result.ok ? [] : result.errors;
}

describe('validateNormalizedEvent accepts', () => {
	it('a message event as sent over the wire, returning it typed', () => {
		const body = wire();
		const result = validateNormalizedEvent(body);
		expect(result).toEqual({ ok: true, event: body });
		if (result.ok) expect(result.event.type).toBe('message');
	});
	it('a message from a @lid chat whose phone is known, and one whose phone is not', () => {
		expect(errorsOf(wire({ chatId: '123456789012345@lid', remote: buildRemoteParty('123456789012345@lid', { phone: '+5511987654321' }) }))).toEqual([]);
		expect(errorsOf(wire({ chatId: '123456789012345@lid', remote: buildRemoteParty('123456789012345@lid') }))).toEqual([]);
	});
	it('timestamps without fractional seconds', () => {
		expect(errorsOf(wire({ timestamp: '2025-11-22T12:00:00Z' }))).toEqual([]);
	});
});

describe('validateNormalizedEvent refuses', () => {
	it.each([null, 'message', 42, [], undefined])('%j as an event', (value) => {
		expect(errorsOf(value)).toEqual([': expected an object']);
	});

	it("a whatsapp-web.js message spread into the envelope (its type 'chat' overwrote 'message')", () => {
		const webJsMessage = { type: 'chat', body: 'Oi!', from: '5511987654321@c.us', fromMe: false, timestamp: 1763812800 };
		const errors = errorsOf({ ...wire(), ...webJsMessage });
		expect(errors).toEqual([
			'body: unknown field',
			'from: unknown field',
			'fromMe: unknown field',
			'timestamp: unknown field',
			'type: expected one of message, message.status, session.state, backfill.batch, backfill.done',
		]);
	});

	it('a payload spread into the envelope next to itself', () => {
		const body = wire();
		const errors = errorsOf({ ...body, ...(body.message as object) });
		expect(errors).toContain('kind: unknown field');
		expect(errors).toContain('messageId: unknown field');
	});

	it('unknown fields, at any depth', () => {
		const body = wire();
		(body as { extra?: number }).extra = 1;
		((body.message as Record<string, unknown>).remote as Record<string, unknown>).jid = 'x';
		expect(errorsOf(body)).toEqual(['extra: unknown field', 'message.remote.jid: unknown field']);
	});

	it('a __proto__ key smuggled in through JSON', () => {
		const body = JSON.parse(JSON.stringify(wire()).replace('{', '{"__proto__":{"ok":true},'));
		expect(errorsOf(body)).toEqual(['__proto__: unknown field']);
	});

	it('missing fields, each reported', () => {
		const body = wire();
		delete body.eventId;
		delete (body.message as Record<string, unknown>).messageId;
		delete (body.message as Record<string, unknown>).timestamp;
		expect(errorsOf(body)).toEqual(['eventId: missing', 'message.messageId: missing', 'message.timestamp: missing']);
	});

	it('another schema version', () => {
		expect(errorsOf({ ...wire(), schemaVersion: 3 })).toEqual(['schemaVersion: expected one of 1, 2']);
		expect(errorsOf({ ...wire(), schemaVersion: '2' })).toEqual(['schemaVersion: expected one of 1, 2']);
	});

	it.each([
		[{ messageId: '' }, 'message.messageId: expected a non-empty string of at most 1024 characters'],
		[{ messageId: 'x'.repeat(1025) }, 'message.messageId: expected a non-empty string of at most 1024 characters'],
		[{ direction: 'incoming' }, 'message.direction: expected one of inbound, outbound'],
		[{ kind: 'chat' }, 'message.kind: expected one of text, image, video, audio, voice, document, sticker, location, contacts, reaction, interactive, button, template, order, system, call, revoked, unsupported, unknown'],
		[{ isMedia: true }, 'message.isMedia: must be false for kind text'],
		[{ kind: 'voice', isMedia: false }, 'message.isMedia: must be true for kind voice'],
		[{ text: 42 }, 'message.text: expected a string or null'],
		[{ timestamp: '2025-11-22T09:00:00-03:00' }, 'message.timestamp: expected an ISO 8601 UTC timestamp (e.g. 2026-11-22T14:03:00.000Z)'],
		[{ timestamp: 1763812800 }, 'message.timestamp: expected an ISO 8601 UTC timestamp (e.g. 2026-11-22T14:03:00.000Z)'],
		[{ timestamp: '2025-13-45T99:00:00Z' }, 'message.timestamp: expected an ISO 8601 UTC timestamp (e.g. 2026-11-22T14:03:00.000Z)'],
		[{ origin: 'history' }, 'message.origin: expected one of live, backfill'],
	] as Array<[Partial<MessagePayload>, string]>)('message field %j', (overrides, error) => {
		expect(errorsOf(wire(overrides, 'evt-1'))).toEqual([error]);
	});

	it.each([
		[{ idKind: 'person', phone: '5511987654321' }, 'message.remote.phone: expected an E.164 number (+5511987654321) or null'],
		[{ idKind: 'person', phone: null }, 'message.remote.phone: required for a person'],
		[{ idKind: 'group', phone: '+5511987654321' }, 'message.remote.phone: must be null for idKind group'],
		[{ idKind: 'contact' }, 'message.remote.idKind: expected one of person, group, broadcast, status, channel, lid, invalid'],
		[{ name: 7 }, 'message.remote.name: expected a string or null'],
	])('remote %j', (overrides, error) => {
		const body = wire();
		const message = body.message as Record<string, unknown>;
		message.remote = { ...(message.remote as object), ...overrides };
		expect(errorsOf(body)).toEqual([error]);
	});

	it('a session.state qr without its QR text, and a QR text outside state qr', () => {
		const qr = JSON.parse(JSON.stringify(buildSessionStateEvent({ sessionId: SESSION, state: 'qr', qr: '2@abc' })));
		expect(errorsOf(qr)).toEqual([]);
		expect(errorsOf({ ...qr, session: { ...qr.session, qr: null } })).toEqual(['session.qr: required in state qr']);
		expect(errorsOf({ ...qr, session: { ...qr.session, state: 'connected' } })).toEqual(['session.qr: must be null outside state qr']);
		expect(errorsOf({ ...qr, session: { ...qr.session, qr: null, state: 'online' } })).toEqual([
			'session.state: expected one of starting, qr, authenticated, connected, disconnected, auth_failure, logged_out',
		]);
	});

	it('a status whose error code is not a number', () => {
		const event: NormalizedEvent = {
			schemaVersion: 2,
			eventId: 'cloud_api:status:wamid.X:failed',
			source: 'cloud_api',
			sessionId: '106540352242922',
			occurredAt: '2025-11-22T12:00:00.000Z',
			type: 'message.status',
			status: {
				messageId: 'wamid.X',
				status: 'failed',
				rawStatus: 'failed',
				remote: buildRemoteParty('5511987654321'),
				timestamp: '2025-11-22T12:00:00.000Z',
				errors: [{ code: 131047, title: 'Re-engagement message', message: null }],
			},
		};
		expect(errorsOf(event)).toEqual([]);
		const broken = JSON.parse(JSON.stringify(event));
		broken.status.errors[0].code = '131047';
		broken.status.errors.push('oops');
		expect(errorsOf(broken)).toEqual(['status.errors[0].code: expected an integer or null', 'status.errors[1]: expected an object']);
	});

	it('an unknown event type, naming the type only', () => {
		expect(errorsOf({ ...wire(), type: 'message.deleted' })).toEqual([
			'type: expected one of message, message.status, session.state, backfill.batch, backfill.done',
		]);
	});
});
