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
	const fromEvent = options.fromIncomingEvent === true;
	return {
		displayName: 'Session ID',
		name: 'sessionId',
		type: 'string',
		default: fromEvent ? SESSION_ID_FROM_EVENT : '',
		required: true,
		placeholder: '3f2b8c1e-6d4a-4f1b-9c2e-7a5d3b1c9e0f',
		description: fromEvent
			? `${description} Defaults to the sessionId of the incoming item, which every event of the WhatsApp CRM Trigger carries.`
			: description,
	};
}
