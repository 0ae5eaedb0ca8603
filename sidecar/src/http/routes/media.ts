/**
 * `GET /sessions/:id/messages/:messageId/media[?maxBytes=n]`: the file of a
 * media message the session saw (the `sidecar:<sessionId>:<messageId>` media
 * reference of its event), streamed as is with its Content-Type,
 * Content-Length, a Content-Disposition file name and `X-Media-Sha256` (hex),
 * so the caller can check what it got. `maxBytes` lowers the sidecar's own
 * limit (MAX_MEDIA_MB) for this call; over it: 413 `media_too_large`.
 */
import { defaultMediaFileName } from '../../../../core/media/types';
import { invalid } from '../../errors';
import type { MediaFile, SessionManager } from '../../sessions/session-manager';
import type { Reply, Router } from '../router';

/** The file name to offer: the sender's, else `whatsapp-media.<extension of the MIME type>`. */
export function mediaFileName(file: Pick<MediaFile, 'fileName' | 'mimeType'>): string {
	return file.fileName ?? defaultMediaFileName(file.mimeType);
}

/** `attachment; filename="…"; filename*=UTF-8''…` — an ASCII fallback and the exact name (RFC 6266). */
export function contentDisposition(fileName: string): string {
	const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
	return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

export function registerMediaRoutes(router: Router, manager: SessionManager, limits: { maxMediaBytes: number }): void {
	router.add('GET', '/sessions/:id/messages/:messageId/media', async ({ params, query }): Promise<Reply> => {
		let maxBytes = limits.maxMediaBytes;
		const asked = query.get('maxBytes');
		if (asked !== null) {
			if (!/^\d{1,15}$/.test(asked) || Number(asked) < 1) throw invalid('maxBytes', 'maxBytes must be a whole number of bytes, at least 1.');
			maxBytes = Math.min(maxBytes, Number(asked));
		}
		const file = await manager.downloadMedia(params.id as string, params.messageId as string, maxBytes);
		return {
			status: 200,
			body: null,
			bytes: file.data,
			contentType: file.mimeType,
			headers: { 'content-disposition': contentDisposition(mediaFileName(file)), 'x-media-sha256': file.sha256 },
		};
	});
}
