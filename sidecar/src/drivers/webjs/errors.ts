/** Errors the webjs driver throws, with codes the service can map to HTTP answers. */

/** The session's browser or page is gone (or was never started): the service answers 503. */
export class SessionUnavailableError extends Error {
	readonly code = 'SESSION_UNAVAILABLE';
	constructor(message = 'the session has no running browser') {
		super(message);
		this.name = 'SessionUnavailableError';
	}
}

/** A page call did not answer in time. */
export class DriverTimeoutError extends Error {
	readonly code = 'DRIVER_TIMEOUT';
	constructor(what: string, ms: number) {
		super(`${what} did not answer within ${ms} ms`);
		this.name = 'DriverTimeoutError';
	}
}

/** whatsapp-web.js throws strings ('auth timeout', 'ready timeout'); make every rejection an Error. */
export function toError(value: unknown): Error {
	if (value instanceof Error) return value;
	if (typeof value === 'string') return new Error(value);
	// Not stringified: an unknown object could carry a number or a text into a log line.
	return new Error(`non-error rejection (${value === null ? 'null' : typeof value})`);
}

/** Resolve or reject with `promise`, or reject with DriverTimeoutError after `ms`. The timer never keeps the process alive. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
	return new Promise<T>((resolve, reject) => {
		const timer = setTimeout(() => reject(new DriverTimeoutError(what, ms)), ms);
		timer.unref?.();
		promise.then(
			(value) => {
				clearTimeout(timer);
				resolve(value);
			},
			(err: unknown) => {
				clearTimeout(timer);
				reject(toError(err));
			},
		);
	});
}
