import {
	buildBackfillBatchEvent,
	buildBackfillDoneEvent,
	buildMessageEvent,
	buildRemoteParty,
	buildSessionStateEvent,
	buildStatusEvent,
	chatKindFromIdKind,
	expandEvent,
	messageKindFromMetaType,
	messageKindFromWebJsType,
	messageStatusFromMeta,
	messageStatusFromWebJsAck,
	validateNormalizedEvent,
	NO_MESSAGE_CONTENT,
} from '../../../core/events';
import type { MessagePayload, NormalizedEvent } from '../../../core/events';

const SESSION = '6f1c2a9e-3b7d-4c1e-9a0f-2d5b8e7c4a11';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function text(id: string, body: string): MessagePayload {
	return {
		messageId: `false_5511987654321@c.us_${id}`,
		direction: 'inbound',
		chatKind: 'direct',
		chatId: '5511987654321@c.us',
		remote: buildRemoteParty('5511987654321@c.us', { name: 'Maria Souza', about: 'Disponível' }),
		kind: 'text',
		isMedia: false,
		rawType: 'chat',
		text: body,
		timestamp: '2025-11-03T12:14:09.000Z',
		origin: 'live',
		participant: null,
		contextMessageId: null,
		...NO_MESSAGE_CONTENT,
	};
}

function expectValid(event: NormalizedEvent): void {
	// Through JSON, as the trigger receives it.
	expect(validateNormalizedEvent(JSON.parse(JSON.stringify(event)))).toMatchObject({ ok: true });
}

