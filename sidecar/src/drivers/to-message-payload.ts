/**
 * The one mapping from a driver's message to the normalized message payload,
 * shared by live delivery, the backfill runner and the webjs contract tests.
 *
 * What is forwarded: messages of a chat whose id (decided by its suffix, never
 * by a non-existent `isGroupMsg`) is a person's (`@c.us`) or a privacy id
 * (`@lid`) — or a group's (`@g.us`) when groups are forwarded
 * (FORWARD_GROUP_MESSAGES; then `chatKind: 'group'`, `remote` is the group and
 * `participant` the sender, as for the Cloud API) — not status updates, of a
 * kind that carries something a workflow can use — text, media (its details
 * and media reference, never the bytes: the media route serves them) and
 * (schema version 2) reactions, locations, contact cards, button / list
 * replies, polls, edits and deletions for everyone (a `revoked` message naming
 * the message deleted, live or found in the store by the catch-up). Groups
 * (unless asked for), status broadcasts, broadcast lists, channels and system
 * notifications give null; so do files of an unknown kind and a `revoked`
 * placeholder that does not say which message was deleted. Their
 * payloads are built and tested all the same (`messagePayloadOf`). The
 * backfill keeps only the text (backfill/collect-history.ts).
 *
 * The content (docs/events.md, version 2) comes from the driver's `content`;
 * `text` keeps its version-1 meaning: a text's body or a media caption, else null.
 */
import { parseWhatsAppId } from '../../../core/phone';
import { buildRemoteParty, chatKindFromIdKind, toIsoString } from '../../../core/events/builders';
import { isId, MAX_SHARED_CONTACTS, sha256Hex, shortText } from '../../../core/events/limits';
import { sidecarMediaRef } from '../../../core/events/media-ref';
import { messageKindFromWebJsType } from '../../../core/events/message-kinds';
import { NO_MESSAGE_CONTENT, type ChatKind, type InteractiveType, type MediaKind, type MessageContent, type MessageKind, type MessagePayload } from '../../../core/events/types';
import { parseVcard } from '../../../core/events/vcard';
import type { DriverMessage, DriverMessageContent, DriverProfile } from './driver';

/** Why a driver message is not forwarded, or null when it is. */
export type SkipReason = 'status' | 'group' | 'broadcast' | 'channel' | 'unknown_chat' | 'media' | 'not_text';

export interface ForwardingOptions {
	/** Forward text messages of group chats too (FORWARD_GROUP_MESSAGES; default off). */
	groups?: boolean;
}

export interface ToMessagePayloadOptions extends ForwardingOptions {
	/** `live` (default) or `backfill`. */
	origin?: 'live' | 'backfill';
}

/** Kinds forwarded besides text: each carries content a workflow can use (version 2), and never a file. */
const CONTENT_KINDS: ReadonlySet<MessageKind> = new Set<MessageKind>(['reaction', 'location', 'contacts', 'interactive']);

/** The chat kind of a driver message, from its chat id's suffix (and the status flag). */
export function chatKindOf(message: Pick<DriverMessage, 'chatId' | 'isStatus'>): ChatKind {
	if (message.isStatus) return 'status';
	return chatKindFromIdKind(parseWhatsAppId(message.chatId).kind);
}

/** Why a message is not forwarded, or null when it is. `not_text`: a kind without usable content (system notices, calls, …). */
export function skipReason(message: DriverMessage, options: ForwardingOptions = {}): SkipReason | null {
	const chatKind = chatKindOf(message);
	if (chatKind === 'status') return 'status';
	if (chatKind === 'group' && options.groups !== true) return 'group';
	if (chatKind === 'broadcast' || chatKind === 'channel') return chatKind;
	if (chatKind !== 'direct' && chatKind !== 'group') return 'unknown_chat';
	// An edit of a message (kind system, `content.edit`): the new text of a conversation's message.
	if (isId(message.content?.edit?.messageId)) return null;
	// A deletion for everyone that names the message deleted (protocolMessageKey) under an id of its
	// own; a `revoked` placeholder without one says nothing a workflow could use. whatsapp-web.js
	// 1.34 hands `message_revoke_everyone` the deletion's own id (webjs-contract.test.ts holds it):
	// a version passing the deleted message's id instead would make every deletion "itself".
	if (message.type === 'revoked') return isRevokeOfAnother(message) ? null : 'not_text';
	const { kind, isMedia } = messageKindFromWebJsType(message.type);
	// A media message is forwarded with its file's details and reference (media.ref), never its
	// bytes: GET /sessions/:id/messages/:messageId/media serves them on demand.
	if (isMedia) return null;
	// A driver's hasMedia on a kind that never carries a file (the simulator sets it broadly) is noise.
	if (message.hasMedia && !CONTENT_KINDS.has(kind)) return 'media';
	if (message.type === 'chat') return null;
	return CONTENT_KINDS.has(kind) ? null : 'not_text';
}

function isRevokeOfAnother(message: DriverMessage): boolean {
	const revoked = message.content?.revokedMessageId;
	return isId(revoked) && revoked !== message.id;
}

/**
 * Whether WhatsApp Web's message store keeps this message (what the catch-up
 * after a restart reads): not reactions (a table of their own) nor edits.
 */
