/**
 * `npm start` (scripts/start.js) as a new user runs it: one command on an empty
 * DATA_DIR with the simulator driver and the embedded PostgreSQL (no
 * DATABASE_URL). It gets ready; the demo it prints works — the simulated phone
 * links, a contact writes, and the interaction is in the CRM database; Ctrl-C
 * (SIGINT) exits 0 with every process it started gone. A second start on the
 * same DATA_DIR reuses everything: no second copy of any workflow or
 * credential, the CRM data still there.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { freePort, REPO_ROOT } from '../support/n8n';

const START_TIMEOUT_MS = 150_000;
const DEMO_USER = '5f0c6b1e-3f5a-4c1e-9b7d-2a4e6c8d0f11';
const CONTACT_PHONE = '+5511987654321';
const TEXT = 'Hi! Could you send me a quote for 40 chairs?';

interface Run {
	child: ChildProcess;
	output: () => string;
	exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function startScript(env: Record<string, string>): Run {
	const childEnv: Record<string, string | undefined> = { ...process.env, ...env };
	delete childEnv.DATABASE_URL;
	const child = spawn(process.execPath, [path.join(REPO_ROOT, 'scripts', 'start.js')], {
		cwd: REPO_ROOT,
		env: childEnv,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let out = '';
	child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
	child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
	const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
		child.once('exit', (code, signal) => resolve({ code, signal })),
	);
	return { child, output: () => out, exit };
}

async function waitForReady(run: Run): Promise<void> {
	const deadline = Date.now() + START_TIMEOUT_MS;
	let exited = false;
	void run.exit.then(() => (exited = true));
	while (Date.now() < deadline) {
		if (/^\[start\] ready in /m.test(run.output())) return;
		if (exited) throw new Error(`start.js exited before it was ready:\n${run.output()}`);
		await sleep(250);
	}
	throw new Error(`start.js not ready within ${START_TIMEOUT_MS} ms:\n${run.output()}`);
}

/** Every process below `root` (by parent pid, from /proc). */
function descendantsOf(root: number): number[] {
	const children = new Map<number, number[]>();
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
			const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
			children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
		} catch {
			// ended meanwhile
		}
	}
	const found: number[] = [];
	const queue = [root];
	while (queue.length > 0) {
		for (const child of children.get(queue.shift()!) ?? []) {
			found.push(child);
			queue.push(child);
		}
	}
	return found;
}

function isRunning(pid: number): boolean {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
	} catch {
		return false;
	}
}

/** SIGINT, as Ctrl-C sends it; resolves to how it exited and which of its processes still run. */
async function interrupt(run: Run): Promise<{ code: number | null; signal: NodeJS.Signals | null; survivors: number[] }> {
	const processes = descendantsOf(run.child.pid!);
	run.child.kill('SIGINT');
	const result = await run.exit;
	return { ...result, survivors: processes.filter(isRunning) };
}

/** Last resort after a failed test: nothing this test started may outlive it. */
async function forceStop(run: Run | undefined): Promise<void> {
	if (!run || run.child.exitCode !== null || run.child.signalCode !== null) return;
	const processes = descendantsOf(run.child.pid!);
	run.child.kill('SIGINT');
	const done = await Promise.race([run.exit.then(() => true), sleep(60_000).then(() => false)]);
	for (const pid of [run.child.pid!, ...processes]) {
		if (!done || isRunning(pid)) {
			try {
				process.kill(pid, 'SIGKILL');
			} catch {
				// gone
			}
		}
	}
}

