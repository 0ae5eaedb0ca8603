/**
 * The normalized event schema (version 2): one shape for every source, so a
 * downstream workflow never cares whether a message came from the sidecar
 * (WhatsApp Web) or from Meta's Cloud API. Documented with examples in
 * docs/events.md.
 *
 * Envelope and payload are kept apart: the envelope says what happened
 * (`type`), the payload (`message`, `status`, `session`, `backfill`) says what
 * it happened to. A message's own kind never overwrites the event's type.
 */
import type { WhatsAppIdKind } from '../phone/types';

/** The version every normalizer emits. */
export const EVENT_SCHEMA_VERSION = 2 as const;
/**
 * The versions the validator accepts. A version-1 event (a sidecar not yet
 * upgraded) has no content fields; `upgradeEvent` gives it the version-2 shape.
 */
export const ACCEPTED_SCHEMA_VERSIONS: readonly number[] = [1, 2];

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
	/** The message this one replies to (quotes) or reacts to, when the source says. */
	contextMessageId: string | null;
	// ---- content (version 2): each null when it does not apply ----
	/** The file of a media message (image, video, audio, voice, document, sticker). */
	media: MessageMedia | null;
	/** A reaction (kind `reaction`): the emoji, or its removal. */
	reaction: MessageReaction | null;
	/** An answer to an interactive message: a reply button, a list row, a template quick reply, a flow. */
	interactive: MessageInteractive | null;
	/** A shared location (kind `location`). */
	location: MessageLocation | null;
	/** Shared contact cards (kind `contacts`); never empty when set. */
	contacts: SharedContact[] | null;
	/** This message edits an earlier one (where the source reports edits). */
	edit: MessageEdit | null;
	/** A message deleted for everyone (kind `revoked`, where the source reports it). */
	revoked: MessageRevoked | null;
	/** An order from the business's catalog (kind `order`; the Cloud API). */
	order: MessageOrder | null;
	/** The ad or post the customer came from (Click to WhatsApp; the Cloud API), on their first message. */
	referral: MessageReferral | null;
}

export type MediaKind = 'image' | 'video' | 'audio' | 'voice' | 'document' | 'sticker';

export interface MessageMedia {
	kind: MediaKind;
	/** `image/jpeg`, `audio/ogg; codecs=opus`, … */
	mimeType: string | null;
	/** Bytes, when the source says (the sidecar; the Cloud API does not in its webhook). */
	size: number | null;
	/** SHA-256 of the file, 64 lowercase hex digits, when the source says. */
	sha256: string | null;
	/** A document's file name. */
	fileName: string | null;
	/** The caption (also in `text`, as in version 1). */
	caption: string | null;
	/**
	 * Opaque reference to fetch the file later (core/events/media-ref.ts):
	 * `cloud_api:<media id>` or `sidecar:<sessionId>:<messageId>`. Nothing is downloaded with the event.
	 */
	ref: string;
}

export interface MessageReaction {
	/** The emoji; null when the reaction was removed. */
	emoji: string | null;
	/** The message reacted to (also in `contextMessageId`). */
	messageId: string;
	/** True when the sender took their reaction back. */
	removed: boolean;
}

export type InteractiveType = 'button_reply' | 'list_reply' | 'button' | 'nfm_reply' | 'poll' | 'unknown';

export interface MessageInteractive {
	/** `button_reply` (reply button), `list_reply` (list row), `button` (template quick reply), `nfm_reply` (a WhatsApp Flow), `poll`, or `unknown`. */
	type: InteractiveType;
	/** The id (payload) the business gave the button or row; null when the source has none. */
	id: string | null;
	/** What the user saw and chose (the button's or row's title). */
	title: string | null;
	/** A list row's description. */
	description: string | null;
	/**
	 * A WhatsApp Flow's answers (`nfm_reply`): the form's fields as the Flow names
	 * them (Meta's `response_json`, parsed); null for everything else.
	 */
	response: Record<string, unknown> | null;
}

export interface MessageLocation {
	latitude: number;
	longitude: number;
	name: string | null;
	address: string | null;
	url: string | null;
}

export interface SharedContact {
	/** The card's display (formatted) name. */
	name: string | null;
	/** The numbers as written on the card (`+55 21 99876-5432`), not normalized. */
	phones: string[];
	emails: string[];
	organization: string | null;
	/** The vCard text (the sidecar; null for the Cloud API, or when longer than MAX_VCARD_LENGTH). */
	vcard: string | null;
}

export interface MessageEdit {
	/** The message that was edited. */
	messageId: string;
	/** Its new text (or caption); null when the source does not say. */
	text: string | null;
}

export interface MessageRevoked {
	/** The message that was deleted for everyone; null when the source does not say which. */
	messageId: string | null;
}

export interface MessageOrder {
	/** The catalog the products are from. */
	catalogId: string | null;
	/** The customer's note with the order. */
	text: string | null;
	/** What was ordered; never empty. */
	items: OrderItem[];
}

export interface OrderItem {
	/** The product's id in the catalog (Meta's `product_retailer_id`). */
	productId: string;
	quantity: number;
	/** The unit price, in `currency`. */
	itemPrice: number | null;
	/** ISO 4217 (`BRL`, `USD`). */
	currency: string | null;
}

export interface MessageReferral {
	/** `ad` or `post`. */
	sourceType: string | null;
	/** The ad's or post's id. */
	sourceId: string | null;
	/** The ad's or post's address. */
	sourceUrl: string | null;
	headline: string | null;
	body: string | null;
	/** `image` or `video`. */
	mediaType: string | null;
	/** The ad's image or video (Meta's `image_url` / `video_url`). */
	mediaUrl: string | null;
	/** A video ad's thumbnail (Meta's `thumbnail_url`). */
	thumbnailUrl: string | null;
	/** Meta's click id for conversion tracking (`ctwa_clid`). */
	clickId: string | null;
}

/** The content fields version 2 added to a message, all null. */
export const NO_MESSAGE_CONTENT = Object.freeze({
	media: null,
	reaction: null,
	interactive: null,
	location: null,
	contacts: null,
	edit: null,
	revoked: null,
	order: null,
	referral: null,
} as const);

export type MessageContent = Pick<MessagePayload, keyof typeof NO_MESSAGE_CONTENT>;

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
	/** Always 2 once made or validated (the validator upgrades a version-1 event, see `upgradeEvent`). */
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
