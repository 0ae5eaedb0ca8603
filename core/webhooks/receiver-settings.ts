/**
 * What a receiver is configured with, from the fields of the credential and
 * the trigger's options exactly as the user filled them in (strings, numbers,
 * blanks): the one place that decides which secrets are usable, the defaults
 * (replay tolerance, body limit, Meta's maximum event age) and how long a
 * delivery is remembered in memory.
 */
import type { CountryCode } from '../phone/types';
import { isUsableSecret } from '../signatures/hmac';
import { DEFAULT_TOLERANCE_SECONDS } from '../signatures/types';
import { DEFAULT_META_MAX_EVENT_AGE_SECONDS, type MetaReceiverConfig } from './receive-meta-webhook';
import type { SidecarReceiverConfig } from './receive-sidecar-webhook';
import { DEFAULT_MAX_BODY_BYTES } from './types';

/** The trigger options that bear on receiving (as n8n hands them over). */
export interface ReceiverOptions {
	maxBodySizeKb?: unknown;
	maxEventAgeHours?: unknown;
	dedupWindowMinutes?: unknown;
}

function positiveNumber(value: unknown): number | null {
	const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : null;
}

/** The secrets of these credential fields a receiver can verify with (several while rotating). */
export function usableSecretsOf(...values: unknown[]): string[] {
	return values.filter(isUsableSecret);
}

export function maxBodyBytesOf(options: ReceiverOptions): number {
	const kb = positiveNumber(options.maxBodySizeKb);
	return kb === null ? DEFAULT_MAX_BODY_BYTES : Math.round(kb * 1024);
}

/** The sidecar credential's replay tolerance in seconds (300 when blank). */
export function toleranceSecondsOf(credential: Record<string, unknown>): number {
	return positiveNumber(credential.toleranceSeconds) ?? DEFAULT_TOLERANCE_SECONDS;
}

/** The sidecar credential's fields (webhookSecret, previousWebhookSecret, toleranceSeconds) and the trigger's options. */
export function sidecarReceiverConfig(credential: Record<string, unknown>, options: ReceiverOptions): SidecarReceiverConfig {
	return {
		secrets: usableSecretsOf(credential.webhookSecret, credential.previousWebhookSecret),
		toleranceSeconds: toleranceSecondsOf(credential),
		maxBodyBytes: maxBodyBytesOf(options),
	};
}

/**
 * The Cloud API credential's fields (appSecret, verifyToken) and the trigger's
 * options. `ageCheck: false` (the trigger's version 1) accepts events of any age.
 */
export function metaReceiverConfig(
	credential: Record<string, unknown>,
	options: ReceiverOptions & { ageCheck: boolean; defaultCountry?: CountryCode },
): MetaReceiverConfig {
	const hours = positiveNumber(options.maxEventAgeHours);
	return {
		appSecrets: usableSecretsOf(credential.appSecret),
		verifyToken: typeof credential.verifyToken === 'string' ? credential.verifyToken : '',
		maxBodyBytes: maxBodyBytesOf(options),
		defaultCountry: options.defaultCountry,
		maxEventAgeSeconds: !options.ageCheck ? Number.POSITIVE_INFINITY : hours === null ? DEFAULT_META_MAX_EVENT_AGE_SECONDS : Math.round(hours * 3600),
	};
}

/**
 * How long an n8n process remembers a delivery in memory, in milliseconds (0:
 * not at all) — the in-memory ledger, used when the trigger has no database.
 * For the sidecar the signature's replay tolerance sets a floor: a captured
 * delivery passes the clock check for up to `tolerance` seconds either side
 * of its timestamp, so its id is remembered at least 2 × tolerance + 60 s,
 * whatever the Duplicate Window option says (even 0). Meta's signatures carry
 * no timestamp: the option alone decides there (default 10 minutes).
 */
export function duplicateWindowMs(options: ReceiverOptions, replayToleranceSeconds: number | null): number {
	const raw = options.dedupWindowMinutes;
	const minutes = raw === undefined || raw === null || raw === '' ? 10 : Number(raw);
	const fromOption = Number.isFinite(minutes) && minutes > 0 ? minutes * 60_000 : 0;
	if (replayToleranceSeconds === null) return fromOption;
	return Math.max(fromOption, (2 * replayToleranceSeconds + 60) * 1000);
}
