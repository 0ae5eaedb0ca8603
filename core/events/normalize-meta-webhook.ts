/**
 * A Meta WhatsApp Cloud API webhook body → normalized events.
 *
 * One POST may carry many entries (one per WhatsApp Business Account), each
 * with many changes, each with many messages and statuses: every one is
 * walked. What cannot be used is reported in `errors` with the path of the
 * offending part (`entry[0].changes[1].value.messages[2]`) and skipped; the
 * rest still comes through. Never throws.
 *
 * Event ids are derived from WhatsApp's ids (`cloud_api:msg:<wamid>`,
 * `cloud_api:status:<wamid>:<status>`), so Meta redelivering the same body
 * yields the same ids, and within one body an id appears once.
 *
 * Payload reference: developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components
 */
import type { CountryCode } from '../phone/types';
import { buildRemoteParty } from './builders';
import { cleanStrings } from './clean-text';
import { isFlowResponse, isId, MAX_CONTACT_ENTRIES, MAX_FLOW_RESPONSE_LENGTH, MAX_ORDER_ITEMS, MAX_SHARED_CONTACTS, sha256Hex, shortText } from './limits';
import { cloudApiMediaRef } from './media-ref';
import { messageKindFromMetaType, messageStatusFromMeta } from './message-kinds';
import {
	EVENT_SCHEMA_VERSION,
	NO_MESSAGE_CONTENT,
	type InteractiveType,
	type MediaKind,
	type MessageContent,
	type MessageInteractive,
	type MessageKind,
	type MessageOrder,
	type MessageReferral,
	type OrderItem,
	type SharedContact,
	type MessageEvent,
	type MessagePayload,
	type NormalizedEvent,
	type RemoteParty,
	type StatusEvent,
	type StatusPayload,
} from './types';

export interface NormalizeMetaOptions {
	/**
	 * Only used when a `wa_id` is not a valid international number (Meta
	 * always sends international numbers; hand-made test payloads may not).
	 */
	defaultCountry?: CountryCode;
	/** When the body was received; becomes every event's `occurredAt`. Defaults to now. */
	receivedAt?: Date;
}

export interface NormalizeError {
	/** Where in the body: `$` (the body), `entry[0].changes[1].value.messages[2]`, … */
	path: string;
	reason: string;
}

export interface NormalizeMetaResult {
	events: NormalizedEvent[];
	errors: NormalizeError[];
}

/** Change fields that carry messages/statuses; others (`account_update`, templates, …) are skipped. */
const MESSAGE_FIELDS = new Set(['messages', 'smb_message_echoes']);
/** Media types whose object may carry a `caption`. */
const CAPTIONED = new Set(['image', 'video', 'document', 'audio', 'sticker']);

type Json = Record<string, unknown>;

interface ChangeContext {
	sessionId: string;
	/** The business number's digits (from `metadata.display_phone_number`), to recognise its own messages. */
	businessDigits: string | null;
	/** `wa_id` → profile name, from `value.contacts[]`. */
	names: Map<string, string>;
	occurredAt: string;
	defaultCountry: CountryCode | undefined;
}

export function normalizeMetaWebhook(body: unknown, options: NormalizeMetaOptions = {}): NormalizeMetaResult {
	const events: NormalizedEvent[] = [];
	const errors: NormalizeError[] = [];
	const seen = new Set<string>();
	const emit = (event: NormalizedEvent): void => {
		if (seen.has(event.eventId)) return;
		seen.add(event.eventId);
		// Meta escapes NUL and lone surrogates faithfully; the CRM could never store them.
		events.push(cleanStrings(event));
	};

	if (!isRecord(body)) return { events, errors: [{ path: '$', reason: 'body is not a JSON object' }] };
	if (body.object !== 'whatsapp_business_account') {
		return { events, errors: [{ path: 'object', reason: "not a WhatsApp Business Account webhook (object must be 'whatsapp_business_account')" }] };
	}
	if (!Array.isArray(body.entry)) return { events, errors: [{ path: 'entry', reason: 'entry is not an array' }] };

	const occurredAt = validDate(options.receivedAt).toISOString();
	body.entry.forEach((entry, i) => {
		const entryPath = `entry[${i}]`;
		if (!isRecord(entry)) return void errors.push({ path: entryPath, reason: 'entry is not an object' });
		if (!Array.isArray(entry.changes)) return void errors.push({ path: `${entryPath}.changes`, reason: 'changes is not an array' });
		entry.changes.forEach((change, j) => {
			const changePath = `${entryPath}.changes[${j}]`;
			if (!isRecord(change)) return void errors.push({ path: changePath, reason: 'change is not an object' });
			if (typeof change.field !== 'string' || !MESSAGE_FIELDS.has(change.field)) return; // other subscriptions: not ours, not an error
			walkValue(change.value, `${changePath}.value`, occurredAt, options.defaultCountry, emit, errors);
		});
	});
	return { events, errors };
}

