/**
 * The trigger's Download Media option: the file of each emitted media message
 * as a binary property of its item (n8n's `prepareBinaryData`, so n8n's binary
 * data mode decides where it is kept). Only items of media messages with a
 * media reference cost anything; everything else passes untouched. A file
 * that cannot be had — over the size limit, expired, the source unreachable —
 * never fails the delivery: the item is emitted without it, with
 * `mediaError: { code, message }` saying why (the Download Media node can try
 * again later with `message.media.ref`). An access token or API key refused
 * while it came from the trigger's credential cache is read again and the
 * download tried once more (a token changed in n8n applies at once). The bytes
 * are never logged.
 */
import type { IBinaryKeyData, ICredentialDataDecryptedObject, IDataObject, INodeExecutionData, IWebhookFunctions } from 'n8n-workflow';
import type { NormalizedEvent } from '../../core/events/types';
import { downloadMediaByRef, MediaDownloadError, requireMediaRef, type MediaSourceTarget } from '../../core/media';
import { CLOUD_API_CREDENTIAL_TYPE, SIDECAR_CREDENTIAL_TYPE } from '../shared/credential-types';
import { cloudApiMediaTarget, mediaAsBinary, mediaSummary, megabytesToBytes, n8nMediaHttp, sidecarMediaTarget } from '../shared/media-download';
import { readCredentials, rereadCredentials, type CredentialRead } from './credential-cache';

export interface DownloadMediaOptions {
	downloadMedia?: boolean;
	/** The binary property the file goes into (default `data`). */
	mediaBinaryProperty?: string;
	/** Larger files are not downloaded (default 16). */
	maxMediaSizeMb?: number;
}

/** Whether this event is a media message with a reference to download. */
function wantsDownload(event: NormalizedEvent): event is NormalizedEvent & { type: 'message' } {
	return event.type === 'message' && event.message.isMedia && typeof event.message.media?.ref === 'string';
}

/** The items to emit for these events: the events as they are, media messages with their file when asked. */
export async function itemsWithMedia(ctx: IWebhookFunctions, events: NormalizedEvent[], options: DownloadMediaOptions): Promise<INodeExecutionData[]> {
	const items: INodeExecutionData[] = events.map((event) => ({ json: event as unknown as IDataObject }));
	if (options.downloadMedia !== true || !events.some(wantsDownload)) return items;

	const property = (options.mediaBinaryProperty ?? '').trim() || 'data';
	const maxBytes = megabytesToBytes(options.maxMediaSizeMb);
	const http = n8nMediaHttp(ctx.helpers);
	const cloudApi = ctx.getNodeParameter('source') === 'cloudApi';
	const type = cloudApi ? CLOUD_API_CREDENTIAL_TYPE : SIDECAR_CREDENTIAL_TYPE;
	let credential: CredentialRead | null = null;
	for (let index = 0; index < events.length; index++) {
		const event = events[index]!;
		if (!wantsDownload(event)) continue;
		const item = items[index]!;
		const media = event.message.media!;
		try {
			credential ??= await readCredentials(ctx, type);
			const attempt = async (data: ICredentialDataDecryptedObject) =>
				await downloadMediaByRef(http, requireMediaRef(media.ref), sourceTarget(cloudApi, data), { maxBytes, fileName: media.fileName }).then(
					(file) => ({ file }),
					(error: unknown) => ({ error }),
				);
			let result = await attempt(credential.data);
			if ('error' in result && !credential.fresh && result.error instanceof MediaDownloadError && result.error.code === 'unauthorized') {
				// Maybe the access token or API key was changed in n8n a moment ago: try once with what the credential says now.
				credential = { data: await rereadCredentials(ctx, type, credential.data), fresh: true };
				result = await attempt(credential.data);
			}
			if ('error' in result) {
				items[index] = withoutFile(ctx, item, event, result.error);
				continue;
			}
			const binary: IBinaryKeyData = { [property]: await mediaAsBinary(ctx.helpers, result.file) };
			items[index] = { json: { ...item.json, mediaFile: mediaSummary(result.file, property) }, binary };
		} catch (error) {
			items[index] = withoutFile(ctx, item, event, error);
		}
	}
	return items;
}

/** The item as it is, with `mediaError` saying why its file is not attached. */
function withoutFile(ctx: IWebhookFunctions, item: INodeExecutionData, event: NormalizedEvent, error: unknown): INodeExecutionData {
	const mediaError =
		error instanceof MediaDownloadError
			? { code: error.code, message: error.message }
			: { code: 'download_failed', message: 'The file could not be downloaded; use WhatsApp Download Media with message.media.ref to try again.' };
	ctx.logger?.warn('WhatsApp CRM Trigger: media not attached', { code: mediaError.code, eventType: event.type });
	return { json: { ...item.json, mediaError } };
}

function sourceTarget(cloudApi: boolean, credential: ICredentialDataDecryptedObject): MediaSourceTarget {
	return cloudApi ? { source: 'cloud_api', cloudApi: cloudApiMediaTarget(credential) } : { source: 'sidecar', sidecar: sidecarMediaTarget(credential) };
}
