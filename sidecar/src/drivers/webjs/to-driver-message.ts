/**
 * whatsapp-web.js `Message` → the driver's plain `DriverMessage`.
 *
 * Reads only fields the library sets in `Message._patch` (see
 * node_modules/whatsapp-web.js/src/structures/Message.js): `id` (the key),
 * `fromMe` (← `id.fromMe`), `from`/`to`/`author` (serialized), `type`, `body`
 * (the caption for media), `timestamp` (← `t`), `hasMedia` (← `directPath`),
 * `isStatus` (← `isStatusV3` or a `status@broadcast` remote) and the raw
 * `_data.notifyName`. There is no `isGroupMsg`: groups are told by the chat id.
 */
import type { DriverMessage } from '../driver';
import { messageIdOf, type MessageKeyLike } from './message-id';
import { isDirectChatJid, serializeWid, type WidLike } from './wid';

/** The part of whatsapp-web.js's `Message` the mapping reads. */
export interface WebJsMessageLike {
	id?: MessageKeyLike | null;
	fromMe?: unknown;
	from?: WidLike;
	to?: WidLike;
	author?: WidLike;
	type?: unknown;
	body?: unknown;
	timestamp?: unknown;
	hasMedia?: unknown;
	isStatus?: unknown;
	_data?: { notifyName?: unknown } | null;
}

/**
 * The chat a message belongs to: the key's `remote` (the other person in a 1:1
 * chat, the group in a group, in both directions), else what whatsapp-web.js's
 * own `_getChatId` picks (`to` for own messages, `from` otherwise).
 */
export function chatIdOf(msg: WebJsMessageLike): string {
	const remote = serializeWid(msg.id?.remote);
	if (remote !== null) return remote;
	const fromMe = typeof msg.id?.fromMe === 'boolean' ? msg.id.fromMe : msg.fromMe === true;
	const fallback = serializeWid(fromMe ? msg.to : msg.from);
	if (fallback === null) throw new Error('message has no chat id');
	return fallback;
}

/**
 * Map one message. `resolvedPhoneJid` is the phone JID an `@lid` chat resolved
 * to (null when it did not, or when the chat is not a LID).
 */
export function toDriverMessage(msg: WebJsMessageLike, resolvedPhoneJid: string | null): DriverMessage {
	const id = messageIdOf(msg);
	const chatId = chatIdOf(msg);
	const fromMe = typeof msg.id?.fromMe === 'boolean' ? msg.id.fromMe : msg.fromMe === true;
	const author = isDirectChatJid(chatId) ? null : serializeWid(msg.author);
	const timestamp = typeof msg.timestamp === 'number' && Number.isFinite(msg.timestamp) ? Math.trunc(msg.timestamp) : 0;
	const notifyName = msg._data && typeof msg._data.notifyName === 'string' && msg._data.notifyName.length > 0 ? msg._data.notifyName : null;
	return {
		id,
		fromMe,
		chatId,
		author,
		type: typeof msg.type === 'string' && msg.type.length > 0 ? msg.type : 'unknown',
		body: typeof msg.body === 'string' ? msg.body : '',
		timestamp,
		hasMedia: msg.hasMedia === true,
		isStatus: msg.isStatus === true || chatId === 'status@broadcast',
		resolvedPhoneJid: chatId.endsWith('@lid') ? resolvedPhoneJid : null,
		notifyName,
	};
}
