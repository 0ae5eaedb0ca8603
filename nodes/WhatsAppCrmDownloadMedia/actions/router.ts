import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import * as download from './download.operation';

/** One operation (download a file by its media reference), with the same layout as the other action nodes. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await download.execute.call(this, this.getInputData());
}