function walkValue(
	value: unknown,
	path: string,
	occurredAt: string,
	defaultCountry: CountryCode | undefined,
	emit: (event: NormalizedEvent) => void,
	errors: NormalizeError[],
): void {
	if (!isRecord(value)) return void errors.push({ path, reason: 'value is not an object' });
	const metadata = isRecord(value.metadata) ? value.metadata : {};
	if (!isId(metadata.phone_number_id)) {
		return void errors.push({ path: `${path}.metadata.phone_number_id`, reason: 'missing phone_number_id' });
	}
	const display = typeof metadata.display_phone_number === 'string' ? metadata.display_phone_number.replace(/\D/g, '') : '';
	const context: ChangeContext = {
		sessionId: metadata.phone_number_id,
		businessDigits: display === '' ? null : display,
		names: profileNames(value.contacts),
		occurredAt,
		defaultCountry,
	};

	// `messages`: sent to the business. `message_echoes` (field `smb_message_echoes`,
	// WhatsApp Business app coexistence): sent by the business from the app.
	for (const [key, echo] of [['messages', false], ['message_echoes', true]] as const) {
		eachItem(value[key], `${path}.${key}`, errors, (item, itemPath) => {
			const event = messageEvent(item, context, echo);
			if (typeof event === 'string') errors.push({ path: itemPath, reason: event });
			else emit(event);
		});
	}
	eachItem(value.statuses, `${path}.statuses`, errors, (item, itemPath) => {
		const event = statusEvent(item, context);
		if (typeof event === 'string') errors.push({ path: itemPath, reason: event });
		else emit(event);
	});
}

/** Call `visit` for each element of an optional array; anything else than an array or absence is an error. */
function eachItem(list: unknown, path: string, errors: NormalizeError[], visit: (item: Json, path: string) => void): void {
	if (list === undefined || list === null) return;
	if (!Array.isArray(list)) return void errors.push({ path, reason: 'not an array' });
	list.forEach((item, k) => {
		const itemPath = `${path}[${k}]`;
		if (!isRecord(item)) return void errors.push({ path: itemPath, reason: 'not an object' });
		// One item that cannot be read is reported; it never takes the rest of the body with it.
		try {
			visit(item, itemPath);
		} catch (err) {
			errors.push({ path: itemPath, reason: `could not be read (${err instanceof Error ? err.name : 'error'})` });
		}
	});
}

function profileNames(contacts: unknown): Map<string, string> {
	const names = new Map<string, string>();
	if (!Array.isArray(contacts)) return names;
	for (const contact of contacts) {
		if (!isRecord(contact)) continue;
		const name = isRecord(contact.profile) ? contact.profile.name : undefined;
		if (typeof name !== 'string' || name.trim() === '') continue;
		// Keyed by phone (`wa_id`) and by business-scoped user id (`user_id`), whichever the message names its sender by.
		for (const key of [contact.wa_id, contact.user_id]) if (typeof key === 'string') names.set(key, name);
	}
	return names;
}

