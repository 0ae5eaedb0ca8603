import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import * as resolve from './resolve.operation';

/** One operation (find or create the contact), with the same layout as the other action nodes. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await resolve.execute.call(this, this.getInputData());
}
