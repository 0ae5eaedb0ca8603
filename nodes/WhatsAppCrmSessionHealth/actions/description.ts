import type { INodeProperties } from 'n8n-workflow';
import * as check from './check.operation';
import * as connect from './connect.operation';
import * as disconnect from './disconnect.operation';

export const sessionHealthProperties: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Check',
				value: 'check',
				description: 'See whether sessions work: state, linked number, age of the last event, healthy or not and why',
				action: 'Check session health',
			},
			{
				name: 'Connect',
				value: 'connect',
				description: "Start a user's session and get the QR code to link their phone",
				action: 'Connect a session',
			},
			{
				name: 'Disconnect',
				value: 'disconnect',
				description: "Log a user's WhatsApp out of the sidecar and delete the session's login data (CRM data stays)",
				action: 'Disconnect a session',
			},
		],
		default: 'check',
	},
	...check.description,
	...connect.description,
	...disconnect.description,
];
