/**
 * A message's WhatsApp id — the CRM's idempotency key — guarded against drift.
 *
 * whatsapp-web.js hands out WhatsApp Web's message key as `msg.id`; its
 * `_serialized` (`<fromMe>_<remote>_<id>[_<participant>]`) went undefined when
 * WhatsApp Web changed `MsgKey` (July 2026). When it is missing the id is
 * rebuilt from its parts, in exactly WhatsApp Web's format, so the same message
 * keeps the same key whichever way it was read.
 */
import { serializeWid, type WidLike } from './wid';

export interface MessageKeyLike {
	_serialized?: unknown;
	fromMe?: unknown;
	remote?: WidLike;
	id?: unknown;
	participant?: WidLike;
}

export interface MessageWithKey {
	id?: MessageKeyLike | null;
	/** whatsapp-web.js copies `id.fromMe` here; used when the key lacks it. */
	fromMe?: unknown;
}

export class MessageIdError extends Error {
	constructor(what: string) {
		super(`message has no usable id: ${what}`);
		this.name = 'MessageIdError';
	}
}

/** The serialized message id: `msg.id._serialized` when present, else rebuilt from the key's parts. Throws when neither is possible. */
export function messageIdOf(msg: MessageWithKey): string {
	const key = msg.id;
	if (key === null || key === undefined || typeof key !== 'object') throw new MessageIdError('no key');
	if (typeof key._serialized === 'string' && key._serialized.length > 0) return key._serialized;
	return rebuildMessageId(key, msg.fromMe);
}

/** `<fromMe>_<remote>_<id>[_<participant>]`, as WhatsApp Web serializes a `MsgKey`. */
export function rebuildMessageId(key: MessageKeyLike, fallbackFromMe?: unknown): string {
	const fromMe = typeof key.fromMe === 'boolean' ? key.fromMe : typeof fallbackFromMe === 'boolean' ? fallbackFromMe : null;
	if (fromMe === null) throw new MessageIdError('fromMe missing');
	const remote = serializeWid(key.remote);
	if (remote === null) throw new MessageIdError('remote missing');
	if (typeof key.id !== 'string' || key.id.length === 0) throw new MessageIdError('id missing');
	const participant = serializeWid(key.participant);
	return participant === null ? `${fromMe}_${remote}_${key.id}` : `${fromMe}_${remote}_${key.id}_${participant}`;
}
