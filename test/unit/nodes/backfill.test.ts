/**
 * WhatsApp Backfill: Start (with and without waiting) and Get Progress,
 * against the real sidecar (in process, simulator driver, a seeded history
 * per linked session), its requests recorded on the way. Where a test needs an
 * answer the simulator does not give on demand — a job that failed, or one
 * that does not finish in time — the answer is changed on the wire.
 */
import type { SidecarBackfillJob } from '../../../nodes/shared/sidecar-client';
import { NodeApiError } from 'n8n-workflow';
import { WhatsAppCrmBackfill } from '../../../nodes/WhatsAppCrmBackfill/WhatsAppCrmBackfill.node';
import { waitUntilFinished } from '../../../nodes/WhatsAppCrmBackfill/actions/start.operation';
import { createExecuteContext, runNode, failureOf } from './support/run-node';
import { eventually } from '../../sidecar/helpers/harness';
import { sidecarCredential, startNodeTestSidecar, type NodeTestSidecar, type RecordedRequest } from './support/real-sidecar';

/** Linked; its phone has a few weeks of chats. */
const SESSION = '3f2b8c1e-6d4a-4f1b-9c2e-7a5d3b1c9e0f';
const UNLINKED = '9a1d5e2c-0b7f-4c3a-8d6e-1f2a3b4c5d6e';

// Starting the sidecar and linking its sessions takes a few seconds on a busy machine.
jest.setTimeout(60_000);

let sidecar: NodeTestSidecar;
const nodeType = new WhatsAppCrmBackfill();

beforeAll(async () => {
	sidecar = await startNodeTestSidecar();
	await sidecar.startUnlinked(UNLINKED);
	await sidecar.link(SESSION);
	await sidecar.simulate(SESSION, 'history', { days: 20, directChats: 6, seed: 42 });
});

beforeEach(() => {
	sidecar.requests.length = 0;
	sidecar.alterAnswer = undefined;
});

// A session runs one job at a time: each test starts with none running.
afterEach(async () => {
	const started = sidecar.requests.filter((request) => request.method === 'POST' && request.answer?.status === 202);
	for (const { jobId } of started.map((request) => request.answer!.body as { jobId: string })) {
		await eventually(async () => ((await sidecar.run.api('GET', `/backfill/${jobId}`)).body.state === 'running' ? undefined : true), 20_000, `job ${jobId} to end`);
	}
});

afterAll(async () => {
	await sidecar?.close();
});

const apiRequests = () => sidecar.requests;
const isProgressRead = (request: RecordedRequest) => request.method === 'GET' && request.path.startsWith('/backfill/');

/** From now on the sidecar's progress answers say the job is `state` (with `error`). */
function reportJobs(state: 'running' | 'failed', error: string | null = null): void {
	sidecar.alterAnswer = (request, answer) => {
		if (!isProgressRead(request) || answer.status !== 200) return undefined;
		const job = answer.body as Record<string, unknown>;
		return { status: 200, body: { ...job, state, error, finishedAt: state === 'failed' ? new Date().toISOString() : null } };
	};
}

function backfill(parameters: Record<string, unknown>, extra: { continueOnFail?: boolean } = {}) {
	return runNode({
		nodeType,
		parameters: parameters as never,
		credentials: { whatsAppSidecarApi: sidecarCredential(sidecar) },
		continueOnFail: extra.continueOnFail,
	});
}

