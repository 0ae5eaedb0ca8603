/**
 * What `npm start` prints when it is ready (scripts/lib/banner.js): the commands it
 * prints reach the database of the DATA_DIR it runs on, and no line shows the CRM
 * database's password. `node scripts/start.js sql` itself reads DATA_DIR.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { banner, DEMO_SQL, shellQuote } from '../../../scripts/lib/banner';
import type { StackInfo } from '../../../scripts/lib/stack';

const REPO_ROOT = path.resolve(__dirname, '../../..');
const PASSWORD = 'Pg-s3cret-Passw0rd';
const rel = (p: string) => path.relative(REPO_ROOT, p) || '.';

function info(dataDir: string, overrides: Partial<StackInfo> = {}): StackInfo {
	return {
		editorUrl: 'http://localhost:5678/',
		owner: { email: 'admin@example.com', password: 'owner-password' },
		sidecarUrl: 'http://127.0.0.1:3100',
		sidecarApiKey: 'sidecar-key',
		driver: 'simulator',
		webhookUrl: 'http://localhost:5678/webhook/x/webhook',
		database: { url: `postgres://postgres:${PASSWORD}@127.0.0.1:54329/crm`, embedded: true },
		connectForm: { url: 'http://localhost:5678/form/connect-whatsapp', active: true },
		workflows: [],
		demoUserId: '5f0c6b1e-3f5a-4c1e-9b7d-2a4e6c8d0f11',
		dataDir,
		logsDir: path.join(dataDir, 'logs'),
		startedInSeconds: 12,
		...overrides,
	};
}

test('with the default DATA_DIR: the sql command as documented, and the password nowhere', () => {
	const text = banner(info(path.join(REPO_ROOT, '.data')), { rel, repoRoot: REPO_ROOT });
	expect(text).toContain(`      node scripts/start.js sql ${shellQuote(DEMO_SQL)}`);
	expect(text).not.toContain('DATA_DIR=');
	expect(text).not.toContain(PASSWORD);
	expect(text).toContain('psql postgres://postgres@127.0.0.1:54329/crm ');
	expect(text).toContain('password: postgresPassword in .data/secrets.json');
});

test('with a custom DATA_DIR: the printed sql command carries it (absolute), and the password nowhere', () => {
	const dataDir = path.join(os.tmpdir(), 'my crm data');
	for (const driver of ['simulator', 'webjs']) {
		const text = banner(info(dataDir, { driver }), { rel, repoRoot: REPO_ROOT });
		expect(text).toContain(`      DATA_DIR='${dataDir}' node scripts/start.js sql ${shellQuote(DEMO_SQL)}`);
		expect(text).not.toContain(PASSWORD);
	}
});

test('with the webjs driver the simulator hint is in the last lines, where it is still on screen; with the simulator it is not there', () => {
	const lines = banner(info(path.join(REPO_ROOT, '.data'), { driver: 'webjs' }), { rel, repoRoot: REPO_ROOT }).split('\n');
	const tail = lines.slice(-5).join('\n');
	expect(tail).toContain('WHATSAPP_DRIVER=simulator npm start');
	expect(tail).toContain('whatsapp_web_unreachable');
	expect(lines[lines.length - 1]).toMatch(/^─+$/);
	expect(banner(info(path.join(REPO_ROOT, '.data')), { rel, repoRoot: REPO_ROOT })).not.toContain('WHATSAPP_DRIVER=simulator');
});

test('with DATABASE_URL: no DATA_DIR, and the URL is not printed', () => {
	const text = banner(info(path.join(os.tmpdir(), 'elsewhere'), { database: { url: `postgres://crm:${PASSWORD}@db:5432/crm`, embedded: false } }), {
		rel,
		repoRoot: REPO_ROOT,
	});
	expect(text).not.toContain(PASSWORD);
	expect(text).not.toContain('DATA_DIR=');
	expect(text).toContain('(with DATABASE_URL set as for npm start)');
});

test('`node scripts/start.js sql` reads the database of DATA_DIR', () => {
	const dataDir = mkdtempSync(path.join(os.tmpdir(), 'whatsapp-crm-sql-'));
	try {
		const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir };
		delete env.DATABASE_URL;
		const run = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'start.js'), 'sql', 'SELECT 1'], { cwd: REPO_ROOT, env, encoding: 'utf8' });
		expect(run.status).toBe(1);
		expect(run.stderr).toContain(`no embedded database in ${dataDir}`);
	} finally {
		rmSync(dataDir, { recursive: true, force: true });
	}
});
