/**
 * A real n8n (2.41.1 on Node 24) with this package loaded as a community package, for
 * end-to-end tests. Each instance has its own user folder (SQLite database, settings,
 * installed package) under the OS temp dir, its own ports, an owner created from the
 * environment, and an API key for n8n's public API.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { N8nClient } from '../../../scripts/lib/n8n-client';
import { n8nEnvironment, startN8nProcess } from '../../../scripts/lib/n8n-server';
import { freePort } from '../../../scripts/lib/ports';
import { signalGroup, sleep, stopChild, type ChildHandle } from '../../../scripts/lib/processes';
import { E2E_CACHE_DIR, installCommunityPackage } from './community-package';
import { isFinishedExecution, type N8nExecution, type N8nExecutionSummary } from './executions';
import { n8nRuntime } from './runtime';
import { DEFAULT_WORKFLOW_NAME, type WorkflowJson } from './workflow-json';

/** A free TCP port on 127.0.0.1 (asked from the kernel, then released). */
export { freePort };

export interface StartN8nOptions {
	/** Extra environment for n8n (wins over the harness's defaults). */
	env?: Record<string, string>;
	/** Port for n8n's HTTP server; a free one by default. */
	port?: number;
	/** Install this package into the user folder as a community package (default true). */
	installPackage?: boolean;
	/** How long to wait for /healthz/readiness (default 180 s). */
	startTimeoutMs?: number;
}

export interface WaitForWebhookOptions {
	/** Give up after this long (default 30 s). */
	timeoutMs?: number;
	/**
	 * 'options' (default): a CORS preflight (`OPTIONS` with an `Origin` header), which n8n
	 * answers with `Access-Control-Allow-Methods` listing the methods registered at the
	 * path, and which never starts an execution, whatever the methods.
	 * 'get': `GET` until n8n's 404 says the path is registered for
	 * another method ("Did you mean to make a POST request?"), or, when `method` is GET,
	 * until the GET stops answering 404 (that GET reaches the workflow's webhook).
	 */
	probe?: 'options' | 'get';
}

export interface N8nInstance {
	/** `http://127.0.0.1:<port>` */
	readonly baseUrl: string;
	readonly port: number;
	/** The n8n process's id (the leader of its process group, which holds its task runner too). */
	readonly pid: number | undefined;
	/** N8N_USER_FOLDER (a temp dir, removed by stop()). */
	readonly userFolder: string;
	/** The community package's directory inside the user folder (undefined when not installed). */
	readonly packageDir: string | undefined;
	/** The owner's credentials (created from the environment). */
	readonly owner: { email: string; password: string };
	/** The public API key (`X-N8N-API-KEY`). */
	readonly apiKey: string;
	/** Production webhook URL: `<baseUrl>/webhook/<path>`. */
	webhookUrl(webhookPath: string): string;
	/** Everything n8n printed so far (stdout and stderr, N8N_LOG_LEVEL=warn by default). */
	logs(): string;

	/** A call to the public API (`/api/v1<apiPath>`); throws on a non-2xx answer. */
	api<T = unknown>(method: string, apiPath: string, body?: unknown): Promise<T>;
	/** A call to the internal REST API (`/rest<restPath>`) as the logged-in owner; throws on non-2xx. */
	rest<T = unknown>(method: string, restPath: string, body?: unknown): Promise<T>;
	/** GET of a path that needs the owner's session cookie (e.g. `/types/nodes.json`). */
	getAsOwner(urlPath: string): Promise<Response>;

	/** Creates a workflow from exported JSON through the public API; returns its id. */
	importWorkflow(json: WorkflowJson): Promise<string>;
	/** Activates (publishes) a workflow; its production webhooks then register. */
	activate(workflowId: string): Promise<void>;
	deactivate(workflowId: string): Promise<void>;
	/** Waits until n8n has registered a production webhook at `/webhook/<path>` for `method`. */
	waitForWebhook(webhookPath: string, method?: string, options?: WaitForWebhookOptions): Promise<void>;
	/** Creates a credential through the public API; returns its id. */
	createCredential(type: string, name: string, data: Record<string, unknown>): Promise<string>;

