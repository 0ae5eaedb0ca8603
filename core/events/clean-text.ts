/**
 * Text that PostgreSQL can always store. Its UTF-8 text type refuses NUL
 * (U+0000) and its jsonb refuses `\u0000` and unpaired UTF-16 surrogates
 * (JavaScript strings can hold both; JSON.stringify writes a lone surrogate as
 * `\udXXX`, which jsonb rejects). Every other code point is storable.
 *
 * Such characters do arrive: WhatsApp Web carries whatever a client put in a
 * message or a profile name, Meta escapes them in JSON, and a workflow can put
 * them in a message it sends. An event that cannot be stored would fail the
 * CRM step on every retry, so the normalizers (sidecar and Meta) and the
 * sidecar's send API replace each with U+FFFD (the replacement character) —
 * the same thing a UTF-8 encoder does with a lone surrogate. Nothing else is
 * changed: other control characters, RTL marks, emoji and quotes pass as they are.
 */

/** NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one. */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export const REPLACEMENT_CHARACTER = '\uFFFD';

/** The text with NUL and unpaired surrogates replaced by U+FFFD (the same string when there are none). */
export function cleanText(text: string): string {
	UNSTORABLE.lastIndex = 0;
	if (!UNSTORABLE.test(text)) return text;
	UNSTORABLE.lastIndex = 0;
	return text.replace(UNSTORABLE, REPLACEMENT_CHARACTER);
}

/** A deep copy of a JSON-like value with every string (keys included) cleaned by cleanText. */
export function cleanStrings<T>(value: T): T {
	return cleanValue(value) as T;
}

function cleanValue(value: unknown): unknown {
	if (typeof value === 'string') return cleanText(value);
	if (Array.isArray(value)) return value.map(cleanValue);
	if (value !== null && typeof value === 'object') {
		const out: Record<string, unknown> = {};
		// defineProperty: a key named `__proto__` (a Flow's answers are free-form JSON) stays a plain key.
		for (const [key, item] of Object.entries(value)) {
			Object.defineProperty(out, cleanText(key), { value: cleanValue(item), enumerable: true, writable: true, configurable: true });
		}
		return out;
	}
	return value;
}
