import { expandEvent, validateNormalizedEvent } from '../events';
import { cleanStrings } from '../events/clean-text';
import { verifySidecarSignature } from '../signatures';
import { DEFAULT_TOLERANCE_SECONDS } from '../signatures/types';
import { bodyTooLarge, readJsonBody } from './read-json-body';
import { DEFAULT_MAX_BODY_BYTES, reject, type IncomingWebhook, type WebhookOutcome } from './types';

export interface SidecarReceiverConfig {
	/** The webhook signing secrets; several while rotating. */
	secrets: string[];
	toleranceSeconds?: number;
	maxBodyBytes?: number;
	/** Unix seconds; for tests. */
	now?: number;
}

/**
 * Decides what to do with a POST from the sidecar: verify its signature on
 * the raw bytes (401 otherwise), read and validate the event (4xx otherwise),
 * and expand a backfill batch into one message event per message. Order of
 * checks: size first (cheap), then signature (nothing unsigned is parsed
 * further), then content.
 */
export function receiveSidecarWebhook(request: IncomingWebhook, config: SidecarReceiverConfig): WebhookOutcome {
	if (request.method.toUpperCase() !== 'POST') {
		return reject(405, 'method_not_allowed', 'The sidecar delivers events with POST.');
	}
	const rawBody = request.rawBody;
	const tooLarge = bodyTooLarge(rawBody, config.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
	if (tooLarge) return tooLarge;
	const verification = verifySidecarSignature({
		secrets: config.secrets,
		headers: request.headers,
		body: rawBody ?? Buffer.alloc(0),
		toleranceSeconds: config.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS,
		now: config.now,
	});
	if (!verification.ok) {
		const status = verification.reason === 'no_secret_configured' ? 500 : 401;
		return reject(status, verification.reason, verification.message);
	}
	const body = readJsonBody(rawBody, request.headers);
	if (!body.ok) return body.rejection;
	const validation = validateNormalizedEvent(body.value);
	if (!validation.ok) {
		return reject(422, 'invalid_event', `The event does not match the schema: ${validation.errors.slice(0, 3).join('; ')}`);
	}
	if (validation.event.eventId !== verification.id) {
		return reject(422, 'event_id_mismatch', 'X-Webhook-Id does not match the eventId in the body.');
	}
	// An older sidecar may still send NUL or lone surrogates: nothing unstorable reaches a workflow.
	return { accepted: true, deliveryId: verification.id, events: expandEvent(cleanStrings(validation.event)), problems: [] };
}
