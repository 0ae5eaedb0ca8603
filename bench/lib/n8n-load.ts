/**
 * Load on a real n8n (test/support/n8n): requests sent with a fixed number in
 * flight, the answer latency of each, the CPU the n8n process group used
 * (/proc/<pid>/stat of n8n and its task runner), and the executions the
 * requests started, counted in n8n's own list once nothing runs any more.
 *
 * The load generator stays out of what it measures as far as it can: requests go
 * out through Node's http module on kept-alive sockets (fetch costs several times
 * more per request, time n8n would wait for at one request at a time), and the
 * batch ends when n8n says its last execution stopped (its `stoppedAt`), not when a
 * poll happens to notice it.
 */
import fs from 'node:fs';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { N8nInstance } from '../../test/support/n8n';

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ: 100 on Linux). */
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU milliseconds (user + system) of every process in n8n's process group, plus the reaped children of its leader. */
export function groupCpuMs(leaderPid: number): number {
	let ticks = 0;
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		let stat: string;
		try {
			stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
		} catch {
			continue; // ended meanwhile
		}
		// The command name (field 2) is in parentheses and may hold spaces: fields count from after it.
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		const pgrp = Number(fields[2]);
		if (pgrp !== leaderPid) continue;
		ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
		if (Number(entry) === leaderPid) ticks += Number(fields[13]) + Number(fields[14]); // cutime, cstime
	}
	return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

export interface PreparedRequest {
	body: Buffer;
	headers: Record<string, string>;
}

export interface BatchResult {
	requests: number;
	/** Answers with a 2xx status. */
	answered2xx: number;
	/** Answers with another status, or no answer at all (the status or the error, counted). */
	refused: Record<string, number>;
	/** Per request, from sending to the end of the answer (ms). */
	latenciesMs: number[];
	/**
	 * From the first request sent until the batch's last execution stopped (ms): its
	 * `stoppedAt` when n8n saved them all, else when a poll (every 100 ms) found none running.
	 */
	durationMs: number;
	/** CPU of n8n's process group over durationMs. */
	cpuMs: number;
	/** Executions the batch started, by final status ('success', 'error', …; 'running'/'new' = unfinished). */
	executions: Record<string, number>;
	/** When successful executions are not saved: executions that ran through (requests answered 2xx − rows left). */
	successNotSaved: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface ExecutionRow {
	id: string;
	status: string;
	stoppedAt?: string | null;
}

interface Answer {
	status: number;
}

/** One POST on a kept-alive socket of `agent`; resolves once the whole answer is read. */
function post(agent: http.Agent, url: URL, request: PreparedRequest, timeoutMs: number): Promise<Answer> {
	return new Promise((resolve, reject) => {
		const req = http.request(
			url,
			{ method: 'POST', agent, headers: { ...request.headers, 'content-length': String(request.body.length) } },
			(res) => {
				res.on('error', reject);
				res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
				res.resume();
			},
		);
		req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('no answer in time'), { name: 'TimeoutError' })));
		req.on('error', reject);
		req.end(request.body);
	});
}

/** When the last of `rows` stopped (ms since the epoch), or undefined when one has no stoppedAt. */
function lastStop(rows: ExecutionRow[]): number | undefined {
	let last = 0;
	for (const row of rows) {
		const stopped = row.stoppedAt ? Date.parse(row.stoppedAt) : Number.NaN;
		if (!Number.isFinite(stopped)) return undefined;
		last = Math.max(last, stopped);
	}
	return rows.length > 0 ? last : undefined;
}

async function executionsAfter(n8n: N8nInstance, workflowId: string, afterId: number): Promise<ExecutionRow[]> {
	const rows: ExecutionRow[] = [];
	let cursor: string | undefined;
	for (;;) {
		const query = new URLSearchParams({ workflowId, limit: '250', ...(cursor ? { cursor } : {}) });
		const page = await n8n.api<{ data: ExecutionRow[]; nextCursor: string | null }>('GET', `/executions?${query}`);
		const newer = page.data.filter((row) => Number(row.id) > afterId);
		rows.push(...newer);
		// Newest first: once a page reaches the baseline, the rest is older.
		if (!page.nextCursor || newer.length < page.data.length) break;
		cursor = page.nextCursor;
	}
	return rows;
}

