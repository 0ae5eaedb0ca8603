/**
 * Meta's Graph API refusals and failures, worded for the person running the
 * workflow: Meta's code, its explanation (core/cloud-api/error-codes.ts) and
 * what to do, with Meta's code as the machine code (./node-errors.ts).
 */
import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { Failure } from 'n8n-workflow';
import { describeMetaError, explainMetaError, parseMetaErrorBody } from '../../core/cloud-api/error-codes';
import { messageOf, networkCodeOf, responseAsJson, withErrorCode } from './node-errors';

/** The Cloud API credential is missing or incomplete: nothing was sent. */
export function cloudApiNotConfiguredError(node: INode, detail: string, itemIndex: number): NodeOperationError {
	const error = new NodeOperationError(
		node,
		`The WhatsApp Cloud API is not configured: ${detail} Choose or create a 'Meta WhatsApp Cloud API' credential with the Access Token and the Phone Number ID from WhatsApp Manager > API Setup, or send through the sidecar instead.`,
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
				? "Meta refused the access token. Put a valid permanent token into the 'Meta WhatsApp Cloud API' credential."
				: failure.status === 404
					? "Meta does not know this address. Check the Phone Number ID, the Graph API Version and the Graph API Base URL in the 'Meta WhatsApp Cloud API' credential."
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
		message: `Cannot reach Meta's Graph API at ${baseUrl}. Check n8n's internet access and the Graph API Base URL in the 'Meta WhatsApp Cloud API' credential.`,
		description: network ? `Network error: ${network}` : messageOf(cause),
		itemIndex,
		failure: { cause: 'temporarily-unavailable' },
	});
	return withErrorCode(error, 'cloud_api_unreachable');
}
