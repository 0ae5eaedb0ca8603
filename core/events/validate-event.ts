/**
 * A strict validator for normalized events (schema versions 1 and 2), written by
 * hand so the package needs no schema library. The trigger runs every body
 * the sidecar sends through it after the signature check: a signed body can
 * still be wrong (an older or buggy sidecar), and a workflow must never see a
 * half-formed event.
 *
 * Strict means: every required field present with its type, enums checked,
 * timestamps in ISO 8601 UTC, phones in E.164, and no unknown field anywhere
 * (a message's fields spread into the envelope — a bug seen in the wild — is
 * refused instead of silently changing the event's `type`). Every problem is
 * reported, each as `path: problem`.
 *
 * Versions: 2 is what every normalizer emits; 1 (a sidecar not yet upgraded)
 * is still accepted, without the content fields version 2 added (they are
 * unknown fields there). A valid event is returned in the version-2 shape
 * (`upgradeEvent`), so a workflow always sees one shape.
 */
import { isE164 } from '../phone/e164';
import {
	isFlowResponse,
	isId,
	MAX_CONTACT_ENTRIES,
	MAX_FIELD_LENGTH,
	MAX_FLOW_RESPONSE_DEPTH,
	MAX_FLOW_RESPONSE_LENGTH,
	MAX_ORDER_ITEMS,
	MAX_ID_LENGTH,
	MAX_MEDIA_REF_LENGTH,
	MAX_SHARED_CONTACTS,
	MAX_VCARD_LENGTH,
} from './limits';
import { parseMediaRef } from './media-ref';
import { MEDIA_KINDS } from './message-kinds';
import { ACCEPTED_SCHEMA_VERSIONS, NO_MESSAGE_CONTENT, type MessageKind, type NormalizedEvent } from './types';
import { LATER_CONTENT_KEYS, upgradeEvent } from './upgrade-event';

export type ValidationResult = { ok: true; event: NormalizedEvent } | { ok: false; errors: string[] };

const EVENT_TYPES = ['message', 'message.status', 'session.state', 'backfill.batch', 'backfill.done'] as const;
const SOURCES = ['sidecar', 'cloud_api'];
const ID_KINDS = ['person', 'group', 'broadcast', 'status', 'channel', 'lid', 'invalid'];
const DIRECTIONS = ['inbound', 'outbound'];
const CHAT_KINDS = ['direct', 'group', 'broadcast', 'status', 'channel', 'unknown'];
const MESSAGE_KINDS: MessageKind[] = [
	'text', 'image', 'video', 'audio', 'voice', 'document', 'sticker', 'location', 'contacts', 'reaction',
	'interactive', 'button', 'template', 'order', 'system', 'call', 'revoked', 'unsupported', 'unknown',
];
const STATUSES = ['sent', 'delivered', 'read', 'played', 'failed', 'deleted', 'pending', 'unknown'];
const SESSION_STATES = ['starting', 'qr', 'authenticated', 'connected', 'disconnected', 'auth_failure', 'logged_out'];
/** `2026-11-22T14:03:00Z` or with fractional seconds; UTC only. */
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

const ENVELOPE_KEYS = ['schemaVersion', 'eventId', 'source', 'sessionId', 'occurredAt', 'type'];

type Json = Record<string, unknown>;

/** Collects problems while walking one value. */
class Checker {
	readonly errors: string[] = [];

	fail(path: string, problem: string): void {
		this.errors.push(`${path}: ${problem}`);
	}

	/** Returns the value as an object, or null (after recording why) if it is not one or has unknown keys. */
	object(value: unknown, path: string, keys: string[], optional: string[] = []): Json | null {
		if (typeof value !== 'object' || value === null || Array.isArray(value)) {
			this.fail(path, 'expected an object');
			return null;
		}
		const record = value as Json;
		for (const key of Object.keys(record)) {
			if (!keys.includes(key) && !optional.includes(key)) this.fail(join(path, key), 'unknown field');
		}
		for (const key of keys) if (!Object.hasOwn(record, key)) this.fail(join(path, key), 'missing');
		return record;
	}

