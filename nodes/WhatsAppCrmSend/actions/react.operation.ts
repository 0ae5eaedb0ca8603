/** React to a message with an emoji, or remove the reaction, through either source. */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';
import { buildReactionMessageBody, checkEmoji } from '../../../core/cloud-api/message-bodies';
import { getCloudApiConfig, sendCloudApiMessage } from '../../shared/cloud-api-client';
import { executeItems } from '../../shared/execute-items';
import { reactToMessage } from '../../shared/sidecar-client';
import { fromCore, messageIdOf } from '../helpers/core-input';
import { recipientOf } from '../helpers/recipient';
import { messageIdProperty, toProperty } from './common.descriptions';

const emojiProperty: INodeProperties = {
	displayName: 'Emoji',
	name: 'emoji',
	type: 'string',
	default: '👍',
	description: 'One emoji, such as 👍, ❤️ or 🙏. Leave empty to remove your reaction.',
};

export const description: INodeProperties[] = [
	// The Cloud API needs the chat's person too; WhatsApp Web finds the chat from the message id.
	...updateDisplayOptions({ show: { operation: ['react'], source: ['cloudApi'] } }, [
		{ ...toProperty, description: 'The person who sent (or received) the message to react to: their phone number or wa_id, such as message.remote.phone from the trigger' },
	]),
	...updateDisplayOptions({ show: { operation: ['react'] } }, [{ ...messageIdProperty, description: `The message to react to. ${messageIdProperty.description}` }, emojiProperty]),
	...updateDisplayOptions({ show: { operation: ['react'], source: ['cloudApi'] } }, [
		{
			displayName:
				'Meta accepts every reaction at first: one to a message older than 30 days, deleted or unknown fails later, as a failed status (error 131009) the WhatsApp CRM Trigger receives',
			name: 'reactionNotice',
			type: 'notice',
			default: '',
		},
	]),
];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[][]> {
	const node = this.getNode();
	const source = this.getNodeParameter('source', 0) as string;
	return await executeItems(this, items, async (itemIndex) => {
		const messageId = messageIdOf(node, this.getNodeParameter('messageId', itemIndex, ''), itemIndex);
		const emoji = fromCore(node, itemIndex, () => checkEmoji(this.getNodeParameter('emoji', itemIndex, '')));
		const outcome = { reactedTo: messageId, emoji, removed: emoji === '' };

		if (source === 'cloudApi') {
			const { to } = recipientOf(this, itemIndex);
			const body = fromCore(node, itemIndex, () => buildReactionMessageBody({ to, messageId, emoji }));
			const config = await getCloudApiConfig(this, itemIndex);
			const sent = await sendCloudApiMessage(this, itemIndex, config, body);
			return [{ json: { messageId: sent.messageId, to, ...outcome, source: 'cloud_api', sessionId: config.phoneNumberId } }];
		}

		const sessionId = this.getNodeParameter('sessionId', itemIndex);
		await reactToMessage(this, itemIndex, sessionId, { messageId, emoji });
		return [{ json: { ...outcome, source: 'sidecar', sessionId: String(sessionId).trim() } }];
	});
}
