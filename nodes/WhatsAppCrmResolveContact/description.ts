import { defaultCountryOption } from '../shared/default-country';
import type { INodeProperties } from 'n8n-workflow';

/** The default input: the sender (or recipient) of the WhatsApp CRM Trigger's message event. */
export const DEFAULT_PHONE_EXPRESSION = '={{ $json.message?.remote?.phone || $json.message?.remote?.rawId || $json.remote?.rawId }}';

export const resolveContactProperties: INodeProperties[] = [
	{
		displayName:
			'Finds the contact in the CRM database of the Postgres credential (the whatsapp_crm tables that the package\'s migrations create). Groups, broadcasts, channels, hidden numbers and — with "Create Contact If Not Found" off — unknown numbers leave through the "Not a Contact" output, with a reason.',
		name: 'resolveNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Phone Number or WhatsApp ID',
		name: 'phone',
		type: 'string',
		default: DEFAULT_PHONE_EXPRESSION,
		required: true,
		placeholder: '+5511987654321',
		description:
			'The number to look up: a phone number with country code (+5511987654321; without it, set a Default Country under Options), a WhatsApp ID from Meta (5511987654321) or a WhatsApp chat ID (5511987654321@c.us). By default: the other party of the message from the WhatsApp CRM Trigger.',
	},
	{
		displayName: 'Profile Name',
		name: 'profileName',
		type: 'string',
		default: '={{ $json.message?.remote?.name }}',
		description: "The contact's WhatsApp profile name, when known. Used for new contacts and, as set below, to update existing ones.",
	},
	{
		displayName: 'About Text',
		name: 'about',
		type: 'string',
		default: '={{ $json.message?.remote?.about }}',
		description: "The contact's WhatsApp About text, when known. Used like the profile name.",
	},
	{
		displayName: 'Create Contact If Not Found',
		name: 'createIfNotFound',
		type: 'boolean',
		default: true,
		description:
			'Whether to create a contact (with source "whatsapp") when no contact has this number. When off, unknown numbers leave through the "Not a Contact" output.',
	},
	{
		displayName: 'Update Name and About',
		name: 'updateProfile',
		type: 'options',
		options: [
			{
				name: 'Only Fill In Missing',
				value: 'fillMissing',
				description: 'Set them only on contacts that have none yet; what people typed in the CRM is kept',
			},
			{
				name: 'Overwrite When Changed',
				value: 'overwriteChanged',
				description: 'Replace them whenever WhatsApp shows something different',
			},
			{
				name: 'Never',
				value: 'never',
				description: 'Leave existing contacts as they are',
			},
		],
		default: 'fillMissing',
		description: 'What to do with the profile name and About text of a contact that already exists. An empty value never erases a stored one.',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			defaultCountryOption(
				'Two-letter country code for phone numbers written without a country code (e.g. "(11) 98765-4321"). Leave empty to treat such numbers as not valid.',
			),
		],
	},
];
