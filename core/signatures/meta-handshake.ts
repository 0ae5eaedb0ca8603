/**
 * Meta's webhook verification handshake (the GET Meta sends when a webhook URL
 * is saved): `hub.mode=subscribe&hub.verify_token=<token>&hub.challenge=<n>`.
 * Answer 200 with the bare challenge when the token matches, else 403.
 */
import { safeEqualStrings } from './hmac';

export type MetaHandshakeAnswer = { status: 200; body: string } | { status: 403; body: string };

/**
 * Reads `hub.<name>` from a parsed query string: either the literal key
 * `'hub.mode'` (express, URLSearchParams) or nested `{ hub: { mode } }` (qs with
 * dot notation). Returns undefined for anything but a single string.
 */
function hubParam(query: Record<string, unknown>, name: 'mode' | 'verify_token' | 'challenge'): string | undefined {
	let value: unknown = query[`hub.${name}`];
	if (value === undefined) {
		const hub = query.hub;
		if (hub !== null && typeof hub === 'object' && !Array.isArray(hub)) value = (hub as Record<string, unknown>)[name];
	}
	return typeof value === 'string' ? value : undefined;
}

function refuse(body: string): MetaHandshakeAnswer {
	return { status: 403, body };
}

/** Answers Meta's GET handshake. Pure: no I/O, no logging; the token is compared in constant time. */
export function answerMetaHandshake(query: Record<string, unknown> | null | undefined, verifyToken: string): MetaHandshakeAnswer {
	if (typeof verifyToken !== 'string' || verifyToken.length === 0) return refuse('No verify token is configured.');
	const params = query ?? {};
	if (hubParam(params, 'mode') !== 'subscribe') return refuse('hub.mode must be "subscribe".');
	const token = hubParam(params, 'verify_token');
	if (token === undefined || !safeEqualStrings(token, verifyToken)) return refuse('The verify token does not match.');
	const challenge = hubParam(params, 'challenge');
	if (challenge === undefined || challenge.length === 0) return refuse('hub.challenge is missing.');
	return { status: 200, body: challenge };
}
