/** Send a text or an approved template through Meta's WhatsApp Cloud API. */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';
import {
	buildTemplateMessageBody,
	buildTextMessageBody,
	CloudApiInputError,
	DEFAULT_TEMPLATE_LANGUAGE,
} from '../../../core/cloud-api/message-bodies';
import { buildCloudApiOutboundEvent } from '../../../core/cloud-api/outbound-event';
import type { MetaSendMessageBody } from '../../../core/cloud-api/types';
import { getCloudApiConfig, sendCloudApiMessage } from '../../shared/cloud-api-client';
import { executeItems } from '../../shared/execute-items';
import { inputError } from '../../shared/node-errors';
import { defaultCountryOf } from '../../shared/default-country';
import { resolveRecipient } from '../helpers/recipient';
import { textProperty, toProperty, type SendOptions } from './common.descriptions';
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
];

export const description = updateDisplayOptions({ show: { source: ['cloudApi'] } }, properties);

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[][]> {
	const node = this.getNode();
	return await executeItems(this, items, async (itemIndex) => {
		const config = await getCloudApiConfig(this, itemIndex);
		const options = this.getNodeParameter('options', itemIndex, {}) as SendOptions;
		const to = resolveRecipient(node, this.getNodeParameter('to', itemIndex), defaultCountryOf(node, options.defaultCountry, itemIndex), itemIndex);
		const messageType = this.getNodeParameter('messageType', itemIndex) as 'text' | 'template';

		let body: MetaSendMessageBody;
		let text: string | null = null;
		let template: IDataObject | undefined;
		try {
			if (messageType === 'template') {
				const variables = this.getNodeParameter('bodyVariables.variable', itemIndex, []) as Array<{ value?: unknown }>;
				const templateBody = buildTemplateMessageBody({
					to,
					templateName: String(this.getNodeParameter('templateName', itemIndex, '')),
					languageCode: String(this.getNodeParameter('languageCode', itemIndex, '')),
					bodyParameters: variables.map((variable) => (variable.value === undefined || variable.value === null ? '' : String(variable.value))),
				});
				body = templateBody;
				template = {
					name: templateBody.template.name,
					languageCode: templateBody.template.language.code,
					bodyVariables: (templateBody.template.components?.[0]?.parameters ?? []).map((parameter) => parameter.text),
				};
			} else {
				text = messageText(this, itemIndex);
				body = buildTextMessageBody({ to, text, previewUrl: options.previewUrl === true });
			}
		} catch (error) {
			if (error instanceof CloudApiInputError) throw inputError(node, error.message, { itemIndex, code: error.code });
			throw new NodeOperationError(node, error as Error, { itemIndex });
		}

		const sent = await sendCloudApiMessage(this, itemIndex, config, body);
		const event = buildCloudApiOutboundEvent({
			phoneNumberId: config.phoneNumberId,
			messageId: sent.messageId,
			to,
			waId: sent.waId,
			kind: messageType === 'template' ? 'template' : 'text',
			text,
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
