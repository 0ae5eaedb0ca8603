/** Send a text (optionally as a reply) through a user's WhatsApp Web session on the sidecar. */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';
import { toChatJid } from '../../../core/phone/e164';
import { executeItems } from '../../shared/execute-items';
import { sendTextMessage } from '../../shared/sidecar-client';
import { recipientOf } from '../helpers/recipient';
import { textProperty, toProperty } from './common.descriptions';
import { replyToOf } from '../helpers/core-input';
import { messageText } from './message-text';

const properties: INodeProperties[] = [toProperty, textProperty];

export const description = updateDisplayOptions({ show: { source: ['sidecar'], operation: ['send'] } }, properties);

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[][]> {
	const node = this.getNode();
	return await executeItems(this, items, async (itemIndex) => {
		const { options, to } = recipientOf(this, itemIndex);
		const text = messageText(this, itemIndex);
		const sessionId = this.getNodeParameter('sessionId', itemIndex);
		const quotedMessageId = replyToOf(node, options, itemIndex);
		const sent = await sendTextMessage(this, itemIndex, sessionId, { to: toChatJid(to), text, ...(quotedMessageId ? { quotedMessageId } : {}) });
		return [
			{
				json: {
					messageId: sent.messageId,
					to,
					source: 'sidecar',
					sessionId: typeof sent.event.sessionId === 'string' ? sent.event.sessionId : String(sessionId).trim(),
					event: sent.event as unknown as IDataObject,
				},
			},
		];
	});
}
