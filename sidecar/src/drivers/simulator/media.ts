/**
 * The simulated phone's files: every media message gets bytes derived from its
 * id alone (a SHA-256 chain of `simulator-media:<message id>`), so a test can
 * compute the same bytes — and their SHA-256 — without the simulator. The
 * message's content (MIME type, size, `filehash` = base64 SHA-256, file name)
 * describes those bytes exactly, as WhatsApp's own `_data` does.
 */
import { createHash } from 'node:crypto';
import type { DriverMediaDownload, DriverMessage, DriverMessageContent } from '../driver';

/** The size of a simulated file unless the test asks for another. */
export const SIMULATOR_MEDIA_DEFAULT_SIZE = 2048;
/** The largest simulated file (the route's limits are tested below it). */
export const SIMULATOR_MEDIA_MAX_SIZE = 64 * 1024 * 1024;

const MIME_BY_TYPE: Record<string, string> = {
	image: 'image/jpeg',
	video: 'video/mp4',
	audio: 'audio/mpeg',
	ptt: 'audio/ogg; codecs=opus',
	document: 'application/pdf',
	sticker: 'image/webp',
};

/** The bytes of a simulated message's file: `size` bytes, a function of the message id only. */
export function simulatedMediaBytes(messageId: string, size: number): Buffer {
	const out = Buffer.alloc(size);
	let block = createHash('sha256').update(`simulator-media:${messageId}`).digest();
	for (let offset = 0; offset < size; offset += block.length) {
		block.copy(out, offset, 0, Math.min(block.length, size - offset));
		block = createHash('sha256').update(block).digest();
	}
	return out;
}

/** Whether a whatsapp-web.js type carries a file in the simulator. */
export function isSimulatedMediaType(type: string): boolean {
	return type in MIME_BY_TYPE;
}

/** The content of a simulated media message: what WhatsApp's `_data` would say of its file. */
export function simulatedMediaContent(
	messageId: string,
	type: string,
	input: { size?: number; mimeType?: string; fileName?: string },
): DriverMessageContent {
	const size = input.size ?? SIMULATOR_MEDIA_DEFAULT_SIZE;
	const bytes = simulatedMediaBytes(messageId, size);
	return {
		mimeType: input.mimeType ?? MIME_BY_TYPE[type] ?? 'application/octet-stream',
		size,
		fileHash: createHash('sha256').update(bytes).digest('base64'),
		fileName: input.fileName ?? (type === 'document' ? 'document.pdf' : null),
	};
}

/** The simulated phone's answer to a download of `message`'s file (null: the phone does not know it). */
export function downloadSimulatedMedia(message: DriverMessage | null, maxBytes: number, expired: boolean): DriverMediaDownload {
	if (!message) return { status: 'unknown_message' };
	if (!isSimulatedMediaType(message.type)) return { status: 'not_media' };
	if (expired) return { status: 'unavailable' };
	// Messages seeded without content (history) get the default file.
	const content = message.content?.size != null ? message.content : simulatedMediaContent(message.id, message.type, {});
	const size = content.size as number;
	if (size > maxBytes) return { status: 'too_large', size };
	return {
		status: 'ok',
		mimeType: content.mimeType ?? 'application/octet-stream',
		fileName: content.fileName ?? null,
		data: simulatedMediaBytes(message.id, size),
	};
}
