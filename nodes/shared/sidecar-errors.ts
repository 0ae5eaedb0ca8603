/**
 * The sidecar's refusals and failures, worded for the person running the
 * workflow: what went wrong and what to do, with the sidecar's own error code
 * as the machine code (./node-errors.ts).
 */
import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { Failure } from 'n8n-workflow';
import { messageOf, networkCodeOf, responseAsJson, withErrorCode } from './node-errors';

/** What the sidecar answered to a call that failed. */
export interface SidecarFailure {
	status: number;
	body: unknown;
	method: string;
	path: string;
	/** The sidecar asked. */
	sidecarUrl?: string;
	/** The session the call was about. */
	sessionId?: string;
	/** How many sidecars the credential lists. */
	sidecarCount?: number;
}

/** `{ error: { code, message } }`, the sidecar's error envelope. */
function sidecarErrorOf(body: unknown): { code: string | null; message: string | null } {
	const error = body && typeof body === 'object' ? (body as { error?: unknown }).error : undefined;
	if (!error || typeof error !== 'object') return { code: null, message: null };
	const { code, message } = error as { code?: unknown; message?: unknown };
	return {
		code: typeof code === 'string' && code !== '' ? code : null,
		message: typeof message === 'string' && message !== '' ? message : null,
	};
}

const RELINK_ADVICE =
	'Link the phone again: open the Connect WhatsApp form (or run WhatsApp Session Health with Operation "Connect") and scan the QR code with WhatsApp on the phone (Settings > Linked Devices > Link a Device).';

interface Worded {
	message: string;
	failure?: Failure;
}

const MOVED_SESSION_ADVICE =
	"With several sidecars, each session lives on the one its Session ID maps to: a session linked before the credential's list of sidecars changed may have to be moved (sidecar/README.md, \"Several sidecars\").";

function wordSidecarFailure(status: number, code: string | null, sidecarMessage: string | null, failure: SidecarFailure): Worded {
	const { path } = failure;
	const said = sidecarMessage ? ` The sidecar said: ${sidecarMessage}` : '';
	const at = failure.sidecarUrl ? ` at ${failure.sidecarUrl}` : '';
	const several = (failure.sidecarCount ?? 1) > 1;
	switch (status) {
		case 401:
		case 403:
			return {
				message:
					"The sidecar refused n8n's API key. Make the API Key in the 'WhatsApp Sidecar API' credential the same as the sidecar's SIDECAR_API_KEY setting.",
				failure: { cause: 'credential-invalid' },
			};
		case 404:
			if (code === 'unknown_session') {
				const session = failure.sessionId ? `session "${failure.sessionId}"` : 'session with this Session ID';
				return {
					message: `The sidecar${at} has no WhatsApp ${session}. Check the Session ID, or connect the phone first (the Connect WhatsApp form, or WhatsApp Session Health with Operation "Connect").${
						several ? ` ${MOVED_SESSION_ADVICE}` : ''
					}`,
					failure: { cause: 'configuration-invalid' },
				};
			}
			if (code === 'unknown_job') {
				return {
					message: 'The sidecar has no backfill job with this Job ID. Check the Job ID, or start a new backfill.',
					failure: { cause: 'configuration-invalid' },
				};
			}
			if (code === 'unknown_message') {
				return {
					message:
						'The linked phone does not know this message. Use the messageId of a message of this session (message.messageId from the WhatsApp CRM Trigger, or messageId from a send), not one from another session or from the Cloud API.',
				};
			}
			return {
				message: `The sidecar does not know the address ${path}. Check the Sidecar URL in the 'WhatsApp Sidecar API' credential, and update the sidecar if it is older than this n8n package.`,
				failure: { cause: 'configuration-invalid' },
			};
		case 421:
			return {
				message: `The sidecar${at} does not hold ${failure.sessionId ? `session "${failure.sessionId}"` : 'this session'}: by its SIDECAR_PEERS, another sidecar owns it.${said} Make the Sidecar URL and Additional Sidecar URLs of the 'WhatsApp Sidecar API' credential the same addresses as SIDECAR_PEERS on every sidecar.`,
				failure: { cause: 'configuration-invalid' },
			};
		case 409:
			if (code === 'not_connected' || code === null) {
				return { message: `The WhatsApp session is not connected. ${RELINK_ADVICE}`, failure: { cause: 'configuration-invalid' } };
			}
			return { message: `The sidecar cannot do this now.${said}`, failure: { cause: 'configuration-invalid' } };
		case 413:
			if (code === 'media_too_large') {
				return { message: `The file is larger than the sidecar accepts.${said} Send a smaller file (or a link to it), or raise MAX_MEDIA_MB on the sidecar.` };
			}
			return { message: 'The request is too large for the sidecar: shorten the message text.' };
		case 422:
			if (code === 'not_on_whatsapp') {
				return { message: 'This number is not on WhatsApp. Check the number and its country code, or reach the person another way.' };
			}
			if (code === 'invalid_session_id') {
				return {
					message: "The Session ID must be the user's id, a UUID such as 3f2b8c1e-6d4a-4f1b-9c2e-7a5d3b1c9e0f. Check the Session ID field.",
					failure: { cause: 'configuration-invalid' },
				};
			}
			if (code === 'not_a_person') {
				return { message: 'WhatsApp Send Message sends to one person only: give a phone number, not a group, broadcast list or channel.' };
			}
			return { message: `The sidecar refused the request.${said || ' Check the node’s fields.'}` };
		case 429:
			if (code === 'max_sessions') {
				return {
					message: `The sidecar holds as many sessions as it may (MAX_SESSIONS). Disconnect sessions that are no longer used, or raise MAX_SESSIONS on the sidecar.${said}`,
					failure: { cause: 'quota-exhausted' },
				};
			}
			return { message: 'The sidecar is busy. Try again in a moment.', failure: { cause: 'rate-limited' } };
		case 503:
			if (code === 'browser_gone' || code === null) {
				return {
					message:
						'The browser that holds this WhatsApp session on the sidecar is gone. Start the session again: run WhatsApp Session Health with Operation "Connect" for this Session ID (no new QR code is needed while the phone stays linked).',
					failure: { cause: 'temporarily-unavailable' },
				};
			}
			return { message: `The sidecar is temporarily unavailable.${said}`, failure: { cause: 'temporarily-unavailable' } };
		default:
			if (status >= 500) {
				return {
					message: `The sidecar failed (HTTP ${status}).${said} Check the sidecar's logs, then try again.`,
					failure: { cause: 'temporarily-unavailable' },
				};
			}
			return { message: `The sidecar refused the request (HTTP ${status}).${said}` };
	}
}

