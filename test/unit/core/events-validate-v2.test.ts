/**
 * validateNormalizedEvent and schema version 2: version 1 still accepted (and
 * handed out in the version-2 shape), the content fields required in version 2
 * and checked one by one, and hostile strings in them cleaned by the trigger.
 */
import { buildMessageEvent, validateNormalizedEvent, NO_MESSAGE_CONTENT, upgradeEvent } from '../../../core/events';
import type { MessagePayloadInput, NormalizedEvent } from '../../../core/events';
import { MAX_FIELD_LENGTH, MAX_VCARD_LENGTH } from '../../../core/events/limits';
import { signSidecarPayload } from '../../../core/signatures';
import { receiveSidecarWebhook } from '../../../core/webhooks';
import { textMessage } from '../../support/sidecar-deliveries';

const SESSION = '6f1c2a9e-3b7d-4c1e-9a0f-2d5b8e7c4a11';
const MEDIA_REF = `sidecar:${SESSION}:false_5511987654321@c.us_3EB0IMG`;

/** A text message payload as the sidecar makes it (test/support), content fields left to the builder. */
const message = (overrides: Partial<MessagePayloadInput> = {}): MessagePayloadInput => textMessage(overrides);

/** A version-2 message event as JSON, the way the trigger receives it. */
function wire(overrides: Partial<MessagePayloadInput> = {}): Record<string, unknown> & { message: Record<string, unknown> } {
	return JSON.parse(JSON.stringify(buildMessageEvent({ sessionId: SESSION, message: message(overrides), eventId: 'evt-1', occurredAt: '2025-11-22T12:00:00.412Z' })));
}

/** The same event as a version-1 sidecar sent it: no content fields. */
function v1(overrides: Partial<MessagePayloadInput> = {}): Record<string, unknown> & { message: Record<string, unknown> } {
	const event = wire(overrides);
	for (const key of Object.keys(NO_MESSAGE_CONTENT)) delete event.message[key];
	return { ...event, schemaVersion: 1 };
}

function errorsOf(value: unknown): string[] {
	const result = validateNormalizedEvent(value);
	return result.ok ? [] : result.errors;
}

describe('schema versions', () => {
	it('accepts a version-1 message event and hands it out as version 2, every content field null', () => {
		const old = v1({ contextMessageId: 'false_5511987654321@c.us_3EB0QUOTE' });
		const result = validateNormalizedEvent(old);
		expect(result).toEqual({ ok: true, event: { ...old, schemaVersion: 2, message: { ...old.message, ...NO_MESSAGE_CONTENT } } });
		// The input is not changed.
		expect(old.schemaVersion).toBe(1);
		expect(Object.hasOwn(old.message, 'media')).toBe(false);
	});

	it('accepts a version-1 backfill batch, upgrading every message', () => {
		const batch = {
			schemaVersion: 1,
			eventId: 'b-1',
			source: 'sidecar',
			sessionId: SESSION,
			occurredAt: '2025-11-22T12:00:00.000Z',
			type: 'backfill.batch',
			backfill: { jobId: 'j', batchIndex: 1, chatsTotal: 1, chatsDone: 1, messagesSent: 1, since: '2025-10-22T12:00:00.000Z', messages: [{ ...v1().message, origin: 'backfill' }] },
		};
		const result = validateNormalizedEvent(batch);
		expect(result.ok).toBe(true);
		if (result.ok && result.event.type === 'backfill.batch') {
			expect(result.event.schemaVersion).toBe(2);
			expect(result.event.backfill.messages[0]).toMatchObject(NO_MESSAGE_CONTENT);
		}
	});

	it('upgrades other version-1 events by their version only; returns a version-2 event as it is', () => {
		const status = { schemaVersion: 1, type: 'session.state' } as unknown as NormalizedEvent;
		expect(upgradeEvent(status)).toEqual({ schemaVersion: 2, type: 'session.state' });
		const current = wire() as unknown as NormalizedEvent;
		expect(upgradeEvent(current)).toBe(current);
	});

	it('refuses content fields in version 1 (they are unknown there) and requires them all in version 2', () => {
		const old = v1();
		expect(errorsOf({ ...old, message: { ...old.message, reaction: null } })).toEqual(['message.reaction: unknown field']);
		const current = wire();
		delete current.message.media;
		delete current.message.revoked;
		expect(errorsOf(current)).toEqual(['message.media: missing', 'message.revoked: missing']);
	});

	it('refuses an unknown field inside a content object', () => {
		const event = wire({ kind: 'location', rawType: 'location', text: null, location: { latitude: 1, longitude: 2, name: null, address: null, url: null } });
		(event.message.location as Record<string, unknown>).zoom = 3;
		expect(errorsOf(event)).toEqual(['message.location.zoom: unknown field']);
	});
});

