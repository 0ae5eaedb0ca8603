/**
 * Reading webhook headers as Node's IncomingMessage (and n8n) hand them over:
 * names compared case-insensitively, a repeated header told apart from a
 * single one. The one place headers are read, for the signature schemes and
 * the body reader alike.
 */
import { failure } from './hmac';
import type { HeaderBag, VerificationFailure } from './types';

/** Every value sent under `name`, whatever the spelling of the name. */
function valuesOf(headers: HeaderBag | null | undefined, name: string): Array<string | string[]> {
	const wanted = name.toLowerCase();
	const values: Array<string | string[]> = [];
	for (const [key, value] of Object.entries(headers ?? {})) {
		if (key.toLowerCase() === wanted && value !== undefined) values.push(value);
	}
	return values;
}

/** The header's value, the first one when repeated; undefined when absent (for headers that are not signed, e.g. Content-Type). */
export function firstHeaderValue(headers: HeaderBag | null | undefined, name: string): string | undefined {
	const [value] = valuesOf(headers, name);
	return Array.isArray(value) ? value[0] : value;
}

export type HeaderRead = { ok: true; value: string } | VerificationFailure;

/**
 * Reads one header by name, case-insensitively. Absent → `missing_header`;
 * repeated (an array value, or the same name under two spellings) → `malformed_header`.
 */
export function readHeader(headers: HeaderBag | null | undefined, name: string): HeaderRead {
	const wanted = name.toLowerCase();
	const values = valuesOf(headers, name);
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
