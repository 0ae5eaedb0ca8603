import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import * as sendViaCloudApi from './sendViaCloudApi.operation';
import * as sendViaSidecar from './sendViaSidecar.operation';

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const source = this.getNodeParameter('source', 0) as string;
	switch (source) {
		case 'sidecar':
			return await sendViaSidecar.execute.call(this, items);
		case 'cloudApi':
			return await sendViaCloudApi.execute.call(this, items);
		default:
			throw new NodeOperationError(this.getNode(), `"${source}" is not a source this node can send through.`);
	}
}
