/**
 * What may appear in a log line. Logs carry session ids, event ids and message
 * references only — never a phone number or message text. A WhatsApp message
 * id embeds the chat's JID (`false_5511987654321@c.us_3EB0…`, and a group
 * message also its author's), so message ids are logged as a short hash:
 * `msgRef = first 12 hex digits of sha256(serialized message id)`.
 */
import { createHash } from 'node:crypto';

/** A log-safe reference to a WhatsApp message id. */
export function messageRef(messageId: string): string {
	return createHash('sha256').update(messageId, 'utf8').digest('hex').slice(0, 12);
}

/** Any run of 5+ digits (a phone number, a JID's user part) and anything `@server`-like is masked. */
export function redactText(text: string): string {
	return text
		.replace(/[\w.+:-]*@(c\.us|s\.whatsapp\.net|g\.us|lid|broadcast|newsletter)\b/gi, '<jid>')
		.replace(/\+?\d[\d\s().-]{3,}\d/g, (match) => (match.replace(/\D/g, '').length >= 5 ? '<digits>' : match));
}

/** An error reduced to what can be logged: its name, a redacted message, and its code when it has one. */
export function safeError(err: unknown): { name: string; message: string; code?: string } {
	if (err instanceof Error) {
		const code = (err as { code?: unknown }).code;
		return {
			name: err.name,
			message: redactText(err.message).slice(0, 300),
			...(typeof code === 'string' ? { code } : {}),
		};
	}
	if (typeof err === 'string') return { name: 'string', message: redactText(err).slice(0, 300) };
	return { name: typeof err, message: 'non-error value thrown' };
}

/** The text of any thrown value (whatsapp-web.js throws strings such as 'auth timeout'). */
export function errorText(err: unknown): string {
	if (err instanceof Error) return err.message;
	if (typeof err === 'string') return err;
	return String(err);
}
