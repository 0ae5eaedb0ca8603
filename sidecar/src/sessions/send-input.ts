/**
 * What the send routes accept, checked before anything is sent: a file
 * (base64, MIME type, name, caption), a location, a message id to reply or
 * react to, an emoji. The rules for message ids, emoji, coordinates and the
 * caption's length are the core's (core/cloud-api/message-bodies.ts), so both
 * sources refuse the same input. Errors name the field and never quote the value.
 */
import { checkCoordinates, checkEmoji, checkMessageId, CloudApiInputError, MAX_CAPTION_LENGTH } from '../../../core/cloud-api/message-bodies';
import { cleanText } from '../../../core/events/clean-text';
import type { DriverLocation, DriverMedia, MediaSendAs } from '../drivers/driver';
import { SidecarError, invalid } from '../errors';

export interface MediaInput {
	media: DriverMedia;
	/** Decoded size in bytes. */
	size: number;
	caption: string | undefined;
	/** How the file is shown, when not as its type says. */
	as: MediaSendAs | undefined;
}

function core<T>(check: () => T): T {
	try {
		return check();
	} catch (err) {
		if (err instanceof CloudApiInputError) throw invalid(err.field, err.message);
		throw err;
	}
}

/** An optional message id to reply to (`quotedMessageId`). */
export function optionalQuotedId(value: unknown): string | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	return core(() => checkMessageId(value, 'quotedMessageId'));
}

export function requiredMessageId(value: unknown): string {
	return core(() => checkMessageId(value, 'messageId'));
}

export function emojiOf(value: unknown): string {
	if (value !== undefined && value !== null && typeof value !== 'string') throw invalid('emoji', 'emoji must be a string (empty removes the reaction)');
	return core(() => checkEmoji(value ?? ''));
}

/** The chat a serialized message id (`<fromMe>_<chat>_<key>[_<participant>]`) belongs to. */
export function chatOfMessageId(messageId: string): string {
	const match = /^(?:true|false)_([^_\s]+@[^_\s]+)_[^_\s]+/.exec(messageId);
	if (!match) throw invalid('messageId', 'messageId must be a WhatsApp Web message id, such as false_5511987654321@c.us_3EB0…', 'invalid_input');
	return match[1] as string;
}

export function locationOf(input: Record<string, unknown>): DriverLocation {
	const { latitude, longitude } = core(() => checkCoordinates(input.latitude, input.longitude));
	const name = optionalText(input, 'name', 256);
	const address = optionalText(input, 'address', 512);
	return { latitude, longitude, ...(name ? { name } : {}), ...(address ? { address } : {}) };
}

/** The file of `POST /sessions/:id/media`: `{ data (base64), mimeType, fileName?, caption?, asDocument?, asVoice?, asSticker? }`. */
export function mediaOf(input: Record<string, unknown>, maxBytes: number): MediaInput {
	const mimeType = typeof input.mimeType === 'string' ? input.mimeType.trim().toLowerCase() : '';
	// Parameters are kept: a voice message is `audio/ogg; codecs=opus`, as WhatsApp sends them.
	if (!/^[a-z0-9][\w.+-]*\/[\w.+-]+([ \t]*;[ \t]*[\w.+-]+=("[^"\\\r\n]*"|[\w.+-]+))*$/.test(mimeType)) {
		throw invalid('mimeType', 'mimeType must be a MIME type, such as image/jpeg or application/pdf');
	}
	if (typeof input.data !== 'string' || input.data.length === 0) throw invalid('data', 'data must be the file, base64-encoded');
	const data = input.data.replace(/\s+/g, '');
	if (data.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(data)) throw invalid('data', 'data is not valid base64');
	const size = (data.length / 4) * 3 - (data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0);
	if (size === 0) throw invalid('data', 'the file is empty');
	if (size > maxBytes) throw mediaTooLarge(maxBytes);
	let fileName = optionalText(input, 'fileName', 255);
	if (fileName) fileName = fileName.split(/[\\/]/).pop() || undefined;
	const caption = optionalText(input, 'caption', MAX_CAPTION_LENGTH);
	const chosen: MediaSendAs[] = [];
	for (const [field, as] of [['asDocument', 'document'], ['asVoice', 'voice'], ['asSticker', 'sticker']] as const) {
		if (input[field] !== undefined && typeof input[field] !== 'boolean') throw invalid(field, `${field} must be true or false`);
		if (input[field] === true) chosen.push(as);
	}
	if (chosen.length > 1) throw invalid('asDocument', 'choose at most one of asDocument, asVoice and asSticker');
	const as = chosen[0];
	if (as === 'voice' && !mimeType.startsWith('audio/')) throw invalid('asVoice', 'only an audio file can be sent as a voice message');
	if (as === 'sticker' && !mimeType.startsWith('image/')) throw invalid('asSticker', 'only an image can be sent as a sticker (WebP, PNG or JPEG)');
	if (caption && (as === 'voice' || as === 'sticker')) throw invalid('caption', `WhatsApp shows no caption with ${as === 'voice' ? 'a voice message' : 'a sticker'}`);
	return { media: { mimeType, data, fileName: fileName ?? null }, size, caption, as };
}

export function mediaTooLarge(maxBytes: number): SidecarError {
	return new SidecarError(
		413,
		'media_too_large',
		`The file is larger than this sidecar accepts (${Math.floor(maxBytes / (1024 * 1024))} MB, MAX_MEDIA_MB). Send a smaller file, or share it as a link.`,
		'data',
	);
}

function optionalText(input: Record<string, unknown>, field: string, max: number): string | undefined {
	const value = input[field];
	if (value === undefined || value === null) return undefined;
	if (typeof value !== 'string') throw invalid(field, `${field} must be a string`);
	const text = cleanText(value).trim();
	if (text.length > max) throw invalid(field, `${field} must be at most ${max} characters`);
	return text === '' ? undefined : text;
}
