/**
 * The sidecar's webhook signature scheme.
 *
 *   X-Webhook-Id:        <event id, 1–200 characters>
 *   X-Webhook-Timestamp: <unix seconds, integer>
 *   X-Webhook-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>." + raw body bytes)>
 *
 * The timestamp is inside the signed bytes, so a captured delivery cannot be
 * replayed later with a fresh timestamp; the id lets receivers deduplicate.
 *
 * The id itself is not in the signed bytes (Standard Webhooks signs
 * `id.timestamp.body`): the body is a normalized event that carries its own
 * `eventId`, which is signed, and the trigger refuses a delivery whose header
 * id differs from it (`event_id_mismatch`), so the id a receiver deduplicates
 * on is covered already. Changing the scheme would break every deployed
 * sidecar and trigger for no gain, so it stays `timestamp.body`.
 */
import { readHeader, readSha256Signature } from './headers';
import { failure, hmacSha256, isUsableSecret, matchingSecretIndex, toBytes, usableSecrets } from './hmac';
import {
	DEFAULT_TOLERANCE_SECONDS,
	SIDECAR_HEADERS,
	type HeaderBag,
	type RawBody,
	type SidecarVerificationSuccess,
	type VerificationFailure,
} from './types';

/** Longest accepted event id. */
export const MAX_EVENT_ID_LENGTH = 200;

/** A canonical non-negative integer (no sign, no leading zeros, no fraction), at most 15 digits. */
const TIMESTAMP_PATTERN = /^(0|[1-9][0-9]{0,14})$/;

/** A type alias (not an interface) so it is assignable to HeaderBag and to fetch's headers. */
export type SidecarSignedHeaders = {
	'X-Webhook-Id': string;
	'X-Webhook-Timestamp': string;
	'X-Webhook-Signature': string;
};

export interface SignSidecarInput {
	secret: string;
	/** The event id (deduplication key), 1–200 characters. */
	id: string;
	/** Unix seconds; defaults to now. */
	timestamp?: number;
	body: RawBody;
}

export interface VerifySidecarInput {
	/** One secret, or several during a rotation; empty strings are ignored. */
	secrets: string[] | string;
	headers: HeaderBag;
	/** The raw body bytes exactly as received. */
	body: RawBody;
	/** Accepted clock difference either way, in seconds (default 300). */
	toleranceSeconds?: number;
	/** The current time in unix seconds (default: the clock). */
	now?: number;
}

function nowSeconds(): number {
	return Math.floor(Date.now() / 1000);
}

/** The bytes that are signed: `"<timestamp>."` followed by the body, as separate parts. */
function signedParts(timestamp: string, body: RawBody): Buffer[] {
	return [Buffer.from(`${timestamp}.`, 'utf8'), toBytes(body)];
}

function assertTimestamp(timestamp: number): void {
	if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
		throw new TypeError('timestamp must be a non-negative integer number of unix seconds');
	}
}

/** The `X-Webhook-Signature` value for a body: `sha256=<hex>`. Handy in tests and docs. */
export function sidecarSignatureHeader(secret: string, timestamp: number, body: RawBody): string {
	if (!isUsableSecret(secret)) throw new TypeError('secret must be a non-empty string');
	assertTimestamp(timestamp);
	return `sha256=${hmacSha256(secret, ...signedParts(String(timestamp), body)).toString('hex')}`;
}

/** The three headers a sidecar webhook carries. Throws a TypeError on an id or timestamp the verifier would refuse. */
export function signSidecarPayload(input: SignSidecarInput): SidecarSignedHeaders {
	const { secret, id, body } = input;
	const timestamp = input.timestamp ?? nowSeconds();
	if (typeof id !== 'string' || id.length === 0 || id.length > MAX_EVENT_ID_LENGTH) {
		throw new TypeError(`id must be a string of 1 to ${MAX_EVENT_ID_LENGTH} characters`);
	}
	return {
		'X-Webhook-Id': id,
		'X-Webhook-Timestamp': String(timestamp),
		'X-Webhook-Signature': sidecarSignatureHeader(secret, timestamp, body),
	};
}

/**
 * Verifies a sidecar webhook. Checks, in order: a secret is configured; the
 * three headers are present and well formed; the signature matches one of the
 * secrets (constant-time); the timestamp is within ±tolerance of `now`.
 * The signature is checked before the clock, so `stale_timestamp` always means
 * an authentic but old (or clock-skewed) delivery, never a wrong secret.
 */
export function verifySidecarSignature(input: VerifySidecarInput): SidecarVerificationSuccess | VerificationFailure {
	const tolerance = input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
	if (typeof tolerance !== 'number' || Number.isNaN(tolerance) || tolerance < 0) {
		throw new TypeError('toleranceSeconds must be a non-negative number');
	}
	const now = input.now ?? nowSeconds();
	if (!Number.isFinite(now)) throw new TypeError('now must be a finite number of unix seconds');

	const secrets = usableSecrets(input.secrets);
	if (secrets.length === 0) {
		return failure('no_secret_configured', null, 'No webhook secret is configured.');
	}

	const id = readHeader(input.headers, SIDECAR_HEADERS.id);
	if (!id.ok) return id;
	if (id.value.length === 0 || id.value.length > MAX_EVENT_ID_LENGTH) {
		return failure('malformed_header', SIDECAR_HEADERS.id, `The ${SIDECAR_HEADERS.id} header must be 1 to ${MAX_EVENT_ID_LENGTH} characters.`);
	}
	const timestamp = readHeader(input.headers, SIDECAR_HEADERS.timestamp);
	if (!timestamp.ok) return timestamp;
	if (!TIMESTAMP_PATTERN.test(timestamp.value)) {
		return failure('malformed_header', SIDECAR_HEADERS.timestamp, `The ${SIDECAR_HEADERS.timestamp} header must be an integer number of unix seconds.`);
	}
	const signature = readSha256Signature(input.headers, SIDECAR_HEADERS.signature);
	if (!signature.ok) return signature;

	const secretIndex = matchingSecretIndex(secrets, signature.digest, ...signedParts(timestamp.value, input.body));
	if (secretIndex === -1) {
		return failure('signature_mismatch', SIDECAR_HEADERS.signature, 'The webhook signature does not match.');
	}

	const seconds = Number(timestamp.value);
	if (Math.abs(now - seconds) > tolerance) {
		return failure('stale_timestamp', SIDECAR_HEADERS.timestamp, `The webhook timestamp is more than ${tolerance} seconds away from the receiver's clock.`);
	}

	return { ok: true, id: id.value, timestamp: seconds, secretIndex };
}
