/**
 * Errors the WhatsApp CRM action nodes raise, worded for the person running
 * the workflow: what went wrong and what to do. Every error carries a short
 * machine code (`not_connected`, `not_on_whatsapp`, Meta's `131047`, …) that
 * `continueOnFail` items expose as `code`.
 *
 * No message here quotes a phone number or message text: n8n may log errors.
 */
import type { IDataObject, IExecuteFunctions, INode, INodeExecutionData, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeError, NodeOperationError } from 'n8n-workflow';
import type { Failure } from 'n8n-workflow';
import { describeMetaError, explainMetaError, parseMetaErrorBody } from '../../core/cloud-api/error-codes';

export type ErrorCode = string | number;

const errorCodes = new WeakMap<object, ErrorCode>();

/** Attach a machine code to an error (read back with `errorCodeOf`). */
export function withErrorCode<E extends Error>(error: E, code: ErrorCode): E {
	errorCodes.set(error, code);
	return error;
}

export function errorCodeOf(error: unknown): ErrorCode | null {
	return error !== null && typeof error === 'object' ? (errorCodes.get(error) ?? null) : null;
}

/** A problem with the node's own parameters (nothing was sent). */
export function inputError(
	node: INode,
	message: string,
	options: { itemIndex: number; code: ErrorCode; description?: string },
): NodeOperationError {
	const error = new NodeOperationError(node, message, { itemIndex: options.itemIndex, description: options.description, level: 'warning' });
	error.failure = { cause: 'configuration-invalid' };
	return withErrorCode(error, options.code);
}

// ---- the sidecar ------------------------------------------------------------------------------