	id(record: Json, key: string, path: string): void {
		if (Object.hasOwn(record, key) && !isId(record[key])) {
			this.fail(join(path, key), `expected a non-empty string of at most ${MAX_ID_LENGTH} characters`);
		}
	}

	string(record: Json, key: string, path: string, nullable = false): void {
		const value = record[key];
		if (!Object.hasOwn(record, key) || (nullable && value === null)) return;
		if (typeof value !== 'string') this.fail(join(path, key), nullable ? 'expected a string or null' : 'expected a string');
	}

	/** A string of at most `max` characters (or null when nullable). */
	bounded(record: Json, key: string, path: string, max: number, nullable = true): void {
		const value = record[key];
		if (!Object.hasOwn(record, key) || (nullable && value === null)) return;
		if (typeof value !== 'string' || value.length > max) {
			this.fail(join(path, key), `expected a string of at most ${max} characters${nullable ? ' or null' : ''}`);
		}
	}

	/** A finite number within [min, max]. */
	number(record: Json, key: string, path: string, min: number, max: number): void {
		const value = record[key];
		if (Object.hasOwn(record, key) && !(typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max)) {
			this.fail(join(path, key), `expected a number from ${min} to ${max}`);
		}
	}

	/** An array of at most `max` items, or null (when nullable); the array, or null. */
	array(record: Json, key: string, path: string, max: number, nullable: boolean): unknown[] | null {
		const value = record[key];
		if (!Object.hasOwn(record, key) || (nullable && value === null)) return null;
		if (!Array.isArray(value) || value.length > max) {
			this.fail(join(path, key), `expected an array of at most ${max} items${nullable ? ' or null' : ''}`);
			return null;
		}
		return value;
	}

	oneOf(record: Json, key: string, path: string, allowed: readonly string[]): void {
		if (Object.hasOwn(record, key) && !allowed.includes(record[key] as string)) this.fail(join(path, key), `expected one of ${allowed.join(', ')}`);
	}

	boolean(record: Json, key: string, path: string): void {
		if (Object.hasOwn(record, key) && typeof record[key] !== 'boolean') this.fail(join(path, key), 'expected a boolean');
	}

	count(record: Json, key: string, path: string, min = 0): void {
		const value = record[key];
		if (Object.hasOwn(record, key) && !(Number.isSafeInteger(value) && (value as number) >= min)) this.fail(join(path, key), `expected an integer ≥ ${min}`);
	}

	timestamp(record: Json, key: string, path: string): void {
		const value = record[key];
		if (Object.hasOwn(record, key) && !(typeof value === 'string' && ISO_UTC.test(value) && !Number.isNaN(Date.parse(value)))) {
			this.fail(join(path, key), 'expected an ISO 8601 UTC timestamp (e.g. 2026-11-22T14:03:00.000Z)');
		}
	}

	phone(record: Json, key: string, path: string): void {
		const value = record[key];
		if (Object.hasOwn(record, key) && value !== null && !isE164(value)) this.fail(join(path, key), 'expected an E.164 number (+5511987654321) or null');
	}
}

function join(path: string, key: string): string {
	return path === '' ? key : `${path}.${key}`;
}

