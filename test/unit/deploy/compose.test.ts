/**
 * The deployment kit (deploy/) cannot run here (no Docker): its files are
 * checked as Docker Compose would read them, against what the process-level
 * queue-mode test runs (test/e2e/queue-mode.e2e.test.ts through
 * test/support/n8n/queue-mode.ts). Both take the n8n processes' queue-mode
 * environment, their commands and how many there are from one module,
 * scripts/lib/queue-mode.js: a setting changed there and not here fails.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { EXPRESSION_ENGINE_SETTINGS } from '../../../scripts/lib/n8n-server';
import { N8N_CONTAINER_PORT, queueModeEnvironment, ROLES, TOPOLOGY, type QueueModeRole } from '../../../scripts/lib/queue-mode';
import { readWorkflow, TRIGGER_TYPE, webhookIdOf } from '../../support/workflow-files';

const DEPLOY = path.resolve(__dirname, '..', '..', '..', 'deploy');

interface Service {
	image?: string;
	build?: { context: string; dockerfile: string };
	command?: string[];
	entrypoint?: string[];
	environment?: Record<string, string>;
	ports?: string[];
	volumes?: string[];
	depends_on?: Record<string, { condition: string }>;
	healthcheck?: { test: string[] };
	init?: boolean;
}
interface Compose {
	services: Record<string, Service>;
	volumes?: Record<string, unknown>;
}

const read = (file: string) => readFileSync(path.join(DEPLOY, file), 'utf8');
const compose = (file: string) => parse(read(file), { merge: true }) as Compose;

/** What the compose file gives n8n's processes: the same variables the test gives its processes, with the containers' addresses and the secrets from .env. */
const COMPOSE_SETTINGS = {
	database: { host: 'postgres', port: 5432, database: 'n8n', user: '${POSTGRES_USER:-whatsapp_crm}', password: '${POSTGRES_PASSWORD}' },
	redis: { host: 'redis', port: 6379, db: 0 },
	bullPrefix: 'whatsapp-crm',
	encryptionKey: '${N8N_ENCRYPTION_KEY:?set N8N_ENCRYPTION_KEY in deploy/.env}',
	healthPort: N8N_CONTAINER_PORT,
};

/** The queue-mode file's sidecars (sessions spread over them by the credential's list of URLs), and the port each listens on. */
const SIDECARS = ['sidecar', 'sidecar-2'];
test('the queue-mode file runs as many sidecars as the queue-mode test (scripts/lib/queue-mode.js TOPOLOGY)', () => {
	expect(SIDECARS).toHaveLength(TOPOLOGY.sidecars);
	expect(Object.keys(compose('docker-compose.queue.yml').services).filter((name) => /^sidecar(-\d+)?$/.test(name)).sort()).toEqual([...SIDECARS].sort());
});
const SIDECAR_PORT = 3100;

const CRM_TRIGGER_PATH = `${webhookIdOf(readWorkflow('crm-logging.json'), TRIGGER_TYPE)}/webhook`;
const N8N_IMAGE = 'whatsapp-crm-n8n:2.41.1';

/** Every `${VAR…}` a file refers to. */
const variablesOf = (text: string) => new Set([...text.matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1]!));

