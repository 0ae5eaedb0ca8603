/**
 * The cryptographic pieces both webhook schemes (sidecar and Meta) are built
 * from: raw-byte handling, HMAC-SHA256, constant-time comparison, secret lists
 * and the shared failure shape. Nothing here knows a scheme; reading headers
 * is headers.ts's job.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

import type { RawBody, VerificationFailure, VerificationFailureReason } from './types';

/** The bytes of a body exactly as received; a string is taken as UTF-8. Never re-serializes. */
export function toBytes(body: RawBody): Buffer {
	if (Buffer.isBuffer(body)) return body;
	if (typeof body === 'string') return Buffer.from(body, 'utf8');
	if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
	throw new TypeError('body must be a Buffer, a Uint8Array or a string (the raw request body)');
}

/**
 * HMAC-SHA256 over the concatenation of `parts`, as 32 raw bytes.
 * Feeding the parts one after the other equals hashing their concatenation.
 */
export function hmacSha256(secret: string, ...parts: Buffer[]): Buffer {
	const mac = createHmac('sha256', secret);
	for (const part of parts) mac.update(part);
	return mac.digest();
}

/** Constant-time equality of two byte strings of any length (unequal lengths are simply unequal). */
export function safeEqualBytes(a: Buffer, b: Buffer): boolean {
	if (a.length !== b.length) return false;
	return timingSafeEqual(a, b);
}

/**
 * Constant-time equality of two strings whose lengths may differ (tokens):
 * both are hashed first so the comparison runs over equal-length buffers.
 */
export function safeEqualStrings(a: string, b: string): boolean {
	const da = createHash('sha256').update(a, 'utf8').digest();
	const db = createHash('sha256').update(b, 'utf8').digest();
	return timingSafeEqual(da, db);
}

/** A configured secret with its position in the list the caller gave (for `secretIndex`). */
export interface IndexedSecret {
	secret: string;
	index: number;
}

/**
 * Whether a configured value can serve as a secret: a string with something
 * other than white space. The one rule for "a usable secret" — the verifiers,
 * the receivers and the trigger's activation check all ask it. A usable
 * secret is used exactly as typed (never trimmed): the sender signs with it.
 */
export function isUsableSecret(value: unknown): value is string {
	return typeof value === 'string' && value.trim() !== '';
}

/** The usable secrets: one or many (rotation); anything isUsableSecret refuses is ignored. */
export function usableSecrets(secrets: unknown): IndexedSecret[] {
	const list: unknown[] = Array.isArray(secrets) ? secrets : [secrets];
	const usable: IndexedSecret[] = [];
	list.forEach((secret, index) => {
		if (isUsableSecret(secret)) usable.push({ secret, index });
	});
	return usable;
}

/**
 * Index of the first secret whose HMAC of `parts` equals `signature`, or -1.
 * Every secret is tried (no early exit), each with a constant-time compare.
 */
export function matchingSecretIndex(secrets: IndexedSecret[], signature: Buffer, ...parts: Buffer[]): number {
	let found = -1;
	for (const { secret, index } of secrets) {
		const equal = safeEqualBytes(hmacSha256(secret, ...parts), signature);
		if (equal && found === -1) found = index;
	}
	return found;
}

/** Builds the failure value; `message` must never contain a secret or an expected signature. */
export function failure(reason: VerificationFailureReason, header: string | null, message: string): VerificationFailure {
	return { ok: false, reason, header, message };
}