/** A NodeApiError for a sidecar answer with status >= 400. */
export function sidecarErrorToNodeError(node: INode, failure: SidecarFailure, itemIndex: number): NodeApiError {
	const { code, message: sidecarMessage } = sidecarErrorOf(failure.body);
	const worded = wordSidecarFailure(failure.status, code, sidecarMessage, failure);
	const errorCode = code ?? (failure.status === 401 || failure.status === 403 ? 'unauthorized' : `http_${failure.status}`);
	const error = new NodeApiError(node, responseAsJson(failure.body, failure.status), {
		message: worded.message,
		description: `The sidecar answered ${failure.method} ${failure.path} with HTTP ${failure.status}${code ? ` (${code})` : ''}${
			sidecarMessage ? `: ${sidecarMessage}` : '.'
		}`,
		httpCode: String(failure.status),
		itemIndex,
		failure: worded.failure,
	});
	return withErrorCode(error, errorCode);
}

/** The sidecar could not be reached at all (refused, unknown host, timeout). */
export function sidecarUnreachableError(node: INode, cause: unknown, baseUrl: string, itemIndex: number, sessionId?: string): NodeApiError {
	const network = networkCodeOf(cause);
	const error = new NodeApiError(node, { networkError: network ?? 'unreachable' } as JsonObject, {
		message: `Cannot reach the WhatsApp sidecar at ${baseUrl}${
			sessionId ? `, which holds session "${sessionId}"` : ''
		}. Check that the sidecar is running and that the 'WhatsApp Sidecar API' credential lists the address n8n can reach it at.`,
		description: network ? `Network error: ${network}` : messageOf(cause),
		itemIndex,
		failure: { cause: 'temporarily-unavailable' },
	});
	return withErrorCode(error, 'sidecar_unreachable');
}

/** The sidecar answered 2xx with something this package does not understand. */
export function unexpectedSidecarResponse(node: INode, what: string, itemIndex: number): NodeOperationError {
	const error = new NodeOperationError(
		node,
		`The sidecar's answer is not what this n8n package expects (${what}). Update the sidecar and this package to matching versions.`,
		{ itemIndex },
	);
	error.failure = { cause: 'node-defect' };
	return withErrorCode(error, 'unexpected_response');
}
