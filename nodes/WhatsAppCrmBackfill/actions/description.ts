import type { INodeProperties } from 'n8n-workflow';
import * as getProgress from './getProgress.operation';
import * as start from './start.operation';

export const backfillProperties: INodeProperties[] = [
	{
		displayName:
			'The imported messages do not come out of this node: they arrive through the WhatsApp CRM Trigger as Backfilled Messages events (then one backfill.done event), so the workflow that logs live messages logs them too. A message already logged is not logged twice.',
		name: 'backfillNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Start',
				value: 'start',
				description: "Import the last days of a user's one-to-one WhatsApp text messages into the CRM",
				action: 'Start a backfill',
			},
			{
				name: 'Get Progress',
				value: 'getProgress',
				description: 'See how far a backfill has come',
				action: 'Get backfill progress',
			},
		],
		default: 'start',
	},
	...start.description,
	...getProgress.description,
];