/** What the sidecar answered to a call that failed. */
export interface SidecarFailure {
	status: number;
	body: unknown;
	method: string;
	path: string;
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

export const RELINK_ADVICE =
	'Link the phone again: open the Connect WhatsApp form (or run WhatsApp Session Health with Operation "Connect") and scan the QR code with WhatsApp on the phone (Settings > Linked Devices > Link a Device).';

interface Worded {
	message: string;
	failure?: Failure;
}

function wordSidecarFailure(status: number, code: string | null, sidecarMessage: string | null, path: string): Worded {
	const said = sidecarMessage ? ` The sidecar said: ${sidecarMessage}` : '';
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
				return {
					message:
						'The sidecar has no WhatsApp session with this Session ID. Check the Session ID, or connect the phone first (the Connect WhatsApp form, or WhatsApp Session Health with Operation "Connect").',
					failure: { cause: 'configuration-invalid' },
				};
			}
			if (code === 'unknown_job') {
				return {
					message: 'The sidecar has no backfill job with this Job ID. Check the Job ID, or start a new backfill.',
					failure: { cause: 'configuration-invalid' },
				};
			}
			return {
				message: `The sidecar does not know the address ${path}. Check the Sidecar URL in the 'WhatsApp Sidecar API' credential, and update the sidecar if it is older than this n8n package.`,
				failure: { cause: 'configuration-invalid' },
			};
		case 409:
			if (code === 'not_connected' || code === null) {
				return { message: `The WhatsApp session is not connected. ${RELINK_ADVICE}`, failure: { cause: 'configuration-invalid' } };
			}
			return { message: `The sidecar cannot do this now.${said}`, failure: { cause: 'configuration-invalid' } };
		case 413:
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
	const worded = wordSidecarFailure(failure.status, code, sidecarMessage, failure.path);
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
export function sidecarUnreachableError(node: INode, cause: unknown, baseUrl: string, itemIndex: number): NodeApiError {
	const network = networkCodeOf(cause);
	const error = new NodeApiError(node, { networkError: network ?? 'unreachable' } as JsonObject, {
		message: `Cannot reach the WhatsApp sidecar at ${baseUrl}. Check that the sidecar is running and that the Sidecar URL in the 'WhatsApp Sidecar API' credential is the address n8n can reach it at.`,
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

// ---- Meta's Cloud API --------------------------------------------------------------------------

/** The Cloud API credential is missing or incomplete: nothing was sent. */
export function cloudApiNotConfiguredError(node: INode, detail: string, itemIndex: number): NodeOperationError {
	const error = new NodeOperationError(
		node,
		`The WhatsApp Cloud API is not configured: ${detail} Choose or create a 'WhatsApp Cloud API (Meta)' credential with the Access Token and the Phone Number ID from WhatsApp Manager > API Setup, or send through the sidecar instead.`,
		{ itemIndex },
	);
	error.failure = { cause: 'configuration-invalid' };
	return withErrorCode(error, 'cloud_api_not_configured');
}

const META_TIMED_CODES = new Set([4, 80007, 130429, 131048, 131056, 131057]);
const META_UNAVAILABLE_CODES = new Set([1, 2, 131000, 131016, 133004]);
const META_CREDENTIAL_CODES = new Set([0, 190]);

function metaFailure(code: number | null, status: number): Failure | undefined {
	if (code !== null && META_TIMED_CODES.has(code)) return { cause: 'rate-limited' };
	if (code !== null && META_UNAVAILABLE_CODES.has(code)) return { cause: 'temporarily-unavailable' };
	if ((code !== null && META_CREDENTIAL_CODES.has(code)) || status === 401) return { cause: 'credential-invalid' };
	if (status >= 500) return { cause: 'temporarily-unavailable' };
	return undefined;
}

/** A NodeApiError for a Graph API answer with status >= 400: Meta's code, its explanation and what to do. */
export function metaErrorToNodeError(node: INode, failure: { status: number; body: unknown }, itemIndex: number): NodeApiError {
	const graphError = parseMetaErrorBody(failure.body);
	if (!graphError) {
		const message =
			failure.status === 401 || failure.status === 403
				? "Meta refused the access token. Put a valid permanent token into the 'WhatsApp Cloud API (Meta)' credential."
				: failure.status === 404
					? "Meta does not know this address. Check the Phone Number ID, the Graph API Version and the Graph API Base URL in the 'WhatsApp Cloud API (Meta)' credential."
					: failure.status >= 500
						? `Meta's API is unavailable (HTTP ${failure.status}). Try again in a few minutes.`
						: `Meta refused the message (HTTP ${failure.status}) without saying why.`;
		const error = new NodeApiError(node, responseAsJson(failure.body, failure.status), {
			message,
			description: `The Graph API answered with HTTP ${failure.status}.`,
			httpCode: String(failure.status),
			itemIndex,
			failure: metaFailure(null, failure.status),
		});
		return withErrorCode(error, `http_${failure.status}`);
	}
	const explained = explainMetaError(graphError);
	const codeText = `${explained.code}${explained.subcode !== null ? `/${explained.subcode}` : ''}`;
	const said = [explained.metaMessage, explained.details].filter((part): part is string => part !== null).join(' — ');
	const error = new NodeApiError(node, responseAsJson(failure.body, failure.status), {
		message: describeMetaError(explained),
		description: `Meta error ${codeText} (${explained.title})${said ? `: ${said}` : ''}${
			explained.fbtraceId ? `. fbtrace_id ${explained.fbtraceId} (quote it to Meta support)` : ''
		}.`,
		httpCode: String(failure.status),
		itemIndex,
		failure: metaFailure(explained.code, failure.status),
	});
	return withErrorCode(error, explained.code ?? `http_${failure.status}`);
}

/** Meta's Graph API could not be reached at all. */
export function metaUnreachableError(node: INode, cause: unknown, baseUrl: string, itemIndex: number): NodeApiError {
	const network = networkCodeOf(cause);
	const error = new NodeApiError(node, { networkError: network ?? 'unreachable' } as JsonObject, {
		message: `Cannot reach Meta's Graph API at ${baseUrl}. Check n8n's internet access and the Graph API Base URL in the 'WhatsApp Cloud API (Meta)' credential.`,
		description: network ? `Network error: ${network}` : messageOf(cause),
		itemIndex,
		failure: { cause: 'temporarily-unavailable' },
	});
	return withErrorCode(error, 'cloud_api_unreachable');
}

// ---- per-item execution -----------------------------------------------------------------------

/**
 * Run `perItem` for each input item and pair every output item with its input.
 * With "Continue On Fail" (or "On Error: Continue"), a failing item becomes
 * `{ json: { error, code }, pairedItem }` and the rest go on; otherwise the
 * error stops the node, tagged with the item's index.
 */
export async function runForEachItem(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
	perItem: (itemIndex: number) => Promise<INodeExecutionData[]>,
): Promise<INodeExecutionData[]> {
	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			for (const produced of await perItem(itemIndex)) {
				output.push({ ...produced, pairedItem: { item: itemIndex } });
			}
		} catch (error) {
			if (ctx.continueOnFail()) {
				const json: IDataObject = { error: messageOf(error), code: errorCodeOf(error) };
				// `error` on the item is what sends it down n8n's error output ("On Error: Continue (using error output)").
				const nodeError = asNodeError(ctx.getNode(), error, itemIndex) as NodeOperationError;
				output.push({ json, error: nodeError, pairedItem: { item: itemIndex } });
				continue;
			}
			throw asNodeError(ctx.getNode(), error, itemIndex);
		}
	}
	return output;
}

function asNodeError(node: INode, error: unknown, itemIndex: number): Error {
	if (error instanceof NodeError) {
		if (error.context.itemIndex === undefined) error.context.itemIndex = itemIndex;
		return error;
	}
	const wrapped = new NodeOperationError(node, error instanceof Error ? error : String(error), { itemIndex });
	const code = errorCodeOf(error);
	return code === null ? wrapped : withErrorCode(wrapped, code);
}

// ---- helpers ----------------------------------------------------------------------------------

function responseAsJson(body: unknown, status: number): JsonObject {
	if (body && typeof body === 'object' && !Array.isArray(body)) return body as JsonObject;
	return { status, body: typeof body === 'string' ? body.slice(0, 500) : null };
}

function messageOf(error: unknown): string {
	if (error instanceof Error) return error.message;
	return typeof error === 'string' ? error : 'Unknown error';
}

/** `ECONNREFUSED`, `ENOTFOUND`, `ETIMEDOUT`, … from an error or its cause chain. */
export function networkCodeOf(error: unknown): string | null {
	let current: unknown = error;
	for (let depth = 0; depth < 5 && current !== null && typeof current === 'object'; depth++) {
		const code = (current as { code?: unknown }).code;
		if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
		current = (current as { cause?: unknown }).cause;
	}
	return null;
}
