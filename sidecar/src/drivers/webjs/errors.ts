/** Errors the webjs driver throws, with codes the service can map to HTTP answers. */

/** The session's browser or page is gone (or was never started): the service answers 503. */
export class SessionUnavailableError extends Error {
	readonly code = 'SESSION_UNAVAILABLE';
	constructor(message = 'the session has no running browser') {
		super(message);
		this.name = 'SessionUnavailableError';
	}
}

/** whatsapp-web.js throws strings ('auth timeout', 'ready timeout'); make every rejection an Error. */
export function toError(value: unknown): Error {
	if (value instanceof Error) return value;
	if (typeof value === 'string') return new Error(value);
	// Not stringified: an unknown object could carry a number or a text into a log line.
	return new Error(`non-error rejection (${value === null ? 'null' : typeof value})`);
}
