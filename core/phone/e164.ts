/**
 * E.164 strings and the two shapes WhatsApp wants them in.
 * These helpers take a number that was already normalized (by
 * `parseWhatsAppId`); they do not guess formats.
 */

/** `+`, a first digit 1–9, at most 15 digits in all (ITU-T E.164). */
const E164_PATTERN = /^\+[1-9]\d{6,14}$/;

/** True when `s` is an E.164 string such as `+5511987654321` (no spaces, no extension). */
export function isE164(s: unknown): s is string {
	return typeof s === 'string' && E164_PATTERN.test(s);
}

/**
 * The digits without `+`, as Meta's Cloud API takes and sends numbers
 * (`to`, `wa_id`, `from`): `+5511987654321` → `5511987654321`.
 * Throws on anything that is not E.164: sending to a guessed number is worse
 * than failing (the message names no number, so it is safe to log).
 */
export function formatForMeta(e164: string): string {
	if (!isE164(e164)) throw new TypeError('formatForMeta: expected an E.164 number such as +5511987654321');
	return e164.slice(1);
}

/**
 * The whatsapp-web.js chat id of a person: `+5511987654321` → `5511987654321@c.us`.
 * Throws on anything that is not E.164 (see `formatForMeta`).
 */
export function toChatJid(e164: string): string {
	if (!isE164(e164)) throw new TypeError('toChatJid: expected an E.164 number such as +5511987654321');
	return `${e164.slice(1)}@c.us`;
}