describe('the content fields of version 2', () => {
	const media = { kind: 'image', mimeType: 'image/jpeg', size: 39418, sha256: 'a'.repeat(64), fileName: null, caption: 'Foto', ref: MEDIA_REF };
	const image = { kind: 'image', isMedia: true, rawType: 'image', text: 'Foto' } as const;

	it.each([
		['a media message', { ...image, media }],
		['a reaction', { kind: 'reaction', rawType: 'reaction', text: null, reaction: { emoji: '👍', messageId: 'wamid.A', removed: false } }],
		['a removed reaction', { kind: 'reaction', rawType: 'reaction', text: null, reaction: { emoji: null, messageId: 'wamid.A', removed: true } }],
		['a button reply', { kind: 'interactive', rawType: 'interactive', text: null, interactive: { type: 'button_reply', id: 'yes', title: 'Sim', description: null } }],
		['a location', { kind: 'location', rawType: 'location', text: null, location: { latitude: -90, longitude: 180, name: 'MASP', address: null, url: null } }],
		['shared contacts', { kind: 'contacts', rawType: 'contacts', text: null, contacts: [{ name: 'Ana', phones: ['+55 11 9'], emails: [], organization: null, vcard: null }] }],
		['an edit', { kind: 'system', rawType: 'edit', text: null, edit: { messageId: 'wamid.A', text: 'novo' } }],
		['a deletion of an unknown message', { kind: 'revoked', rawType: 'revoked', text: null, revoked: { messageId: null } }],
		['a Cloud API media reference', { ...image, media: { ...media, ref: 'cloud_api:1479537139650973' } }],
	] as Array<[string, Partial<MessagePayloadInput>]>)('accepts %s', (_, overrides) => {
		expect(errorsOf(wire(overrides))).toEqual([]);
	});

	it.each([
		['media on a text', { media }, ['message.media: must be null when isMedia is false']],
		['media of another kind', { ...image, media: { ...media, kind: 'video' } }, ["message.media.kind: must be the message's kind (image)"]],
		['a media size that is no byte count', { ...image, media: { ...media, size: 1.5 } }, ['message.media.size: expected an integer ≥ 0 or null']],
		['a SHA-256 in base64', { ...image, media: { ...media, sha256: 'm/vnuBqWL/1bm5m6jATneokQ+RN4cg4EBIoJWMuxnZU=' } }, ['message.media.sha256: expected 64 lowercase hex digits or null']],
		['a media reference that is a URL', { ...image, media: { ...media, ref: 'https://lookaside.fbsbx.com/x' } }, ['message.media.ref: expected a media reference (cloud_api:<media id> or sidecar:<sessionId>:<messageId>)']],
		['a removed reaction with an emoji', { kind: 'reaction', reaction: { emoji: '👍', messageId: 'wamid.A', removed: true } }, ['message.reaction.emoji: must be null when removed']],
		['a reaction without emoji nor removal', { kind: 'reaction', reaction: { emoji: null, messageId: 'wamid.A', removed: false } }, ['message.reaction.emoji: required unless removed']],
		['a reaction to no message', { kind: 'reaction', reaction: { emoji: '👍', messageId: '', removed: false } }, ['message.reaction.messageId: expected a non-empty string of at most 1024 characters']],
		['an interactive type never heard of', { interactive: { type: 'carousel', id: null, title: null, description: null } }, ['message.interactive.type: expected one of button_reply, list_reply, button, nfm_reply, poll, unknown']],
		['an over-long button title', { interactive: { type: 'button_reply', id: 'x', title: 'x'.repeat(MAX_FIELD_LENGTH + 1), description: null } }, [`message.interactive.title: expected a string of at most ${MAX_FIELD_LENGTH} characters or null`]],
		['a latitude out of range', { location: { latitude: 90.5, longitude: 0, name: null, address: null, url: null } }, ['message.location.latitude: expected a number from -90 to 90']],
		['a longitude as text', { location: { latitude: 0, longitude: '46', name: null, address: null, url: null } }, ['message.location.longitude: expected a number from -180 to 180']],
		['an empty contacts list', { contacts: [] }, ['message.contacts: expected at least one contact or null']],
		['a phone that is not a string', { contacts: [{ name: null, phones: [5511], emails: [], organization: null, vcard: null }] }, [`message.contacts[0].phones[0]: expected a string of at most ${MAX_FIELD_LENGTH} characters`]],
		['a vCard over the limit', { contacts: [{ name: null, phones: [], emails: [], organization: null, vcard: 'x'.repeat(MAX_VCARD_LENGTH + 1) }] }, [`message.contacts[0].vcard: expected a string of at most ${MAX_VCARD_LENGTH} characters or null`]],
		['51 cards', { contacts: Array.from({ length: 51 }, () => ({ name: null, phones: [], emails: [], organization: null, vcard: null })) }, ['message.contacts: expected an array of at most 50 items or null']],
		['an edit of no message', { edit: { messageId: '', text: 'x' } }, ['message.edit.messageId: expected a non-empty string of at most 1024 characters']],
		['a deletion as a string', { revoked: 'wamid.A' }, ['message.revoked: expected an object']],
		[
			"a Flow's answers nested deeper than the normalizer keeps",
			{ kind: 'interactive', interactive: { type: 'nfm_reply', id: 'flow', title: null, description: null, response: JSON.parse(`${'{"a":'.repeat(40)}1${'}'.repeat(40)}`) } },
			['message.interactive.response: expected an object of at most 16384 characters as JSON, nested at most 32 deep, or null'],
		],
	] as Array<[string, Record<string, unknown>, string[]]>)('refuses %s', (_, overrides, expected) => {
		expect(errorsOf(wire(overrides as Partial<MessagePayloadInput>))).toEqual(expected);
	});
});