export function validateNormalizedEvent(value: unknown): ValidationResult {
	const c = new Checker();
	const type = typeof value === 'object' && value !== null ? (value as Json).type : undefined;
	const payloadKeys: Record<(typeof EVENT_TYPES)[number], string[]> = {
		message: ['message'],
		'message.status': ['status'],
		'session.state': ['session'],
		'backfill.batch': ['backfill'],
		'backfill.done': ['backfill'],
	};
	const known = EVENT_TYPES.includes(type as (typeof EVENT_TYPES)[number]) ? (type as (typeof EVENT_TYPES)[number]) : null;
	// With an unknown type, payload fields are not reported as unknown: the type is the problem.
	const optional = known === 'message' ? ['backfill'] : known ? [] : ['message', 'status', 'session', 'backfill'];
	const event = c.object(value, '', [...ENVELOPE_KEYS, ...(known ? payloadKeys[known] : [])], optional);
	if (!event) return { ok: false, errors: c.errors };

	const version = ACCEPTED_SCHEMA_VERSIONS.includes(event.schemaVersion as number) ? (event.schemaVersion as number) : null;
	if (version === null && Object.hasOwn(event, 'schemaVersion')) c.fail('schemaVersion', `expected one of ${ACCEPTED_SCHEMA_VERSIONS.join(', ')}`);
	c.id(event, 'eventId', '');
	c.oneOf(event, 'source', '', SOURCES);
	c.id(event, 'sessionId', '');
	c.timestamp(event, 'occurredAt', '');
	if (!known) {
		if (Object.hasOwn(event, 'type')) c.fail('type', `expected one of ${EVENT_TYPES.join(', ')}`);
		return { ok: false, errors: c.errors };
	}

	switch (known) {
		case 'message':
			checkMessage(c, event.message, 'message', version);
			if (Object.hasOwn(event, 'backfill')) {
				const ref = c.object(event.backfill, 'backfill', ['jobId', 'batchIndex']);
				if (ref) {
					c.id(ref, 'jobId', 'backfill');
					c.count(ref, 'batchIndex', 'backfill', 1);
				}
			}
			break;
		case 'message.status':
			checkStatus(c, event.status, 'status');
			break;
		case 'session.state':
			checkSession(c, event.session, 'session');
			break;
		case 'backfill.batch':
			checkBatch(c, event.backfill, 'backfill', version);
			break;
		case 'backfill.done':
			checkDone(c, event.backfill, 'backfill');
			break;
	}
	return c.errors.length === 0 ? { ok: true, event: upgradeEvent(value as NormalizedEvent) } : { ok: false, errors: c.errors };
}

function checkRemote(c: Checker, value: unknown, path: string): void {
	const remote = c.object(value, path, ['idKind', 'phone', 'rawId', 'name', 'about']);
	if (!remote) return;
	c.oneOf(remote, 'idKind', path, ID_KINDS);
	c.phone(remote, 'phone', path);
	c.id(remote, 'rawId', path);
	c.string(remote, 'name', path, true);
	c.string(remote, 'about', path, true);
	// A person always has a phone; groups, broadcasts, status, channels and invalid ids never do; a LID may.
	if (remote.idKind === 'person' && remote.phone === null) c.fail(join(path, 'phone'), 'required for a person');
	if (['group', 'broadcast', 'status', 'channel', 'invalid'].includes(remote.idKind as string) && typeof remote.phone === 'string') {
		c.fail(join(path, 'phone'), `must be null for idKind ${String(remote.idKind)}`);
	}
}

const MESSAGE_KEYS = [
	'messageId', 'direction', 'chatKind', 'chatId', 'remote', 'kind', 'isMedia', 'rawType', 'text', 'timestamp', 'origin', 'participant', 'contextMessageId',
];
/** The content fields of version 2: required there (null when they do not apply), unknown in version 1; those added later are optional. */
const CONTENT_KEYS = Object.keys(NO_MESSAGE_CONTENT);
const REQUIRED_CONTENT_KEYS = CONTENT_KEYS.filter((key) => !(LATER_CONTENT_KEYS as readonly string[]).includes(key));

