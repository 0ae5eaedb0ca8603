import type { INodeProperties } from 'n8n-workflow';

/** What `fromIncomingEvent` defaults the Session ID to: the sessionId the trigger's events carry. */
export const SESSION_ID_FROM_EVENT = '={{ $json.sessionId }}';

/**
 * The "Session ID" parameter of every node that works on one user's
 * WhatsApp session on the sidecar; `description` says what it is for there.
 * With `fromIncomingEvent`, it defaults to the incoming item's `sessionId`
 * (every event of the WhatsApp CRM Trigger carries it) and says so.
 */
export function sessionIdProperty(description: string, options: { fromIncomingEvent?: boolean } = {}): INodeProperties {
	const property: INodeProperties = {
		displayName: 'Session ID',
		name: 'sessionId',
		type: 'string',
		default: '',
		required: true,
		placeholder: '3f2b8c1e-6d4a-4f1b-9c2e-7a5d3b1c9e0f',
		description,
	};
	if (options.fromIncomingEvent !== true) return property;
	return {
		...property,
		default: SESSION_ID_FROM_EVENT,
		description: `${description} Defaults to the sessionId of the incoming item, which every event of the WhatsApp CRM Trigger carries.`,
	};
}