describe('deploy/docker-compose.queue.yml', () => {
	const { services, volumes } = compose('docker-compose.queue.yml');
	const n8nServices = Object.entries(services).filter(([, s]) => s.image === N8N_IMAGE && s.entrypoint === undefined);
	const byRole = (role: QueueModeRole) => n8nServices.filter(([, s]) => JSON.stringify(s.command) === JSON.stringify(ROLES[role].command)).map(([name]) => name);

	test('the processes of the queue-mode test: one main process, the webhook and worker processes, Redis, PostgreSQL, a load balancer, the sidecar', () => {
		expect(byRole('main')).toEqual(['n8n']);
		expect(byRole('webhook')).toHaveLength(TOPOLOGY.webhookProcesses);
		expect(byRole('worker')).toHaveLength(TOPOLOGY.workers);
		expect(n8nServices).toHaveLength(1 + TOPOLOGY.webhookProcesses + TOPOLOGY.workers);
		expect(Object.keys(services).sort()).toEqual(['balancer', 'crm-migrate', 'postgres', 'redis', ...SIDECARS, ...n8nServices.map(([name]) => name)].sort());
	});

	test.each(['main', 'webhook', 'worker'] as const)('every %s process has exactly the queue-mode settings of scripts/lib/queue-mode.js, the same encryption key, database and Redis', (role) => {
		const expected = queueModeEnvironment(role, COMPOSE_SETTINGS);
		for (const name of byRole(role)) {
			const environment = services[name]!.environment!;
			const queueKeys = Object.keys(environment).filter((key) => /^(EXECUTIONS_|DB_|QUEUE_|N8N_ENCRYPTION_KEY$|N8N_REDIS|N8N_DISABLE_PRODUCTION|N8N_DEFAULT_BINARY|N8N_EXECUTIONS_QUEUE)/.test(key));
			const actual = Object.fromEntries(queueKeys.map((key) => [key, String(environment[key])]));
			expect({ service: name, environment: actual }).toEqual({ service: name, environment: expected });
		}
	});

	test('every n8n process runs the image with the package, checks its health on /healthz/readiness, and starts after PostgreSQL and Redis', () => {
		expect(services['crm-migrate']!.build).toEqual({ context: '..', dockerfile: 'deploy/n8n.Dockerfile' });
		for (const [name, service] of n8nServices) {
			expect({ name, health: service.healthcheck?.test.join(' ') }).toEqual({ name, health: expect.stringContaining(`http://127.0.0.1:${N8N_CONTAINER_PORT}/healthz/readiness`) });
			expect({ name, dependsOn: Object.keys(service.depends_on ?? {}).sort() }).toEqual({
				name,
				dependsOn: name === 'n8n' ? ['crm-migrate', 'postgres', 'redis'] : ['n8n', 'postgres', 'redis'],
			});
			// No volume on the user folder: it would hide the package installed in the image.
			expect({ name, volumes: service.volumes ?? [] }).toEqual({ name, volumes: [] });
		}
	});

	test('the load balancer sends /webhook/, /form/ and the waiting pages round-robin to exactly the webhook processes, the rest to the main process; only it is published', () => {
		const nginx = read('balancer/nginx.conf');
		const upstream = (name: string) =>
			[...(nginx.match(new RegExp(`upstream ${name} \\{([^}]*)\\}`))?.[1] ?? '').matchAll(/server ([\w-]+):(\d+);/g)].map((m) => `${m[1]}:${m[2]}`);
		expect(upstream('n8n_webhooks').sort()).toEqual(byRole('webhook').map((name) => `${name}:${N8N_CONTAINER_PORT}`).sort());
		expect(upstream('n8n_main')).toEqual([`n8n:${N8N_CONTAINER_PORT}`]);
		expect(nginx).toMatch(/location \/webhook\/ \{\s*proxy_pass http:\/\/n8n_webhooks;/);
		expect(nginx).toMatch(/location \/form\/ \{\s*proxy_pass http:\/\/n8n_webhooks;/);
		// The pages a form run waits on (the Connect form's QR code): the main process does not serve them in queue mode.
		expect(nginx).toMatch(/location \/form-waiting\/ \{\s*proxy_pass http:\/\/n8n_webhooks;/);
		expect(nginx).toMatch(/location \/webhook-waiting\/ \{\s*proxy_pass http:\/\/n8n_webhooks;/);
		expect(services.balancer!.volumes).toEqual(['./balancer/nginx.conf:/etc/nginx/nginx.conf:ro']);
		const published = Object.entries(services).filter(([, s]) => (s.ports ?? []).length > 0);
		expect(published.map(([name, s]) => [name, s.ports])).toEqual([['balancer', [`\${N8N_PORT:-5678}:${N8N_CONTAINER_PORT}`]]]);
	});

	test("every sidecar delivers through the load balancer to the CRM logging workflow's trigger, keeps its sessions and outbox on volumes of its own", () => {
		const own = SIDECARS.flatMap((name) => services[name]!.volumes ?? []);
		for (const name of SIDECARS) {
			const sidecar = services[name]!;
			expect({ name, webhookUrl: sidecar.environment!.WEBHOOK_URL }).toEqual({ name, webhookUrl: `http://balancer:${N8N_CONTAINER_PORT}/webhook/${CRM_TRIGGER_PATH}` });
			expect(sidecar.build).toEqual({ context: '..', dockerfile: 'sidecar/Dockerfile' });
			expect(sidecar.volumes).toEqual([`${name}-sessions:/data/sessions`, `${name}-outbox:/data/outbox`]);
			expect(sidecar.init).toBe(true);
			expect(sidecar.healthcheck?.test.join(' ')).toContain('http://127.0.0.1:3100/healthz');
		}
		expect(new Set(own.map((v) => v.split(':')[0])).size).toBe(own.length);
		expect(Object.keys(volumes ?? {}).sort()).toEqual(['postgres-data', 'redis-data', ...SIDECARS.flatMap((name) => [`${name}-outbox`, `${name}-sessions`])].sort());
	});

	test('the sidecars share the sessions: each knows every peer (SIDECAR_PEERS) and itself among them, as the credential in deploy/README.md lists them', () => {
		const urls = SIDECARS.map((name) => `http://${name}:${SIDECAR_PORT}`);
		for (const [index, name] of SIDECARS.entries()) {
			const environment = services[name]!.environment!;
			expect({ name, peers: environment.SIDECAR_PEERS, self: environment.SIDECAR_SELF_URL }).toEqual({ name, peers: urls.join(','), self: urls[index] });
		}
		// The same secrets on every sidecar: one credential signs and calls them all.
		const shared = (name: string) => {
			const { SIDECAR_SELF_URL: _self, ...rest } = services[name]!.environment!;
			return rest;
		};
		for (const name of SIDECARS) expect(shared(name)).toEqual(shared(SIDECARS[0]!));
		const readme = read('README.md').replace(/\s+/g, ' ');
		expect(readme).toContain(`Sidecar URL \`${urls[0]}\``);
		expect(readme).toContain(`Additional Sidecar URLs \`${urls.slice(1).join(', ')}\``);
	});

	test("n8n's database and the CRM's on one PostgreSQL; the CRM migrated by the package's db/migrate.js before n8n starts", () => {
		const postgres = services.postgres!;
		expect(postgres.environment).toMatchObject({ POSTGRES_DB: 'crm', N8N_DB_NAME: COMPOSE_SETTINGS.database.database });
		expect(postgres.volumes).toContain('./postgres/create-n8n-database.sh:/docker-entrypoint-initdb.d/10-create-n8n-database.sh:ro');
		expect(read('postgres/create-n8n-database.sh')).toContain('CREATE DATABASE "${N8N_DB_NAME:-n8n}"');
		expect(services['crm-migrate']!.entrypoint).toEqual(['node', '/home/node/.n8n/nodes/node_modules/n8n-nodes-whatsapp-crm/db/migrate.js']);
		expect(services['crm-migrate']!.environment!.DATABASE_URL).toBe('postgres://${POSTGRES_USER:-whatsapp_crm}:${POSTGRES_PASSWORD}@postgres:5432/crm');
		expect(services.redis!.healthcheck?.test).toEqual(['CMD', 'redis-cli', 'ping']);
	});
});

describe('deploy/docker-compose.yml (one n8n process)', () => {
	const { services, volumes } = compose('docker-compose.yml');

	test("n8n with the package on PostgreSQL (the database settings of the queue-mode processes), the sidecar delivering to its trigger, PostgreSQL for both; no Redis, no queue", () => {
		expect(Object.keys(services).sort()).toEqual(['crm-migrate', 'n8n', 'postgres', 'sidecar']);
		const n8n = services.n8n!;
		expect(n8n.image).toBe(N8N_IMAGE);
		expect(n8n.command).toEqual(ROLES.main.command);
		const queue = queueModeEnvironment('main', COMPOSE_SETTINGS);
		const databaseKeys = Object.keys(queue).filter((key) => key.startsWith('DB_') || key === 'N8N_ENCRYPTION_KEY');
		expect(Object.fromEntries(databaseKeys.map((key) => [key, n8n.environment![key]]))).toEqual(Object.fromEntries(databaseKeys.map((key) => [key, queue[key]])));
		expect(n8n.environment!.EXECUTIONS_MODE).toBeUndefined();
		expect(n8n.ports).toEqual([`\${N8N_PORT:-5678}:${N8N_CONTAINER_PORT}`]);
		expect(n8n.healthcheck?.test.join(' ')).toContain('/healthz/readiness');
		expect(services.sidecar!.environment!.WEBHOOK_URL).toBe(`http://n8n:${N8N_CONTAINER_PORT}/webhook/${CRM_TRIGGER_PATH}`);
		expect(services.sidecar!.volumes).toEqual(['sidecar-sessions:/data/sessions', 'sidecar-outbox:/data/outbox']);
		expect(Object.keys(volumes ?? {}).sort()).toEqual(['postgres-data', 'sidecar-outbox', 'sidecar-sessions']);
	});

	test('the services the two files share are the same; its one sidecar is set up as each of the queue-mode sidecars, without peers', () => {
		const queue = compose('docker-compose.queue.yml').services;
		for (const name of ['postgres', 'crm-migrate'] as const) expect({ name, service: services[name] }).toEqual({ name, service: queue[name] });
		const { WEBHOOK_URL: _single, ...sidecar } = services.sidecar!.environment!;
		for (const name of SIDECARS) {
			const { WEBHOOK_URL: _queue, SIDECAR_PEERS: _peers, SIDECAR_SELF_URL: _self, ...queueSidecar } = queue[name]!.environment!;
			expect({ name, environment: sidecar }).toEqual({ name, environment: queueSidecar });
			const { environment: _e, volumes: _v, ...rest } = services.sidecar!;
			const { environment: _qe, volumes: _qv, ...queueRest } = queue[name]!;
			expect({ name, service: rest }).toEqual({ name, service: { ...queueRest, depends_on: rest.depends_on } });
		}
	});
});

test('.env.example names every variable the compose files use, and no secret has a value', () => {
	const example = read('.env.example');
	const defined = new Map([...example.matchAll(/^([A-Z0-9_]+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
	const used = new Set([...variablesOf(read('docker-compose.yml')), ...variablesOf(read('docker-compose.queue.yml'))]);
	expect([...used].filter((name) => !defined.has(name))).toEqual([]);
	for (const secret of ['POSTGRES_PASSWORD', 'N8N_ENCRYPTION_KEY', 'SIDECAR_API_KEY', 'WEBHOOK_SECRET']) expect({ secret, value: defined.get(secret) }).toEqual({ secret, value: '' });
});

test('the n8n image installs the packed package as n8n installs a community package, without a second n8n-workflow', () => {
	const dockerfile = read('n8n.Dockerfile');
	expect(dockerfile).toMatch(/^FROM n8nio\/n8n:\$\{N8N_VERSION\}$/m);
	expect(dockerfile).toMatch(/^ARG N8N_VERSION=2\.41\.1$/m);
	expect(dockerfile).toContain('cd /home/node/.n8n/nodes');
	expect(dockerfile).toContain('npm install --omit=dev --legacy-peer-deps --ignore-scripts');
	expect(dockerfile).toContain('test ! -e node_modules/n8n-workflow');
	expect(dockerfile).toMatch(/HEALTHCHECK[\s\S]*\/healthz\/readiness/);
});

test("the n8n image sets the expression-engine settings npm start ships, and no compose file sets them otherwise", () => {
	const dockerfile = read('n8n.Dockerfile');
	const finalStage = dockerfile.slice(dockerfile.indexOf('FROM n8nio/n8n'));
	const env = /^ENV ((?:[A-Z0-9_]+=\S+(?: \\\n\s*)?)+)$/m.exec(finalStage)?.[1] ?? '';
	const set = Object.fromEntries([...env.matchAll(/([A-Z0-9_]+)=(\S+)/g)].map((m) => [m[1]!, m[2]!]));
	expect(set).toEqual(EXPRESSION_ENGINE_SETTINGS);
	for (const file of ['docker-compose.yml', 'docker-compose.queue.yml']) {
		for (const name of Object.keys(EXPRESSION_ENGINE_SETTINGS)) expect({ file, mentions: read(file).includes(name) }).toEqual({ file, mentions: false });
	}
});
