/** Mark a received message as read (blue ticks for the sender), through either source. */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';
import { buildMarkReadBody } from '../../../core/cloud-api/message-bodies';
import { getCloudApiConfig, markCloudApiMessageRead } from '../../shared/cloud-api-client';
import { executeItems } from '../../shared/execute-items';
import { markMessageRead } from '../../shared/sidecar-client';
import { fromCore, messageIdOf } from '../helpers/core-input';
import { messageIdProperty } from './common.descriptions';

export const description: INodeProperties[] = updateDisplayOptions({ show: { operation: ['markAsRead'] } }, [
	{
		...messageIdProperty,
		description: `The message the customer sent; it and the earlier messages of the chat show as read. ${messageIdProperty.description}`,
	},
]);

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[][]> {
	const node = this.getNode();
	const source = this.getNodeParameter('source', 0) as string;
	return await executeItems(this, items, async (itemIndex) => {
		const messageId = messageIdOf(node, this.getNodeParameter('messageId', itemIndex, ''), itemIndex);
		if (source === 'cloudApi') {
			const body = fromCore(node, itemIndex, () => buildMarkReadBody({ messageId }));
			const config = await getCloudApiConfig(this, itemIndex);
			await markCloudApiMessageRead(this, itemIndex, config, body);
			return [{ json: { messageId, read: true, source: 'cloud_api', sessionId: config.phoneNumberId } }];
		}
		const sessionId = this.getNodeParameter('sessionId', itemIndex);
		await markMessageRead(this, itemIndex, sessionId, messageId);
		return [{ json: { messageId, read: true, source: 'sidecar', sessionId: String(sessionId).trim() } }];
	});
}
