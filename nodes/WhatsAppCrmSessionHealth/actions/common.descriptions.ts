import type { INodeProperties } from 'n8n-workflow';

export const sessionIdProperty: INodeProperties = {
	displayName: 'Session ID',
	name: 'sessionId',
	type: 'string',
	default: '',
	required: true,
	placeholder: '3f2b8c1e-6d4a-4f1b-9c2e-7a5d3b1c9e0f',
	description: "The user's id: each user's WhatsApp is connected to the sidecar under their own id",
};