	/** Finished executions of a workflow (isFinishedExecution), oldest first, with their data. */
	listExecutions(workflowId: string): Promise<N8nExecution[]>;
	/** Executions of a workflow still running (the list above leaves them out). */
	listRunningExecutions(workflowId: string): Promise<N8nExecutionSummary[]>;
	/** How many executions the workflow has, finished or running. */
	countExecutions(workflowId: string): Promise<number>;
	/** One execution with its data (plain JSON). */
	getExecution(id: string): Promise<N8nExecution>;
	/**
	 * Polls until the workflow has at least `count` finished executions (isFinishedExecution:
	 * success, error, canceled or crashed); returns them, oldest first.
	 */
	waitForExecutions(workflowId: string, count: number, timeoutMs?: number): Promise<N8nExecution[]>;
	/**
	 * Watches the workflow for `settleMs` (default 3 s) and throws if its execution count
	 * (finished or running) rises above `knownCount` — for "this request started no
	 * execution". Pass the count taken before the request (default: the count at call time).
	 */
	expectNoNewExecutions(workflowId: string, knownCount?: number, settleMs?: number): Promise<void>;

	/**
	 * Stops n8n — with SIGTERM (a clean shutdown, the default) or SIGKILL to its whole
	 * process group (a crash) — and starts it again on the same user folder, port,
	 * database and encryption key; resolves once it is ready and logged in again.
	 * Production webhooks of active workflows register again: wait for them with
	 * waitForWebhook.
	 */
	restart(options?: { signal?: 'SIGTERM' | 'SIGKILL' }): Promise<void>;
	/** Stops n8n (SIGTERM, or SIGKILL for a crash) without starting it again; `restart` brings it back. */
	halt(options?: { signal?: 'SIGTERM' | 'SIGKILL' }): Promise<void>;

	/**
	 * SIGTERM, SIGKILL after a grace period, then removes the user folder (kept when
	 * WHATSAPP_CRM_E2E_KEEP=1, for debugging). Safe to call twice.
	 */
	stop(): Promise<void>;
}

const OWNER_EMAIL = 'owner@e2e.test';
const BROWSER_ID = 'whatsapp-crm-e2e';
/** N8N_GRACEFUL_SHUTDOWN_TIMEOUT: how long n8n itself gives running executions on SIGTERM. */
const SHUTDOWN_TIMEOUT_S = 5;
/** How long stop() waits after SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 15_000;

export async function startN8n(options: StartN8nOptions = {}): Promise<N8nInstance> {
	try {
		return await startOnce(options);
	} catch (error) {
		// A free port found by freePort() can be taken by someone else before n8n binds it (more
		// likely with two jest workers starting n8n processes at once), and n8n does not always say
		// so before it exits: one more try, with new ports and a new user folder.
		const message = (error as Error).message;
		if (options.port === undefined && /EADDRINUSE|exited \(code/.test(message)) {
			console.warn(`[n8n harness] n8n did not start; trying once more with new ports: ${message.split('\n')[0]}`);
			return await startOnce(options);
		}
		throw error;
	}
}

const keepFolders = () => process.env.WHATSAPP_CRM_E2E_KEEP === '1';

/**
 * What a test's n8n (and the n8n command line) takes from the caller's environment:
 * PATH, HOME and LANG only — not the caller's N8N_* / DB_* settings nor TZ (UTC), so a
 * developer's own n8n settings cannot change what a test sees.
 */
export function inheritedEnv(): NodeJS.ProcessEnv {
	return { PATH: process.env.PATH, HOME: process.env.HOME, LANG: process.env.LANG };
}

