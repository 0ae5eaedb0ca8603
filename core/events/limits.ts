/**
 * Ids (message ids, session ids, chat ids…) are opaque strings, but bounded:
 * nothing WhatsApp or Meta issues comes near this length. The normalizer and
 * the validator share the bound so everything one emits the other accepts.
 */
export const MAX_ID_LENGTH = 1024;

/** A non-blank string no longer than MAX_ID_LENGTH. */
export function isId(value: unknown): value is string {
	return typeof value === 'string' && value.trim() !== '' && value.length <= MAX_ID_LENGTH;
}