/** `version` null: the envelope's version is wrong (reported there); the content fields are then optional. */
function checkMessage(c: Checker, value: unknown, path: string, version: number | null): Json | null {
	const message = c.object(value, path, version === 2 ? [...MESSAGE_KEYS, ...REQUIRED_CONTENT_KEYS] : MESSAGE_KEYS, version === 2 ? [...LATER_CONTENT_KEYS] : version === null ? CONTENT_KEYS : []);
	if (!message) return null;
	c.id(message, 'messageId', path);
	c.oneOf(message, 'direction', path, DIRECTIONS);
	c.oneOf(message, 'chatKind', path, CHAT_KINDS);
	c.id(message, 'chatId', path);
	checkRemote(c, message.remote, join(path, 'remote'));
	c.oneOf(message, 'kind', path, MESSAGE_KINDS);
	c.boolean(message, 'isMedia', path);
	if (MESSAGE_KINDS.includes(message.kind as MessageKind) && typeof message.isMedia === 'boolean' && message.isMedia !== MEDIA_KINDS.has(message.kind as MessageKind)) {
		c.fail(join(path, 'isMedia'), `must be ${MEDIA_KINDS.has(message.kind as MessageKind)} for kind ${String(message.kind)}`);
	}
	c.string(message, 'rawType', path);
	c.string(message, 'text', path, true);
	c.timestamp(message, 'timestamp', path);
	c.oneOf(message, 'origin', path, ['live', 'backfill']);
	c.string(message, 'participant', path, true);
	c.string(message, 'contextMessageId', path, true);
	checkContent(c, message, path);
	return message;
}

const MEDIA_KEYS = ['kind', 'mimeType', 'size', 'sha256', 'fileName', 'caption', 'ref'];
const INTERACTIVE_TYPES = ['button_reply', 'list_reply', 'button', 'nfm_reply', 'poll', 'unknown'];