describe('builders for the sidecar', () => {
	it('buildMessageEvent fills the envelope and derives a stable event id from session and message id', () => {
		const message = text('3EB0C5F1A2B3C4D5E6F7', 'Oi');
		const event = buildMessageEvent({ sessionId: SESSION, message, occurredAt: new Date('2025-11-22T12:00:00.412Z') });
		expect(event).toEqual({
			schemaVersion: 2,
			eventId: `sidecar:msg:${SESSION}:false_5511987654321@c.us_3EB0C5F1A2B3C4D5E6F7`,
			source: 'sidecar',
			sessionId: SESSION,
			occurredAt: '2025-11-22T12:00:00.412Z',
			type: 'message',
			message,
		});
		// The same message built again (a retry, message_create firing twice) keeps its id.
		expect(buildMessageEvent({ sessionId: SESSION, message }).eventId).toBe(event.eventId);
		expectValid(event);
	});

	it('uses the current time when occurredAt is not given', () => {
		const before = Date.now();
		const event = buildMessageEvent({ sessionId: SESSION, message: text('A1', 'x') });
		const at = Date.parse(event.occurredAt);
		expect(at).toBeGreaterThanOrEqual(before - 1);
		expect(event.occurredAt).toMatch(/Z$/);
	});

	it('buildSessionStateEvent gives each event its own UUID unless one is given', () => {
		const qr = buildSessionStateEvent({ sessionId: SESSION, state: 'qr', qr: '2@Yq1NmXh0cJrZB0s2k0f1mLx7Pz9Q==' });
		const again = buildSessionStateEvent({ sessionId: SESSION, state: 'qr', qr: '2@Yq1NmXh0cJrZB0s2k0f1mLx7Pz9Q==' });
		expect(qr.eventId).toMatch(UUID);
		expect(again.eventId).not.toBe(qr.eventId);
		expect(buildSessionStateEvent({ sessionId: SESSION, state: 'connected', eventId: 'retry-me' }).eventId).toBe('retry-me');
		expect(qr.session).toEqual({ state: 'qr', qr: '2@Yq1NmXh0cJrZB0s2k0f1mLx7Pz9Q==', reason: null, linkedPhone: null });
		const gone = buildSessionStateEvent({ sessionId: SESSION, state: 'disconnected', reason: 'LOGOUT' });
		expect(gone.session).toEqual({ state: 'disconnected', qr: null, reason: 'LOGOUT', linkedPhone: null });
		expectValid(qr);
		expectValid(gone);
	});

	it('buildStatusEvent wraps a status from whatsapp-web.js acks', () => {
		const event = buildStatusEvent({
			sessionId: SESSION,
			status: {
				messageId: 'true_5511987654321@c.us_3EB0AA',
				status: messageStatusFromWebJsAck(3),
				rawStatus: '3',
				remote: buildRemoteParty('5511987654321@c.us'),
				timestamp: '2025-11-22T12:00:00.000Z',
				errors: [],
			},
		});
		expect(event).toMatchObject({ type: 'message.status', source: 'sidecar', status: { status: 'read' } });
		expectValid(event);
	});

	it('buildBackfillBatchEvent marks every message as backfill without touching the caller’s objects', () => {
		const messages = [text('A1', 'primeira'), text('A2', 'segunda')];
		const event = buildBackfillBatchEvent({
			sessionId: SESSION,
			jobId: 'job-1',
			batchIndex: 1,
			chatsTotal: 4,
			chatsDone: 1,
			messagesSent: 2,
			since: new Date('2025-10-23T12:00:00Z'),
			messages,
		});
		expect(event.backfill.messages.map((m) => m.origin)).toEqual(['backfill', 'backfill']);
		expect(messages.map((m) => m.origin)).toEqual(['live', 'live']);
		expect(event.backfill.since).toBe('2025-10-23T12:00:00.000Z');
		expectValid(event);
	});

	it('buildBackfillDoneEvent for a completed and a failed job', () => {
		const base = { sessionId: SESSION, jobId: 'job-1', batchIndex: 3, chatsTotal: 4, chatsDone: 4, messagesSent: 120, since: '2025-10-23T12:00:00.000Z', reachedOldestAvailable: false };
		const done = buildBackfillDoneEvent({ ...base, outcome: 'completed' });
		const failed = buildBackfillDoneEvent({ ...base, chatsDone: 2, outcome: 'failed', reason: 'session disconnected' });
		expect(done.backfill.reason).toBeNull();
		expect(failed.backfill).toMatchObject({ outcome: 'failed', reason: 'session disconnected' });
		expectValid(done);
		expectValid(failed);
	});

	it('buildRemoteParty reads the id and keeps a LID without inventing a phone', () => {
		expect(buildRemoteParty('5511987654321:3@s.whatsapp.net', { name: 'Maria' })).toEqual({ idKind: 'person', phone: '+5511987654321', rawId: '5511987654321:3@s.whatsapp.net', name: 'Maria', about: null });
		expect(buildRemoteParty('123456789012345@lid')).toMatchObject({ idKind: 'lid', phone: null });
		expect(buildRemoteParty('123456789012345@lid', { phone: '+5511987654321' })).toMatchObject({ idKind: 'lid', phone: '+5511987654321' });
		expect(buildRemoteParty('123456789012345@lid', { phone: '123456789012345' })).toMatchObject({ idKind: 'lid', phone: null });
		expect(buildRemoteParty('120363041234567890@g.us', { phone: '+5511987654321' })).toMatchObject({ idKind: 'group', phone: null });
		expect(buildRemoteParty('status@broadcast')).toMatchObject({ idKind: 'status', phone: null });
	});

	it('chatKindFromIdKind: people are direct chats, the rest are what they are', () => {
		expect(['person', 'lid', 'group', 'broadcast', 'status', 'channel', 'invalid'].map((k) => chatKindFromIdKind(k as never))).toEqual([
			'direct', 'direct', 'group', 'broadcast', 'status', 'channel', 'unknown',
		]);
	});
});

