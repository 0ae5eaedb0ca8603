import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import * as getProgress from './getProgress.operation';
import * as start from './start.operation';

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const operation = this.getNodeParameter('operation', 0) as string;
	switch (operation) {
		case 'start':
			return await start.execute.call(this, items);
		case 'getProgress':
			return await getProgress.execute.call(this, items);
		default:
			throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported.`);
	}
}
