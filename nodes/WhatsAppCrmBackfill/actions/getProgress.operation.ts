/** A backfill job's progress. */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';
import { executeItems } from '../../shared/execute-items';
import { getBackfillJob } from '../../shared/sidecar-client';

const properties: INodeProperties[] = [
	{
		displayName: 'Job ID',
		name: 'jobId',
		type: 'string',
		default: '',
		required: true,
		description: 'The jobId that WhatsApp Backfill with Operation "Start" returned',
	},
];

export const description = updateDisplayOptions({ show: { operation: ['getProgress'] } }, properties);

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[][]> {
	return await executeItems(this, items, async (itemIndex) => {
		const job = await getBackfillJob(this, itemIndex, this.getNodeParameter('jobId', itemIndex));
		return [{ json: job as IDataObject }];
	});
}