describe('expandEvent', () => {
	const batch = buildBackfillBatchEvent({
		sessionId: SESSION,
		eventId: '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a',
		occurredAt: '2025-11-22T12:01:10.300Z',
		jobId: 'job-7',
		batchIndex: 2,
		chatsTotal: 12,
		chatsDone: 3,
		messagesSent: 53,
		since: '2025-10-23T12:01:05.000Z',
		messages: [text('B1', 'um'), text('B2', 'dois'), text('B3', 'três')],
	});

	it('turns a batch into one message event per message, in order', () => {
		const items = expandEvent(batch);
		expect(items.map((e) => e.eventId)).toEqual([
			'9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a#0',
			'9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a#1',
			'9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a#2',
		]);
		expect(items[1]).toEqual({
			schemaVersion: 2,
			eventId: '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a#1',
			source: 'sidecar',
			sessionId: SESSION,
			occurredAt: '2025-11-22T12:01:10.300Z',
			type: 'message',
			message: { ...text('B2', 'dois'), origin: 'backfill' },
			backfill: { jobId: 'job-7', batchIndex: 2 },
		});
		items.forEach(expectValid);
	});

	it('marks items as backfill even if a batch arrived with live messages', () => {
		const sloppy = { ...batch, backfill: { ...batch.backfill, messages: [text('C1', 'x')] } };
		expect(expandEvent(sloppy).map((e) => (e.type === 'message' ? e.message.origin : null))).toEqual(['backfill']);
	});

	it('gives nothing for an empty batch and returns other events as they are', () => {
		expect(expandEvent({ ...batch, backfill: { ...batch.backfill, messages: [] } })).toEqual([]);
		const live = buildMessageEvent({ sessionId: SESSION, message: text('D1', 'y') });
		const expanded = expandEvent(live);
		expect(expanded).toHaveLength(1);
		expect(expanded[0]).toBe(live);
	});
});

describe('message kinds', () => {
	it.each([
		['chat', 'text', false], ['image', 'image', true], ['video', 'video', true], ['audio', 'audio', true], ['ptt', 'voice', true],
		['document', 'document', true], ['sticker', 'sticker', true], ['location', 'location', false], ['vcard', 'contacts', false],
		['multi_vcard', 'contacts', false], ['reaction', 'reaction', false], ['revoked', 'revoked', false], ['call_log', 'call', false],
		['e2e_notification', 'system', false], ['notification_template', 'system', false], ['gp2', 'system', false], ['protocol', 'system', false],
		['buttons_response', 'interactive', false], ['list_response', 'interactive', false], ['order', 'order', false], ['product', 'order', false],
		['unknown', 'unknown', false], ['something_new', 'unknown', false], ['', 'unknown', false], ['__proto__', 'unknown', false], ['constructor', 'unknown', false],
	])('whatsapp-web.js %j → %s', (type, kind, isMedia) => {
		expect(messageKindFromWebJsType(type)).toEqual({ kind, isMedia });
	});

	it.each([
		['text', 'text', false], ['image', 'image', true], ['video', 'video', true], ['audio', 'audio', true], ['document', 'document', true],
		['sticker', 'sticker', true], ['location', 'location', false], ['contacts', 'contacts', false], ['reaction', 'reaction', false],
		['interactive', 'interactive', false], ['button', 'button', false], ['order', 'order', false], ['system', 'system', false],
		['unsupported', 'unsupported', false], ['unknown', 'unknown', false], ['template', 'template', false], ['toString', 'unknown', false],
	])('Meta %j → %s', (type, kind, isMedia) => {
		expect(messageKindFromMetaType(type)).toEqual({ kind, isMedia });
	});

	it('maps statuses from Meta and whatsapp-web.js acks', () => {
		expect(['sent', 'delivered', 'read', 'failed', 'deleted', 'warning'].map(messageStatusFromMeta)).toEqual(['sent', 'delivered', 'read', 'failed', 'deleted', 'unknown']);
		expect([-1, 0, 1, 2, 3, 4, 5].map(messageStatusFromWebJsAck)).toEqual(['failed', 'pending', 'sent', 'delivered', 'read', 'played', 'unknown']);
	});
});
