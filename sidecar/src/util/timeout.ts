/**
 * The one timeout of the sidecar: every bounded call (a page call in the webjs
 * driver, the health check, a profile lookup, a backfill step) rejects with
 * the same TimeoutError, so whichever bound fires first, a caller can tell
 * "did not answer in time" from "failed".
 */
export class TimeoutError extends Error {
	readonly code = 'TIMEOUT';
	constructor(
		readonly ms: number,
		what?: string,
	) {
		super(what ? `${what} did not answer within ${ms} ms` : `timed out after ${ms} ms`);
		this.name = 'TimeoutError';
	}
}

/** Resolves or rejects like `promise`, or rejects with a TimeoutError after `ms`. The timer never keeps the process alive. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what?: string): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new TimeoutError(ms, what)), ms);
		timer.unref?.();
	});
	return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
