import { createHash } from 'node:crypto';
import { normalizeMetaWebhook } from '../events';
import type { NormalizedEvent } from '../events/types';
import type { CountryCode } from '../phone/types';
import { answerMetaHandshake, verifyMetaSignature } from '../signatures';
import { bodyTooLarge, readJsonBody } from './read-json-body';
import { DEFAULT_MAX_BODY_BYTES, reject, type IncomingWebhook, type WebhookOutcome } from './types';

export interface MetaReceiverConfig {
	/** App secret(s) of the Meta app (X-Hub-Signature-256); several while rotating. */
	appSecrets: string[];
	/** The verify token typed into Meta's webhook settings (GET handshake). */
	verifyToken: string;
	maxBodyBytes?: number;
	defaultCountry?: CountryCode;
	receivedAt?: Date;
	/**
	 * Messages and statuses older than this (by their own timestamp, which the
	 * signature covers) are refused: Meta's signatures carry no time, so without
	 * it a captured body could be replayed forever. Default 7 days, the longest
	 * Meta keeps retrying a delivery.
	 */
	maxEventAgeSeconds?: number;
}

export const DEFAULT_META_MAX_EVENT_AGE_SECONDS = 7 * 24 * 60 * 60;

/** When a Meta event happened, by its own (signed) timestamp; null when it has none. */
function eventTime(event: NormalizedEvent): number | null {
	const iso = event.type === 'message' ? event.message.timestamp : event.type === 'message.status' ? event.status.timestamp : null;
	if (iso === null) return null;
	const ms = Date.parse(iso);
	return Number.isNaN(ms) ? null : ms;
}

/**
 * Decides what to do with a request from Meta's WhatsApp Cloud API: the GET
 * subscription handshake (answer `hub.challenge` or 403), or a POST whose
 * X-Hub-Signature-256 must match the raw bytes (401 otherwise) and whose
 * entries, changes, messages and statuses are all turned into events.
 */
export function receiveMetaWebhook(request: IncomingWebhook, config: MetaReceiverConfig): WebhookOutcome {
	const method = request.method.toUpperCase();
	if (method === 'GET') {
		const answer = answerMetaHandshake(request.query, config.verifyToken);
		return { accepted: 'reply', status: answer.status, contentType: 'text/plain', body: answer.body };
	}
	if (method !== 'POST') {
		return reject(405, 'method_not_allowed', 'Meta sends events with POST and verifies the webhook with GET.');
	}
	const rawBody = request.rawBody ?? Buffer.alloc(0);
	const tooLarge = bodyTooLarge(rawBody, config.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
	if (tooLarge) return tooLarge;
	const verification = verifyMetaSignature({ appSecrets: config.appSecrets, headers: request.headers, body: rawBody });
	if (!verification.ok) {
		const status = verification.reason === 'no_secret_configured' ? 500 : 401;
		return reject(status, verification.reason, verification.message);
	}
	const body = readJsonBody(rawBody, request.headers);
	if (!body.ok) return body.rejection;
	const { events, errors } = normalizeMetaWebhook(body.value, {
		defaultCountry: config.defaultCountry,
		receivedAt: config.receivedAt,
	});
	if (events.length === 0 && errors.length > 0) {
		const first = errors[0];
		return reject(422, 'invalid_payload', `Not a WhatsApp Business webhook body (${first.path}: ${first.reason}).`);
	}
	const receivedAt = (config.receivedAt ?? new Date()).getTime();
	const oldest = receivedAt - (config.maxEventAgeSeconds ?? DEFAULT_META_MAX_EVENT_AGE_SECONDS) * 1000;
	const fresh = events.filter((event) => (eventTime(event) ?? receivedAt) >= oldest);
	const stale = events.length - fresh.length;
	if (events.length > 0 && fresh.length === 0) {
		return reject(422, 'stale_event', `Every message and status in the body is older than the maximum event age (${stale} of them): a replay, not a delivery.`);
	}
	const problems = stale > 0 ? [...errors, { path: '$', reason: `${stale} message(s) or status(es) older than the maximum event age skipped` }] : errors;
	const deliveryId = `cloud_api:${createHash('sha256').update(rawBody).digest('hex').slice(0, 32)}`;
	return { accepted: true, deliveryId, events: fresh, problems };
}
