import { createHash } from 'node:crypto';
import { normalizeMetaWebhook } from '../events';
import type { CountryCode } from '../phone/types';
import { answerMetaHandshake, verifyMetaSignature } from '../signatures';
import { readJsonBody } from './read-json-body';
import { DEFAULT_MAX_BODY_BYTES, reject, type IncomingWebhook, type WebhookOutcome } from './types';

export interface MetaReceiverConfig {
	/** App secret(s) of the Meta app (X-Hub-Signature-256); several while rotating. */
	appSecrets: string[];
	/** The verify token typed into Meta's webhook settings (GET handshake). */
	verifyToken: string;
	maxBodyBytes?: number;
	defaultCountry?: CountryCode;
	receivedAt?: Date;
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
	const maxBodyBytes = config.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
	const rawBody = request.rawBody ?? Buffer.alloc(0);
	if (rawBody.length > maxBodyBytes) {
		return reject(413, 'body_too_large', `The body is ${rawBody.length} bytes; the limit is ${maxBodyBytes}.`);
	}
	const verification = verifyMetaSignature({ appSecrets: config.appSecrets, headers: request.headers, body: rawBody });
	if (!verification.ok) {
		const status = verification.reason === 'no_secret_configured' ? 500 : 401;
		return reject(status, verification.reason, verification.message);
	}
	const body = readJsonBody(rawBody, request.headers, maxBodyBytes);
	if (!body.ok) return body.rejection;
	const { events, errors } = normalizeMetaWebhook(body.value, {
		defaultCountry: config.defaultCountry,
		receivedAt: config.receivedAt,
	});
	if (events.length === 0 && errors.length > 0) {
		const first = errors[0];
		return reject(422, 'invalid_payload', `Not a WhatsApp Business webhook body (${first.path}: ${first.reason}).`);
	}
	const deliveryId = `cloud_api:${createHash('sha256').update(rawBody).digest('hex').slice(0, 32)}`;
	return { accepted: true, deliveryId, events, problems: errors };
}