/** The version-2 content fields present in a message: each null or its object, consistent with `kind`. */
function checkContent(c: Checker, message: Json, path: string): void {
	const present = (key: string): Json | null => (Object.hasOwn(message, key) && message[key] !== null ? (message[key] as Json) : null);
	const fieldPath = (key: string) => join(path, key);

	if (present('media')) {
		const media = c.object(message.media, fieldPath('media'), MEDIA_KEYS);
		if (media) {
			const p = fieldPath('media');
			c.oneOf(media, 'kind', p, [...MEDIA_KINDS]);
			if (media.kind !== message.kind && MEDIA_KINDS.has(message.kind as MessageKind)) c.fail(join(p, 'kind'), `must be the message's kind (${String(message.kind)})`);
			c.bounded(media, 'mimeType', p, MAX_FIELD_LENGTH);
			if (Object.hasOwn(media, 'size') && media.size !== null && !(Number.isSafeInteger(media.size) && (media.size as number) >= 0)) c.fail(join(p, 'size'), 'expected an integer ≥ 0 or null');
			if (Object.hasOwn(media, 'sha256') && media.sha256 !== null && !(typeof media.sha256 === 'string' && /^[0-9a-f]{64}$/.test(media.sha256))) {
				c.fail(join(p, 'sha256'), 'expected 64 lowercase hex digits or null');
			}
			c.bounded(media, 'fileName', p, MAX_FIELD_LENGTH);
			c.string(media, 'caption', p, true);
			if (Object.hasOwn(media, 'ref') && !(typeof media.ref === 'string' && media.ref.length <= MAX_MEDIA_REF_LENGTH && parseMediaRef(media.ref))) {
				c.fail(join(p, 'ref'), 'expected a media reference (cloud_api:<media id> or sidecar:<sessionId>:<messageId>)');
			}
		}
	}
	if (present('media') && typeof message.isMedia === 'boolean' && !message.isMedia) c.fail(fieldPath('media'), 'must be null when isMedia is false');

	if (present('reaction')) {
		const reaction = c.object(message.reaction, fieldPath('reaction'), ['emoji', 'messageId', 'removed']);
		if (reaction) {
			const p = fieldPath('reaction');
			c.bounded(reaction, 'emoji', p, MAX_FIELD_LENGTH);
			c.id(reaction, 'messageId', p);
			c.boolean(reaction, 'removed', p);
			if (reaction.removed === true && reaction.emoji !== null) c.fail(join(p, 'emoji'), 'must be null when removed');
			if (reaction.removed === false && typeof reaction.emoji !== 'string') c.fail(join(p, 'emoji'), 'required unless removed');
		}
	}

	if (present('interactive')) {
		const interactive = c.object(message.interactive, fieldPath('interactive'), ['type', 'id', 'title', 'description'], ['response']);
		if (interactive) {
			const p = fieldPath('interactive');
			c.oneOf(interactive, 'type', p, INTERACTIVE_TYPES);
			for (const key of ['id', 'title', 'description']) c.bounded(interactive, key, p, MAX_FIELD_LENGTH);
			if (Object.hasOwn(interactive, 'response') && interactive.response !== null && !isFlowResponse(interactive.response)) {
				c.fail(join(p, 'response'), `expected an object of at most ${MAX_FLOW_RESPONSE_LENGTH} characters as JSON, nested at most ${MAX_FLOW_RESPONSE_DEPTH} deep, or null`);
			}
		}
	}

	if (present('location')) {
		const location = c.object(message.location, fieldPath('location'), ['latitude', 'longitude', 'name', 'address', 'url']);
		if (location) {
			const p = fieldPath('location');
			c.number(location, 'latitude', p, -90, 90);
			c.number(location, 'longitude', p, -180, 180);
			for (const key of ['name', 'address', 'url']) c.bounded(location, key, p, MAX_FIELD_LENGTH);
		}
	}

	const contacts = c.array(message, 'contacts', path, MAX_SHARED_CONTACTS, true);
	if (contacts) {
		if (contacts.length === 0) c.fail(fieldPath('contacts'), 'expected at least one contact or null');
		contacts.forEach((item, i) => {
			const p = `${fieldPath('contacts')}[${i}]`;
			const card = c.object(item, p, ['name', 'phones', 'emails', 'organization', 'vcard']);
			if (!card) return;
			c.bounded(card, 'name', p, MAX_FIELD_LENGTH);
			for (const key of ['phones', 'emails']) {
				const list = c.array(card, key, p, MAX_CONTACT_ENTRIES, false);
				list?.forEach((entry, k) => {
					if (typeof entry !== 'string' || entry.length > MAX_FIELD_LENGTH) c.fail(`${join(p, key)}[${k}]`, `expected a string of at most ${MAX_FIELD_LENGTH} characters`);
				});
			}
			c.bounded(card, 'organization', p, MAX_FIELD_LENGTH);
			c.bounded(card, 'vcard', p, MAX_VCARD_LENGTH);
		});
	}

	if (present('edit')) {
		const edit = c.object(message.edit, fieldPath('edit'), ['messageId', 'text']);
		if (edit) {
			c.id(edit, 'messageId', fieldPath('edit'));
			c.string(edit, 'text', fieldPath('edit'), true);
		}
	}

	if (present('revoked')) {
		const revoked = c.object(message.revoked, fieldPath('revoked'), ['messageId']);
		if (revoked && revoked.messageId !== null) c.id(revoked, 'messageId', fieldPath('revoked'));
	}

	if (present('order')) {
		const p = fieldPath('order');
		const order = c.object(message.order, p, ['catalogId', 'text', 'items']);
		if (order) {
			c.bounded(order, 'catalogId', p, MAX_FIELD_LENGTH);
			c.bounded(order, 'text', p, MAX_FIELD_LENGTH);
			const items = c.array(order, 'items', p, MAX_ORDER_ITEMS, false);
			if (items?.length === 0) c.fail(join(p, 'items'), 'expected at least one item');
			items?.forEach((value, i) => {
				const ip = `${join(p, 'items')}[${i}]`;
				const item = c.object(value, ip, ['productId', 'quantity', 'itemPrice', 'currency']);
				if (!item) return;
				c.id(item, 'productId', ip);
				c.number(item, 'quantity', ip, 0, Number.MAX_SAFE_INTEGER);
				if (item.itemPrice !== null) c.number(item, 'itemPrice', ip, 0, Number.MAX_SAFE_INTEGER);
				c.bounded(item, 'currency', ip, MAX_FIELD_LENGTH);
			});
		}
	}

	if (present('referral')) {
		const p = fieldPath('referral');
		const keys = ['sourceType', 'sourceId', 'sourceUrl', 'headline', 'body', 'mediaType', 'mediaUrl', 'thumbnailUrl', 'clickId'];
		const referral = c.object(message.referral, p, keys);
		if (referral) for (const key of keys) c.bounded(referral, key, p, MAX_FIELD_LENGTH);
	}
}