/** A message event, or the reason it cannot be one. */
function messageEvent(raw: Json, context: ChangeContext, isEcho: boolean): MessageEvent | string {
	// The sender's phone (`from`); for a user with a WhatsApp username whose number Meta withholds, their BSUID.
	const sender = isId(raw.from) ? raw.from : isId(raw.from_user_id) ? raw.from_user_id : null;
	const missing = [
		!isId(raw.id) && 'id',
		sender === null && 'from',
		unixSecondsToIso(raw.timestamp) === null && 'timestamp',
	].filter((name): name is string => typeof name === 'string');
	if (missing.length > 0) return `message missing or invalid: ${missing.join(', ')}`;
	const id = raw.id as string;
	const from = sender as string;
	const to = isId(raw.to) ? raw.to : null;

	// Outbound: an echo, or a message whose sender is the business number itself.
	const outbound = isEcho || (context.businessDigits !== null && from.replace(/\D/g, '') === context.businessDigits && to !== null);
	if (outbound && to === null) return 'outbound message missing to';
	const counterpart = outbound ? (to as string) : from;

	const rawType = typeof raw.type === 'string' ? raw.type : '';
	const typeInfo = messageKindFromMetaType(rawType);
	const media = Object.hasOwn(raw, rawType) && isRecord(raw[rawType]) ? (raw[rawType] as Json) : null;
	// A voice note is an `audio` message with `audio.voice: true`; both are media.
	const kind = typeInfo.kind === 'audio' && media?.voice === true ? 'voice' : typeInfo.kind;
	const isMedia = typeInfo.isMedia;

	let text: string | null = null;
	if (kind === 'text' && isRecord(raw.text) && typeof raw.text.body === 'string') text = raw.text.body;
	else if (CAPTIONED.has(rawType) && typeof media?.caption === 'string') text = media.caption;

	const reaction = rawType === 'reaction' && media && isId(media.message_id) ? media.message_id : null;
	const contextId = isRecord(raw.context) && isId(raw.context.id) ? raw.context.id : null;

	const groupId = isId(raw.group_id) ? raw.group_id : null;
	const remote: RemoteParty = groupId
		? { idKind: 'group', phone: null, rawId: groupId, name: null, about: null }
		: metaParty(counterpart, outbound ? null : (context.names.get(counterpart) ?? null), context.defaultCountry);

	const content = metaContent(raw, rawType, kind, isMedia, media);
	const message: MessagePayload = {
		messageId: id,
		direction: outbound ? 'outbound' : 'inbound',
		chatKind: groupId ? 'group' : 'direct',
		chatId: groupId ?? counterpart,
		remote,
		kind,
		isMedia,
		rawType,
		text,
		timestamp: unixSecondsToIso(raw.timestamp) as string,
		origin: 'live',
		participant: groupId ? from : null,
		contextMessageId: reaction ?? contextId,
		...content,
	};
	return {
		schemaVersion: EVENT_SCHEMA_VERSION,
		eventId: `cloud_api:msg:${id}`,
		source: 'cloud_api',
		sessionId: context.sessionId,
		occurredAt: context.occurredAt,
		type: 'message',
		message,
	};
}

/**
 * The version-2 content of a message, from Meta's documented webhook payloads
 * (developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/…):
 * `body` is the object named by the message's type (`image`, `reaction`, …).
 */
function metaContent(raw: Json, rawType: string, kind: MessageKind, isMedia: boolean, body: Json | null): MessageContent {
	const content: MessageContent = { ...NO_MESSAGE_CONTENT, referral: metaReferral(raw.referral) };
	if (isMedia && body && isId(body.id)) {
		content.media = {
			kind: kind as MediaKind,
			mimeType: shortText(body.mime_type),
			size: null, // not in Meta's webhook: the media URL's answer says it
			sha256: sha256Hex(body.sha256),
			fileName: shortText(body.filename),
			caption: typeof body.caption === 'string' ? body.caption : null,
			ref: cloudApiMediaRef(body.id),
		};
	}
	switch (rawType) {
		case 'reaction':
			if (body && isId(body.message_id)) {
				// A removed reaction comes with an empty (or no) emoji.
				const emoji = shortText(body.emoji);
				content.reaction = { emoji, messageId: body.message_id, removed: emoji === null };
			}
			break;
		case 'interactive':
			if (body) content.interactive = metaInteractive(body);
			break;
		case 'button':
			// A template's quick-reply button: `payload` is the id the template gave it, `text` its label.
			if (body) content.interactive = { type: 'button', id: shortText(body.payload), title: shortText(body.text), description: null, response: null };
			break;
		case 'location':
			if (body && isLatitude(body.latitude) && isLongitude(body.longitude)) {
				content.location = {
					latitude: body.latitude,
					longitude: body.longitude,
					name: shortText(body.name),
					address: shortText(body.address),
					url: shortText(body.url),
				};
			}
			break;
		case 'contacts':
			content.contacts = metaContacts(raw.contacts);
			break;
		case 'edit':
			if (body && isId(body.original_message_id)) content.edit = { messageId: body.original_message_id, text: editedText(body.message) };
			break;
		case 'revoke':
			content.revoked = { messageId: body && isId(body.original_message_id) ? body.original_message_id : null };
			break;
		case 'order':
			if (body) content.order = metaOrder(body);
			break;
	}
	return content;
}

