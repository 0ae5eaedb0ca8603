/**
 * whatsapp-web.js `Message` → the driver's plain `DriverMessage`.
 *
 * Reads only fields the library sets in `Message._patch` (see
 * node_modules/whatsapp-web.js/src/structures/Message.js): `id` (the key),
 * `fromMe` (← `id.fromMe`), `from`/`to`/`author` (serialized), `type`, `body`
 * (the caption for media), `timestamp` (← `t`), `hasMedia` (← `directPath`),
 * `isStatus` (← `isStatusV3` or a `status@broadcast` remote) and the raw
 * `_data.notifyName`. There is no `isGroupMsg`: groups are told by the chat id.
 *
 * The content beyond the text comes from the raw model `_data`, the fields
 * `Message._patch` itself reads: `mimetype`, `size`, `filehash`, `filename`
 * (media), `quotedStanzaID` / `quotedParticipant` (a reply), `selectedButtonId`
 * / `selectedId` / `listResponse` (button and list replies), `pollName`, `lat`
 * / `lng` / `loc` / `clientUrl` (location), `body` / `vcardFormattedName` /
 * `vcardList` (contact cards), `protocolMessageKey` (a deletion). A location's
 * `body` is its JPEG thumbnail in base64: never taken as text.
 */
import type { DriverMessage, DriverMessageContent } from '../driver';
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
	_data?: ({ notifyName?: unknown } & Record<string, unknown>) | null;
}

/** whatsapp-web.js's `Reaction` (its `message_reaction` event): `id` is the reaction's own key, `msgId` the message reacted to. */
export interface WebJsReactionLike {
	id?: MessageKeyLike | null;
	msgId?: MessageKeyLike | null;
	/** The emoji; '' when the reaction was taken back. */
	reaction?: unknown;
	/** Unix seconds. */
	timestamp?: unknown;
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
		content: contentOf(msg, chatId, resolvedPhoneJid),
	};
}

/**
 * A reaction as a driver message of type `reaction`, so it travels the same
 * path (capture, outbox) as any message: its id is the reaction's own key, its
 * chat the key's `remote`. Throws MessageIdError without a usable key.
 */
export function reactionToDriverMessage(reaction: WebJsReactionLike, resolvedPhoneJid: string | null): DriverMessage {
	const message = toDriverMessage({ id: reaction.id, type: 'reaction', body: '', timestamp: reaction.timestamp }, resolvedPhoneJid);
	const target = reaction.msgId ? serializedKey(reaction.msgId) : null;
	const emoji = typeof reaction.reaction === 'string' && reaction.reaction !== '' ? reaction.reaction : null;
	return { ...message, content: target === null ? null : { reaction: { emoji, messageId: target } } };
}

/**
 * An edit (whatsapp-web.js's `message_edit`: the edited message, its new body)
 * as a driver message of type `protocol` (kind `system`, as WhatsApp Web's own
 * edit messages are) whose `content.edit` names the edited message and its new
 * text. Its id is the edit's own key (`_data.latestEditMsgKey`), so each edit
 * is one event and never replaces the original's. Null without that key: the
 * library reports every body or caption change, and only a real edit has one.
 */
export function editToDriverMessage(msg: WebJsMessageLike, newBody: unknown, resolvedPhoneJid: string | null): DriverMessage | null {
	const data = msg._data ?? {};
	const editKey = data.latestEditMsgKey as MessageKeyLike | null | undefined;
	const editId = editKey && typeof editKey === 'object' ? serializedKey(editKey) : null;
	if (editId === null) return null;
	const original = toDriverMessage(msg, resolvedPhoneJid);
	const editedAt = finite(data.latestEditSenderTimestampMs);
	return {
		...original,
		id: editId,
		type: 'protocol',
		body: '',
		hasMedia: false,
		timestamp: editedAt === null ? original.timestamp : Math.trunc(editedAt / 1000),
		content: { edit: { messageId: original.id, text: typeof newBody === 'string' ? newBody : null } },
	};
}

function serializedKey(key: MessageKeyLike): string | null {
	try {
		return messageIdOf({ id: key });
	} catch {
		return null;
	}
}

const str = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const finite = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/** The content fields of a message's raw model; null for a plain text without a quote. */
function contentOf(msg: WebJsMessageLike, chatId: string, resolvedPhoneJid: string | null): DriverMessageContent | null {
	const data = msg._data ?? {};
	const type = typeof msg.type === 'string' ? msg.type : '';
	const content: DriverMessageContent = {};
	if (msg.hasMedia === true || str(data.mimetype)) {
		content.mimeType = str(data.mimetype);
		content.size = finite(data.size);
		content.fileHash = str(data.filehash);
		content.fileName = str(data.filename);
	}
	const quoted = quotedMessageId(data, chatId, resolvedPhoneJid);
	if (quoted) content.quotedMessageId = quoted;
	if (type === 'buttons_response' || type === 'template_button_reply') {
		content.selected = { id: str(data.selectedButtonId) ?? str(data.selectedId), title: str(msg.body), description: null };
	} else if (type === 'list_response') {
		const list = (data.listResponse ?? {}) as Record<string, unknown>;
		const reply = (list.singleSelectReply ?? {}) as Record<string, unknown>;
		content.selected = { id: str(reply.selectedRowId), title: str(list.title) ?? str(msg.body), description: str(list.description) };
	} else if (type === 'poll_creation') {
		content.pollName = str(data.pollName);
	} else if (type === 'location') {
		const latitude = finite(data.lat);
		const longitude = finite(data.lng);
		// `loc` is "name\naddress" (whatsapp-web.js's Location splits it the same way).
		const [name, address] = typeof data.loc === 'string' ? data.loc.split('\n') : [];
		if (latitude !== null && longitude !== null) content.location = { latitude, longitude, name: str(name), address: str(address), url: str(data.clientUrl) };
	} else if (type === 'vcard') {
		const vcard = str(data.body) ?? str(msg.body);
		if (vcard) content.vcards = [{ displayName: str(data.vcardFormattedName), vcard }];
	} else if (type === 'multi_vcard' && Array.isArray(data.vcardList)) {
		content.vcards = data.vcardList
			.filter((card): card is Record<string, unknown> => typeof card === 'object' && card !== null && typeof card.vcard === 'string')
			.map((card) => ({ displayName: str(card.displayName), vcard: card.vcard as string }));
	} else if (type === 'revoked') {
		const key = data.protocolMessageKey as MessageKeyLike | undefined;
		content.revokedMessageId = (key && serializedKey(key)) ?? null;
	}
	return Object.keys(content).length > 0 ? content : null;
}

/**
 * The serialized id of the quoted message: WhatsApp Web keeps only its stanza
 * id and author (`quotedStanzaID`, `quotedParticipant`); in a 1:1 chat it was
 * the contact's own message when the author is the chat (or its resolved
 * phone), else ours — which is all its serialized id needs.
 */
function quotedMessageId(data: Record<string, unknown>, chatId: string, resolvedPhoneJid: string | null): string | null {
	const stanzaId = str(data.quotedStanzaID);
	if (stanzaId === null || !isDirectChatJid(chatId)) return null;
	const author = serializeWid(data.quotedParticipant as WidLike);
	if (author === null) return null;
	const fromContact = author === chatId || (resolvedPhoneJid !== null && author === resolvedPhoneJid);
	return `${!fromContact}_${chatId}_${stanzaId}`;
}
