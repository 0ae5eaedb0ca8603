/** Send a picture, video, audio or document — from a file in the input or a URL — through either source. */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';
import { buildMediaMessageBody, checkMediaMessageInput } from '../../../core/cloud-api/message-bodies';
import { buildCloudApiOutboundEvent } from '../../../core/cloud-api/outbound-event';
import { fileSha256 } from '../../../core/events/limits';
import { toChatJid } from '../../../core/phone/e164';
import { getCloudApiConfig, sendCloudApiMessage, uploadCloudApiMedia } from '../../shared/cloud-api-client';
import { executeItems } from '../../shared/execute-items';
import { sendMediaMessage } from '../../shared/sidecar-client';
import { fromCore, replyToOf } from '../helpers/core-input';
import { checkFileForCloudApi, downloadMediaFile, readMediaFile, sendAsFor } from '../helpers/media-file';
import { recipientOf } from '../helpers/recipient';
import { toProperty } from './common.descriptions';

const properties: INodeProperties[] = [
	toProperty,
	{
		displayName: 'File From',
		name: 'mediaSource',
		type: 'options',
		options: [
			{
				name: 'A File in the Input (Binary Data)',
				value: 'binary',
				description: 'A file an earlier node produced, such as a download, an email attachment or a form upload',
			},
			{ name: 'A URL', value: 'url', description: 'A public web address of the file' },
		],
		default: 'binary',
	},
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		hint: 'The name of the input binary field containing the file',
		description: 'The binary field of the input item that holds the file: usually "data" (the earlier node’s output shows it under Binary)',
		displayOptions: { show: { mediaSource: ['binary'] } },
	},
	{
		displayName: 'File URL',
		name: 'mediaUrl',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'https://example.com/invoice.pdf',
		description:
			'A public address of the file. Through the Cloud API, Meta downloads it; through the sidecar, n8n downloads it and sends the file.',
		displayOptions: { show: { mediaSource: ['url'] } },
	},
	{
		displayName: 'Send As',
		name: 'mediaType',
		type: 'options',
		options: [
			{ name: 'Audio', value: 'audio' },
			{ name: 'Automatic (From the File Type)', value: 'auto', description: 'JPEG/PNG as a picture, MP4 as a video, audio as audio, anything else as a document' },
			{ name: 'Document', value: 'document', description: 'Any file, shown with its name; pictures keep their full quality' },
			{ name: 'Picture', value: 'image' },
			{ name: 'Sticker', value: 'sticker', description: 'A WebP image shown as a sticker (at most 500 KB; no caption)' },
			{ name: 'Video', value: 'video' },
			{
				name: 'Voice Note',
				value: 'voice',
				description: 'Audio shown as a voice message with a play button, like one recorded in WhatsApp (best as OGG with the Opus codec; no caption)',
			},
		],
		default: 'auto',
	},
	{
		displayName: 'Caption',
		name: 'caption',
		type: 'string',
		typeOptions: { rows: 2 },
		default: '',
		description: 'Text shown under the picture, video or document (at most 1024 characters; audio, voice notes and stickers have no caption)',
	},
	{
		displayName: 'File Name',
		name: 'fileName',
		type: 'string',
		default: '',
		placeholder: 'invoice.pdf',
		description: "The name the recipient sees for a document. Leave empty to use the file's own name.",
	},
];

export const description = updateDisplayOptions({ show: { operation: ['sendMedia'] } }, properties);

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[][]> {
	const node = this.getNode();
	const source = this.getNodeParameter('source', 0) as string;
	return await executeItems(this, items, async (itemIndex) => {
		const { options, to } = recipientOf(this, itemIndex);
		const replyToMessageId = replyToOf(node, options, itemIndex);
		const caption = String(this.getNodeParameter('caption', itemIndex, '') ?? '');
		const fileNameParameter = String(this.getNodeParameter('fileName', itemIndex, '') ?? '').trim();
		let file = await readMediaFile(this, itemIndex);
		const { kind, voice } = sendAsFor(this.getNodeParameter('mediaType', itemIndex, 'auto'), file);
		const fileName = fileNameParameter || file.fileName || undefined;
		// Everything but the file is checked before anything is uploaded, downloaded or sent.
		fromCore(node, itemIndex, () => checkMediaMessageInput({ to, kind, voice, caption, fileName, replyToMessageId }));
		const media: IDataObject = { kind: voice ? 'voice' : kind, fileName: fileName ?? null };

		if (source === 'cloudApi') {
			checkFileForCloudApi(node, itemIndex, file, kind);
			const config = await getCloudApiConfig(this, itemIndex);
			let target: { link: string } | { mediaId: string };
			if (file.from === 'bytes') {
				target = { mediaId: await uploadCloudApiMedia(this, itemIndex, config, { data: file.data, mimeType: file.mimeType, fileName: fileName ?? 'file' }) };
				Object.assign(media, { mimeType: file.mimeType, size: file.data.length, mediaId: target.mediaId });
			} else {
				target = { link: file.url };
				Object.assign(media, { mimeType: file.mimeType, link: file.url });
			}
			const body = fromCore(node, itemIndex, () => buildMediaMessageBody({ to, kind, voice, ...target, caption, fileName, replyToMessageId }));
			const sent = await sendCloudApiMessage(this, itemIndex, config, body);
			const event = buildCloudApiOutboundEvent({
				phoneNumberId: config.phoneNumberId,
				messageId: sent.messageId,
				to,
				waId: sent.waId,
				kind: voice ? 'voice' : kind,
				text: caption.trim() === '' ? null : caption,
				replyToMessageId,
				media:
					'mediaId' in target && file.from === 'bytes'
						? { mediaId: target.mediaId, mimeType: file.mimeType, size: file.data.length, sha256: fileSha256(file.data), fileName: fileName ?? null }
						: null,
			});
			return [{ json: { messageId: sent.messageId, to, source: 'cloud_api', sessionId: config.phoneNumberId, waId: sent.waId, media, event: event as unknown as IDataObject } }];
		}

		const sessionId = this.getNodeParameter('sessionId', itemIndex);
		if (file.from === 'url') file = await downloadMediaFile(this, itemIndex, file);
		const sent = await sendMediaMessage(this, itemIndex, sessionId, {
			to: toChatJid(to),
			data: file.data.toString('base64'),
			mimeType: file.mimeType,
			...(fileName ? { fileName } : {}),
			...(caption.trim() !== '' ? { caption } : {}),
			asDocument: kind === 'document',
			...(voice ? { asVoice: true } : {}),
			...(kind === 'sticker' ? { asSticker: true } : {}),
			...(replyToMessageId ? { quotedMessageId: replyToMessageId } : {}),
		});
		Object.assign(media, { mimeType: file.mimeType, size: file.data.length });
		return [{ json: { messageId: sent.messageId, to, source: 'sidecar', sessionId: String(sessionId).trim(), media, event: sent.event as IDataObject | null } }];
	});
}
