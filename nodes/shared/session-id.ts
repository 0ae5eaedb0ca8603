import type { INodeProperties } from 'n8n-workflow';

/**
 * The "Session ID" parameter of every node that works on one user's
 * WhatsApp session on the sidecar; `description` says what it is for there.
 */
export function sessionIdProperty(description: string): INodeProperties {
	return {
		displayName: 'Session ID',
		name: 'sessionId',
		type: 'string',
		default: '',
		required: true,
		placeholder: '3f2b8c1e-6d4a-4f1b-9c2e-7a5d3b1c9e0f',
		description,
	};
}
