import { DEFAULT_MEDIA_LIMIT_MB } from '../../core/media/types';
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
		displayName: 'Acknowledge Events',
		name: 'acknowledge',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { '@version': [{ _cnd: { gte: 2 } }] } },
		options: [
			{
				name: 'When the Workflow Has Finished Successfully',
				value: 'lastNode',
				description:
					'The sender (sidecar or Meta) keeps an event until this workflow has run through without an error, and sends it again otherwise: nothing is lost when a step fails',
			},
			{
				name: 'As Soon as They Arrive',
				value: 'onReceived',
				description: 'Answer at once; an event whose workflow run fails is not sent again',
			},
		],
		default: 'lastNode',
	},
	{
		displayName:
			'To remember events across n8n restarts and n8n processes (queue mode), also select a Postgres credential for the CRM database: an event delivered again then never starts this workflow twice, and one that keeps failing is set aside in the failed-events list instead of blocking the events after it.',
		name: 'ledgerNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { '@version': [{ _cnd: { gte: 2 } }] } },
	},
	{
		displayName: 'Events',
		name: 'events',
		type: 'multiOptions',
		options: [
			{
				name: 'Backfilled Messages',
				value: 'backfill',
				description:
					'Past messages from a backfill: each arrives as its own item, marked as coming from a backfill (sidecar only)',
			},
			{
				name: 'Incoming Messages',
				value: 'inbound',
				description: 'Messages your contacts send',
			},
			{
				name: 'Message Status Updates',
				value: 'status',
				description: 'Sent, delivered, read and failed receipts for messages you sent',
			},
			{
				name: 'Outgoing Messages',
				value: 'outbound',
				description: 'Messages sent from the linked phone, WhatsApp Web or n8n',
			},
			{
				name: 'Session State Changes',
				value: 'session',
				description: 'QR code shown, linked, disconnected (sidecar only)',
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
				displayName: 'Download Media',
				name: 'downloadMedia',
				type: 'boolean',
				default: false,
				description:
					'Whether to attach the file of each media message to its item as binary data (media messages are then emitted even if Media Messages is Skip). A file that cannot be downloaded (over the size limit, expired) leaves the item without it, with mediaError saying why.',
			},
			{
				displayName: 'Duplicate Window (Minutes)',
				name: 'dedupWindowMinutes',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 10,
				description:
					'Without a Postgres credential: how long this n8n process remembers an event so that a second delivery does not start the workflow again (at least twice the replay tolerance for the sidecar)',
			},
			{
				displayName: 'Give Up After (Failed Runs)',
				name: 'giveUpAfterFailedRuns',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 5,
				displayOptions: { show: { '@version': [{ _cnd: { gte: 2 } }] } },
				description:
					'With a Postgres credential: an event whose workflow run failed this many times is set aside in the failed-events list (and acknowledged, so later events go on). 0 never gives up.',
			},
			{
				displayName: 'Include Group Messages',
				name: 'includeGroups',
				type: 'boolean',
				default: false,
				description:
					'Whether to also emit messages from groups, broadcasts and channels (off: only one-to-one chats). The sidecar sends group messages only when its FORWARD_GROUP_MESSAGES setting is true; the Cloud API always does.',
			},
			{
				displayName: 'Max Media Size (MB)',
				name: 'maxMediaSizeMb',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 2048 },
				default: DEFAULT_MEDIA_LIMIT_MB,
				description: 'With Download Media: larger files are not downloaded (the item is emitted without the file, with mediaError code media_too_large)',
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
				displayName: 'Maximum Event Age (Hours)',
				name: 'maxEventAgeHours',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 168,
				description:
					"Cloud API: messages and statuses older than this are refused, so a captured request cannot be replayed later (Meta retries a delivery for up to 7 days)",
			},
			{
				displayName: 'Media Binary Property',
				name: 'mediaBinaryProperty',
				type: 'string',
				default: 'data',
				description: 'With Download Media: the name of the binary property the file is put in',
			},
			{
				displayName: 'Media Messages',
				name: 'media',
				type: 'options',
				options: [
					{
						name: 'Skip',
						value: 'skip',
						description: 'Do not emit photos, videos, voice notes, documents or stickers (unless Download Media is on)',
					},
					{
						name: 'Emit',
						value: 'emit',
						description: 'Emit them with message.media: type, size, SHA-256, file name, caption and the reference WhatsApp Download Media fetches the file with',
					},
					{
						name: 'Pass Through With Placeholder Text',
						value: 'placeholder',
						description: 'Emit them with the text "Media message received" (and message.media), for workflows that read only the text',
					},
				],
				default: 'skip',
			},
		],
	},
];
