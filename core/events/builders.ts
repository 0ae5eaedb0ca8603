/**
 * Builders for the events the sidecar sends: each fills the envelope
 * (schemaVersion, source 'sidecar', occurredAt, eventId) around a payload the
 * caller made, so envelope and payload can never be mixed up.
 *
 * Event ids: a message's id is derived from the session and WhatsApp's message
 * id (`sidecar:msg:<sessionId>:<messageId>`), so the same message re-sent by
 * the sidecar (retry, outbox replay, `message_create` firing twice) keeps its
 * event id. Other events get a random UUID unless the caller passes one: give
 * the same id when retrying the same delivery.
 *
 * Every string of a built event is storable (clean-text.ts): NUL and unpaired
 * surrogates become U+FFFD, whatever WhatsApp handed over.
 */
import { randomUUID } from 'node:crypto';
import { isE164 } from '../phone/e164';
import { parseWhatsAppId } from '../phone/parse-whatsapp-id';
import type { CountryCode, WhatsAppIdKind } from '../phone/types';
import {
	EVENT_SCHEMA_VERSION,
	type BackfillBatchEvent,
	type BackfillDoneEvent,
	type BackfillDonePayload,
	type BackfillProgress,
	type ChatKind,
	type MessageEvent,
	type RemoteParty,
	type SessionPayload,
	type SessionState,
	type SessionStateEvent,
	type StatusEvent,
	type StatusPayload,
} from './types';
import { cleanStrings } from './clean-text';
import { withContent, type MessagePayloadInput } from './upgrade-event';

/** Common to every builder. `occurredAt` defaults to now. */
export interface EnvelopeInput {
	sessionId: string;
	eventId?: string;
	occurredAt?: Date | string;
}

function envelope(input: EnvelopeInput, defaultEventId: () => string) {
	return {
		schemaVersion: EVENT_SCHEMA_VERSION,
		eventId: input.eventId ?? defaultEventId(),
		source: 'sidecar' as const,
		sessionId: input.sessionId,
		occurredAt: toIsoString(input.occurredAt ?? new Date()),
	};
}

/** ISO 8601 UTC (`2026-11-22T14:03:00.000Z`) from a Date, a date string or unix seconds. Throws RangeError on an invalid date. */
export function toIsoString(value: Date | string | number): string {
	if (value instanceof Date) return value.toISOString();
	if (typeof value === 'number') return new Date(value * 1000).toISOString();
	return new Date(value).toISOString();
}

/** The stable event id of a message from the sidecar. */
export function sidecarMessageEventId(sessionId: string, messageId: string): string {
	return `sidecar:msg:${sessionId}:${messageId}`;
}

/** The message's version-2 content fields may be left out: they are then null. */
export function buildMessageEvent(input: EnvelopeInput & { message: MessagePayloadInput }): MessageEvent {
	return cleanStrings({
		...envelope(input, () => sidecarMessageEventId(input.sessionId, input.message.messageId)),
		type: 'message',
		message: withContent(input.message),
	});
}

export function buildStatusEvent(input: EnvelopeInput & { status: StatusPayload }): StatusEvent {
	return cleanStrings({ ...envelope(input, randomUUID), type: 'message.status', status: input.status });
}

export interface SessionStateInput extends EnvelopeInput {
	state: SessionState;
	qr?: string | null;
	reason?: string | null;
	linkedPhone?: string | null;
}

export function buildSessionStateEvent(input: SessionStateInput): SessionStateEvent {
	const session: SessionPayload = {
		state: input.state,
		qr: input.qr ?? null,
		reason: input.reason ?? null,
		linkedPhone: input.linkedPhone ?? null,
	};
	return cleanStrings({ ...envelope(input, randomUUID), type: 'session.state', session });
}

export interface BackfillBatchInput extends EnvelopeInput {
	jobId: string;
	/** 1-based number of this batch. */
	batchIndex: number;
	chatsTotal: number;
	chatsDone: number;
	messagesSent: number;
	since: Date | string;
	messages: MessagePayloadInput[];
}

/** The progress fields a batch and the done event share, picked one by one (nothing else of the input leaks in). */
function backfillProgress(input: BackfillProgress & { since: Date | string }): BackfillProgress & { since: string } {
	return {
		jobId: input.jobId,
		batchIndex: input.batchIndex,
		chatsTotal: input.chatsTotal,
		chatsDone: input.chatsDone,
		messagesSent: input.messagesSent,
		since: toIsoString(input.since),
	};
}

/** Every message in the batch is marked `origin: 'backfill'`. */
export function buildBackfillBatchEvent(input: BackfillBatchInput): BackfillBatchEvent {
	return cleanStrings({
		...envelope(input, randomUUID),
		type: 'backfill.batch',
		backfill: {
			...backfillProgress(input),
			messages: input.messages.map((message) => withContent({ ...message, origin: 'backfill' as const })),
		},
	});
}

export interface BackfillDoneInput extends EnvelopeInput, Omit<BackfillDonePayload, 'since' | 'reason'> {
	since: Date | string;
	reason?: string | null;
}

export function buildBackfillDoneEvent(input: BackfillDoneInput): BackfillDoneEvent {
	return cleanStrings({
		...envelope(input, randomUUID),
		type: 'backfill.done',
		backfill: {
			...backfillProgress(input),
			reachedOldestAvailable: input.reachedOldestAvailable,
			outcome: input.outcome,
			reason: input.reason ?? null,
		},
	});
}

/**
 * The other party from a raw id (a JID or a `wa_id`): parsed with
 * `parseWhatsAppId`, `phone` set for a person. A `@lid` id has no phone
 * unless the caller knows it (whatsapp-web.js `getContactLidAndPhone`).
 */
export function buildRemoteParty(
	rawId: string,
	extra: { name?: string | null; about?: string | null; phone?: string | null; defaultCountry?: CountryCode } = {},
): RemoteParty {
	const parsed = parseWhatsAppId(rawId, { defaultCountry: extra.defaultCountry });
	const phone = parsed.kind === 'person' ? parsed.e164 : parsed.kind === 'lid' && isE164(extra.phone) ? extra.phone : null;
	return { idKind: parsed.kind, phone, rawId, name: extra.name ?? null, about: extra.about ?? null };
}

/** The chat kind a chat id's kind implies: people (by phone or LID) are direct chats. */
export function chatKindFromIdKind(kind: WhatsAppIdKind): ChatKind {
	switch (kind) {
		case 'person':
		case 'lid':
			return 'direct';
		case 'group':
		case 'broadcast':
		case 'status':
		case 'channel':
			return kind;
		default:
			return 'unknown';
	}
}
