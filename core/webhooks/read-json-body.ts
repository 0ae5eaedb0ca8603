import { firstHeaderValue } from '../signatures/headers';
import type { HeaderBag } from '../signatures/types';
import { reject, type WebhookRejection } from './types';

/**
 * The size check every receiver makes first (cheap, before the signature):
 * a 413 rejection for a body over the limit, null otherwise.
 */
export function bodyTooLarge(rawBody: Buffer | undefined, maxBodyBytes: number): WebhookRejection | null {
	if (rawBody === undefined || rawBody.length <= maxBodyBytes) return null;
	return reject(413, 'body_too_large', `The body is ${rawBody.length} bytes; the limit is ${maxBodyBytes}.`);
}

/**
 * Reads a webhook body as JSON from its raw bytes (already checked against
 * the size limit, see bodyTooLarge): present, declared and parsed as JSON,
 * and an object at the top level.
 */
export function readJsonBody(
	rawBody: Buffer | undefined,
	headers: HeaderBag,
): { ok: true; value: Record<string, unknown> } | { ok: false; rejection: WebhookRejection } {
	if (rawBody === undefined || rawBody.length === 0) {
		return { ok: false, rejection: reject(400, 'empty_body', 'The request has no body; a JSON event was expected.') };
	}
	const contentType = (firstHeaderValue(headers, 'content-type') ?? '').toLowerCase();
	if (!/^application\/([\w.+-]+\+)?json\b/.test(contentType)) {
		return {
			ok: false,
			rejection: reject(415, 'unsupported_media_type', 'Send the event as JSON with "Content-Type: application/json".'),
		};
	}
	let value: unknown;
	try {
		value = JSON.parse(rawBody.toString('utf8'));
	} catch {
		return { ok: false, rejection: reject(400, 'invalid_json', 'The body is not valid JSON.') };
	}
	if (value === null || typeof value !== 'object' || Array.isArray(value)) {
		return { ok: false, rejection: reject(400, 'invalid_json', 'The body must be a JSON object.') };
	}
	return { ok: true, value: value as Record<string, unknown> };
}
