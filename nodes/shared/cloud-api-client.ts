/**
 * Meta's WhatsApp Cloud API, as the Send node calls it: `POST
 * {graphBaseUrl}/{version}/{phone_number_id}/messages` through n8n's
 * `httpRequestWithAuthentication` with the 'Meta WhatsApp Cloud API'
 * credential (which adds `Authorization: Bearer <accessToken>`).
 */
import type { IDataObject, IExecuteFunctions, IN8nHttpFullResponse } from 'n8n-workflow';
import { CloudApiResponseError, parseSendMessageResponse, type SentMessage } from '../../core/cloud-api/send-response';
import type { MetaMarkReadBody, MetaSendMessageBody } from '../../core/cloud-api/types';
import { randomBytes } from 'node:crypto';
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
	const answer = await postGraph(ctx, itemIndex, config, 'messages', { body, json: true });
	try {
		return parseSendMessageResponse(answer);
	} catch (error) {
		const message = error instanceof CloudApiResponseError ? error.message : String(error);
		throw withErrorCode(new NodeOperationError(ctx.getNode(), message, { itemIndex }), 'unexpected_response');
	}
}

/** Mark an incoming message (and the earlier ones of its chat) as read: Meta answers `{ success: true }`. */
export async function markCloudApiMessageRead(ctx: IExecuteFunctions, itemIndex: number, config: CloudApiConfig, body: MetaMarkReadBody): Promise<void> {
	const answer = await postGraph(ctx, itemIndex, config, 'messages', { body, json: true });
	if (!answer || typeof answer !== 'object' || (answer as { success?: unknown }).success !== true) {
		throw withErrorCode(new NodeOperationError(ctx.getNode(), "Meta's answer to marking the message as read is not { success: true }.", { itemIndex }), 'unexpected_response');
	}
}

/**
 * Upload a file (`POST /{phone_number_id}/media`, multipart: messaging_product,
 * type, file) and return Meta's media id, to send it by id. An upload that is
 * never sent is harmless (Meta deletes it after 30 days).
 */
export async function uploadCloudApiMedia(
	ctx: IExecuteFunctions,
	itemIndex: number,
	config: CloudApiConfig,
	file: { data: Buffer; mimeType: string; fileName: string },
): Promise<string> {
	const boundary = `----n8nWhatsAppCrm${randomBytes(12).toString('hex')}`;
	const part = (headers: string, content: Buffer | string) => [Buffer.from(`--${boundary}\r\n${headers}\r\n\r\n`), Buffer.from(content), Buffer.from('\r\n')];
	const safeName = file.fileName.replace(/["\r\n\\]/g, '_');
	const body = Buffer.concat([
		...part('Content-Disposition: form-data; name="messaging_product"', 'whatsapp'),
		...part('Content-Disposition: form-data; name="type"', file.mimeType),
		...part(`Content-Disposition: form-data; name="file"; filename="${safeName}"\r\nContent-Type: ${file.mimeType}`, file.data),
		Buffer.from(`--${boundary}--\r\n`),
	]);
	const answer = await postGraph(ctx, itemIndex, config, 'media', {
		body,
		json: false,
		headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
	});
	const parsed = typeof answer === 'string' ? safeJson(answer) : answer;
	const id = parsed && typeof parsed === 'object' ? (parsed as { id?: unknown }).id : undefined;
	if (typeof id !== 'string' || !/^\d+$/.test(id)) {
		throw withErrorCode(new NodeOperationError(ctx.getNode(), "Meta's answer to the media upload has no media id; the file was not sent.", { itemIndex }), 'unexpected_response');
	}
	return id;
}

/** One POST to the business number's edge; status >= 400 becomes Meta's explained error. */
async function postGraph(
	ctx: IExecuteFunctions,
	itemIndex: number,
	config: CloudApiConfig,
	edge: 'messages' | 'media',
	request: { body: object; json: boolean; headers?: Record<string, string> },
): Promise<unknown> {
	const url = `${config.graphBaseUrl}/${config.graphApiVersion}/${encodeURIComponent(config.phoneNumberId)}/${edge}`;
	let response: IN8nHttpFullResponse;
	try {
		response = (await ctx.helpers.httpRequestWithAuthentication.call(ctx, CLOUD_API_CREDENTIAL_TYPE, {
			method: 'POST',
			url,
			body: request.body as IDataObject,
			json: request.json,
			...(request.headers ? { headers: request.headers } : {}),
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: REQUEST_TIMEOUT_MS,
		})) as IN8nHttpFullResponse;
	} catch (error) {
		throw metaUnreachableError(ctx.getNode(), error, config.graphBaseUrl, itemIndex);
	}
	const answer = typeof response.body === 'string' ? (safeJson(response.body) ?? response.body) : response.body;
	if (response.statusCode >= 400) {
		throw metaErrorToNodeError(ctx.getNode(), { status: response.statusCode, body: answer }, itemIndex);
	}
	return answer;
}

function safeJson(text: string): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return null;
	}
}
