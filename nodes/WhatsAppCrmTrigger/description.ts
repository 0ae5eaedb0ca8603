import { defaultCountryOption } from '../shared/default-country';
import type { INodeProperties } from 'n8n-workflow';

export const sourceProperty: INodeProperties = {
	displayName: 'Source',
	name: 'source',
	type: 'options',
	noDataExpression: true,
	options: [
		{
			name: 'WhatsApp Web (Sidecar)',
			value: 'sidecar',
			description: 'Personal or business WhatsApp accounts linked as a device through the WhatsApp sidecar',
		},
		{
			name: 'WhatsApp Cloud API (Meta)',
			value: 'cloudApi',
			description: "A business number on Meta's official WhatsApp Cloud API",
		},
	],
	default: 'sidecar',
};

export const triggerProperties: INodeProperties[] = [
	sourceProperty,
	{
		displayName:
			"Copy this node's Production URL (above) into the sidecar's WEBHOOK_URL setting. The sidecar signs every event; events without a valid signature are refused and start nothing.",
		name: 'sidecarNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { source: ['sidecar'] } },
	},
	{
		displayName:
			"In Meta's App Dashboard, open WhatsApp > Configuration and paste this node's Production URL as the Callback URL, with the Verify Token from your credential, then subscribe to the 'messages' field. Meta's requests without a valid signature are refused and start nothing.",
		name: 'cloudApiNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { source: ['cloudApi'] } },
	},
	{
		displayName: 'Events',
		name: 'events',
		type: 'multiOptions',
		options: [
			{
				name: 'Incoming Messages',
				value: 'inbound',
				description: 'Messages your contacts send',
			},
			{
				name: 'Outgoing Messages',
				value: 'outbound',
				description: 'Messages sent from the linked phone, WhatsApp Web or n8n',
			},
			{
				name: 'Message Status Updates',
				value: 'status',
				description: 'Sent, delivered, read and failed receipts for messages you sent',
			},
			{
				name: 'Session State Changes',
				value: 'session',
				description: 'QR code shown, linked, disconnected (sidecar only)',
			},
			{
				name: 'Backfilled Messages',
				value: 'backfill',
				description:
					'Past messages from a backfill: each arrives as its own item, marked as coming from a backfill (sidecar only)',
			},
		],
		default: ['inbound', 'outbound', 'backfill'],
		description: 'Which events start the workflow. Each message or status becomes one item.',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			defaultCountryOption(
				'Two-letter country code used for phone numbers that arrive without a country code. Leave empty to treat such numbers as invalid.',
			),
			{
				displayName: 'Duplicate Window (Minutes)',
				name: 'dedupWindowMinutes',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 10,
				description:
					"An event delivered again within this many minutes is acknowledged but does not start the workflow again. The window lives in the memory of one n8n process (not shared between n8n instances or kept over a restart). For the sidecar, ids are always kept at least twice the credential's Replay Tolerance plus a minute, so a re-sent event is caught even with 0 here; for Meta, 0 turns this off.",
			},
			{
				displayName: 'Include Group Messages',
				name: 'includeGroups',
				type: 'boolean',
				default: false,
				description: 'Whether to also emit messages from groups, broadcasts and channels (off: only one-to-one chats)',
			},
			{
				displayName: 'Maximum Body Size (KB)',
				name: 'maxBodySizeKb',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 1024,
				description: 'Requests with a larger body are refused with HTTP 413',
			},
			{
				displayName: 'Media Messages',
				name: 'media',
				type: 'options',
				options: [
					{ name: 'Skip', value: 'skip', description: 'Do not emit photos, videos, voice notes, documents or stickers' },
					{
						name: 'Pass Through With Placeholder Text',
						value: 'placeholder',
						description: 'Emit them with the text "Media message received" (the media itself is never downloaded)',
					},
				],
				default: 'skip',
			},
		],
	},
];