describe('WhatsApp Backfill', () => {
	it('starts a backfill of 30 days in batches of 50 by default and outputs the job at once', async () => {
		const [items] = await backfill({ operation: 'start', sessionId: SESSION });

		const requests = apiRequests();
		expect(requests).toHaveLength(1);
		expect(requests[0]).toMatchObject({ method: 'POST', path: `/sessions/${SESSION}/backfill`, body: { days: 30, batchSize: 50 } });
		expect(requests[0]!.headers.authorization).toBe(`Bearer ${sidecar.apiKey}`);
		expect(items).toHaveLength(1);
		expect(items![0]!.pairedItem).toEqual({ item: 0 });
		expect(items![0]!.json).toMatchObject({
			jobId: expect.any(String),
			sessionId: SESSION,
			state: 'running',
			days: 30,
			batchSize: 50,
			chatsDone: 0,
			messagesSent: 0,
		});
		expect(items![0]!.json).not.toHaveProperty('waitTimedOut');
	});

	it('passes the days and batch size it is given', async () => {
		const [items] = await backfill({ operation: 'start', sessionId: SESSION, days: 7, batchSize: 200 });
		expect(apiRequests()[0]!.body).toEqual({ days: 7, batchSize: 200 });
		expect(items![0]!.json).toMatchObject({ days: 7, batchSize: 200 });
	});

	it('waits until the job has completed, reading its progress, and outputs the finished job', async () => {
		const [items] = await backfill({ operation: 'start', sessionId: SESSION, waitUntilFinished: true, pollIntervalSeconds: 1 });

		const job = items![0]!.json;
		expect(job).toMatchObject({ state: 'completed', chatsDone: job.chatsTotal, waitTimedOut: false, waitCancelled: false });
		expect(job.chatsTotal).toBeGreaterThanOrEqual(6);
		expect(job.messagesSent).toBeGreaterThan(100);
		expect(job.batchesSent).toBe(Math.ceil((job.messagesSent as number) / 50));
		expect(job.finishedAt).toEqual(expect.any(String));
		const reads = apiRequests().filter((request) => request.method === 'GET');
		expect(reads.length).toBeGreaterThan(0);
		expect(new Set(reads.map((request) => request.path))).toEqual(new Set([`/backfill/${job.jobId as string}`]));
		expect(reads.every((request) => request.headers.authorization === `Bearer ${sidecar.apiKey}`)).toBe(true);
	});

	it('fails with the reason when the awaited backfill fails', async () => {
		reportJobs('failed', 'the session disconnected during the backfill');
		const error = await failureOf(backfill({ operation: 'start', sessionId: SESSION, waitUntilFinished: true, pollIntervalSeconds: 1 }));

		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toMatch(/^The backfill failed: the session disconnected during the backfill\. /);
	});

	it('with Continue On Fail outputs a failed backfill as an error item', async () => {
		reportJobs('failed', 'ready timeout');
		const [items] = await backfill({ operation: 'start', sessionId: SESSION, waitUntilFinished: true, pollIntervalSeconds: 1 }, { continueOnFail: true });
		expect(items![0]).toEqual({
			json: { error: expect.stringMatching(/^The backfill failed: ready timeout/), code: 'backfill_failed' },
			pairedItem: { item: 0 },
		});
	});

	it('stops waiting when the maximum wait is used up and returns the job still running', async () => {
		reportJobs('running');
		const ctx = createExecuteContext({ nodeType, parameters: { operation: 'start', sessionId: SESSION }, credentials: { whatsAppSidecarApi: sidecarCredential(sidecar) } });
		const [items] = await runNode({ nodeType, parameters: { operation: 'start', sessionId: SESSION }, credentials: { whatsAppSidecarApi: sidecarCredential(sidecar) } });
		const started = items![0]!.json as SidecarBackfillJob;

		const waited = await waitUntilFinished(ctx, 0, started, { maxWaitMs: 1200, pollMs: 400 });

		expect(waited.timedOut).toBe(true);
		expect(waited.job).toMatchObject({ jobId: started.jobId, state: 'running' });
		expect(apiRequests().filter((request) => request.method === 'GET').length).toBeGreaterThan(0);
	});

	it('stops waiting when the execution is cancelled', async () => {
		const abort = new AbortController();
		abort.abort();
		const ctx = createExecuteContext({
			nodeType,
			parameters: { operation: 'start', sessionId: SESSION },
			credentials: { whatsAppSidecarApi: sidecarCredential(sidecar) },
			abortSignal: abort.signal,
		});
		const waited = await waitUntilFinished(ctx, 0, { jobId: 'job-1', sessionId: SESSION, state: 'running' }, { maxWaitMs: 60_000, pollMs: 1000 });
		expect(waited).toEqual({ job: { jobId: 'job-1', sessionId: SESSION, state: 'running' }, timedOut: false, cancelled: true });
		expect(apiRequests()).toHaveLength(0);
	});

	it('a run cancelled while waiting outputs the running job marked waitCancelled, not as a normal finish', async () => {
		const stop = new AbortController();
		const ctx = createExecuteContext({
			nodeType,
			parameters: { operation: 'start', sessionId: SESSION, waitUntilFinished: true, pollIntervalSeconds: 1 },
			credentials: { whatsAppSidecarApi: sidecarCredential(sidecar) },
			abortSignal: stop.signal,
		});
		// The user stops the run right after the sidecar has answered the start: the wait sees the cancel.
		const request = ctx.helpers.httpRequestWithAuthentication;
		ctx.helpers.httpRequestWithAuthentication = async function (this: unknown, ...args: Parameters<typeof request>) {
			const response: unknown = await request.apply(this as typeof ctx, args);
			stop.abort();
			return response;
		} as typeof request;
		const [items] = await nodeType.execute!.call(ctx);
		expect(apiRequests().map((request) => request.method)).toEqual(['POST']);
		expect(items![0]!.json).toMatchObject({ state: 'running', waitTimedOut: false, waitCancelled: true });
	});

	it("a second start while one runs returns the running job (the sidecar's rule), so nothing is imported twice", async () => {
		const [first] = await backfill({ operation: 'start', sessionId: SESSION });
		const [second] = await backfill({ operation: 'start', sessionId: SESSION, days: 90 });
		expect(second![0]!.json.jobId).toBe(first![0]!.json.jobId);
	});

	it('gets the progress of a job by its id', async () => {
		const [started] = await backfill({ operation: 'start', sessionId: SESSION });
		const jobId = started![0]!.json.jobId as string;

		const [items] = await backfill({ operation: 'getProgress', jobId });

		expect(apiRequests().at(-1)).toMatchObject({ method: 'GET', path: `/backfill/${jobId}` });
		expect(items![0]!.json).toMatchObject({ jobId, sessionId: SESSION, state: expect.stringMatching(/^(running|completed)$/), chatsTotal: expect.any(Number) });
		expect(items![0]!.json.messagesSent).toEqual(expect.any(Number));
		expect(items![0]!.pairedItem).toEqual({ item: 0 });
	});

	it('explains an unknown job id', async () => {
		const error = await failureOf(backfill({ operation: 'getProgress', jobId: 'b7c1e0a4-0000-4000-8000-000000000000' }));
		expect(error.message).toMatch(/no backfill job with this Job ID/);
		expect(error.httpCode).toBe('404');
	});

	it('refuses an empty Job ID before calling the sidecar', async () => {
		const error = await failureOf(backfill({ operation: 'getProgress', jobId: ' ' }));
		expect(error.message).toMatch(/Job ID is empty/);
		expect(apiRequests()).toHaveLength(0);
	});

	it('explains a session whose phone is not linked (409)', async () => {
		const error = await failureOf(backfill({ operation: 'start', sessionId: UNLINKED }));
		expect(error.message).toMatch(/not connected\. Link the phone again/);
	});
});
