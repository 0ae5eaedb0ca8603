/** Send a text or an approved template through Meta's WhatsApp Cloud API. */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';
import {
	buildTemplateMessageBody,
	buildTextMessageBody,
	DEFAULT_TEMPLATE_LANGUAGE,
	type TemplateHeaderInput,
} from '../../../core/cloud-api/message-bodies';
import { buildCloudApiOutboundEvent } from '../../../core/cloud-api/outbound-event';
import type { MetaSendMessageBody } from '../../../core/cloud-api/types';
import { getCloudApiConfig, sendCloudApiMessage, uploadCloudApiMedia } from '../../shared/cloud-api-client';
import { executeItems } from '../../shared/execute-items';
import { fromCore, replyToOf } from '../helpers/core-input';
import { checkFileForCloudApi, readBinaryFile, type MediaFile } from '../helpers/media-file';
import { recipientOf } from '../helpers/recipient';
import { textProperty, toProperty } from './common.descriptions';
import { messageText } from './message-text';

const properties: INodeProperties[] = [
	{
		displayName:
			'WhatsApp delivers free-form text only to people who wrote to your business in the last 24 hours. To reach anyone else, send an approved template.',
		name: 'cloudApiNotice',
		type: 'notice',
		default: '',
	},
	toProperty,
	{
		displayName: 'Message Type',
		name: 'messageType',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Text', value: 'text', description: 'A free-form text (within 24 hours of the customer’s last message)' },
			{ name: 'Template', value: 'template', description: 'A message template approved by Meta, with its variables filled in' },
		],
		default: 'text',
	},
	{ ...textProperty, displayOptions: { show: { messageType: ['text'] } } },
	{
		displayName: 'Template Name',
		name: 'templateName',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'order_update',
		description: 'The name of an approved template, exactly as in WhatsApp Manager > Message Templates',
		displayOptions: { show: { messageType: ['template'] } },
	},
	{
		displayName: 'Language Code',
		name: 'languageCode',
		type: 'string',
		default: DEFAULT_TEMPLATE_LANGUAGE,
		placeholder: 'en_US',
		description: 'The language the template was approved in, such as en_US, pt_BR or es',
		displayOptions: { show: { messageType: ['template'] } },
	},
	{
		displayName: 'Body Variables',
		name: 'bodyVariables',
		type: 'fixedCollection',
		placeholder: 'Add Variable',
		typeOptions: { multipleValues: true, sortable: true },
		default: {},
		description: "The values for the template body's {{1}}, {{2}}, … in order. Give exactly as many as the template has.",
		displayOptions: { show: { messageType: ['template'] } },
		options: [
			{
				displayName: 'Variable',
				name: 'variable',
				values: [
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
						description: 'Text for this variable (no line breaks)',
					},
				],
			},
		],
	},
	{
		displayName: 'Header',
		name: 'headerType',
		type: 'options',
		options: [
			{ name: 'Document', value: 'document' },
			{ name: 'Image', value: 'image' },
			{ name: 'None or Fixed', value: 'none', description: 'The template has no header, or one without a variable' },
			{ name: 'Text Variable', value: 'text', description: 'A text header with a {{1}} variable' },
			{ name: 'Video', value: 'video' },
		],
		default: 'none',
		description: 'What the template’s header needs, as approved in WhatsApp Manager > Message Templates',
		displayOptions: { show: { messageType: ['template'] } },
	},
	{
		displayName: 'Header Text',
		name: 'headerText',
		type: 'string',
		default: '',
		required: true,
		description: "The value of the header's {{1}} (one line, at most 60 characters)",
		displayOptions: { show: { messageType: ['template'], headerType: ['text'] } },
	},
	{
		displayName: 'Header File From',
		name: 'headerFileSource',
		type: 'options',
		options: [
			{ name: 'A URL or Media ID', value: 'url', description: 'A public web address of the file, or the media ID of a file already uploaded' },
			{
				name: 'A File in the Input (Binary Data)',
				value: 'binary',
				description: 'A file an earlier node produced: it is uploaded to Meta, then sent in the header',
			},
		],
		default: 'url',
		displayOptions: { show: { messageType: ['template'], headerType: ['image', 'video', 'document'] } },
	},
	{
		displayName: 'Header Input Binary Field',
		name: 'headerBinaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		hint: 'The name of the input binary field containing the file',
		description: 'The binary field of the input item that holds the header’s file: usually "data"',
		displayOptions: { show: { messageType: ['template'], headerType: ['image', 'video', 'document'], headerFileSource: ['binary'] } },
	},
	{
		displayName: 'Header File URL or Media ID',
		name: 'headerUrl',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'https://example.com/banner.jpg',
		description:
			'A public https:// address of the image, video or document (Meta downloads it from there), or the media ID of a file already uploaded to this number (the mediaId a Send Media output shows)',
		displayOptions: { show: { messageType: ['template'], headerType: ['image', 'video', 'document'], headerFileSource: ['url'] } },
	},
	{
		displayName: 'Header Document File Name',
		name: 'headerFileName',
		type: 'string',
		default: '',
		placeholder: 'invoice.pdf',
		description: "The name the recipient sees for the document (optional; a file from the input keeps its own name when this is empty)",
		displayOptions: { show: { messageType: ['template'], headerType: ['document'] } },
	},
	{
		displayName: 'Buttons',
		name: 'buttons',
		type: 'fixedCollection',
		placeholder: 'Add Button Parameter',
		typeOptions: { multipleValues: true },
		default: {},
		description:
			'Values for the template’s buttons that need one: the payload a quick reply button sends back, or the end of a URL button’s address. Buttons without a variable need nothing here.',
		displayOptions: { show: { messageType: ['template'] } },
		options: [
			{
				displayName: 'Button',
				name: 'button',
				values: [
					{
						displayName: 'Button Position',
						name: 'index',
						type: 'number',
						default: 0,
						typeOptions: { minValue: 0, maxValue: 9 },
						description: 'Which button: 0 for the first, 1 for the second, … as listed in the template',
					},
					{
						displayName: 'Button Type',
						name: 'subType',
						type: 'options',
						options: [
							{ name: 'Quick Reply', value: 'quick_reply', description: 'Its payload comes back in the webhook when the customer taps it' },
							{ name: 'URL', value: 'url', description: 'The text appended to the button’s base URL' },
						],
						default: 'quick_reply',
					},
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
						description: 'The payload (quick reply) or the end of the address (URL)',
					},
				],
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { source: ['cloudApi'], operation: ['send'] } }, properties);

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[][]> {
	const node = this.getNode();
	return await executeItems(this, items, async (itemIndex) => {
		const config = await getCloudApiConfig(this, itemIndex);
		const { options, to } = recipientOf(this, itemIndex);
		const messageType = this.getNodeParameter('messageType', itemIndex) as 'text' | 'template';

		const replyToMessageId = replyToOf(node, options, itemIndex);
		let body: MetaSendMessageBody;
		let text: string | null = null;
		let template: IDataObject | undefined;
		if (messageType === 'template') {
			const header = await templateHeaderOf(this, itemIndex);
			const buildBody = (headerInput: TemplateHeaderInput | undefined) =>
				fromCore(node, itemIndex, () =>
					buildTemplateMessageBody({
						to,
						templateName: String(this.getNodeParameter('templateName', itemIndex, '')),
						languageCode: String(this.getNodeParameter('languageCode', itemIndex, '')),
						bodyParameters: textsOf(this.getNodeParameter('bodyVariables.variable', itemIndex, []) as Array<{ value?: unknown }>),
						header: headerInput,
						buttons: (this.getNodeParameter('buttons.button', itemIndex, []) as Array<{ index?: unknown; subType?: unknown; value?: unknown }>).map((button) => ({
							index: Number(button.index ?? 0),
							subType: button.subType === 'url' ? 'url' : 'quick_reply',
							value: button.value === undefined || button.value === null ? '' : String(button.value),
						})),
						replyToMessageId,
					}),
				);
			let templateBody;
			if (header?.upload) {
				// Everything is checked (with a stand-in media id) before the file is uploaded.
				buildBody({ ...header.input, id: PENDING_UPLOAD_ID });
				checkFileForCloudApi(node, itemIndex, header.upload, header.input.type);
				const mediaId = await uploadCloudApiMedia(this, itemIndex, config, {
					data: header.upload.data,
					mimeType: header.upload.mimeType,
					fileName: header.upload.fileName ?? 'file',
				});
				templateBody = buildBody({ ...header.input, id: mediaId });
			} else {
				templateBody = buildBody(header?.input);
			}
			body = templateBody;
			const components = templateBody.template.components ?? [];
			const bodyComponent = components.find((component) => component.type === 'body');
			template = {
				name: templateBody.template.name,
				languageCode: templateBody.template.language.code,
				bodyVariables: bodyComponent ? bodyComponent.parameters.map((parameter) => parameter.text) : [],
				...(components.some((component) => component.type === 'header') ? { header: components.find((c) => c.type === 'header') as unknown as IDataObject } : {}),
				...(components.some((component) => component.type === 'button') ? { buttons: components.filter((c) => c.type === 'button') as unknown as IDataObject[] } : {}),
			};
		} else {
			text = messageText(this, itemIndex);
			const checkedText = text;
			body = fromCore(node, itemIndex, () => buildTextMessageBody({ to, text: checkedText, previewUrl: options.previewUrl === true, replyToMessageId }));
		}

		const sent = await sendCloudApiMessage(this, itemIndex, config, body);
		const event = buildCloudApiOutboundEvent({
			phoneNumberId: config.phoneNumberId,
			messageId: sent.messageId,
			to,
			waId: sent.waId,
			kind: messageType === 'template' ? 'template' : 'text',
			text,
			replyToMessageId,
		});
		return [
			{
				json: {
					messageId: sent.messageId,
					to,
					source: 'cloud_api',
					sessionId: config.phoneNumberId,
					waId: sent.waId,
					...(template ? { template } : {}),
					event: event as unknown as IDataObject,
				},
			},
		];
	});
}

