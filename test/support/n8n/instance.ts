/**
 * A real n8n (2.41.1 on Node 24) with this package loaded as a community package, for
 * end-to-end tests. Each instance has its own user folder (SQLite database, settings,
 * installed package) under the OS temp dir, its own ports, an owner created from the
 * environment, and an API key for n8n's public API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { appendFileSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { E2E_CACHE_DIR, installCommunityPackage } from './community-package';
import type { N8nExecution, N8nExecutionSummary } from './executions';
import { n8nRuntime } from './runtime';
import { toCreateWorkflowBody, type WorkflowJson } from './workflow-json';

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
	 * 'get': the field notes' probe — `GET` until the 404 says the path is registered for
	 * another method ("Did you mean to make a POST request?"), or, when `method` is GET,
	 * until the GET stops answering 404 (that GET reaches the workflow's webhook).
	 */
	probe?: 'options' | 'get';
}

export interface N8nInstance {
	/** `http://127.0.0.1:<port>` */
	readonly baseUrl: string;
	readonly port: number;
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

	/** Finished executions of a workflow, oldest first, with their data. */
	listExecutions(workflowId: string): Promise<N8nExecution[]>;
	/** Executions of a workflow still running (the list above leaves them out). */
	listRunningExecutions(workflowId: string): Promise<N8nExecutionSummary[]>;
	/** How many executions the workflow has, finished or running. */
	countExecutions(workflowId: string): Promise<number>;
	/** One execution with its data (plain JSON). */
	getExecution(id: string): Promise<N8nExecution>;
	/** Polls until the workflow has at least `count` finished executions; returns them, oldest first. */
	waitForExecutions(workflowId: string, count: number, timeoutMs?: number): Promise<N8nExecution[]>;
	/**
	 * Watches the workflow for `settleMs` (default 3 s) and throws if its execution count
	 * (finished or running) rises above `knownCount` — for "this request started no
	 * execution". Pass the count taken before the request (default: the count at call time).
	 */
	expectNoNewExecutions(workflowId: string, knownCount?: number, settleMs?: number): Promise<void>;

	/**
	 * SIGTERM, SIGKILL after a grace period, then removes the user folder (kept when
	 * WHATSAPP_CRM_E2E_KEEP=1, for debugging). Safe to call twice.
	 */
	stop(): Promise<void>;
}

const OWNER_EMAIL = 'owner@e2e.test';
const BROWSER_ID = 'whatsapp-crm-e2e';
/** How long stop() waits after SIGTERM before SIGKILL (n8n gets N8N_GRACEFUL_SHUTDOWN_TIMEOUT=5). */
const STOP_GRACE_MS = 15_000;

/** A free TCP port on 127.0.0.1 (asked from the kernel, then released). */
export async function freePort(): Promise<number> {
	return await new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as net.AddressInfo;
			server.close(() => resolve(port));
		});
	});
}

export async function startN8n(options: StartN8nOptions = {}): Promise<N8nInstance> {
	try {
		return await startOnce(options);
	} catch (error) {
		// A free port found by freePort() can be taken by someone else before n8n binds it: retry once.
		if (options.port === undefined && /EADDRINUSE/.test((error as Error).message)) return await startOnce(options);
		throw error;
	}
}

const keepFolders = () => process.env.WHATSAPP_CRM_E2E_KEEP === '1';