async function startOnce(options: StartN8nOptions): Promise<N8nInstance> {
	const runtime = n8nRuntime();
	mkdirSync(E2E_CACHE_DIR, { recursive: true });
	const userFolder = mkdtempSync(path.join(E2E_CACHE_DIR, 'n8n-'));
	const logFile = path.join(userFolder, 'n8n.log');
	try {
		const packageDir = options.installPackage === false ? undefined : installCommunityPackage(userFolder);
		const port = options.port ?? (await freePort());
		const owner = { email: OWNER_EMAIL, password: `E2e-${randomBytes(9).toString('base64url')}` };
		const env: Record<string, string> = {
			...n8nEnvironment({
				runtime,
				userFolder,
				port,
				brokerPort: await freePort(),
				encryptionKey: randomBytes(24).toString('hex'),
				owner: { ...owner, firstName: 'E2E', lastName: 'Owner' },
				publicUrl: `http://127.0.0.1:${port}/`,
				logLevel: 'warn',
				shutdownTimeoutSeconds: SHUTDOWN_TIMEOUT_S,
				baseEnv: inheritedEnv(),
			}),
			...options.env,
		};

		// Its own process group, so stop() also reaches the task runner.
		const handle = startN8nProcess({ runtime, userFolder, env, logFile, tag: 'n8n harness' });
		// A worker that exits without stop() (a test that forgot afterAll) must not leave n8n behind.
		let current = handle;
		const killOnExit = () => {
			if (current.child.pid !== undefined) signalGroup(current.child.pid, 'SIGKILL');
		};
		process.once('exit', killOnExit);

		const client = new N8nClient({ baseUrl: `http://127.0.0.1:${port}`, browserId: BROWSER_ID });
		const spawn = () => (current = startN8nProcess({ runtime, userFolder, env, logFile, tag: 'n8n harness' }));
		const instance = new RunningN8n(handle, killOnExit, client, port, userFolder, packageDir, logFile, owner, spawn, options.startTimeoutMs ?? 180_000);
		try {
			await client.waitUntilReady({ timeoutMs: options.startTimeoutMs ?? 180_000, exited: handle.exited });
			await client.login(owner.email, owner.password);
			await client.createApiKey(`e2e-${randomUUID()}`);
		} catch (error) {
			const tail = instance.logs().split('\n').slice(-60).join('\n');
			await instance.stop();
			throw new Error(`n8n did not start: ${(error as Error).message}\n--- n8n log (last lines) ---\n${tail}`);
		}
		return instance;
	} catch (error) {
		if (!keepFolders()) rmSync(userFolder, { recursive: true, force: true });
		throw error;
	}
}

class RunningN8n implements N8nInstance {
	private stopped: Promise<void> | undefined;

	private halted = false;

	constructor(
		private handle: ChildHandle,
		private readonly killOnExit: () => void,
		private readonly client: N8nClient,
		readonly port: number,
		readonly userFolder: string,
		readonly packageDir: string | undefined,
		private readonly logFile: string,
		readonly owner: { email: string; password: string },
		private readonly spawn: () => ChildHandle,
		private readonly startTimeoutMs: number,
	) {}

	async halt(options: { signal?: 'SIGTERM' | 'SIGKILL' } = {}): Promise<void> {
		if (options.signal === 'SIGKILL') {
			// A crash: the whole group (n8n and its task runner) at once, nothing to clean up.
			if (this.handle.child.pid !== undefined) signalGroup(this.handle.child.pid, 'SIGKILL');
			await this.handle.exited;
		} else {
			await stopChild(this.handle, { graceMs: STOP_GRACE_MS });
		}
		this.halted = true;
	}

	async restart(options: { signal?: 'SIGTERM' | 'SIGKILL' } = {}): Promise<void> {
		if (!this.halted) await this.halt(options);
		this.handle = this.spawn();
		this.halted = false;
		try {
			await this.client.waitUntilReady({ timeoutMs: this.startTimeoutMs, exited: this.handle.exited });
			await this.client.login(this.owner.email, this.owner.password);
		} catch (error) {
			const tail = this.logs().split('\n').slice(-60).join('\n');
			throw new Error(`n8n did not start again: ${(error as Error).message}\n--- n8n log (last lines) ---\n${tail}`);
		}
	}

	get pid(): number | undefined {
		return this.handle.child.pid;
	}

	get baseUrl(): string {
		return this.client.baseUrl;
	}

	get apiKey(): string {
		return this.client.apiKey;
	}

	webhookUrl(webhookPath: string): string {
		return `${this.baseUrl}/webhook/${webhookPath.replace(/^\/+/, '')}`;
	}

	logs(): string {
		try {
			return readFileSync(this.logFile, 'utf8');
		} catch {
			return '';
		}
	}

	async rest<T>(method: string, restPath: string, body?: unknown): Promise<T> {
		return await this.client.rest<T>(method, restPath, body);
	}

	async getAsOwner(urlPath: string): Promise<Response> {
		return await this.client.getAsUser(urlPath);
	}

	async api<T>(method: string, apiPath: string, body?: unknown): Promise<T> {
		return await this.client.api<T>(method, apiPath, body);
	}

