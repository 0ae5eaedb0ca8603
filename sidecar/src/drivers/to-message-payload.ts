/**
 * The one mapping from a driver's message to the normalized message payload,
 * shared by live delivery, the backfill runner and the webjs contract tests.
 *
 * Only 1:1 text becomes a payload: whatsapp-web.js type `chat`, no media, not a
 * status update, in a chat whose id (decided by its suffix, never by a
 * non-existent `isGroupMsg`) is a person's (`@c.us`) or a privacy id (`@lid`).
 * Groups, status broadcasts, broadcast lists, channels, media and system
 * messages give null.
 */
import { parseWhatsAppId } from '../../../core/phone';
import { buildRemoteParty, chatKindFromIdKind, toIsoString } from '../../../core/events/builders';
import { messageKindFromWebJsType } from '../../../core/events/message-kinds';
import type { ChatKind, MessagePayload } from '../../../core/events/types';
import type { DriverMessage, DriverProfile } from './driver';

/** Why a driver message is not forwarded, or null when it is. */
export type SkipReason = 'status' | 'group' | 'broadcast' | 'channel' | 'unknown_chat' | 'media' | 'not_text';

export interface ToMessagePayloadOptions {
	/** `live` (default) or `backfill`. */
	origin?: 'live' | 'backfill';
}

/** The chat kind of a driver message, from its chat id's suffix (and the status flag). */
export function chatKindOf(message: Pick<DriverMessage, 'chatId' | 'isStatus'>): ChatKind {
	if (message.isStatus) return 'status';
	return chatKindFromIdKind(parseWhatsAppId(message.chatId).kind);
}

/** Why a message is not forwarded as a CRM message, or null when it is. */
export function skipReason(message: DriverMessage): SkipReason | null {
	const chatKind = chatKindOf(message);
	if (chatKind === 'status') return 'status';
	if (chatKind === 'group' || chatKind === 'broadcast' || chatKind === 'channel') return chatKind;
	if (chatKind !== 'direct') return 'unknown_chat';
	if (message.hasMedia || messageKindFromWebJsType(message.type).isMedia) return 'media';
	if (message.type !== 'chat') return 'not_text';
	return null;
}

/** The phone (E.164) behind an `@lid` chat, when the driver resolved it to a person JID. */
function resolvedPhone(message: DriverMessage): string | null {
	if (!message.resolvedPhoneJid) return null;
	const parsed = parseWhatsAppId(message.resolvedPhoneJid);
	return parsed.kind === 'person' ? parsed.e164 : null;
}

/**
 * The normalized payload of a 1:1 text message, or null for anything that is
 * not forwarded. `profile` (from the driver's getProfile) gives the contact's
 * name and About; without it the name falls back to the sender's push name.
 * `sessionId` is accepted for the backfill runner's call shape; the payload
 * itself does not carry it (the envelope does).
 */
export function toMessagePayload(
	sessionId: string,
	message: DriverMessage,
	profile?: DriverProfile | null,
	options: ToMessagePayloadOptions = {},
): MessagePayload | null {
	void sessionId;
	if (skipReason(message) !== null) return null;
	const { kind, isMedia } = messageKindFromWebJsType(message.type);
	const pushName = message.fromMe ? null : message.notifyName;
	const remote = buildRemoteParty(message.chatId, {
		name: profile?.name ?? pushName ?? null,
		about: profile?.about ?? null,
		phone: resolvedPhone(message),
	});
	return {
		messageId: message.id,
		direction: message.fromMe ? 'outbound' : 'inbound',
		chatKind: 'direct',
		chatId: message.chatId,
		remote,
		kind,
		isMedia,
		rawType: message.type,
		text: message.body,
		timestamp: toIsoString(message.timestamp),
		origin: options.origin ?? 'live',
		participant: null,
		contextMessageId: null,
	};
}
