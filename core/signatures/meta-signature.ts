/**
 * Meta's WhatsApp Cloud API webhook signature:
 *
 *   X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body bytes)>
 *
 * Meta signs the body exactly as sent (unicode escaped as `\u00e9`, slashes as
 * `\/`), so verification runs over the received bytes, never re-serialized JSON.
 * There is no timestamp in this scheme: deduplicate by message id downstream.
 */
import { readSha256Signature } from './headers';
import { failure, hmacSha256, isUsableSecret, matchingSecretIndex, toBytes, usableSecrets } from './hmac';
import { META_SIGNATURE_HEADER, type HeaderBag, type MetaVerificationSuccess, type RawBody, type VerificationFailure } from './types';

export interface VerifyMetaInput {
	/** The app secret, or several during a rotation; empty strings are ignored. */
	appSecrets: string[] | string;
	headers: HeaderBag;
	/** The raw body bytes exactly as received. */
	body: RawBody;
}

/** The `X-Hub-Signature-256` value Meta would send for this body: `sha256=<hex>`. */
export function signMetaPayload(appSecret: string, body: RawBody): string {
	if (!isUsableSecret(appSecret)) throw new TypeError('appSecret must be a non-empty string');
	return `sha256=${hmacSha256(appSecret, toBytes(body)).toString('hex')}`;
}

/** Verifies a Cloud API webhook POST against one or several app secrets (constant-time). */
export function verifyMetaSignature(input: VerifyMetaInput): MetaVerificationSuccess | VerificationFailure {
	const secrets = usableSecrets(input.appSecrets);
	if (secrets.length === 0) {
		return failure('no_secret_configured', null, 'No Meta app secret is configured.');
	}
	const signature = readSha256Signature(input.headers, META_SIGNATURE_HEADER);
	if (!signature.ok) return signature;

	const secretIndex = matchingSecretIndex(secrets, signature.digest, toBytes(input.body));
	if (secretIndex === -1) {
		return failure('signature_mismatch', META_SIGNATURE_HEADER, 'The webhook signature does not match.');
	}
	return { ok: true, secretIndex };
}