/** The newest execution id of the workflow (0 when none). */
export async function newestExecutionId(n8n: N8nInstance, workflowId: string): Promise<number> {
	const page = await n8n.api<{ data: ExecutionRow[] }>('GET', `/executions?${new URLSearchParams({ workflowId, limit: '1' })}`);
	return page.data.length > 0 ? Number(page.data[0].id) : 0;
}

async function running(n8n: N8nInstance, workflowId: string): Promise<number> {
	const query = new URLSearchParams({ workflowId, status: 'running', limit: '1' });
	const page = await n8n.api<{ data: unknown[] }>('GET', `/executions?${query}`);
	return page.data.length;
}

/**
 * Sends `count` requests (made by `requestAt(i)` just before sending, so signatures are
 * fresh) to `url` with `concurrency` in flight, waits until the workflow has no running
 * execution, and reports. `saveSuccess: false` when n8n does not keep successful executions.
 */
export async function runBatch(options: {
	n8n: N8nInstance;
	url: string;
	workflowId: string;
	count: number;
	concurrency: number;
	requestAt: (i: number) => PreparedRequest;
	saveSuccess: boolean;
	/** Give up waiting for executions to finish after this long (they are then reported unfinished). */
	settleTimeoutMs?: number;
}): Promise<BatchResult> {
	const { n8n, url, workflowId, count, concurrency, requestAt } = options;
	const pid = n8n.pid;
	if (pid === undefined) throw new Error('n8n has no process id');
	const baseline = await newestExecutionId(n8n, workflowId);
	const latenciesMs: number[] = [];
	const refused: Record<string, number> = {};
	let answered2xx = 0;
	let next = 0;
	const target = new URL(url);
	const agent = new http.Agent({ keepAlive: true, maxSockets: Math.max(1, concurrency) });
	const cpuBefore = groupCpuMs(pid);
	const startedAtMs = Date.now();
	const t0 = performance.now();
	const worker = async () => {
		while (next < count) {
			const request = requestAt(next++);
			const s = performance.now();
			try {
				const { status } = await post(agent, target, request, 120_000);
				if (status >= 200 && status < 300) answered2xx++;
				else refused[String(status)] = (refused[String(status)] ?? 0) + 1;
			} catch (error) {
				const key = (error as Error).name || 'error';
				refused[key] = (refused[key] ?? 0) + 1;
			}
			latenciesMs.push(performance.now() - s);
		}
	};
	try {
		await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
	} finally {
		agent.destroy();
	}
	// Executions still running once every answer is in (the Webhook node and the trigger answer at once).
	const deadline = Date.now() + (options.settleTimeoutMs ?? 120_000);
	let end = performance.now();
	while (Date.now() < deadline) {
		end = performance.now();
		if ((await running(n8n, workflowId)) === 0) break;
		await sleep(100);
	}
	const cpuAfter = groupCpuMs(pid);
	// One more look a moment later: an execution created but not yet started is not "running".
	await sleep(300);
	const rows = await executionsAfter(n8n, workflowId, baseline);
	// Every accepted request's execution saved and stopped: the batch ended when the last one did.
	const stopped = options.saveSuccess && rows.length >= answered2xx ? lastStop(rows) : undefined;
	const executions: Record<string, number> = {};
	for (const row of rows) executions[row.status] = (executions[row.status] ?? 0) + 1;
	return {
		requests: count,
		answered2xx,
		refused,
		latenciesMs,
		durationMs: stopped !== undefined ? stopped - startedAtMs : end - t0,
		cpuMs: cpuAfter - cpuBefore,
		executions,
		successNotSaved: options.saveSuccess ? 0 : Math.max(0, answered2xx - rows.length),
	};
}
