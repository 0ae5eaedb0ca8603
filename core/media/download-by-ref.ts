/**
 * The one place a media reference becomes a file: the reference says its
 * source (`sidecar:<sessionId>:<messageId>` or `cloud_api:<media id>`,
 * core/events/media-ref.ts), the caller gives the credential of that source.
 * Used by the WhatsApp CRM Trigger's Download Media option and the WhatsApp
 * Download Media node.
 */
import { parseMediaRef, type MediaRefParts } from '../events/media-ref';
import { downloadCloudApiMedia, type CloudApiMediaTarget } from './cloud-api';
import { downloadSidecarMedia, type SidecarMediaTarget } from './sidecar';
import { MediaDownloadError, type DownloadedMedia, type MediaHttp } from './types';

export type MediaSourceTarget = { source: 'sidecar'; sidecar: SidecarMediaTarget } | { source: 'cloud_api'; cloudApi: CloudApiMediaTarget };

/** The parts of a media reference, or a MediaDownloadError `invalid_media_ref`. */
export function requireMediaRef(ref: unknown): MediaRefParts {
	const parts = parseMediaRef(typeof ref === 'string' ? ref.trim() : ref);
	if (!parts) {
		throw new MediaDownloadError(
			'invalid_media_ref',
			typeof ref === 'string' && ref.trim() !== ''
				? 'This is not a media reference: it must look like sidecar:<session id>:<message id> or cloud_api:<media id>, as in message.media.ref of a WhatsApp CRM Trigger item.'
				: 'The media reference is empty: the input item has no message.media.ref (is it a media message of the WhatsApp CRM Trigger?).',
		);
	}
	return parts;
}

export interface DownloadByRefOptions {
	maxBytes: number;
	/** The file name to use when the source gives none (e.g. the event's `media.fileName`). */
	fileName?: string | null;
}

export async function downloadMediaByRef(http: MediaHttp, parts: MediaRefParts, target: MediaSourceTarget, options: DownloadByRefOptions): Promise<DownloadedMedia> {
	if (parts.source !== target.source) {
		throw new MediaDownloadError(
			'wrong_source',
			parts.source === 'sidecar'
				? 'This is a media reference of the WhatsApp Web sidecar (sidecar:…), but the credential is a Meta WhatsApp Cloud API one.'
				: "This is a media reference of Meta's WhatsApp Cloud API (cloud_api:…), but the credential is a WhatsApp Sidecar API one.",
		);
	}
	const file =
		parts.source === 'sidecar' && target.source === 'sidecar'
			? await downloadSidecarMedia(http, target.sidecar, parts, options.maxBytes)
			: await downloadCloudApiMedia(http, (target as { cloudApi: CloudApiMediaTarget }).cloudApi, (parts as { mediaId: string }).mediaId, options.maxBytes);
	if (options.fileName && (file.source === 'cloud_api' || file.fileName.startsWith('whatsapp-media.'))) return { ...file, fileName: options.fileName };
	return file;
}
