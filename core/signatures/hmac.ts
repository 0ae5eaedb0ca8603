/**
 * The small pieces both webhook schemes (sidecar and Meta) are built from:
 * raw-byte handling, HMAC-SHA256, constant-time comparison, secret lists,
 * header reading and the shared failure shape. Nothing here knows a scheme.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

import type { HeaderBag, RawBody, VerificationFailure, VerificationFailureReason } from './types';

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

/** The usable secrets: one or many (rotation); empty strings and non-strings are ignored. */
export function usableSecrets(secrets: string[] | string | null | undefined): IndexedSecret[] {
	const list = Array.isArray(secrets) ? secrets : [secrets];
	const usable: IndexedSecret[] = [];
	list.forEach((secret, index) => {
		if (typeof secret === 'string' && secret.length > 0) usable.push({ secret, index });
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

export type HeaderRead = { ok: true; value: string } | VerificationFailure;

/**
 * Reads one header by name, case-insensitively. Absent → `missing_header`;
 * repeated (an array value, or the same name under two spellings) → `malformed_header`.
 */
export function readHeader(headers: HeaderBag | null | undefined, name: string): HeaderRead {
	const wanted = name.toLowerCase();
	const values: Array<string | string[]> = [];
	for (const [key, value] of Object.entries(headers ?? {})) {
		if (key.toLowerCase() === wanted && value !== undefined) values.push(value);
	}
	if (values.length === 0) return failure('missing_header', wanted, `The ${wanted} header is missing.`);
	const value = values[0];
	if (values.length > 1 || typeof value !== 'string') {
		return failure('malformed_header', wanted, `The ${wanted} header was sent more than once.`);
	}
	return { ok: true, value };
}

const SHA256_SIGNATURE = /^sha256=([0-9a-fA-F]{64})$/;

export type SignatureRead = { ok: true; digest: Buffer } | VerificationFailure;

/** Parses `sha256=<64 hex>` into its 32 bytes; anything else → `malformed_header`. */
export function parseSha256Signature(value: string, header: string): SignatureRead {
	const match = SHA256_SIGNATURE.exec(value);
	if (!match) {
		return failure('malformed_header', header, `The ${header} header must be "sha256=" followed by 64 hex digits.`);
	}
	return { ok: true, digest: Buffer.from(match[1], 'hex') };
}

/** Reads and parses a `sha256=<hex>` signature header in one step. */
export function readSha256Signature(headers: HeaderBag | null | undefined, name: string): SignatureRead {
	const read = readHeader(headers, name);
	if (!read.ok) return read;
	return parseSha256Signature(read.value, name.toLowerCase());
}