function textsOf(variables: Array<{ value?: unknown }>): string[] {
	return variables.map((variable) => (variable.value === undefined || variable.value === null ? '' : String(variable.value)));
}

/** A media id no real upload has: the header's stand-in while the rest of the template is checked. */
const PENDING_UPLOAD_ID = '0';

type MediaHeaderInput = Exclude<TemplateHeaderInput, { type: 'text' }>;
type HeaderPlan = { input: TemplateHeaderInput; upload?: undefined } | { input: MediaHeaderInput; upload: Extract<MediaFile, { from: 'bytes' }> };

/**
 * The Header parameters as the core's header input (undefined for a template
 * without a header variable) and, for a file from the input, the file still to
 * upload: its media id replaces the stand-in once it is uploaded.
 */
async function templateHeaderOf(
	ctx: IExecuteFunctions,
	itemIndex: number,
): Promise<HeaderPlan | undefined> {
	const type = ctx.getNodeParameter('headerType', itemIndex, 'none') as string;
	if (type === 'text') return { input: { type: 'text', text: String(ctx.getNodeParameter('headerText', itemIndex, '') ?? '') } };
	if (type !== 'image' && type !== 'video' && type !== 'document') return undefined;
	const filenameParameter = type === 'document' ? String(ctx.getNodeParameter('headerFileName', itemIndex, '') ?? '').trim() : '';
	if (ctx.getNodeParameter('headerFileSource', itemIndex, 'url') === 'binary') {
		const upload = await readBinaryFile(ctx, itemIndex, String(ctx.getNodeParameter('headerBinaryPropertyName', itemIndex, 'data') ?? ''));
		const filename = type === 'document' ? filenameParameter || upload.fileName || '' : '';
		return { input: { type, ...(filename !== '' ? { filename } : {}) }, upload };
	}
	const file = String(ctx.getNodeParameter('headerUrl', itemIndex, '') ?? '').trim();
	return { input: { type, ...(/^\d+$/.test(file) ? { id: file } : { link: file }), ...(filenameParameter !== '' ? { filename: filenameParameter } : {}) } };
}
