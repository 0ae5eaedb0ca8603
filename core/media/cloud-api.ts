/**
 * A Cloud API media reference's file, as Meta documents it (WhatsApp Cloud
 * API › Media): `GET {graph}/{version}/{media id}?phone_number_id=…` with the
 * access token answers `{ messaging_product, url, mime_type, sha256, file_size, id }`
 * — the URL is valid for 5 minutes and needs the same token — then `GET url`
 * with `Authorization: Bearer <token>` gives the bytes. Meta keeps the media
 * of received messages for 30 days; after that (or for a media id of another
 * phone number) the first call answers error 100 (subcode 33).
 */
import { fileSha256 } from '../events/limits';
import { defaultMediaFileName, headerValue, MediaDownloadError, type DownloadedMedia, type MediaHttp } from './types';

export interface CloudApiMediaTarget {
	/** `https://graph.facebook.com`, without a trailing slash. */
	graphBaseUrl: string;
	/** `v21.0`. */
	graphApiVersion: string;
	accessToken: string;
	/** The business phone number's id: Meta then checks that the media belongs to it. */
	phoneNumberId: string | null;
}

/** What `GET /{media id}` says of a file. */
export interface CloudApiMediaInfo {
	url: string;
	mimeType: string;
	/** Hex, or null when Meta did not say. */
	sha256: string | null;
	size: number | null;
	id: string;
}

const GRAPH_TIMEOUT_MS = 60_000;
const DOWNLOAD_TIMEOUT_MS = 180_000;

function graphError(body: Buffer): { code: number | null; subcode: number | null; message: string | null } {
	try {
		const error = (JSON.parse(body.toString('utf8')) as { error?: { code?: unknown; error_subcode?: unknown; message?: unknown } }).error;
		return {
			code: typeof error?.code === 'number' ? error.code : null,
			subcode: typeof error?.error_subcode === 'number' ? error.error_subcode : null,
			message: typeof error?.message === 'string' ? error.message : null,
		};
	} catch {
		return { code: null, subcode: null, message: null };
	}
}

/** Meta's answer to `GET /{media id}`, or null when it is not one. `file_size` may come as a number or a numeric string. */
export function parseCloudApiMediaInfo(body: unknown): CloudApiMediaInfo | null {
	if (!body || typeof body !== 'object' || Array.isArray(body)) return null;
	const { url, mime_type: mimeType, sha256, file_size: fileSize, id } = body as Record<string, unknown>;
	if (typeof url !== 'string' || !/^https?:\/\//i.test(url) || typeof id !== 'string') return null;
	const size = typeof fileSize === 'number' ? fileSize : typeof fileSize === 'string' && /^\d+$/.test(fileSize) ? Number(fileSize) : null;
	return {
		url,
		mimeType: typeof mimeType === 'string' && mimeType !== '' ? mimeType : 'application/octet-stream',
		sha256: typeof sha256 === 'string' && /^[0-9a-f]{64}$/i.test(sha256) ? sha256.toLowerCase() : null,
		size: size !== null && Number.isSafeInteger(size) ? size : null,
		id,
	};
}

async function get(http: MediaHttp, url: string, token: string, timeoutMs: number) {
	try {
		return await http({ url, headers: { authorization: `Bearer ${token}` }, timeoutMs });
	} catch (error) {
		throw new MediaDownloadError('unreachable', `Cannot reach Meta's Graph API at ${new URL(url).origin}.`, null, error instanceof Error ? error.message : String(error));
	}
}

function failure(status: number, body: Buffer, step: 'url' | 'file'): MediaDownloadError {
	const { code, subcode, message } = graphError(body);
	const detail = code !== null ? `Meta error ${code}${subcode !== null ? `/${subcode}` : ''}${message ? `: ${message}` : ''}` : null;
	if (code === 190 || code === 104 || status === 401 || status === 403) return new MediaDownloadError('unauthorized', 'Meta refused the access token.', status, detail);
	if (step === 'url' && (code === 100 || status === 404)) {
		return new MediaDownloadError('unknown_media', 'Meta does not know this media id, or no longer has it (received media is kept for 30 days).', status, detail);
	}
	if (step === 'file' && status === 404) return new MediaDownloadError('media_expired', "Meta's download URL for this file is no longer valid.", status, detail);
	return new MediaDownloadError('source_error', `Meta's Graph API failed to give the file (HTTP ${status}).`, status, detail);
}

/**
 * Whether the access token may be sent to Meta's download URL: an https URL (Meta's is on
 * lookaside.fbsbx.com), or one on the Graph API Base URL's own origin (a proxy or a local stand-in).
 */
export function mayReceiveToken(url: string, graphBaseUrl: string): boolean {
	try {
		const target = new URL(url);
		return target.protocol === 'https:' || target.origin === new URL(graphBaseUrl).origin;
	} catch {
		return false;
	}
}

export async function downloadCloudApiMedia(http: MediaHttp, target: CloudApiMediaTarget, mediaId: string, maxBytes: number): Promise<DownloadedMedia> {
	if (target.accessToken === '') {
		throw new MediaDownloadError('unauthorized', "The 'Meta WhatsApp Cloud API' credential has no Access Token (downloading media needs it, as sending does).");
	}
	const query = target.phoneNumberId ? `?phone_number_id=${encodeURIComponent(target.phoneNumberId)}` : '';
	const infoResponse = await get(http, `${target.graphBaseUrl}/${target.graphApiVersion}/${encodeURIComponent(mediaId)}${query}`, target.accessToken, GRAPH_TIMEOUT_MS);
	if (infoResponse.status !== 200) throw failure(infoResponse.status, infoResponse.body, 'url');
	let parsed: unknown;
	try {
		parsed = JSON.parse(infoResponse.body.toString('utf8'));
	} catch {
		parsed = null;
	}
	const info = parseCloudApiMediaInfo(parsed);
	if (!info) throw new MediaDownloadError('source_error', "Meta's answer for this media id has no download URL.", 200);
	if (info.size !== null && info.size > maxBytes) {
		throw new MediaDownloadError('media_too_large', `The file is ${info.size} bytes, over the limit (${maxBytes} bytes).`, 200);
	}
	if (!mayReceiveToken(info.url, target.graphBaseUrl)) {
		throw new MediaDownloadError('source_error', "Meta's download URL for this file is not an https address: the access token is not sent there.", 200);
	}
	const fileResponse = await get(http, info.url, target.accessToken, DOWNLOAD_TIMEOUT_MS);
	if (fileResponse.status !== 200) throw failure(fileResponse.status, fileResponse.body, 'file');
	const data = fileResponse.body;
	if (data.length > maxBytes) throw new MediaDownloadError('media_too_large', `The file is ${data.length} bytes, over the limit (${maxBytes} bytes).`, 200);
	const sha256 = fileSha256(data);
	if (info.sha256 && info.sha256 !== sha256) {
		throw new MediaDownloadError('checksum_mismatch', "The file received from Meta does not match the SHA-256 Meta announced (cut off on the way?).", 200);
	}
	const mimeType = info.mimeType !== 'application/octet-stream' ? info.mimeType : (headerValue(fileResponse.headers, 'content-type') ?? info.mimeType);
	return { data, mimeType, fileName: defaultMediaFileName(mimeType), sha256, size: data.length, source: 'cloud_api' };
}
