/**
 * Download the file of a media message by its media reference
 * (`message.media.ref` of a WhatsApp CRM Trigger item: `sidecar:<sessionId>:<messageId>`
 * or `cloud_api:<media id>`) into a binary property, for workflows that
 * decide later whether they need the file. The download itself is core/media's.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { DEFAULT_MEDIA_LIMIT_MB, downloadMediaByRef, MediaDownloadError, requireMediaRef, type MediaSourceTarget } from '../../../core/media';
import { CLOUD_API_CREDENTIAL_TYPE, SIDECAR_CREDENTIAL_TYPE } from '../../shared/credential-types';
import { executeItems } from '../../shared/execute-items';
import {
	cloudApiMediaTarget,
	mediaAsBinary,
	mediaErrorToNodeError,
	mediaSummary,
	megabytesToBytes,
	n8nMediaHttp,
	sidecarMediaTarget,
} from '../../shared/media-download';
import { inputError } from '../../shared/node-errors';

/** What the Media Reference defaults to: the reference every media message of the trigger carries. */
export const MEDIA_REF_FROM_EVENT = '={{ $json.message.media.ref }}';

export const description: INodeProperties[] = [
	{
		displayName: 'Source',
		name: 'source',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'WhatsApp Web (Sidecar)', value: 'sidecar', description: 'Media references that start with sidecar:' },
			{ name: 'WhatsApp Cloud API (Meta)', value: 'cloudApi', description: 'Media references that start with cloud_api:' },
		],
		default: 'sidecar',
	},
	{
		displayName: 'Media Reference',
		name: 'mediaRef',
		type: 'string',
		default: MEDIA_REF_FROM_EVENT,
		required: true,
		placeholder: 'sidecar:3f2b8c1e-6d4a-4f1b-9c2e-7a5d3b1c9e0f:false_5511987654321@c.us_3EB0…',
		description:
			'The media reference of the message (message.media.ref of a WhatsApp CRM Trigger item; the default reads it from the incoming item)',
	},
	{
		displayName: 'Put Output File in Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		description: 'The name of the binary property to put the file in',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Max File Size (MB)',
				name: 'maxSizeMb',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 2048 },
				default: DEFAULT_MEDIA_LIMIT_MB,
				description: 'A larger file is not downloaded: the item fails with code media_too_large',
			},
			{
				displayName: 'File Name',
				name: 'fileName',
				type: 'string',
				default: '',
				description: "The file name to give the file when the source has none (Cloud API media, photos). Empty: the sender's name, or one made from the file type (whatsapp-media.jpg, …).",
			},
		],
	},
];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[][]> {
	const source = (items.length > 0 ? this.getNodeParameter('source', 0, 'sidecar') : 'sidecar') as 'sidecar' | 'cloudApi';
	const http = n8nMediaHttp(this.helpers);
	return await executeItems(this, items, async (itemIndex, item) => {
		const binaryPropertyName = String(this.getNodeParameter('binaryPropertyName', itemIndex, 'data')).trim();
		if (binaryPropertyName === '') {
			throw inputError(this.getNode(), 'Put Output File in Field is empty: give the name of the binary property for the file, such as data.', {
				itemIndex,
				code: 'missing_binary_property',
			});
		}
		const options = this.getNodeParameter('options', itemIndex, {}) as { maxSizeMb?: number; fileName?: string };
		const mediaRef = this.getNodeParameter('mediaRef', itemIndex, '');
		const credentials = await this.getCredentials(source === 'cloudApi' ? CLOUD_API_CREDENTIAL_TYPE : SIDECAR_CREDENTIAL_TYPE, itemIndex);
		const target: MediaSourceTarget =
			source === 'cloudApi' ? { source: 'cloud_api', cloudApi: cloudApiMediaTarget(credentials) } : { source: 'sidecar', sidecar: sidecarMediaTarget(credentials) };
		let file;
		try {
			file = await downloadMediaByRef(http, requireMediaRef(mediaRef), target, {
				maxBytes: megabytesToBytes(options.maxSizeMb),
				fileName: options.fileName?.trim() || null,
			});
		} catch (error) {
			if (error instanceof MediaDownloadError) throw mediaErrorToNodeError(this.getNode(), error, itemIndex);
			throw new NodeOperationError(this.getNode(), error instanceof Error ? error : String(error), { itemIndex });
		}
		const binary = await mediaAsBinary(this.helpers, file);
		const json: IDataObject = { ...item.json, mediaFile: mediaSummary(file, binaryPropertyName) };
		return [{ json, binary: { ...(item.binary ?? {}), [binaryPropertyName]: binary } }];
	});
}
