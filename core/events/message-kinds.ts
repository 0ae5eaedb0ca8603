/**
 * Source type names → the schema's MessageKind, and status names → MessageStatus.
 * Unknown names are never an error: they map to `unknown` and the caller
 * keeps the raw name in `rawType` / `rawStatus`.
 */
import type { MessageKind, MessageStatus } from './types';

/** Kinds whose messages carry a media file. */
export const MEDIA_KINDS: ReadonlySet<MessageKind> = new Set<MessageKind>(['image', 'video', 'audio', 'voice', 'document', 'sticker']);

export interface KindInfo {
	kind: MessageKind;
	isMedia: boolean;
}

function info(kind: MessageKind): KindInfo {
	return { kind, isMedia: MEDIA_KINDS.has(kind) };
}

/** whatsapp-web.js `Message.type` (its `MessageTypes` constants, 1.34.x). */
const WEBJS_KINDS: Record<string, MessageKind> = {
	chat: 'text',
	image: 'image',
	video: 'video',
	ptv: 'video', // round "video note"
	audio: 'audio',
	ptt: 'voice', // push-to-talk: a voice note
	document: 'document',
	sticker: 'sticker',
	location: 'location',
	vcard: 'contacts',
	multi_vcard: 'contacts',
	reaction: 'reaction',
	revoked: 'revoked', // "This message was deleted"
	call_log: 'call',
	e2e_notification: 'system',
	notification: 'system',
	notification_template: 'system',
	group_notification: 'system',
	broadcast_notification: 'system',
	gp2: 'system', // group participant changes
	protocol: 'system', // edits, deletes-for-everyone, ephemeral settings
	debug: 'system',
	buttons_response: 'interactive',
	list_response: 'interactive',
	template_button_reply: 'interactive',
	interactive: 'interactive',
	native_flow: 'interactive',
	list: 'interactive',
	poll_creation: 'interactive',
	hsm: 'template', // a business template message
	order: 'order',
	product: 'order', // a catalog product shared in chat: commerce, like an order
	ciphertext: 'unsupported', // not decrypted yet ("Waiting for this message")
	oversized: 'unsupported',
	unknown: 'unknown',
};

/** Meta Cloud API `messages[].type`. */
const META_KINDS: Record<string, MessageKind> = {
	text: 'text',
	image: 'image',
	video: 'video',
	audio: 'audio', // a voice note is `audio` with `audio.voice: true` (see normalizeMetaWebhook)
	document: 'document',
	sticker: 'sticker',
	location: 'location',
	contacts: 'contacts',
	reaction: 'reaction',
	interactive: 'interactive',
	button: 'button',
	template: 'template', // only in echoes of messages the business sent
	order: 'order',
	system: 'system', // e.g. customer_changed_number
	request_welcome: 'system', // the user opened the chat for the first time
	edit: 'system', // an edit of an earlier message (WhatsApp Business app coexistence); see `edit`
	revoke: 'revoked', // an earlier message deleted for everyone (coexistence); see `revoked`
	unsupported: 'unsupported',
	unknown: 'unknown',
};

function lookup(table: Record<string, MessageKind>, type: string): KindInfo {
	const kind = typeof type === 'string' && Object.prototype.hasOwnProperty.call(table, type) ? table[type] : 'unknown';
	return info(kind);
}

export function messageKindFromWebJsType(type: string): KindInfo {
	return lookup(WEBJS_KINDS, type);
}

export function messageKindFromMetaType(type: string): KindInfo {
	return lookup(META_KINDS, type);
}

const META_STATUSES: Record<string, MessageStatus> = {
	sent: 'sent',
	delivered: 'delivered',
	read: 'read',
	played: 'played',
	failed: 'failed',
	deleted: 'deleted',
	pending: 'pending',
};

/** Meta `statuses[].status` → MessageStatus (`unknown` for anything new). */
export function messageStatusFromMeta(status: string): MessageStatus {
	return typeof status === 'string' && Object.prototype.hasOwnProperty.call(META_STATUSES, status) ? META_STATUSES[status] : 'unknown';
}

/** whatsapp-web.js `MessageAck` (-1 error, 0 pending, 1 server, 2 device, 3 read, 4 played) → MessageStatus. */
export function messageStatusFromWebJsAck(ack: number): MessageStatus {
	switch (ack) {
		case -1:
			return 'failed';
		case 0:
			return 'pending';
		case 1:
			return 'sent';
		case 2:
			return 'delivered';
		case 3:
			return 'read';
		case 4:
			return 'played';
		default:
			return 'unknown';
	}
}
