/**
 * Media references to n8n binary data, for the WhatsApp CRM Trigger's
 * Download Media option and the WhatsApp Download Media node: n8n's HTTP
 * client as core/media's `MediaHttp`, the credentials as download targets,
 * core/media's error codes worded for the person running the workflow, and
 * the file handed to n8n's `prepareBinaryData` (which stores it the way n8n's
 * binary data mode says: the filesystem, the database or S3).
 * The bytes are never logged.
 */
import type { IBinaryData, ICredentialDataDecryptedObject, IHttpRequestOptions, IN8nHttpFullResponse, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { DEFAULT_MEDIA_LIMIT_MB, type CloudApiMediaTarget, type DownloadedMedia, type MediaDownloadError, type MediaErrorCode, type MediaHttp, type SidecarMediaTarget } from '../../core/media';
import { DEFAULT_GRAPH_BASE_URL, DEFAULT_GRAPH_VERSION } from './cloud-api-client';
import { withErrorCode } from './node-errors';

/** The helpers both n8n contexts (execute, webhook) have. */
export interface MediaHelpers {
	httpRequest(options: IHttpRequestOptions): Promise<unknown>;
	prepareBinaryData(data: Buffer, filePath?: string, mimeType?: string): Promise<IBinaryData>;
}

/** n8n's HTTP client as one GET whose body comes back as bytes, whatever the status. */
export function n8nMediaHttp(helpers: MediaHelpers): MediaHttp {
	return async ({ url, headers, timeoutMs }) => {
		const response = (await helpers.httpRequest({
			method: 'GET',
			url,
			headers,
			encoding: 'arraybuffer',
			json: false,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: timeoutMs,
			// The API key or access token goes to the source only, never on to another host a redirect names.
			sendCredentialsOnCrossOriginRedirect: false,
		})) as IN8nHttpFullResponse;
		const body = response.body;
		return {
			status: response.statusCode,
			headers: (response.headers ?? {}) as Record<string, unknown>,
			body: Buffer.isBuffer(body) ? body : body instanceof ArrayBuffer ? Buffer.from(body) : Buffer.from(typeof body === 'string' ? body : ''),
		};
	};
}

const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '');

/** The sidecar to download from, from a 'WhatsApp Sidecar API' credential's values. */
export function sidecarMediaTarget(credentials: ICredentialDataDecryptedObject): SidecarMediaTarget {
	return { baseUrl: text(credentials.baseUrl).replace(/\/+$/, ''), apiKey: text(credentials.apiKey) };
}

/** Meta's Graph API to download from, from a 'Meta WhatsApp Cloud API' credential's values. */
export function cloudApiMediaTarget(credentials: ICredentialDataDecryptedObject): CloudApiMediaTarget {
	const phoneNumberId = text(credentials.phoneNumberId);
	return {
		graphBaseUrl: (text(credentials.graphBaseUrl) || DEFAULT_GRAPH_BASE_URL).replace(/\/+$/, ''),
		graphApiVersion: (text(credentials.graphApiVersion) || DEFAULT_GRAPH_VERSION).replace(/^\/+|\/+$/g, ''),
		accessToken: text(credentials.accessToken),
		phoneNumberId: /^\d+$/.test(phoneNumberId) ? phoneNumberId : null,
	};
}

/** What to do about each failure, after what happened. */
const ADVICE: Record<MediaErrorCode, string> = {
	invalid_media_ref:
		'Set Media Reference to the message.media.ref of a media message from the WhatsApp CRM Trigger (such as sidecar:<session id>:<message id> or cloud_api:<media id>).',
	unknown_media:
		'Check that the media reference comes from a message of this session / business number, and that the credential is the one of the trigger that received it.',
	media_expired:
		'The file can no longer be fetched (WhatsApp keeps received files for a limited time: Meta 30 days, WhatsApp Web until the phone deletes them). Ask the sender to send it again, or download media as it arrives (the trigger\'s Download Media option).',
	media_too_large: 'Raise Max File Size (MB) if the file may be that large, or handle the message without its file.',
	wrong_source: 'Set Source to the source of the message (the prefix of the reference: sidecar: or cloud_api:) and choose its credential.',
	not_connected:
		'Link the phone again: open the Connect WhatsApp form (or run WhatsApp Session Health with Operation "Connect") and scan the QR code, then run this again.',
	unauthorized:
		"Check the credential: the sidecar's API key (SIDECAR_API_KEY) in 'WhatsApp Sidecar API', or a valid access token in 'Meta WhatsApp Cloud API'.",
	unreachable: 'Check that the source is running and reachable from n8n (the Sidecar URL or the Graph API Base URL in the credential), then try again.',
	source_error: 'Try again in a moment; if it keeps failing, check the sidecar\'s logs (or Meta\'s status page).',
	checksum_mismatch: 'The download was damaged on the way: run the node again.',
};

/** A node error for a failed download: what happened, what to do, the code as the machine code. */
export function mediaErrorToNodeError(node: INode, error: MediaDownloadError, itemIndex: number): NodeOperationError {
	const nodeError = new NodeOperationError(node, `${error.message} ${ADVICE[error.code]}`, {
		itemIndex,
		description: error.detail ? `The source said: ${error.detail}` : undefined,
	});
	if (error.code === 'invalid_media_ref' || error.code === 'wrong_source') nodeError.failure = { cause: 'configuration-invalid' };
	else if (error.code === 'unauthorized') nodeError.failure = { cause: 'credential-invalid' };
	else if (error.code === 'unreachable' || error.code === 'source_error') nodeError.failure = { cause: 'temporarily-unavailable' };
	return withErrorCode(nodeError, error.code);
}

/** The file as an n8n binary property (stored as n8n's binary data mode says). */
export async function mediaAsBinary(helpers: MediaHelpers, file: DownloadedMedia): Promise<IBinaryData> {
	return await helpers.prepareBinaryData(file.data, file.fileName, file.mimeType);
}

/** What an item says of its downloaded file besides the binary (never the bytes). */
export function mediaSummary(file: DownloadedMedia, binaryProperty: string): { binaryProperty: string; fileName: string; mimeType: string; size: number; sha256: string } {
	return { binaryProperty, fileName: file.fileName, mimeType: file.mimeType, size: file.size, sha256: file.sha256 };
}

/** The nodes' size limit option (MB) as bytes; anything but a positive number is the default (16 MB). */
export function megabytesToBytes(mb: unknown): number {
	const value = typeof mb === 'number' && Number.isFinite(mb) && mb > 0 ? mb : DEFAULT_MEDIA_LIMIT_MB;
	return Math.floor(value * 1024 * 1024);
}
