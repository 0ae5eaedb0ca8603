/**
 * n8n 2.41.1 in queue mode on this machine, without containers — the topology
 * of deploy/docker-compose.queue.yml, process for process:
 *
 * - one main process (`n8n start`: editor, public API, activation; production
 *   webhooks off) — a full N8nInstance (startN8n), so tests use its API;
 * - `n8n webhook` processes behind a round-robin load balancer on loopback
 *   (./balancer.ts) taking the production webhooks;
 * - `n8n worker` processes running the executions (concurrency 5 each);
 * - Redis for Bull: a throwaway `redis-server` on a free port (or, when it is
 *   not installed, 127.0.0.1:6379 with a dedicated DB index and key prefix);
 * - PostgreSQL as n8n's database: a throwaway database on the machine's server
 *   (127.0.0.1:5432), created here and dropped by stop();
 * - this package installed into every process's user folder, as n8n installs
 *   a community package, and the same N8N_ENCRYPTION_KEY everywhere.
 *
 * The queue-mode environment of each process comes from
 * scripts/lib/queue-mode.js, the module the compose files are checked against.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { Client } from 'pg';
import { n8nEnvironment } from '../../../scripts/lib/n8n-server';
import { freePort } from '../../../scripts/lib/ports';
import { signalGroup, sleep, spawnLogged, stopChild, type ChildHandle } from '../../../scripts/lib/processes';
import { queueModeEnvironment, ROLES, TOPOLOGY, type QueueModeRole } from '../../../scripts/lib/queue-mode';
import { startBalancer, type Balancer } from './balancer';
import { E2E_CACHE_DIR, installCommunityPackage } from './community-package';
import { inheritedEnv, startN8n, type N8nInstance } from './instance';
import { n8nRuntime } from './runtime';

const PG_SERVER = {
	host: process.env.PGHOST ?? '127.0.0.1',
	port: Number(process.env.PGPORT ?? 5432),
	user: process.env.PGUSER ?? 'postgres',
	password: process.env.PGPASSWORD ?? '',
};
const keepFolders = () => process.env.WHATSAPP_CRM_E2E_KEEP === '1';

/** An `n8n webhook` or `n8n worker` process. */
export interface QueueProcess {
	readonly role: 'webhook' | 'worker';
	/** `webhook-1`, `worker-2`, … */
	readonly name: string;
	/** The webhook process's HTTP port; the worker's health server port. */
	readonly port: number;
	/** `http://127.0.0.1:<port>` */
	readonly baseUrl: string;
	readonly userFolder: string;
	/** Everything the process printed so far (N8N_LOG_LEVEL=info). */
	logs(): string;
	/** Ids of the executions this worker started (its log's "Worker started execution <id>"). */
	startedExecutions(): string[];
	/** A crash: SIGKILL to the process and its task runner; resolves once it is gone. */
	kill(): Promise<void>;
	/** Starts it again on the same user folder and port (after kill or halt); resolves once ready. */
	start(): Promise<void>;
	/** SIGTERM, SIGKILL after a grace period. */
	halt(): Promise<void>;
	readonly running: boolean;
}

export interface QueueModeN8n {
	main: N8nInstance;
	webhooks: QueueProcess[];
	workers: QueueProcess[];
	balancer: Balancer;
	/** Production webhook URL through the load balancer: `<balancer>/webhook/<path>`. */
	webhookUrl(webhookPath: string): string;
	/** n8n's database and Redis, for the report. */
	readonly database: string;
	readonly redis: { host: string; port: number; db: number; throwaway: boolean };
	/** Stops everything this started (n8n processes, Redis, the balancer) and drops n8n's database. */
	stop(): Promise<void>;
}

export interface StartQueueModeOptions {
	webhookProcesses?: number;
	workers?: number;
	/** Extra environment for every n8n process (wins over the defaults). */
	env?: Record<string, string>;
}

/** Worker lock settings short enough that a killed worker's jobs are found stalled in seconds, not a minute. */
export const FAST_STALL_DETECTION = {
	QUEUE_WORKER_LOCK_DURATION: '20000',
	QUEUE_WORKER_LOCK_RENEW_TIME: '5000',
	QUEUE_WORKER_STALLED_INTERVAL: '5000',
};

function redisServerInstalled(): boolean {
	try {
		execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
		return true;
	} catch {
		return false;
	}
}

