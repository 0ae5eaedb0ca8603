/** Resolves or rejects like `promise`, or rejects with a TimeoutError after `ms`. */
export class TimeoutError extends Error {
	constructor(readonly ms: number) {
		super(`timed out after ${ms} ms`);
		this.name = 'TimeoutError';
	}
}

export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new TimeoutError(ms)), ms);
	});
	return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