describe('npm start (scripts/start.js) on a fresh DATA_DIR, simulator driver, embedded PostgreSQL', () => {
	let dataDir: string;
	let env: Record<string, string>;
	let run: Run | undefined;
	let n8nPort: number;
	let sidecarPort: number;

	const secrets = () => JSON.parse(readFileSync(path.join(dataDir, 'secrets.json'), 'utf8')) as Record<string, string>;
	const state = () => JSON.parse(readFileSync(path.join(dataDir, 'state.json'), 'utf8')) as { postgresPort: number };

	async function crm<T>(sql: string, params: unknown[] = []): Promise<T[]> {
		const client = new Client({
			host: '127.0.0.1',
			port: state().postgresPort,
			user: 'postgres',
			password: secrets().postgresPassword,
			database: 'crm',
		});
		await client.connect();
		try {
			return (await client.query(sql, params)).rows as T[];
		} finally {
			await client.end();
		}
	}

	async function sidecar(method: string, urlPath: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
		const res = await fetch(`http://127.0.0.1:${sidecarPort}${urlPath}`, {
			method,
			headers: {
				authorization: `Bearer ${secrets().sidecarApiKey}`,
				...(body === undefined ? {} : { 'content-type': 'application/json' }),
			},
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		return { status: res.status, json: (await res.json()) as Record<string, unknown> };
	}

	async function n8nApi<T>(apiPath: string): Promise<T> {
		const res = await fetch(`http://127.0.0.1:${n8nPort}/api/v1${apiPath}`, {
			headers: { 'X-N8N-API-KEY': secrets().n8nApiKey, accept: 'application/json' },
		});
		if (!res.ok) throw new Error(`GET /api/v1${apiPath}: ${res.status} ${await res.text()}`);
		return (await res.json()) as T;
	}

	const shippedWorkflows = () =>
		readdirSync(path.join(REPO_ROOT, 'workflows'))
			.filter((f) => f.endsWith('.json'))
			.map((f) => (JSON.parse(readFileSync(path.join(REPO_ROOT, 'workflows', f), 'utf8')) as { name: string }).name)
			.sort();

	beforeAll(async () => {
		dataDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'whatsapp-crm-start-e2e-')), 'data');
		// As root the embedded PostgreSQL runs as an unprivileged user, who must be able to enter the folder.
		chmodSync(path.dirname(dataDir), 0o755);
		n8nPort = await freePort();
		sidecarPort = await freePort();
		env = { DATA_DIR: dataDir, PORT: String(n8nPort), SIDECAR_PORT: String(sidecarPort), WHATSAPP_DRIVER: 'simulator' };
	});

	afterAll(async () => {
		await forceStop(run);
		if (process.env.WHATSAPP_CRM_E2E_KEEP !== '1') rmSync(path.dirname(dataDir), { recursive: true, force: true, maxRetries: 3 });
	});

	test(
		'a first start gets ready, prints the login and the demo, and the demo logs the message in the CRM',
		async () => {
			run = startScript(env);
			await waitForReady(run);
			const out = run.output();
			expect(out).toContain(`http://localhost:${n8nPort}/`);
			expect(out).toContain(secrets().ownerPassword);
			expect(out).toContain(`/simulator/sessions/$U/link`);
			expect(out).toMatch(/migrations applied: 0001_crm_schema/);
			expect(out).not.toContain(secrets().postgresPassword);

			// The printed login works.
			const login = await fetch(`http://127.0.0.1:${n8nPort}/rest/login`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', 'browser-id': 'e2e' },
				body: JSON.stringify({ emailOrLdapLoginId: 'admin@example.com', password: secrets().ownerPassword }),
			});
			expect(login.status).toBe(200);

			// The demo, as printed: start the session, the phone scans the QR, a contact writes.
			const session = await sidecar('POST', `/sessions/${DEMO_USER}`);
			expect(session.json.state).toBe('qr');
			expect((await sidecar('POST', `/simulator/sessions/${DEMO_USER}/link`, {})).status).toBe(200);
			const inbound = await sidecar('POST', `/simulator/sessions/${DEMO_USER}/inbound`, {
				from: CONTACT_PHONE,
				text: TEXT,
				notifyName: 'Ana Souza',
			});
			expect(inbound.status).toBe(200);
			const messageId = inbound.json.messageId as string;

			type Row = { ext_message_id: string; direction: string; body: string; session_id: string; whatsapp_phone: string; source: string };
			let rows: Row[] = [];
			const deadline = Date.now() + 60_000;
			while (Date.now() < deadline) {
				rows = await crm<Row>(
					`SELECT i.ext_message_id, i.direction, i.body, i.session_id, c.whatsapp_phone, c.source
					   FROM whatsapp_crm.interactions i JOIN whatsapp_crm.contacts c ON c.id = i.contact_id
					  WHERE i.ext_message_id = $1`,
					[messageId],
				);
				if (rows.length > 0) break;
				await sleep(250);
			}
			expect(rows).toEqual([
				{ ext_message_id: messageId, direction: 'inbound', body: TEXT, session_id: DEMO_USER, whatsapp_phone: CONTACT_PHONE, source: 'whatsapp' },
			]);

			// The banner's "see the interaction in the CRM" command, typed as printed in another terminal
			// (no DATA_DIR in its environment): it reads this DATA_DIR's database.
			const printed = /^ {6}(DATA_DIR=\S+ node \S+ sql .+)$/m.exec(out)?.[1];
			expect(printed).toBeDefined();
			const { DATA_DIR: _dataDir, ...otherTerminal } = process.env;
			void _dataDir;
			const shown = spawnSync('bash', ['-c', printed!], { cwd: REPO_ROOT, env: otherTerminal, encoding: 'utf8' });
			expect(shown.stderr).toBe('');
			expect(shown.stdout).toContain(TEXT);
		},
		START_TIMEOUT_MS + 90_000,
	);

	test(
		'Ctrl-C (SIGINT) stops n8n, the sidecar and PostgreSQL and exits 0',
		async () => {
			expect(run).toBeDefined();
			const pids = descendantsOf(run!.child.pid!);
			expect(pids.length).toBeGreaterThanOrEqual(3); // postgres, the sidecar, n8n (and their helpers)
			const result = await interrupt(run!);
			expect(result).toEqual({ code: 0, signal: null, survivors: [] });
			expect(readdirSync(path.join(dataDir, 'run'))).toEqual([]);
			await expect(fetch(`http://127.0.0.1:${n8nPort}/healthz`)).rejects.toThrow();
			await expect(fetch(`http://127.0.0.1:${sidecarPort}/healthz`)).rejects.toThrow();
		},
		90_000,
	);

	test(
		'a second start on the same DATA_DIR reuses the database, credentials and workflows',
		async () => {
			const before = secrets();
			run = startScript(env);
			await waitForReady(run);
			const out = run.output();
			expect(out).not.toMatch(/generated secrets|initialising a new cluster|migrations applied|created the credential|imported workflows/);
			expect(secrets()).toEqual(before);

			const workflows = await n8nApi<{ data: Array<{ name: string; active: boolean }> }>('/workflows?limit=250');
			expect(workflows.data.map((w) => w.name).sort()).toEqual(shippedWorkflows());
			const credentials = await n8nApi<{ data: Array<{ name: string; type: string }> }>('/credentials?limit=250');
			expect(credentials.data.map((c) => `${c.type}:${c.name}`).sort()).toEqual(['postgres:CRM Postgres', 'whatsAppSidecarApi:WhatsApp Sidecar']);

			// The CRM data survived the restart, and the restored session still logs messages.
			expect(await crm('SELECT body FROM whatsapp_crm.interactions')).toEqual([{ body: TEXT }]);
			const again = await sidecar('POST', `/simulator/sessions/${DEMO_USER}/inbound`, { from: CONTACT_PHONE, text: 'Second message' });
			let bodies: Array<{ body: string }> = [];
			const deadline = Date.now() + 60_000;
			while (Date.now() < deadline) {
				bodies = await crm<{ body: string }>('SELECT body FROM whatsapp_crm.interactions WHERE ext_message_id = $1', [again.json.messageId]);
				if (bodies.length > 0) break;
				await sleep(250);
			}
			expect(bodies).toEqual([{ body: 'Second message' }]);
			expect(await crm('SELECT count(*)::int AS n FROM whatsapp_crm.contacts')).toEqual([{ n: 1 }]);

			const result = await interrupt(run);
			expect(result).toEqual({ code: 0, signal: null, survivors: [] });
		},
		START_TIMEOUT_MS + 90_000,
	);
});