async function redisAnswers(host: string, port: number): Promise<boolean> {
	return await new Promise((resolve) => {
		const socket = connect({ host, port });
		const done = (ok: boolean) => {
			socket.destroy();
			resolve(ok);
		};
		socket.setTimeout(1000, () => done(false));
		socket.once('error', () => done(false));
		socket.once('connect', () => socket.write('PING\r\n'));
		socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
	});
}

export async function startQueueModeN8n(options: StartQueueModeOptions = {}): Promise<QueueModeN8n> {
	const cleanups: Array<() => Promise<void>> = [];
	const stopAll = async () => {
		for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
		cleanups.length = 0;
	};
	try {
		const runtime = n8nRuntime();
		mkdirSync(E2E_CACHE_DIR, { recursive: true });
		const root = mkdtempSync(path.join(E2E_CACHE_DIR, 'queue-'));
		cleanups.push(async () => {
			if (!keepFolders()) rmSync(root, { recursive: true, force: true, maxRetries: 3 });
		});
		const bullPrefix = `wacrm-queue-${randomBytes(4).toString('hex')}`;

		// Redis: a throwaway server of our own, or the machine's with a DB index and prefix of our own.
		let redis: QueueModeN8n['redis'];
		if (redisServerInstalled()) {
			const port = await freePort();
			const dir = path.join(root, 'redis');
			mkdirSync(dir, { recursive: true });
			const handle = spawnLogged(
				'redis-server',
				['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--maxmemory', '256mb'],
				{ cwd: dir, env: inheritedEnv(), logFile: path.join(root, 'redis.log'), tag: 'queue harness' },
			);
			cleanups.push(async () => void (await stopChild(handle, { graceMs: 5000 })));
			const deadline = Date.now() + 15_000;
			while (!(await redisAnswers('127.0.0.1', port))) {
				if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${port}:\n${readLog(path.join(root, 'redis.log'))}`);
				await sleep(100);
			}
			redis = { host: '127.0.0.1', port, db: 0, throwaway: true };
		} else {
			redis = { host: '127.0.0.1', port: 6379, db: 11, throwaway: false };
			cleanups.push(() => deleteRedisKeys(runtime.require, redis, bullPrefix));
		}

		// n8n's own database.
		const database = `n8n_queue_e2e_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
		await adminQuery(`CREATE DATABASE "${database}"`);
		cleanups.push(() => adminQuery(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`));

		const balancer = await startBalancer();
		cleanups.push(() => balancer.close());

		const encryptionKey = randomBytes(24).toString('hex');
		const settings = {
			database: { ...PG_SERVER, database },
			redis,
			bullPrefix,
			encryptionKey,
		};
		const publicUrl = `${balancer.url}/`;

		// The main process first: it migrates n8n's database, which the others wait for.
		const mainPort = await freePort();
		const main = await startN8n({
			port: mainPort,
			env: {
				...queueModeEnvironment('main', settings),
				WEBHOOK_URL: publicUrl,
				N8N_EDITOR_BASE_URL: `http://127.0.0.1:${mainPort}/`,
				...options.env,
			},
		});
		cleanups.push(() => main.stop());

		const spawnRole = async (role: 'webhook' | 'worker', index: number): Promise<QueueProcess> => {
			const userFolder = mkdtempSync(path.join(root, `${role}-${index}-`));
			installCommunityPackage(userFolder);
			const port = await freePort();
			const env: Record<string, string> = {
				...n8nEnvironment({
					runtime,
					userFolder,
					port,
					brokerPort: await freePort(),
					encryptionKey,
					// Applied by `n8n start` only; the same values as everywhere else.
					owner: main.owner,
					publicUrl,
					logLevel: 'info',
					shutdownTimeoutSeconds: 5,
					baseEnv: inheritedEnv(),
				}),
				...queueModeEnvironment(role, { ...settings, healthPort: port }),
				N8N_EDITOR_BASE_URL: `http://127.0.0.1:${mainPort}/`,
				// Loopback only, like every other server of the tests.
				N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
				...options.env,
			};
			const process = new ChildN8n(role, `${role}-${index}`, runtime, userFolder, port, env);
			cleanups.push(() => process.halt());
			await process.start();
			return process;
		};
		const [webhooks, workers] = await Promise.all([
			Promise.all(Array.from({ length: options.webhookProcesses ?? TOPOLOGY.webhookProcesses }, (_, i) => spawnRole('webhook', i + 1))),
			Promise.all(Array.from({ length: options.workers ?? TOPOLOGY.workers }, (_, i) => spawnRole('worker', i + 1))),
		]);
		balancer.backends = webhooks.map((w) => w.baseUrl);

		return {
			main,
			webhooks,
			workers,
			balancer,
			database,
			redis,
			webhookUrl: (webhookPath) => `${balancer.url}/webhook/${webhookPath.replace(/^\/+/, '')}`,
			stop: stopAll,
		};
	} catch (error) {
		await stopAll();
		throw error;
	}
}

function readLog(file: string): string {
	try {
		return readFileSync(file, 'utf8');
	} catch {
		return '';
	}
}

async function adminQuery(sql: string): Promise<void> {
	const client = new Client({ ...PG_SERVER, database: 'postgres' });
	await client.connect();
	try {
		await client.query(sql);
	} finally {
		await client.end();
	}
}

/** The machine's Redis (no throwaway server): removes the keys under our prefix from our DB index. */
async function deleteRedisKeys(runtimeRequire: NodeRequire, redis: { host: string; port: number; db: number }, prefix: string): Promise<void> {
	const Redis = runtimeRequire('ioredis') as new (options: object) => {
		scan(cursor: string, ...args: Array<string | number>): Promise<[string, string[]]>;
		del(...keys: string[]): Promise<number>;
		quit(): Promise<unknown>;
	};
	const client = new Redis({ host: redis.host, port: redis.port, db: redis.db, lazyConnect: false });
	try {
		let cursor = '0';
		do {
			const [nextCursor, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
			if (keys.length > 0) await client.del(...keys);
			cursor = nextCursor;
		} while (cursor !== '0');
	} finally {
		await client.quit();
	}
}

class ChildN8n implements QueueProcess {
	private handle: ChildHandle | undefined;

	private readonly logFile: string;

	private killOnExit = () => {
		if (this.handle?.child.pid !== undefined) signalGroup(this.handle.child.pid, 'SIGKILL');
	};

	constructor(
		readonly role: 'webhook' | 'worker',
		readonly name: string,
		private readonly runtime: ReturnType<typeof n8nRuntime>,
		readonly userFolder: string,
		readonly port: number,
		private readonly env: Record<string, string>,
	) {
		this.logFile = path.join(userFolder, 'n8n.log');
	}

	get baseUrl(): string {
		return `http://127.0.0.1:${this.port}`;
	}

	get running(): boolean {
		const child = this.handle?.child;
		return Boolean(child && child.exitCode === null && child.signalCode === null);
	}

	logs(): string {
		return readLog(this.logFile);
	}

	startedExecutions(): string[] {
		return [...this.logs().matchAll(/Worker started execution (\d+)/g)].map((m) => m[1]);
	}

	async start(): Promise<void> {
		if (this.running) return;
		const role: QueueModeRole = this.role;
		this.handle = spawnLogged(this.runtime.node, [this.runtime.n8n, ...ROLES[role].command], {
			cwd: this.userFolder,
			env: this.env,
			logFile: this.logFile,
			tag: `queue harness ${this.name}`,
		});
		process.once('exit', this.killOnExit);
		let exited: { code: number | null } | undefined;
		void this.handle.exited.then((result) => (exited = result));
		const deadline = Date.now() + 180_000;
		for (;;) {
			if (exited) throw new Error(`${this.name} exited (code ${exited.code}) before it was ready:\n${this.tail()}`);
			try {
				const res = await fetch(`${this.baseUrl}/healthz/readiness`, { signal: AbortSignal.timeout(2000) });
				await res.arrayBuffer();
				if (res.status === 200) return;
			} catch {
				// not listening yet
			}
			if (Date.now() > deadline) throw new Error(`${this.name} was not ready within 180 s:\n${this.tail()}`);
			await sleep(250);
		}
	}

	async kill(): Promise<void> {
		if (!this.handle) return;
		if (this.handle.child.pid !== undefined) signalGroup(this.handle.child.pid, 'SIGKILL');
		await this.handle.exited;
		process.removeListener('exit', this.killOnExit);
	}

	async halt(): Promise<void> {
		if (!this.handle) return;
		await stopChild(this.handle, { graceMs: 15_000 });
		process.removeListener('exit', this.killOnExit);
	}

	private tail(): string {
		return this.logs().split('\n').slice(-40).join('\n');
	}
}