async function startOnce(options: StartN8nOptions): Promise<N8nInstance> {
	const runtime = n8nRuntime();
	mkdirSync(E2E_CACHE_DIR, { recursive: true });
	const userFolder = mkdtempSync(path.join(E2E_CACHE_DIR, 'n8n-'));
	const logFile = path.join(userFolder, 'n8n.log');
	try {
		const packageDir = options.installPackage === false ? undefined : installCommunityPackage(userFolder);
		const port = options.port ?? (await freePort());
		const brokerPort = await freePort();
		const password = `E2e-${randomBytes(9).toString('base64url')}`;
		const bcrypt = runtime.require('bcryptjs') as { hashSync(s: string, rounds: number): string };

		const env: Record<string, string> = {
			PATH: `${path.dirname(runtime.node)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
			HOME: process.env.HOME ?? userFolder,
			TMPDIR: os.tmpdir(),
			LANG: process.env.LANG ?? 'C.UTF-8',
			TZ: 'UTC',
			NODE_ENV: 'production',
			N8N_USER_FOLDER: userFolder,
			N8N_PORT: String(port),
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_HOST: '127.0.0.1',
			N8N_PROTOCOL: 'http',
			WEBHOOK_URL: `http://127.0.0.1:${port}/`,
			N8N_EDITOR_BASE_URL: `http://127.0.0.1:${port}/`,
			N8N_SECURE_COOKIE: 'false',
			N8N_RUNNERS_BROKER_PORT: String(brokerPort),
			N8N_ENCRYPTION_KEY: randomBytes(24).toString('hex'),
			N8N_LOG_LEVEL: 'warn',
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_HIRING_BANNER_ENABLED: 'false',
			N8N_DISABLED_MODULES: 'mcp-registry',
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
			N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '5',
			N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
			N8N_INSTANCE_OWNER_EMAIL: OWNER_EMAIL,
			N8N_INSTANCE_OWNER_FIRST_NAME: 'E2E',
			N8N_INSTANCE_OWNER_LAST_NAME: 'Owner',
			N8N_INSTANCE_OWNER_PASSWORD_HASH: bcrypt.hashSync(password, 10),
			...options.env,
		};

		const out = openSync(logFile, 'a');
		const child = spawn(runtime.node, [runtime.n8n, 'start'], {
			cwd: userFolder,
			env,
			stdio: ['ignore', out, out],
			detached: true, // its own process group, so stop() also reaches the task runner
		});
		closeSync(out);
		// A worker that exits without stop() (a test that forgot afterAll) must not leave n8n behind.
		const killOnExit = () => killGroup(child, 'SIGKILL');
		process.once('exit', killOnExit);
		const exited = new Promise<number | null>((resolve) => {
			child.once('exit', (code) => resolve(code));
			child.once('error', (error) => {
				appendFileSync(logFile, `\n[n8n harness] could not run ${runtime.node}: ${error.message}\n`);
				resolve(-1);
			});
		});

		const baseUrl = `http://127.0.0.1:${port}`;
		const instance = new RunningN8n(child, exited, killOnExit, baseUrl, port, userFolder, packageDir, logFile, {
			email: OWNER_EMAIL,
			password,
		});
		try {
			await instance.waitUntilReady(options.startTimeoutMs ?? 180_000);
			await instance.login();
			await instance.createApiKey();
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

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
	if (child.pid === undefined) return;
	try {
		process.kill(-child.pid, signal);
	} catch {
		// already gone
	}
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

class RunningN8n implements N8nInstance {
	private cookie = '';
	private key = '';
	private stopped: Promise<void> | undefined;

	constructor(
		private readonly child: ChildProcess,
		private readonly exited: Promise<number | null>,
		private readonly killOnExit: () => void,
		readonly baseUrl: string,
		readonly port: number,
		readonly userFolder: string,
		readonly packageDir: string | undefined,
		private readonly logFile: string,
		readonly owner: { email: string; password: string },
	) {}

	get apiKey(): string {
		return this.key;
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

	async waitUntilReady(timeoutMs: number): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		let exitCode: number | null | undefined;
		void this.exited.then((code) => (exitCode = code));
		while (Date.now() < deadline) {
			if (exitCode !== undefined) throw new Error(`n8n exited with code ${exitCode} before it was ready`);
			try {
				const res = await fetch(`${this.baseUrl}/healthz/readiness`, { signal: AbortSignal.timeout(2000) });
				if (res.status === 200) return;
			} catch {
				// not listening yet
			}
			await sleep(250);
		}
		throw new Error(`/healthz/readiness not 200 within ${timeoutMs} ms`);
	}

	async login(): Promise<void> {
		const res = await fetch(`${this.baseUrl}/rest/login`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'browser-id': BROWSER_ID },
			body: JSON.stringify({ emailOrLdapLoginId: this.owner.email, password: this.owner.password }),
		});
		if (!res.ok) throw new Error(`login failed: ${res.status} ${await res.text()}`);
		const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0]);
		this.cookie = cookies.join('; ');
	}

	async createApiKey(): Promise<void> {
		const scopes = await this.rest<string[]>('GET', '/api-keys/scopes');
		const created = await this.rest<{ rawApiKey: string }>('POST', '/api-keys', {
			label: `e2e-${randomUUID()}`,
			expiresAt: null,
			scopes,
		});
		this.key = created.rawApiKey;
	}

	async rest<T>(method: string, restPath: string, body?: unknown): Promise<T> {
		const res = await fetch(`${this.baseUrl}/rest${restPath}`, {
			method,
			headers: {
				cookie: this.cookie,
				'browser-id': BROWSER_ID,
				...(body === undefined ? {} : { 'content-type': 'application/json' }),
			},
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await res.text();
		if (!res.ok) throw new Error(`${method} /rest${restPath}: ${res.status} ${text}`);
		const parsed = text ? (JSON.parse(text) as { data?: T }) : {};
		return (parsed.data ?? parsed) as T;
	}

	async getAsOwner(urlPath: string): Promise<Response> {
		return await fetch(`${this.baseUrl}${urlPath}`, { headers: { cookie: this.cookie, 'browser-id': BROWSER_ID } });
	}

	async api<T>(method: string, apiPath: string, body?: unknown): Promise<T> {
		const res = await fetch(`${this.baseUrl}/api/v1${apiPath}`, {
			method,
			headers: {
				'X-N8N-API-KEY': this.key,
				accept: 'application/json',
				...(body === undefined ? {} : { 'content-type': 'application/json' }),
			},
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await res.text();
		if (!res.ok) throw new Error(`${method} /api/v1${apiPath}: ${res.status} ${text}`);
		return (text ? JSON.parse(text) : undefined) as T;
	}

	async importWorkflow(json: WorkflowJson): Promise<string> {
		const created = await this.api<{ id: string }>('POST', '/workflows', toCreateWorkflowBody(json));
		return created.id;
	}

	async activate(workflowId: string): Promise<void> {
		await this.api('POST', `/workflows/${workflowId}/activate`, {});
	}

	async deactivate(workflowId: string): Promise<void> {
		await this.api('POST', `/workflows/${workflowId}/deactivate`, {});
	}

	async waitForWebhook(webhookPath: string, method = 'POST', options: WaitForWebhookOptions = {}): Promise<void> {
		const wanted = method.toUpperCase();
		const url = this.webhookUrl(webhookPath);
		const deadline = Date.now() + (options.timeoutMs ?? 30_000);
		let last = '';
		while (Date.now() < deadline) {
			if ((options.probe ?? 'options') === 'options') {
				const res = await fetch(url, {
					method: 'OPTIONS',
					headers: { origin: this.baseUrl, 'access-control-request-method': wanted },
				});
				const allowed = (res.headers.get('access-control-allow-methods') ?? '')
					.split(',')
					.map((m) => m.trim().toUpperCase());
				await res.arrayBuffer();
				if (res.status < 400 && allowed.includes(wanted)) return;
				last = `OPTIONS → ${res.status}, allowed: ${allowed.join(' ') || 'none'}`;
			} else {
				const res = await fetch(url, { method: 'GET' });
				const text = await res.text();
				if (wanted === 'GET' ? res.status !== 404 : res.status === 404 && new RegExp(`Did you mean to make a .*\\b${wanted}\\b.* request`).test(text)) {
					return;
				}
				last = `GET → ${res.status} ${text.slice(0, 200)}`;
			}
			await sleep(200);
		}
		throw new Error(`webhook ${wanted} /webhook/${webhookPath} not registered in time (last probe: ${last})`);
	}

	async createCredential(type: string, name: string, data: Record<string, unknown>): Promise<string> {
		const created = await this.api<{ id: string }>('POST', '/credentials', { name, type, data });
		return created.id;
	}

	async listExecutions(workflowId: string): Promise<N8nExecution[]> {
		const all: N8nExecution[] = [];
		let cursor: string | undefined;
		do {
			const query = new URLSearchParams({ workflowId, includeData: 'true', limit: '250' });
			if (cursor) query.set('cursor', cursor);
			const page = await this.api<{ data: N8nExecution[]; nextCursor: string | null }>('GET', `/executions?${query}`);
			all.push(...page.data);
			cursor = page.nextCursor ?? undefined;
		} while (cursor);
		return all.sort((a, b) => Number(a.id) - Number(b.id));
	}

	async listRunningExecutions(workflowId: string): Promise<N8nExecutionSummary[]> {
		const query = new URLSearchParams({ workflowId, status: 'running', limit: '250' });
		const page = await this.api<{ data: N8nExecutionSummary[] }>('GET', `/executions?${query}`);
		return page.data;
	}

	async countExecutions(workflowId: string): Promise<number> {
		const [finished, runningNow] = await Promise.all([
			this.api<{ data: unknown[]; nextCursor: string | null }>(
				'GET',
				`/executions?${new URLSearchParams({ workflowId, limit: '250' })}`,
			),
			this.listRunningExecutions(workflowId),
		]);
		if (finished.nextCursor) return (await this.listExecutions(workflowId)).length + runningNow.length;
		return finished.data.length + runningNow.length;
	}

	async getExecution(id: string): Promise<N8nExecution> {
		return await this.api<N8nExecution>('GET', `/executions/${id}?includeData=true`);
	}

	async waitForExecutions(workflowId: string, count: number, timeoutMs = 30_000): Promise<N8nExecution[]> {
		const deadline = Date.now() + timeoutMs;
		let seen: N8nExecution[] = [];
		while (Date.now() < deadline) {
			seen = await this.listExecutions(workflowId);
			if (seen.length >= count) return seen;
			await sleep(250);
		}
		throw new Error(
			`workflow ${workflowId}: expected ${count} finished execution(s) within ${timeoutMs} ms, saw ${seen.length}`,
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
		if (this.child.exitCode === null && this.child.signalCode === null) {
			try {
				this.child.kill('SIGTERM');
			} catch {
				// already gone
			}
			let timer: NodeJS.Timeout | undefined;
			const graceful = await Promise.race([
				this.exited.then(() => true),
				new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), STOP_GRACE_MS))),
			]);
			clearTimeout(timer);
			if (!graceful) killGroup(this.child, 'SIGKILL');
			await this.exited;
		}
		// n8n ends its task runner itself; a runner left behind by a crash goes with the group.
		killGroup(this.child, 'SIGKILL');
		process.removeListener('exit', this.killOnExit);
		if (keepFolders()) {
			process.stderr.write(`[n8n harness] kept ${this.userFolder} (WHATSAPP_CRM_E2E_KEEP=1)\n`);
		} else {
			rmSync(this.userFolder, { recursive: true, force: true, maxRetries: 3 });
		}
	}
}
