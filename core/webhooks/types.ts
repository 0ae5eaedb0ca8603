import type { NormalizedEvent } from '../events/types';
import type { HeaderBag } from '../signatures/types';

/** An HTTP request as any server framework can describe it (n8n, node:http, tests). */
export interface IncomingWebhook {
	method: string;
	headers: HeaderBag;
	/** The body's bytes exactly as received; undefined when the framework kept none. */
	rawBody: Buffer | undefined;
	query: Record<string, unknown>;
}

/** Refuse the request: answer `status` with `reason`; start nothing. */
export interface WebhookRejection {
	accepted: false;
	status: number;
	/** A stable machine-readable code (`signature_mismatch`, `body_too_large`, …). */
	code: string;
	/** A short sentence for the caller; never contains a secret. */
	message: string;
}

/** Answer with a plain body and start nothing (Meta's GET handshake). */
export interface WebhookReply {
	accepted: 'reply';
	status: number;
	contentType: 'text/plain';
	body: string;
}

/** Accept the request: answer 200 at once, then emit `events` (possibly none). */
export interface WebhookAcceptance {
	accepted: true;
	/** The delivery's id (X-Webhook-Id, or a digest of Meta's body). */
	deliveryId: string;
	/** One event per item, after expanding backfill batches and fanning out Meta bodies. */
	events: NormalizedEvent[];
	/** Parts of a Meta body that could not be read (the rest is still emitted). */
	problems: Array<{ path: string; reason: string }>;
}

export type WebhookOutcome = WebhookRejection | WebhookReply | WebhookAcceptance;

/** Refusal codes that come from the receiver's secrets, not from the request alone. */
const SECRET_REFUSALS = new Set(['signature_mismatch', 'no_secret_configured']);

/**
 * Whether `outcome` refuses the request because of the configured secrets: a
 * signature that matches none of them, no secret at all, or Meta's handshake
 * refused (a verify token that does not match, or none). Such a refusal may be
 * a secret changed a moment ago, so a receiver that keeps its secrets cached
 * reads them again before refusing.
 */
export function refusedBySecrets(outcome: WebhookOutcome): boolean {
	if (outcome.accepted === false) return SECRET_REFUSALS.has(outcome.code);
	return outcome.accepted === 'reply' && outcome.status === 403;
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export function reject(status: number, code: string, message: string): WebhookRejection {
	return { accepted: false, status, code, message };
}
