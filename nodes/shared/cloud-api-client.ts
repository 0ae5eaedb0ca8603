/**
 * Meta's WhatsApp Cloud API, as the Send node calls it: `POST
 * {graphBaseUrl}/{version}/{phone_number_id}/messages` through n8n's
 * `httpRequestWithAuthentication` with the 'Meta WhatsApp Cloud API'
 * credential (which adds `Authorization: Bearer <accessToken>`).
 */
import type { IExecuteFunctions, IN8nHttpFullResponse } from 'n8n-workflow';
import { CloudApiResponseError, parseSendMessageResponse, type SentMessage } from '../../core/cloud-api/send-response';
import type { MetaSendMessageBody } from '../../core/cloud-api/types';
import { NodeOperationError } from 'n8n-workflow';
import { cloudApiNotConfiguredError, metaErrorToNodeError, metaUnreachableError } from './meta-errors';
import { withErrorCode } from './node-errors';
import { CLOUD_API_CREDENTIAL_TYPE } from './credential-types';


export const DEFAULT_GRAPH_BASE_URL = 'https://graph.facebook.com';
export const DEFAULT_GRAPH_VERSION = 'v21.0';
const REQUEST_TIMEOUT_MS = 60_000;

export interface CloudApiConfig {
	/** The business phone number's id (not the number itself). */
	phoneNumberId: string;
	/** `https://graph.facebook.com`, without a trailing slash. */
	graphBaseUrl: string;
	/** `v21.0`. */
	graphApiVersion: string;
}

/**
 * The Cloud API settings from the node's credential. Throws "not configured"
 * (nothing is sent) when no credential is chosen or it lacks the token or the
 * Phone Number ID.
 */
export async function getCloudApiConfig(ctx: IExecuteFunctions, itemIndex: number): Promise<CloudApiConfig> {
	let credentials: Record<string, unknown>;
	try {
		credentials = await ctx.getCredentials(CLOUD_API_CREDENTIAL_TYPE, itemIndex);
	} catch {
		throw cloudApiNotConfiguredError(ctx.getNode(), 'this node has no WhatsApp Cloud API credential.', itemIndex);
	}
	const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '');
	const phoneNumberId = text(credentials.phoneNumberId);
	if (text(credentials.accessToken) === '') {
		throw cloudApiNotConfiguredError(ctx.getNode(), 'the credential has no Access Token.', itemIndex);
	}
	if (phoneNumberId === '') {
		throw cloudApiNotConfiguredError(ctx.getNode(), 'the credential has no Phone Number ID.', itemIndex);
	}
	if (!/^\d+$/.test(phoneNumberId)) {
		throw cloudApiNotConfiguredError(
			ctx.getNode(),
			'the Phone Number ID in the credential is not a numeric id (it is the id WhatsApp Manager shows under API Setup, not the phone number).',
			itemIndex,
		);
	}
	return {
		phoneNumberId,
		graphBaseUrl: (text(credentials.graphBaseUrl) || DEFAULT_GRAPH_BASE_URL).replace(/\/+$/, ''),
		graphApiVersion: (text(credentials.graphApiVersion) || DEFAULT_GRAPH_VERSION).replace(/^\/+|\/+$/g, ''),
	};
}

/** Send one message; Meta's errors become errors that explain the code and what to do. */
export async function sendCloudApiMessage(
	ctx: IExecuteFunctions,
	itemIndex: number,
	config: CloudApiConfig,
	body: MetaSendMessageBody,
): Promise<SentMessage> {
	const url = `${config.graphBaseUrl}/${config.graphApiVersion}/${encodeURIComponent(config.phoneNumberId)}/messages`;
	let response: IN8nHttpFullResponse;
	try {
		response = (await ctx.helpers.httpRequestWithAuthentication.call(ctx, CLOUD_API_CREDENTIAL_TYPE, {
			method: 'POST',
			url,
			body,
			json: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: REQUEST_TIMEOUT_MS,
		})) as IN8nHttpFullResponse;
	} catch (error) {
		throw metaUnreachableError(ctx.getNode(), error, config.graphBaseUrl, itemIndex);
	}
	if (response.statusCode >= 400) {
		throw metaErrorToNodeError(ctx.getNode(), { status: response.statusCode, body: response.body }, itemIndex);
	}
	try {
		return parseSendMessageResponse(response.body);
	} catch (error) {
		const message = error instanceof CloudApiResponseError ? error.message : String(error);
		throw withErrorCode(new NodeOperationError(ctx.getNode(), message, { itemIndex }), 'unexpected_response');
	}
}