/** `order: { catalog_id, text, product_items: [{ product_retailer_id, quantity, item_price, currency }] }`; null without a usable item. */
function metaOrder(body: Json): MessageOrder | null {
	const items: OrderItem[] = [];
	for (const item of Array.isArray(body.product_items) ? body.product_items : []) {
		if (items.length === MAX_ORDER_ITEMS) break;
		const quantity = isRecord(item) ? amount(item.quantity) : null;
		if (!isRecord(item) || quantity === null || !isId(item.product_retailer_id)) continue;
		items.push({ productId: shortText(item.product_retailer_id) as string, quantity, itemPrice: amount(item.item_price), currency: shortText(item.currency) });
	}
	return items.length > 0 ? { catalogId: shortText(body.catalog_id), text: shortText(body.text), items } : null;
}

/** A non-negative number, or a string of one (Meta's examples write `"<NUMBER>"`); null otherwise. */
function amount(value: unknown): number | null {
	const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	return typeof number === 'number' && Number.isFinite(number) && number >= 0 && number <= Number.MAX_SAFE_INTEGER ? number : null;
}

/** A Click to WhatsApp `referral` (on the customer's first message from an ad or post); null when absent. */
function metaReferral(value: unknown): MessageReferral | null {
	if (!isRecord(value)) return null;
	return {
		sourceType: shortText(value.source_type),
		sourceId: shortText(value.source_id),
		sourceUrl: shortText(value.source_url),
		headline: shortText(value.headline),
		body: shortText(value.body),
		mediaType: shortText(value.media_type),
		mediaUrl: shortText(value.image_url) ?? shortText(value.video_url),
		thumbnailUrl: shortText(value.thumbnail_url),
		clickId: shortText(value.ctwa_clid),
	};
}

const INTERACTIVE_TYPES: ReadonlySet<string> = new Set<InteractiveType>(['button_reply', 'list_reply', 'nfm_reply']);

/** `interactive: { type: 'button_reply', button_reply: { id, title } }`, `list_reply` (+ `description`), or a Flow's `nfm_reply` (`name`, `body`). */
function metaInteractive(body: Json): MessageInteractive {
	const type = typeof body.type === 'string' && INTERACTIVE_TYPES.has(body.type) ? (body.type as InteractiveType) : 'unknown';
	const reply = typeof body.type === 'string' && isRecord(body[body.type]) ? (body[body.type] as Json) : {};
	if (type === 'nfm_reply') return { type, id: shortText(reply.name), title: shortText(reply.body), description: null, response: flowResponse(reply.response_json) };
	return { type, id: shortText(reply.id), title: shortText(reply.title), description: shortText(reply.description), response: null };
}

/** A Flow's `response_json` (a JSON object as a string), parsed; null when it is not one an event may carry (isFlowResponse). */
function flowResponse(value: unknown): Record<string, unknown> | null {
	if (typeof value !== 'string' || value.length > MAX_FLOW_RESPONSE_LENGTH) return null;
	try {
		const parsed: unknown = JSON.parse(value);
		return isFlowResponse(parsed) ? parsed : null;
	} catch {
		return null;
	}
}

/** `contacts: [{ name: { formatted_name, … }, phones: [{ phone, wa_id }], emails: [{ email }], org: { company } }]`. */
function metaContacts(list: unknown): SharedContact[] | null {
	if (!Array.isArray(list)) return null;
	const cards = list.filter(isRecord).slice(0, MAX_SHARED_CONTACTS).map((card): SharedContact => {
		const name = isRecord(card.name) ? card.name : {};
		const entries = (items: unknown, key: string, fallback?: string): string[] =>
			(Array.isArray(items) ? items : [])
				.filter(isRecord)
				.map((item) => shortText(item[key]) ?? (fallback ? shortText(item[fallback]) : null))
				.filter((value): value is string => value !== null)
				.slice(0, MAX_CONTACT_ENTRIES);
		return {
			name: shortText(name.formatted_name) ?? shortText([name.first_name, name.last_name].filter((part) => typeof part === 'string').join(' ')),
			phones: entries(card.phones, 'phone', 'wa_id'),
			emails: entries(card.emails, 'email'),
			organization: isRecord(card.org) ? shortText(card.org.company) : null,
			vcard: null,
		};
	});
	return cards.length > 0 ? cards : null;
}

