/** Header names of the sidecar's webhook signing scheme (compare case-insensitively). */
export const SIDECAR_HEADERS = {
	id: 'x-webhook-id',
	timestamp: 'x-webhook-timestamp',
	signature: 'x-webhook-signature',
} as const;

/** Meta's signature header on Cloud API webhook POSTs. */
export const META_SIGNATURE_HEADER = 'x-hub-signature-256';

export const DEFAULT_TOLERANCE_SECONDS = 300;

/** Why a webhook was refused. Every failure has its own reason. */
export type VerificationFailureReason =
	| 'missing_header'
	| 'malformed_header'
	| 'stale_timestamp'
	| 'signature_mismatch'
	| 'no_secret_configured';

export interface VerificationFailure {
	ok: false;
	reason: VerificationFailureReason;
	/** The header concerned, when there is one. */
	header: string | null;
	/** A short sentence safe to send back in a 401 body (no secret, no expected signature). */
	message: string;
}

export interface SidecarVerificationSuccess {
	ok: true;
	/** The event id from X-Webhook-Id. */
	id: string;
	/** Unix seconds from X-Webhook-Timestamp. */
	timestamp: number;
	/** Index in the secrets list of the secret that matched (rotation diagnostics). */
	secretIndex: number;
}

export interface MetaVerificationSuccess {
	ok: true;
	secretIndex: number;
}

/** Header values as Node's IncomingMessage gives them (lower-cased names). */
export type HeaderBag = Record<string, string | string[] | undefined>;

/** Raw body bytes exactly as received; strings are treated as UTF-8. */
export type RawBody = Buffer | Uint8Array | string;
