/**
 * The normalized event schema (version 1): one shape for every source, so a
 * downstream workflow never cares whether a message came from the sidecar
 * (WhatsApp Web) or from Meta's Cloud API. Documented with examples in
 * docs/events.md.
 *
 * Envelope and payload are kept apart: the envelope says what happened
 * (`type`), the payload (`message`, `status`, `session`, `backfill`) says what
 * it happened to. A message's own kind never overwrites the event's type.
 */
import type { WhatsAppIdKind } from '../phone/types';

export const EVENT_SCHEMA_VERSION = 1 as const;

export type EventType = 'message' | 'message.status' | 'session.state' | 'backfill.batch' | 'backfill.done';
export type EventSource = 'sidecar' | 'cloud_api';

export type Direction = 'inbound' | 'outbound';

/** What kind of conversation a message belongs to; only `direct` chats are CRM conversations. */
export type ChatKind = 'direct' | 'group' | 'broadcast' | 'status' | 'channel' | 'unknown';

/**
 * What a message carries. `text` is the only kind that becomes a CRM
 * interaction; the rest are kept as their kind (never dropped or crashed on).
 */
export type MessageKind =
	| 'text'
	| 'image'
	| 'video'
	| 'audio'
	| 'voice'
	| 'document'
	| 'sticker'
	| 'location'
	| 'contacts'
	| 'reaction'
	| 'interactive'
	| 'button'
	| 'template'
	| 'order'
	| 'system'
	| 'call'
	| 'revoked'
	| 'unsupported'
	| 'unknown';

/** The other side of a conversation (for a direct chat: the contact). */
export interface RemoteParty {
	/** What the raw id turned out to be (see core/phone). */
	idKind: WhatsAppIdKind;
	/** E.164 phone number (`+5511987654321`) when known; null for groups, @lid ids without a known phone, etc. */
	phone: string | null;
	/** The id exactly as the source gave it: a JID (`5511987654321@c.us`) or a Meta `wa_id` (`5511987654321`). */
	rawId: string;
	/** The contact's WhatsApp profile name (push name) when known. */
	name: string | null;
	/** The contact's WhatsApp About text when known. */
	about: string | null;
}

export interface MessagePayload {
	/** WhatsApp's message id: whatsapp-web.js's serialized id, or Meta's `wamid.…`. The CRM's idempotency key. */
	messageId: string;
	direction: Direction;
	chatKind: ChatKind;
	/** The chat's id as the source gave it (a JID, or the `wa_id` for the Cloud API). */
	chatId: string;
	remote: RemoteParty;
	kind: MessageKind;
	/** True for kinds that carry media (image, video, audio, voice, document, sticker). */
	isMedia: boolean;
	/** The source's own type name (`chat`, `image`, `ptt`, `text`, …), for anyone who needs it. */
	rawType: string;
	/** The text of a text message; a media caption when present; otherwise null. */
	text: string | null;
	/** When WhatsApp says the message was sent, ISO 8601 UTC. */
	timestamp: string;
	/** `live` for real-time delivery, `backfill` for history. */
	origin: 'live' | 'backfill';
	/** In a group: the sender's raw id. Null in direct chats. */
	participant: string | null;
	/** The message this one replies to or reacts to, when the source says. */
	contextMessageId: string | null;
}

export type MessageStatus = 'sent' | 'delivered' | 'read' | 'played' | 'failed' | 'deleted' | 'pending' | 'unknown';

export interface StatusPayload {
	messageId: string;
	status: MessageStatus;
	/** The source's raw status (Meta's `status` string, or whatsapp-web.js's ack number as text). */
	rawStatus: string;
	remote: RemoteParty;
	timestamp: string;
	/** Errors Meta attached to a failed status. */
	errors: Array<{ code: number | null; title: string; message: string | null }>;
}

export type SessionState =
	| 'starting'
	| 'qr'
	| 'authenticated'
	| 'connected'
	| 'disconnected'
	| 'auth_failure'
	| 'logged_out';

export interface SessionPayload {
	state: SessionState;
	/** The QR code's text while linking (render it as a QR image to scan). */
	qr: string | null;
	/** Why the session changed state (e.g. `LOGOUT`, `NAVIGATION`, `auth timeout`). */
	reason: string | null;
	/** The linked phone's number, E.164, when connected. */
	linkedPhone: string | null;
}

export interface BackfillProgress {
	jobId: string;
	chatsTotal: number;
	chatsDone: number;
	messagesSent: number;
	/** The number of this batch (1-based) in backfill.batch; the number of batches sent in backfill.done. */
	batchIndex: number;
}

export interface BackfillBatchPayload extends BackfillProgress {
	/** Up to BACKFILL_BATCH_SIZE text messages, oldest first, each with `origin: 'backfill'`. */
	messages: MessagePayload[];
	/** Start of the window asked for, ISO 8601 UTC. */
	since: string;
}

export interface BackfillDonePayload extends BackfillProgress {
	since: string;
	/** True when WhatsApp had no older messages on the linked device for some chat before the window's start. */
	reachedOldestAvailable: boolean;
	/** `completed`, or `failed` with a reason. */
	outcome: 'completed' | 'failed';
	reason: string | null;
}

interface EnvelopeBase {
	schemaVersion: typeof EVENT_SCHEMA_VERSION;
	/** Stable id of this event: the same delivery retried keeps its id (deduplicate on it). */
	eventId: string;
	source: EventSource;
	/** The sidecar's session id (the user's UUID) or the Cloud API phone-number id. */
	sessionId: string;
	/** When the event was created, ISO 8601 UTC. */
	occurredAt: string;
}

export interface MessageEvent extends EnvelopeBase {
	type: 'message';
	message: MessagePayload;
	/** Set on items that the trigger expanded from a backfill batch. */
	backfill?: { jobId: string; batchIndex: number };
}
export interface StatusEvent extends EnvelopeBase {
	type: 'message.status';
	status: StatusPayload;
}
export interface SessionStateEvent extends EnvelopeBase {
	type: 'session.state';
	session: SessionPayload;
}
export interface BackfillBatchEvent extends EnvelopeBase {
	type: 'backfill.batch';
	backfill: BackfillBatchPayload;
}
export interface BackfillDoneEvent extends EnvelopeBase {
	type: 'backfill.done';
	backfill: BackfillDonePayload;
}

export type NormalizedEvent = MessageEvent | StatusEvent | SessionStateEvent | BackfillBatchEvent | BackfillDoneEvent;