/** An edit's new text: the edited message's `text.body`, or its media caption. */
function editedText(message: unknown): string | null {
	if (!isRecord(message)) return null;
	if (isRecord(message.text) && typeof message.text.body === 'string') return message.text.body;
	const inner = typeof message.type === 'string' && isRecord(message[message.type]) ? (message[message.type] as Json) : null;
	return inner && typeof inner.caption === 'string' ? inner.caption : null;
}

function isLatitude(value: unknown): value is number {
	return typeof value === 'number' && Number.isFinite(value) && value >= -90 && value <= 90;
}

function isLongitude(value: unknown): value is number {
	return typeof value === 'number' && Number.isFinite(value) && value >= -180 && value <= 180;
}

/** A status event, or the reason it cannot be one. */
function statusEvent(raw: Json, context: ChangeContext): StatusEvent | string {
	const missing = [
		!isId(raw.id) && 'id',
		!isId(raw.status) && 'status',
		unixSecondsToIso(raw.timestamp) === null && 'timestamp',
		!isId(raw.recipient_id) && !isId(raw.recipient_user_id) && 'recipient_id',
	].filter((name): name is string => typeof name === 'string');
	if (missing.length > 0) return `status missing or invalid: ${missing.join(', ')}`;
	const id = raw.id as string;
	const rawStatus = raw.status as string;
	const recipient = (isId(raw.recipient_id) ? raw.recipient_id : raw.recipient_user_id) as string;

	const status: StatusPayload = {
		messageId: id,
		status: messageStatusFromMeta(rawStatus),
		rawStatus,
		remote:
			raw.recipient_type === 'group'
				? { idKind: 'group', phone: null, rawId: recipient, name: null, about: null }
				: metaParty(recipient, null, context.defaultCountry),
		timestamp: unixSecondsToIso(raw.timestamp) as string,
		errors: statusErrors(raw.errors),
	};
	return {
		schemaVersion: EVENT_SCHEMA_VERSION,
		eventId: `cloud_api:status:${id}:${rawStatus}`,
		source: 'cloud_api',
		sessionId: context.sessionId,
		occurredAt: context.occurredAt,
		type: 'message.status',
		status,
	};
}

/**
 * The other party from a `wa_id` (a phone number) or a business-scoped user id
 * (BSUID, core/phone's BSUID_PATTERN). A BSUID holds no phone number, like a
 * WhatsApp Web `@lid`, so it is reported as `idKind: 'lid'` with `phone: null`:
 * Resolve Contact knows the person by it (contacts.whatsapp_lid).
 */
function metaParty(id: string, name: string | null, defaultCountry: CountryCode | undefined): RemoteParty {
	return buildRemoteParty(id, { name, defaultCountry });
}

/**
 * Meta's `errors[]`: `{ code, title, message, error_data: { details } }`.
 * `message` usually repeats `title`; `error_data.details` says what happened
 * ("more than 24 hours have passed since the customer last replied"), so it
 * is preferred.
 */
function statusErrors(list: unknown): StatusPayload['errors'] {
	if (!Array.isArray(list)) return [];
	return list.filter(isRecord).map((error) => {
		const details = isRecord(error.error_data) && typeof error.error_data.details === 'string' ? error.error_data.details : null;
		return {
			code: typeof error.code === 'number' && Number.isInteger(error.code) ? error.code : null,
			title: typeof error.title === 'string' ? error.title : '',
			message: details ?? (typeof error.message === 'string' ? error.message : null),
		};
	});
}

/** Meta timestamps are unix seconds as a string (`"1732280000"`); a number is accepted too. */
function unixSecondsToIso(value: unknown): string | null {
	const text = typeof value === 'number' ? String(value) : value;
	if (typeof text !== 'string' || !/^\d{1,11}$/.test(text)) return null;
	return new Date(Number(text) * 1000).toISOString();
}

function validDate(value: Date | undefined): Date {
	return value instanceof Date && !Number.isNaN(value.getTime()) ? value : new Date();
}

function isRecord(value: unknown): value is Json {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