export function isStoreMessage(message: DriverMessage): boolean {
	return message.type !== 'reaction' && !isId(message.content?.edit?.messageId);
}

/** The phone (E.164) behind an `@lid` chat, when the driver resolved it to a person JID. */
function resolvedPhone(message: DriverMessage): string | null {
	if (!message.resolvedPhoneJid) return null;
	const parsed = parseWhatsAppId(message.resolvedPhoneJid);
	return parsed.kind === 'person' ? parsed.e164 : null;
}

/**
 * The normalized payload of a forwarded message, or null for anything that is
 * not forwarded. `profile` (from the driver's getProfile) gives the contact's
 * name and About; without it the name falls back to the sender's push name.
 * `sessionId` goes into a media message's `media.ref`.
 */
export function toMessagePayload(
	sessionId: string,
	message: DriverMessage,
	profile?: DriverProfile | null,
	options: ToMessagePayloadOptions = {},
): MessagePayload | null {
	if (skipReason(message, options) !== null) return null;
	return messagePayloadOf(sessionId, message, profile, options);
}

/**
 * The payload of any 1:1 (or group) message, forwarded or not (the mapping
 * itself; the contract tests check it for every kind, media included).
 */
export function messagePayloadOf(
	sessionId: string,
	message: DriverMessage,
	profile?: DriverProfile | null,
	options: ToMessagePayloadOptions = {},
): MessagePayload {
	const { kind, isMedia } = messageKindFromWebJsType(message.type);
	const group = chatKindOf(message) === 'group';
	const pushName = message.fromMe ? null : message.notifyName;
	// A group is the remote party itself; the sender's push name is not the group's name.
	const remote = group
		? buildRemoteParty(message.chatId, { name: profile?.name ?? null })
		: buildRemoteParty(message.chatId, {
				name: profile?.name ?? pushName ?? null,
				about: profile?.about ?? null,
				phone: resolvedPhone(message),
			});
	const content = contentOf(sessionId, message, kind, isMedia);
	const chatKind = chatKindOf(message);
	return {
		messageId: message.id,
		direction: message.fromMe ? 'outbound' : 'inbound',
		chatKind,
		chatId: message.chatId,
		remote,
		kind,
		isMedia,
		rawType: message.type,
		// Version 1's meaning: a text's body or a media caption. A location's body is its thumbnail, a card's its vCard: not text.
		text: kind === 'text' ? message.body : isMedia && message.body !== '' ? message.body : null,
		timestamp: toIsoString(message.timestamp),
		origin: options.origin ?? 'live',
		participant: chatKind === 'direct' ? null : message.author,
		contextMessageId: content.reaction?.messageId ?? message.content?.quotedMessageId ?? null,
		...content,
	};
}

const WEBJS_INTERACTIVE: Record<string, InteractiveType> = {
	buttons_response: 'button_reply',
	list_response: 'list_reply',
	template_button_reply: 'button',
};

function contentOf(sessionId: string, message: DriverMessage, kind: MessageKind, isMedia: boolean): MessageContent {
	const c: DriverMessageContent = message.content ?? {};
	const content: MessageContent = { ...NO_MESSAGE_CONTENT };
	if (isMedia) {
		content.media = {
			kind: kind as MediaKind,
			mimeType: shortText(c.mimeType),
			size: typeof c.size === 'number' && Number.isSafeInteger(c.size) && c.size >= 0 ? c.size : null,
			sha256: sha256Hex(c.fileHash),
			fileName: shortText(c.fileName),
			caption: message.body !== '' ? message.body : null,
			ref: sidecarMediaRef(sessionId, message.id),
		};
	}
	if (kind === 'reaction' && c.reaction && isId(c.reaction.messageId)) {
		const emoji = shortText(c.reaction.emoji);
		content.reaction = { emoji, messageId: c.reaction.messageId, removed: emoji === null };
	}
	const interactiveType = WEBJS_INTERACTIVE[message.type];
	if (interactiveType && c.selected) {
		content.interactive = { type: interactiveType, id: shortText(c.selected.id), title: shortText(c.selected.title), description: shortText(c.selected.description), response: null };
	} else if (message.type === 'poll_creation') {
		content.interactive = { type: 'poll', id: null, title: shortText(c.pollName), description: null, response: null };
	}
	if (c.location && isCoordinate(c.location.latitude, 90) && isCoordinate(c.location.longitude, 180)) {
		content.location = {
			latitude: c.location.latitude,
			longitude: c.location.longitude,
			name: shortText(c.location.name),
			address: shortText(c.location.address),
			url: shortText(c.location.url),
		};
	}
	const cards = Array.isArray(c.vcards) ? c.vcards.filter((card) => typeof card?.vcard === 'string') : [];
	if (kind === 'contacts' && cards.length > 0) {
		content.contacts = cards.slice(0, MAX_SHARED_CONTACTS).map((card) => parseVcard(card.vcard, typeof card.displayName === 'string' ? card.displayName : null));
	}
	if (c.edit && isId(c.edit.messageId)) content.edit = { messageId: c.edit.messageId, text: typeof c.edit.text === 'string' ? c.edit.text : null };
	if (kind === 'revoked') content.revoked = { messageId: isId(c.revokedMessageId) ? c.revokedMessageId : message.id };
	return content;
}

function isCoordinate(value: unknown, bound: number): value is number {
	return typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= bound;
}
