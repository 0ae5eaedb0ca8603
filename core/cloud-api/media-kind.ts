/**
 * Which WhatsApp media kind a file is sent as, from its MIME type (or, for a
 * URL without one, its extension): what WhatsApp shows as a picture, video or
 * audio, and everything else as a document. Meta accepts only these types as
 * image / video / audio (developers.facebook.com/docs/whatsapp/cloud-api/reference/media,
 * "Supported media types"); a GIF or WebP is therefore sent as a document.
 */
import type { MetaMediaKind } from './types';

const IMAGE_TYPES = new Set(['image/jpeg', 'image/png']);
const VIDEO_TYPES = new Set(['video/mp4', 'video/3gpp']);
const AUDIO_TYPES = new Set(['audio/aac', 'audio/amr', 'audio/mpeg', 'audio/mp4', 'audio/ogg', 'audio/opus']);

const BY_EXTENSION: Record<string, { kind: MetaMediaKind; mimeType: string }> = {
	jpg: { kind: 'image', mimeType: 'image/jpeg' },
	jpeg: { kind: 'image', mimeType: 'image/jpeg' },
	png: { kind: 'image', mimeType: 'image/png' },
	// Meta takes WebP only as a sticker; sent automatically it is a document.
	webp: { kind: 'document', mimeType: 'image/webp' },
	mp4: { kind: 'video', mimeType: 'video/mp4' },
	'3gp': { kind: 'video', mimeType: 'video/3gpp' },
	aac: { kind: 'audio', mimeType: 'audio/aac' },
	amr: { kind: 'audio', mimeType: 'audio/amr' },
	mp3: { kind: 'audio', mimeType: 'audio/mpeg' },
	m4a: { kind: 'audio', mimeType: 'audio/mp4' },
	ogg: { kind: 'audio', mimeType: 'audio/ogg' },
	opus: { kind: 'audio', mimeType: 'audio/ogg' },
	pdf: { kind: 'document', mimeType: 'application/pdf' },
	txt: { kind: 'document', mimeType: 'text/plain' },
	csv: { kind: 'document', mimeType: 'text/csv' },
	doc: { kind: 'document', mimeType: 'application/msword' },
	docx: { kind: 'document', mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' },
	xls: { kind: 'document', mimeType: 'application/vnd.ms-excel' },
	xlsx: { kind: 'document', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
	ppt: { kind: 'document', mimeType: 'application/vnd.ms-powerpoint' },
	pptx: { kind: 'document', mimeType: 'application/vnd.openxmlformats-officedocument.presentationml.presentation' },
};

/** The MIME type without parameters, lower case (`Image/JPEG; q=1` → `image/jpeg`); '' when none. */
export function bareMimeType(value: unknown): string {
	return typeof value === 'string' ? (value.split(';')[0] ?? '').trim().toLowerCase() : '';
}

/** The kind for a MIME type; a file name or URL decides when the MIME type is missing or generic. */
export function mediaKindOf(mimeType: unknown, nameOrUrl?: string): MetaMediaKind {
	const mime = bareMimeType(mimeType);
	if (IMAGE_TYPES.has(mime)) return 'image';
	if (VIDEO_TYPES.has(mime)) return 'video';
	if (AUDIO_TYPES.has(mime)) return 'audio';
	if (mime !== '' && mime !== 'application/octet-stream') return 'document';
	return guessByExtension(nameOrUrl)?.kind ?? 'document';
}

/** How a message names each kind: "WhatsApp accepts at most 5 MB for a picture". */
export const KIND_WORDS: Readonly<Record<MetaMediaKind, string>> = { image: 'a picture', video: 'a video', audio: 'an audio file', document: 'a document', sticker: 'a sticker' };

/**
 * Why Meta would refuse this file as `kind` (its supported media types), or
 * null when it fits: a sticker is WebP only; a picture, video or audio must be
 * of a type Meta shows as such; a document may be any file. Checked
 * before a file is uploaded, so nothing is uploaded for a send Meta refuses.
 */
export function cloudApiFileTypeProblem(kind: MetaMediaKind, mimeType: unknown, nameOrUrl?: string): string | null {
	const given = bareMimeType(mimeType);
	const mime = given && given !== 'application/octet-stream' ? given : (mimeTypeFromName(nameOrUrl) ?? '');
	// A type nobody says (a URL without an extension): Meta, which fetches or reads the file, decides.
	if (mime === '' || kind === 'document') return null;
	if (kind === 'sticker') return mime === 'image/webp' ? null : `WhatsApp takes only WebP images as stickers; this file is ${mime}. Convert it to WebP, or send it as a picture.`;
	return mediaKindOf(mime) === kind ? null : `WhatsApp needs ${KIND_WORDS[kind]} here, but this file is ${mime}. Give ${KIND_WORDS[kind]} (${kind === 'image' ? 'JPEG or PNG' : kind === 'video' ? 'MP4 or 3GPP' : 'AAC, AMR, MP3, M4A or OGG'}).`;
}

/** The MIME type a file name or URL's extension stands for, or null. */
export function mimeTypeFromName(nameOrUrl: string | undefined): string | null {
	return guessByExtension(nameOrUrl)?.mimeType ?? null;
}

/** The last path segment of a URL or path (`https://x/a/Invoice%2042.pdf?x=1` → `Invoice 42.pdf`), or null. */
export function fileNameFromUrl(url: string): string | null {
	let pathname = url;
	try {
		pathname = new URL(url).pathname;
	} catch {
		// a plain name or path
	}
	const last = pathname.split('/').filter((segment) => segment !== '').pop();
	if (!last) return null;
	try {
		return decodeURIComponent(last);
	} catch {
		return last;
	}
}

function guessByExtension(nameOrUrl: string | undefined): { kind: MetaMediaKind; mimeType: string } | undefined {
	if (!nameOrUrl) return undefined;
	const name = fileNameFromUrl(nameOrUrl) ?? '';
	const match = /\.([a-z0-9]{1,5})$/i.exec(name);
	return match ? BY_EXTENSION[(match[1] as string).toLowerCase()] : undefined;
}
