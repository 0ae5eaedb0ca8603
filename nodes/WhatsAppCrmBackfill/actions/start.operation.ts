/** Start a backfill of a session's recent history, optionally waiting until it has finished. */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties, JsonObject } from 'n8n-workflow';
import { NodeApiError, sleep, updateDisplayOptions } from 'n8n-workflow';
import { executeItems } from '../../shared/execute-items';
import { withErrorCode } from '../../shared/node-errors';
import { getBackfillJob, startBackfill, type SidecarBackfillJob } from '../../shared/sidecar-client';
import { sessionIdProperty } from '../../shared/session-id';

/** Job states after which nothing changes any more. */
const FINISHED_STATES = new Set(['completed', 'failed']);

const properties: INodeProperties[] = [
	sessionIdProperty(
		'The id of the user whose WhatsApp history to import: the id their phone was connected under.',
		{ fromIncomingEvent: true },
	),
	{
		displayName: 'Days',
		name: 'days',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 3650 },
		default: 30,
		description: 'How many days back to import. Only what WhatsApp still has on the linked phone can be imported.',
	},
	{
		displayName: 'Batch Size',
		name: 'batchSize',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 500 },
		default: 50,
		description: 'How many messages the sidecar sends to the WhatsApp CRM Trigger in one delivery',
	},
	{
		displayName: 'Wait Until Finished',
		name: 'waitUntilFinished',
		type: 'boolean',
		default: false,
		description:
			'Whether this node waits for the backfill to finish before it outputs the job. Off: it outputs the job at once and the backfill goes on in the background.',
	},
	{
		displayName: 'Maximum Wait (Minutes)',
		name: 'maxWaitMinutes',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 1440 },
		default: 30,
		description:
			'Stop waiting after this long and output the job as it is then (waitTimedOut: true). The backfill itself goes on.',
		displayOptions: { show: { waitUntilFinished: [true] } },
	},
	{
		displayName: 'Check Every (Seconds)',
		name: 'pollIntervalSeconds',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 300 },
		default: 5,
		description: 'How often to ask the sidecar for the progress while waiting',
		displayOptions: { show: { waitUntilFinished: [true] } },
	},
];

export const description = updateDisplayOptions({ show: { operation: ['start'] } }, properties);

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[][]> {
	return await executeItems(this, items, async (itemIndex) => {
		const sessionId = this.getNodeParameter('sessionId', itemIndex);
		const days = this.getNodeParameter('days', itemIndex, 30) as number;
		const batchSize = this.getNodeParameter('batchSize', itemIndex, 50) as number;
		let job = await startBackfill(this, itemIndex, sessionId, { days, batchSize });
		if (!this.getNodeParameter('waitUntilFinished', itemIndex, false)) {
			return [{ json: job as IDataObject }];
		}
		const maxWaitMs = Math.max(1, this.getNodeParameter('maxWaitMinutes', itemIndex, 30) as number) * 60_000;
		const pollMs = Math.max(1, this.getNodeParameter('pollIntervalSeconds', itemIndex, 5) as number) * 1000;
		const waited = await waitUntilFinished(this, itemIndex, job, { maxWaitMs, pollMs });
		job = waited.job;
		if (job.state === 'failed') {
			const reason = typeof job.error === 'string' && job.error !== '' ? job.error : 'no reason given';
			const error = new NodeApiError(this.getNode(), job as unknown as JsonObject, {
				message: `The backfill failed: ${reason}. Messages sent before the failure are in the CRM; start the backfill again to import the rest (it resumes where it can).`,
				description: `Backfill job ${job.jobId} failed after ${String(job.messagesSent ?? 0)} messages.`,
				itemIndex,
			});
			throw withErrorCode(error, 'backfill_failed');
		}
		return [{ json: { ...(job as IDataObject), waitTimedOut: waited.timedOut, waitCancelled: waited.cancelled } }];
	});
}

/**
 * Poll `GET /backfill/:jobId` until the job has finished, the maximum wait is
 * used up (`timedOut`), or the execution is cancelled (`cancelled`); the job
 * goes on on the sidecar in both of the last two cases.
 */
export async function waitUntilFinished(
	ctx: IExecuteFunctions,
	itemIndex: number,
	started: SidecarBackfillJob,
	timing: { maxWaitMs: number; pollMs: number },
): Promise<{ job: SidecarBackfillJob; timedOut: boolean; cancelled: boolean }> {
	const deadline = Date.now() + timing.maxWaitMs;
	const cancelled = () => ctx.getExecutionCancelSignal?.()?.aborted === true;
	let job = started;
	while (!FINISHED_STATES.has(job.state)) {
		if (cancelled()) return { job, timedOut: false, cancelled: true };
		const left = deadline - Date.now();
		if (left <= 0) return { job, timedOut: true, cancelled: false };
		await sleep(Math.min(timing.pollMs, left));
		if (cancelled()) return { job, timedOut: false, cancelled: true };
		job = await getBackfillJob(ctx, itemIndex, job.jobId, job.sessionId);
	}
	return { job, timedOut: false, cancelled: false };
}