describe('hostile strings in the content', () => {
	it('are cleaned by the trigger before a workflow sees them (NUL, lone surrogates), everything else kept', () => {
		const event = wire({
			kind: 'contacts',
			rawType: 'multi_vcard',
			text: null,
			contacts: [{ name: 'A\u0000', phones: ['+55\uD800'], emails: ['<script>alert(1)</script>@x'], organization: '\u202Eevil', vcard: 'BEGIN:VCARD\u0000' }],
		});
		const body = Buffer.from(JSON.stringify(event));
		const headers = signSidecarPayload({ secret: 's3cret', id: 'evt-1', timestamp: Math.floor(Date.now() / 1000), body });
		const outcome = receiveSidecarWebhook({ method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, rawBody: body, query: {} }, { secrets: ['s3cret'] });
		if (outcome.accepted !== true) throw new Error(`refused: ${JSON.stringify(outcome)}`);
		const received = outcome.events[0];
		if (received.type !== 'message') throw new Error('expected a message');
		expect(received.schemaVersion).toBe(2);
		expect(received.message.contacts).toEqual([
			{ name: 'A\uFFFD', phones: ['+55\uFFFD'], emails: ['<script>alert(1)</script>@x'], organization: '\u202Eevil', vcard: 'BEGIN:VCARD\uFFFD' },
		]);
	});

	it('a version-1 event through the trigger comes out as version 2', () => {
		const body = Buffer.from(JSON.stringify(v1()));
		const headers = signSidecarPayload({ secret: 's3cret', id: 'evt-1', timestamp: Math.floor(Date.now() / 1000), body });
		const outcome = receiveSidecarWebhook({ method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, rawBody: body, query: {} }, { secrets: ['s3cret'] });
		if (outcome.accepted !== true) throw new Error(`refused: ${JSON.stringify(outcome)}`);
		expect(outcome.events[0]).toMatchObject({ schemaVersion: 2, message: NO_MESSAGE_CONTENT });
	});
});
