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

/** What the node does; saved workflows without it send a message (the node's only operation before). */
export const operationProperty: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	options: [
		{
			name: 'Mark as Read',
			value: 'markAsRead',
			action: 'Mark a message as read',
			description: 'Show the sender blue ticks for a message they sent (and the ones before it)',
		},
		{
			name: 'React to Message',
			value: 'react',
			action: 'React to a message',
			description: 'Add an emoji reaction to a message, or remove yours',
		},
		{
			name: 'Send Location',
			value: 'sendLocation',
			action: 'Send a location',
			description: 'Send a pin on the map, with an optional name and address',
		},
		{
			name: 'Send Media',
			value: 'sendMedia',
			action: 'Send a picture video audio or document',
			description: 'Send a picture, video, audio, voice note, sticker or document from a file in the input or from a URL, with a caption',
		},
		{
			name: 'Send Message',
			value: 'send',
			action: 'Send a text message',
			description: 'Send a text (through the Cloud API also an approved template)',
		},
	],
	default: 'send',
};

/** The id of a message to react to or mark as read. */
export const messageIdProperty: INodeProperties = {
	displayName: 'Message ID',
	name: 'messageId',
	type: 'string',
	default: '={{ $json.message?.messageId ?? "" }}',
	required: true,
	description:
		"The ID of the message: message.messageId of an event from the WhatsApp CRM Trigger (the default), or messageId from a send. It must come from the same WhatsApp: the same session, or the same Cloud API number.",
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
			displayOptions: { show: { '/source': ['cloudApi'], '/operation': ['send'] } },
		},
		{
			displayName: 'Reply To Message ID',
			name: 'replyToMessageId',
			type: 'string',
			default: '',
			placeholder: '={{ $json.message.messageId }}',
			description:
				'Send this as a reply that quotes an earlier message of the same chat: its ID, such as message.messageId of an event from the WhatsApp CRM Trigger. Leave empty for a normal message.',
			displayOptions: { show: { '/operation': ['send', 'sendMedia', 'sendLocation'] } },
		},
	],
);

export interface SendOptions {
	defaultCountry?: string;
	previewUrl?: boolean;
	replyToMessageId?: string;
}
