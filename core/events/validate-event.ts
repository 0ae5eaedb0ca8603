/**
 * A strict validator for normalized events (schema version 1), written by
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
 */
import { isE164 } from '../phone/e164';
import { isId, MAX_ID_LENGTH } from './limits';
import { MEDIA_KINDS } from './message-kinds';
import { EVENT_SCHEMA_VERSION, type MessageKind, type NormalizedEvent } from './types';

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

	if (event.schemaVersion !== EVENT_SCHEMA_VERSION && Object.hasOwn(event, 'schemaVersion')) c.fail('schemaVersion', `expected ${EVENT_SCHEMA_VERSION}`);
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
			checkMessage(c, event.message, 'message');
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
			checkBatch(c, event.backfill, 'backfill');
			break;
		case 'backfill.done':
			checkDone(c, event.backfill, 'backfill');
			break;
	}
	return c.errors.length === 0 ? { ok: true, event: value as NormalizedEvent } : { ok: false, errors: c.errors };
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

function checkMessage(c: Checker, value: unknown, path: string): Json | null {
	const message = c.object(value, path, MESSAGE_KEYS);
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
	return message;
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

function checkBatch(c: Checker, value: unknown, path: string): void {
	const batch = c.object(value, path, [...PROGRESS_KEYS, 'messages']);
	if (!batch) return;
	checkProgress(c, batch, path, 1);
	if (!Object.hasOwn(batch, 'messages')) return;
	if (!Array.isArray(batch.messages)) return c.fail(join(path, 'messages'), 'expected an array');
	batch.messages.forEach((item, i) => {
		const itemPath = `${join(path, 'messages')}[${i}]`;
		const message = checkMessage(c, item, itemPath);
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
