import { optionsWithDefaultCountry } from '../../shared/default-country';
import type { INodeProperties } from 'n8n-workflow';

export const sourceProperty: INodeProperties = {
	displayName: 'Send Through',
	name: 'source',
	type: 'options',
	noDataExpression: true,
	options: [
		{
			name: 'WhatsApp Web (Sidecar)',
			value: 'sidecar',
			description: "A user's own WhatsApp, linked to the WhatsApp sidecar as a device",
		},
		{
			name: 'WhatsApp Cloud API (Meta)',
			value: 'cloudApi',
			description: "Your business number on Meta's official WhatsApp Cloud API",
		},
	],
	default: 'sidecar',
};

export const toProperty: INodeProperties = {
	displayName: 'To',
	name: 'to',
	type: 'string',
	default: '',
	required: true,
	placeholder: '+5511987654321',
	description:
		"The recipient's phone number with its country code, or their WhatsApp ID (such as 5511987654321@c.us or a Cloud API wa_id). One person only: groups are not supported.",
};

export const textProperty: INodeProperties = {
	displayName: 'Text',
	name: 'text',
	type: 'string',
	typeOptions: { rows: 4 },
	default: '',
	required: true,
	description: 'The message to send',
};

export const optionsProperty: INodeProperties = optionsWithDefaultCountry(
	"Two-letter country code for numbers written without a country code, such as (11) 98765-4321. Digits without '+' are first read as an international number, as WhatsApp IDs are written.",
	[
		{
			displayName: 'Show Link Preview',
			name: 'previewUrl',
			type: 'boolean',
			default: false,
			description: 'Whether WhatsApp shows a preview of the first link in the text (Cloud API text messages only)',
			displayOptions: { show: { '/source': ['cloudApi'] } },
		},
	],
);

export interface SendOptions {
	defaultCountry?: string;
	previewUrl?: boolean;
}
