import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import * as markAsRead from './markAsRead.operation';
import * as react from './react.operation';
import * as sendLocation from './sendLocation.operation';
import * as sendMedia from './sendMedia.operation';
import * as sendViaCloudApi from './sendViaCloudApi.operation';
import * as sendViaSidecar from './sendViaSidecar.operation';

/** One file per operation; "Send Message" has one per source (a template exists only on the Cloud API). */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const source = this.getNodeParameter('source', 0) as string;
	if (source !== 'sidecar' && source !== 'cloudApi') {
		throw new NodeOperationError(this.getNode(), `"${source}" is not a source this node can send through.`);
	}
	// Workflows saved before the node had operations have none: they send a message.
	const operation = this.getNodeParameter('operation', 0, 'send') as string;
	switch (operation) {
		case 'send':
			return source === 'sidecar' ? await sendViaSidecar.execute.call(this, items) : await sendViaCloudApi.execute.call(this, items);
		case 'sendMedia':
			return await sendMedia.execute.call(this, items);
		case 'sendLocation':
			return await sendLocation.execute.call(this, items);
		case 'react':
			return await react.execute.call(this, items);
		case 'markAsRead':
			return await markAsRead.execute.call(this, items);
		default:
			throw new NodeOperationError(this.getNode(), `"${operation}" is not an operation of this node.`);
	}
}
