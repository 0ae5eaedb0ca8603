/**
 * Disconnect a session: the sidecar logs WhatsApp out on the phone's list of
 * linked devices, closes the session and deletes its auth data. Nothing in
 * the CRM is touched.
 */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';
import { executeItems } from '../../shared/execute-items';
import { disconnectSession } from '../../shared/sidecar-client';
import { sessionIdProperty } from './common.descriptions';

const properties: INodeProperties[] = [
	{
		displayName:
			"Disconnecting logs this WhatsApp out of the sidecar and deletes the session's saved login, so linking again needs a new QR scan. Contacts and logged interactions in the CRM are never touched.",
		name: 'disconnectNotice',
		type: 'notice',
		default: '',
	},
	sessionIdProperty,
];

export const description = updateDisplayOptions({ show: { operation: ['disconnect'] } }, properties);

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[][]> {
	return await executeItems(this, items, async (itemIndex) => {
		const sessionId = this.getNodeParameter('sessionId', itemIndex);
		const result = await disconnectSession(this, itemIndex, sessionId);
		return [
			{
				json: {
					sessionId: result.session?.sessionId ?? String(sessionId).trim(),
					disconnected: true,
					// false: the sidecar had no such session, so there was nothing left to disconnect.
					sessionFound: result.found,
				},
			},
		];
	});
}
