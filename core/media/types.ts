/**
 * Downloading the file behind a media reference (docs/events.md, `media.ref`),
 * framework-free: the n8n nodes hand in their HTTP client (`MediaHttp`) and
 * the credential's values, and get the bytes or a `MediaDownloadError` whose
 * code says what went wrong. Nothing here logs; the bytes are never logged.
 */

/** One GET; the body comes back as bytes whatever its type. Throws only when the server cannot be reached. */
export type MediaHttp = (request: { url: string; headers: Record<string, string>; timeoutMs: number }) => Promise<MediaHttpResponse>;

export interface MediaHttpResponse {
	status: number;
	headers: Record<string, unknown>;
	body: Buffer;
}

/** A downloaded file. */
export interface DownloadedMedia {
	data: Buffer;
	/** As the source gave it (`image/jpeg`, `audio/ogg; codecs=opus`). */
	mimeType: string;
	/** The sender's file name, or one made from the MIME type (`whatsapp-media.jpg`). */
	fileName: string;
	/** Hex SHA-256 of `data`, computed here. */
	sha256: string;
	size: number;
	/** Where it came from: `sidecar` or `cloud_api`. */
	source: 'sidecar' | 'cloud_api';
}

export type MediaErrorCode =
	/** Not a media reference at all (`sidecar:<sessionId>:<messageId>` or `cloud_api:<media id>`). */
	| 'invalid_media_ref'
	/** The source does not know it: no such message (sidecar) or media id (Meta). */
	| 'unknown_media'
	/** Known, but the file is gone: expired on WhatsApp's servers, or deleted. */
	| 'media_expired'
	/** Over the size limit; nothing (or nothing more) was downloaded. */
	| 'media_too_large'
	/** The reference's source is not the credential's (a sidecar reference with a Cloud API credential, …). */
	| 'wrong_source'
	/** The sidecar session is not connected. */
	| 'not_connected'
	/** The source refused the credential (API key, access token). */
	| 'unauthorized'
	/** The source could not be reached. */
	| 'unreachable'
	/** The source failed or answered something unexpected. */
	| 'source_error'
	/** The bytes do not match the SHA-256 the source announced. */
	| 'checksum_mismatch';

export class MediaDownloadError extends Error {
	constructor(
		readonly code: MediaErrorCode,
		message: string,
		/** The source's HTTP status, when there was an answer. */
		readonly status: number | null = null,
		/** The source's own error (code, message), for the node error's description. */
		readonly detail: string | null = null,
	) {
		super(message);
		this.name = 'MediaDownloadError';
	}
}

/** The default limit of the trigger's Download Media and of the Download Media node (WhatsApp's own limit for video and audio). */
export const DEFAULT_MEDIA_LIMIT_MB = 16;

const EXTENSIONS: Record<string, string> = {
	'image/jpeg': 'jpg',
	'image/png': 'png',
	'image/webp': 'webp',
	'image/gif': 'gif',
	'video/mp4': 'mp4',
	'video/3gpp': '3gp',
	'audio/ogg': 'ogg',
	'audio/mpeg': 'mp3',
	'audio/mp4': 'm4a',
	'audio/aac': 'aac',
	'audio/amr': 'amr',
	'application/pdf': 'pdf',
	'text/plain': 'txt',
};

/** The file name to give a file without one: `whatsapp-media.<extension of its MIME type>`. */
export function defaultMediaFileName(mimeType: string): string {
	const base = mimeType.split(';')[0]!.trim().toLowerCase();
	return `whatsapp-media.${EXTENSIONS[base] ?? 'bin'}`;
}

/** One header's value as text (the HTTP clients give strings or lists). */
export function headerValue(headers: Record<string, unknown>, name: string): string | null {
	const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name);
	const value = key === undefined ? undefined : headers[key];
	if (Array.isArray(value)) return typeof value[0] === 'string' ? value[0] : null;
	return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;
}