function checkStatus(c: Checker, value: unknown, path: string): void {
	const status = c.object(value, path, ['messageId', 'status', 'rawStatus', 'remote', 'timestamp', 'errors']);
	if (!status) return;
	c.id(status, 'messageId', path);
	c.oneOf(status, 'status', path, STATUSES);
	c.string(status, 'rawStatus', path);
	checkRemote(c, status.remote, join(path, 'remote'));
	c.timestamp(status, 'timestamp', path);
	if (!Object.hasOwn(status, 'errors')) return;
	if (!Array.isArray(status.errors)) return c.fail(join(path, 'errors'), 'expected an array');
	status.errors.forEach((item, i) => {
		const itemPath = `${join(path, 'errors')}[${i}]`;
		const error = c.object(item, itemPath, ['code', 'title', 'message']);
		if (!error) return;
		if (Object.hasOwn(error, 'code') && error.code !== null && !Number.isSafeInteger(error.code)) c.fail(join(itemPath, 'code'), 'expected an integer or null');
		c.string(error, 'title', itemPath);
		c.string(error, 'message', itemPath, true);
	});
}

function checkSession(c: Checker, value: unknown, path: string): void {
	const session = c.object(value, path, ['state', 'qr', 'reason', 'linkedPhone']);
	if (!session) return;
	c.oneOf(session, 'state', path, SESSION_STATES);
	c.string(session, 'qr', path, true);
	c.string(session, 'reason', path, true);
	c.phone(session, 'linkedPhone', path);
	// The QR text belongs to the `qr` state only: it must be there to scan, and never linger afterwards.
	if (session.state === 'qr' && !(typeof session.qr === 'string' && session.qr !== '')) c.fail(join(path, 'qr'), 'required in state qr');
	if (session.state !== 'qr' && typeof session.qr === 'string') c.fail(join(path, 'qr'), 'must be null outside state qr');
}

const PROGRESS_KEYS = ['jobId', 'chatsTotal', 'chatsDone', 'messagesSent', 'batchIndex', 'since'];

function checkProgress(c: Checker, progress: Json, path: string, minBatchIndex: number): void {
	c.id(progress, 'jobId', path);
	c.count(progress, 'chatsTotal', path);
	c.count(progress, 'chatsDone', path);
	c.count(progress, 'messagesSent', path);
	c.count(progress, 'batchIndex', path, minBatchIndex);
	c.timestamp(progress, 'since', path);
	if (typeof progress.chatsDone === 'number' && typeof progress.chatsTotal === 'number' && progress.chatsDone > progress.chatsTotal) {
		c.fail(join(path, 'chatsDone'), 'greater than chatsTotal');
	}
}

function checkBatch(c: Checker, value: unknown, path: string, version: number | null): void {
	const batch = c.object(value, path, [...PROGRESS_KEYS, 'messages']);
	if (!batch) return;
	checkProgress(c, batch, path, 1);
	if (!Object.hasOwn(batch, 'messages')) return;
	if (!Array.isArray(batch.messages)) return c.fail(join(path, 'messages'), 'expected an array');
	batch.messages.forEach((item, i) => {
		const itemPath = `${join(path, 'messages')}[${i}]`;
		const message = checkMessage(c, item, itemPath, version);
		if (message && message.origin === 'live') c.fail(join(itemPath, 'origin'), 'must be backfill in a backfill batch');
	});
}

function checkDone(c: Checker, value: unknown, path: string): void {
	const done = c.object(value, path, [...PROGRESS_KEYS, 'reachedOldestAvailable', 'outcome', 'reason']);
	if (!done) return;
	checkProgress(c, done, path, 0);
	c.boolean(done, 'reachedOldestAvailable', path);
	c.oneOf(done, 'outcome', path, ['completed', 'failed']);
	c.string(done, 'reason', path, true);
	if (done.outcome === 'failed' && !(typeof done.reason === 'string' && done.reason !== '')) c.fail(join(path, 'reason'), 'required when outcome is failed');
}
