/**
 * WhatsApp ids ("wids") as they cross the page boundary: a string
 * (`5511987654321@c.us`), or an object with `_serialized`, or — since WhatsApp
 * Web stopped filling `_serialized` on some objects — only `user` and `server`.
 */

export type WidLike = string | { _serialized?: unknown; user?: unknown; server?: unknown } | null | undefined;

/** The serialized form of a wid, or null when there is nothing usable. */
export function serializeWid(wid: WidLike): string | null {
	if (typeof wid === 'string') return wid.length > 0 ? wid : null;
	if (wid === null || typeof wid !== 'object') return null;
	if (typeof wid._serialized === 'string' && wid._serialized.length > 0) return wid._serialized;
	if (typeof wid.user === 'string' && wid.user.length > 0 && typeof wid.server === 'string' && wid.server.length > 0) {
		return `${wid.user}@${wid.server}`;
	}
	return null;
}

/** A group chat (`…@g.us`). Decided from the id, never from library flags that may be missing. */
export function isGroupJid(jid: string): boolean {
	return jid.endsWith('@g.us');
}

/** A privacy id (`…@lid`): its digits are not a phone number. */
export function isLidJid(jid: string): boolean {
	return jid.endsWith('@lid');
}

/** A person's phone JID (`<digits>@c.us` or `<digits>@s.whatsapp.net`). */
export function isPhoneJid(jid: string): boolean {
	return /^\d{5,20}@(c\.us|s\.whatsapp\.net)$/.test(jid);
}

/** A chat that is one person: phone JID or privacy id. Groups, broadcasts, status and channels are not. */
export function isDirectChatJid(jid: string): boolean {
	return isPhoneJid(jid) || isLidJid(jid);
}
