/**
 * What a delivery attempt's outcome means, and how long to wait before the next.
 */

export type AttemptVerdict = 'delivered' | 'retry' | 'permanent';

/** Longest Retry-After the outbox honours (a receiver asking for more is waited on for this long). */
export const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

/**
 * 2xx: delivered. 5xx, 429, 408 (request timeout), 425 (too early) and 404
 * (n8n answers 404 while the trigger's workflow is inactive or n8n is still
 * registering its webhooks after a restart): try again later. Anything else
 * (400, 401, 403, 410, 413, 422, other 4xx, and 1xx/3xx, which a webhook
 * receiver has no business answering): the receiver will refuse this event
 * however often it is sent, so it is a dead letter.
 */
export function verdictForStatus(status: number): AttemptVerdict {
	if (status >= 200 && status < 300) return 'delivered';
	if (status >= 500 || status === 429 || status === 408 || status === 425 || status === 404) return 'retry';
	return 'permanent';
}

/**
 * Exponential backoff with full jitter: a random wait between 0 and
 * min(maxDelayMs, baseDelayMs · 2^(failedAttempts − 1)).
 */
export function backoffDelayMs(failedAttempts: number, baseDelayMs: number, maxDelayMs: number, random: () => number): number {
	const exponent = Math.max(0, failedAttempts - 1);
	const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(exponent, 40));
	return Math.floor(random() * ceiling);
}

/**
 * A Retry-After header in milliseconds: delta-seconds (`120`) or an HTTP date.
 * Null when absent or unreadable; capped at MAX_RETRY_AFTER_MS.
 */
export function parseRetryAfterMs(value: string | string[] | undefined, nowMs: number): number | null {
	const raw = Array.isArray(value) ? value[0] : value;
	if (raw === undefined) return null;
	const text = raw.trim();
	if (text === '') return null;
	let ms: number;
	if (/^[0-9]+$/.test(text)) {
		ms = Number(text) * 1000;
	} else {
		const at = Date.parse(text);
		if (Number.isNaN(at)) return null;
		ms = Math.max(0, at - nowMs);
	}
	return Math.min(ms, MAX_RETRY_AFTER_MS);
}