	async importWorkflow(json: WorkflowJson): Promise<string> {
		return await this.client.importWorkflow(json, { defaultName: DEFAULT_WORKFLOW_NAME });
	}

	async activate(workflowId: string): Promise<void> {
		await this.client.activate(workflowId);
	}

	async deactivate(workflowId: string): Promise<void> {
		await this.client.deactivate(workflowId);
	}

	async waitForWebhook(webhookPath: string, method = 'POST', options: WaitForWebhookOptions = {}): Promise<void> {
		await this.client.waitForWebhook(webhookPath, { method, ...options });
	}

	async createCredential(type: string, name: string, data: Record<string, unknown>): Promise<string> {
		return await this.client.createCredential({ type, name, data });
	}

	async listExecutions(workflowId: string): Promise<N8nExecution[]> {
		return (await this.everyListedExecution(workflowId, true)).filter(isFinishedExecution);
	}

	/** What n8n's public list holds for the workflow (all but those running in this process), oldest first. */
	private async everyListedExecution(workflowId: string, includeData: boolean): Promise<N8nExecution[]> {
		const query = new URLSearchParams({ workflowId, ...(includeData ? { includeData: 'true' } : {}) });
		const all = await this.client.listAll<N8nExecution>(`/executions?${query}`);
		return all.sort((a, b) => Number(a.id) - Number(b.id));
	}

	async listRunningExecutions(workflowId: string): Promise<N8nExecutionSummary[]> {
		const query = new URLSearchParams({ workflowId, status: 'running', limit: '250' });
		const page = await this.api<{ data: N8nExecutionSummary[] }>('GET', `/executions?${query}`);
		return page.data;
	}

	async countExecutions(workflowId: string): Promise<number> {
		const [listed, runningNow] = await Promise.all([
			this.api<{ data: unknown[]; nextCursor: string | null }>(
				'GET',
				`/executions?${new URLSearchParams({ workflowId, limit: '250' })}`,
			),
			this.listRunningExecutions(workflowId),
		]);
		if (listed.nextCursor) return (await this.everyListedExecution(workflowId, false)).length + runningNow.length;
		return listed.data.length + runningNow.length;
	}

	async getExecution(id: string): Promise<N8nExecution> {
		return await this.api<N8nExecution>('GET', `/executions/${id}?includeData=true`);
	}

	async waitForExecutions(workflowId: string, count: number, timeoutMs = 30_000): Promise<N8nExecution[]> {
		const deadline = Date.now() + timeoutMs;
		let listed: N8nExecution[] = [];
		while (Date.now() < deadline) {
			listed = await this.everyListedExecution(workflowId, true);
			const finished = listed.filter(isFinishedExecution);
			if (finished.length >= count) return finished;
			await sleep(250);
		}
		const unfinished = listed.filter((execution) => !isFinishedExecution(execution)).map((execution) => `${execution.id}: ${execution.status}`);
		throw new Error(
			`workflow ${workflowId}: expected ${count} finished execution(s) within ${timeoutMs} ms, saw ${listed.length - unfinished.length}` +
				(unfinished.length > 0 ? ` (not finished: ${unfinished.join(', ')})` : ''),
		);
	}

	async expectNoNewExecutions(workflowId: string, knownCount?: number, settleMs = 3000): Promise<void> {
		const baseline = knownCount ?? (await this.countExecutions(workflowId));
		const deadline = Date.now() + settleMs;
		do {
			const now = await this.countExecutions(workflowId);
			if (now > baseline) {
				throw new Error(`workflow ${workflowId}: ${now - baseline} new execution(s) started, expected none`);
			}
			await sleep(250);
		} while (Date.now() < deadline);
	}

	async stop(): Promise<void> {
		this.stopped ??= this.doStop();
		return await this.stopped;
	}

	private async doStop(): Promise<void> {
		// n8n ends its task runner itself; a runner left behind by a crash goes with the group.
		await stopChild(this.handle, { graceMs: STOP_GRACE_MS });
		process.removeListener('exit', this.killOnExit);
		if (keepFolders()) {
			process.stderr.write(`[n8n harness] kept ${this.userFolder} (WHATSAPP_CRM_E2E_KEEP=1)\n`);
		} else {
			rmSync(this.userFolder, { recursive: true, force: true, maxRetries: 3 });
		}
	}
}
