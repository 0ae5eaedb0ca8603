/**
 * A sidecar media reference's file: `GET {sidecar}/sessions/:id/messages/:messageId/media?maxBytes=n`
 * with the API key (sidecar/README.md). The sidecar refuses a file over the
 * limit before sending it (413) and says the file's SHA-256 (`X-Media-Sha256`),
 * which is checked against the bytes.
 */
import { fileSha256 } from '../events/limits';
import { defaultMediaFileName, headerValue, MediaDownloadError, type DownloadedMedia, type MediaHttp } from './types';

export interface SidecarMediaTarget {
	/** The sidecar's URL, without a trailing slash. */
	baseUrl: string;
	apiKey: string;
}

/** Fetching a file may wait on WhatsApp Web downloading and decrypting it. */
const SIDECAR_MEDIA_TIMEOUT_MS = 180_000;

function sidecarError(body: Buffer): { code: string | null; message: string | null } {
	try {
		const error = (JSON.parse(body.toString('utf8')) as { error?: { code?: unknown; message?: unknown } }).error;
		return {
			code: typeof error?.code === 'string' ? error.code : null,
			message: typeof error?.message === 'string' ? error.message : null,
		};
	} catch {
		return { code: null, message: null };
	}
}

/** The `filename*` (RFC 5987) or `filename` of a Content-Disposition header. */
export function fileNameFromDisposition(disposition: string | null): string | null {
	if (!disposition) return null;
	const extended = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
	if (extended) {
		try {
			return decodeURIComponent(extended[1]!.trim());
		} catch {
			// fall through to the plain name
		}
	}
	const plain = /filename="([^"]*)"/i.exec(disposition);
	return plain && plain[1] !== '' ? plain[1]! : null;
}

export async function downloadSidecarMedia(
	http: MediaHttp,
	target: SidecarMediaTarget,
	ref: { sessionId: string; messageId: string },
	maxBytes: number,
): Promise<DownloadedMedia> {
	if (!/^https?:\/\/[^/]/i.test(target.baseUrl)) {
		throw new MediaDownloadError('unreachable', "The Sidecar URL in the 'WhatsApp Sidecar API' credential is not an http(s) address, such as http://127.0.0.1:3100.");
	}
	if (target.apiKey === '') throw new MediaDownloadError('unauthorized', "The 'WhatsApp Sidecar API' credential has no API Key.");
	const url = `${target.baseUrl}/sessions/${encodeURIComponent(ref.sessionId)}/messages/${encodeURIComponent(ref.messageId)}/media?maxBytes=${maxBytes}`;
	let response;
	try {
		response = await http({ url, headers: { authorization: `Bearer ${target.apiKey}` }, timeoutMs: SIDECAR_MEDIA_TIMEOUT_MS });
	} catch (error) {
		throw new MediaDownloadError('unreachable', `Cannot reach the WhatsApp sidecar at ${target.baseUrl}.`, null, error instanceof Error ? error.message : String(error));
	}
	if (response.status !== 200) {
		const { code, message } = sidecarError(response.body);
		const detail = code ? `${code}${message ? `: ${message}` : ''}` : null;
		const fail = (errorCode: ConstructorParameters<typeof MediaDownloadError>[0], text: string) => new MediaDownloadError(errorCode, text, response.status, detail);
		if (response.status === 401 || response.status === 403) throw fail('unauthorized', "The sidecar refused n8n's API key.");
		if (response.status === 413) throw fail('media_too_large', `The file is larger than the limit (${maxBytes} bytes).`);
		if (response.status === 409) throw fail('not_connected', 'The WhatsApp session of this media reference is not connected.');
		if (response.status === 404 && code === 'media_unavailable') throw fail('media_expired', message ?? 'WhatsApp no longer has this file.');
		if (response.status === 404 && (code === 'unknown_message' || code === 'unknown_session')) {
			throw fail('unknown_media', code === 'unknown_session' ? 'The sidecar has no session with the id in this media reference.' : 'The linked phone does not know the message of this media reference.');
		}
		if (response.status === 404) throw fail('source_error', 'The sidecar has no media route: update the sidecar to the version of this n8n package.');
		if (response.status === 422) throw fail('unknown_media', 'The sidecar refused the media reference.');
		throw fail('source_error', `The sidecar failed to fetch the file (HTTP ${response.status}).`);
	}
	const data = response.body;
	if (data.length > maxBytes) throw new MediaDownloadError('media_too_large', `The file is larger than the limit (${maxBytes} bytes).`, 200);
	const sha256 = fileSha256(data);
	const announced = headerValue(response.headers, 'x-media-sha256');
	if (announced && announced.toLowerCase() !== sha256) {
		throw new MediaDownloadError('checksum_mismatch', 'The file received from the sidecar does not match its SHA-256 (cut off on the way?).', 200);
	}
	const mimeType = headerValue(response.headers, 'content-type') ?? 'application/octet-stream';
	return {
		data,
		mimeType,
		fileName: fileNameFromDisposition(headerValue(response.headers, 'content-disposition')) ?? defaultMediaFileName(mimeType),
		sha256,
		size: data.length,
		source: 'sidecar',
	};
}
