import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import * as check from './check.operation';
import * as connect from './connect.operation';
import * as disconnect from './disconnect.operation';

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const operation = this.getNodeParameter('operation', 0) as string;
	switch (operation) {
		case 'check':
			return await check.execute.call(this, items);
		case 'connect':
			return await connect.execute.call(this, items);
		case 'disconnect':
			return await disconnect.execute.call(this, items);
		default:
			throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported.`);
	}
}
