'use strict';
/**
 * The whole stack on one machine, as `npm start` runs it: the CRM database
 * (DATABASE_URL, or an embedded PostgreSQL), its migrations, the sidecar, and
 * n8n with this package, its credentials and the shipped workflows. Every step
 * is idempotent: a second start on the same DATA_DIR reuses the database, the
 * secrets, the n8n instance, its credentials and its workflows.
 *
 *   const stack = await startStack({ repoRoot, dataDir, ... });
 *   stack.info      // URLs, owner login, workflows, demo values
 *   await stack.stop();
 *
 * Layout of DATA_DIR:
 *   secrets.json  state.json       generated once (see secrets.js)
 *   postgres/                      the embedded PostgreSQL cluster
 *   n8n/.n8n/                      n8n's user folder (SQLite database, nodes/)
 *   sidecar/sessions, sidecar/data the sidecar's SESSION_DIR and DATA_DIR
 *   logs/*.log                     each process's output
 *   run/*.pid                      processes started by the running start script
 */
const fs = require('node:fs');
const path = require('node:path');
const { buildNeeded, runBuild, installNeeded, runInstall } = require('./build');
const { ensureCommunityPackage, PACKAGE_NAME } = require('./community-package');
const { EmbeddedPostgres } = require('./embedded-postgres');
const { N8nClient } = require('./n8n-client');
const { n8nEnvironment, startN8nProcess } = require('./n8n-server');
const { freePort, isPortFree, preferredOrFreePort } = require('./ports');
const { spawnLogged, stopChild, signalGroup, writePidFile, removePidFile, endStaleProcess, tailOf, sleep, isAlive, commandLineOf } = require('./processes');
const { ensureRuntime } = require('./runtime');
const { loadOrCreateSecrets, saveSecrets, loadState, saveState, digest } = require('./secrets');
const { credentialsUsed, withoutCredentials, nodesOfType, crmTriggerPath, formTriggerPath } = require('./workflow-json');

const CRM_DATABASE = 'crm';
const EMBEDDED_PG_PORT = 54329;
/** The credentials the workflows in workflows/ refer to (by these ids and names) that this script fills in. */
const SIDECAR_CREDENTIAL = { id: 'waCrmSidecarCred', name: 'WhatsApp Sidecar', type: 'whatsAppSidecarApi' };
const POSTGRES_CREDENTIAL = { id: 'waCrmPostgresCred', name: 'CRM Postgres', type: 'postgres' };
/** The workflow whose WhatsApp CRM Trigger receives the sidecar's webhooks. */
const CRM_LOGGING_FILE = 'crm-logging.json';
const DEFAULT_OWNER_EMAIL = 'admin@example.com';
/** The user id the demo links its simulated phone for (any UUID works). */
const DEMO_USER_ID = '5f0c6b1e-3f5a-4c1e-9b7d-2a4e6c8d0f11';

class StartError extends Error {}

/** A path as the user reads it: relative to the working directory when inside it, else absolute. */
function displayPath(p) {
	const relative = path.relative(process.cwd(), p);
	return relative === '' ? '.' : relative.startsWith('..') || path.isAbsolute(relative) ? p : relative;
}

/** Connection settings from a postgres:// URL, as n8n's Postgres credential holds them. */
function postgresCredentialFromUrl(databaseUrl) {
	const url = new URL(databaseUrl);
	if (!/^postgres(ql)?:$/.test(url.protocol)) throw new StartError(`DATABASE_URL must be a postgres:// URL (got ${url.protocol}//…)`);
	const sslmode = url.searchParams.get('sslmode') ?? 'disable';
	const ssl = ['require', 'verify-ca', 'verify-full', 'prefer'].includes(sslmode) ? 'require' : sslmode === 'allow' ? 'allow' : 'disable';
	return {
		host: decodeURIComponent(url.hostname.replace(/^\[|\]$/g, '')) || 'localhost',
		port: Number(url.port || 5432),
		database: decodeURIComponent(url.pathname.replace(/^\//, '')) || 'postgres',
		user: decodeURIComponent(url.username) || 'postgres',
		password: decodeURIComponent(url.password),
		ssl,
		allowUnauthorizedCerts: sslmode === 'require' || sslmode === 'prefer',
		maxConnections: 100,
		sshTunnel: false,
	};
}

/** What every workflow file in workflows/ is, and what it needs. */
function readWorkflowFiles(dir) {
	let files;
	try {
		files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
	} catch {
		return [];
	}
	// The CRM logging workflow first: the sidecar delivers to it.
	files.sort((a, b) => (a === CRM_LOGGING_FILE ? -1 : b === CRM_LOGGING_FILE ? 1 : 0));
	return files.map((file) => {
		const full = path.join(dir, file);
		let json;
		try {
			json = JSON.parse(fs.readFileSync(full, 'utf8'));
		} catch (error) {
			throw new StartError(`${path.relative(process.cwd(), full)} is not valid JSON: ${error.message}`);
		}
		if (!Array.isArray(json.nodes)) throw new StartError(`${file} is not an n8n workflow export (no "nodes")`);
		return { file, json, digest: digest(json), name: json.name ?? file.replace(/\.json$/, '') };
	});
}

/**
 * Starts everything. options:
 *   repoRoot, dataDir (absolute), n8nPort (5678), sidecarPort (3100),
 *   databaseUrl (else the embedded PostgreSQL), driver ('webjs' | 'simulator'),
 *   ownerEmail, env (the caller's environment, for n8n and the sidecar),
 *   log(line), build (default true), workflowsDir (default <repoRoot>/workflows).
 * Resolves to a Stack once the webhooks are registered; `stack.died` resolves
 * with a description if a process ends by itself afterwards.
 */
async function startStack(options) {
	const stack = new Stack(options);
	try {
		await stack.start();
	} catch (error) {
		await stack.stop().catch(() => {});
		throw error;
	}
	return stack;
}

class Stack {
	constructor(options) {
		this.o = {
			n8nPort: 5678,
			sidecarPort: 3100,
			driver: 'simulator',
			ownerEmail: DEFAULT_OWNER_EMAIL,
			env: process.env,
			log: (line) => process.stdout.write(`${line}\n`),
			build: true,
			...Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)),
		};
		this.o.workflowsDir ??= path.join(this.o.repoRoot, 'workflows');
		const d = this.o.dataDir;
		this.paths = {
			secrets: path.join(d, 'secrets.json'),
			state: path.join(d, 'state.json'),
			postgres: path.join(d, 'postgres'),
			userFolder: path.join(d, 'n8n'),
			sessions: path.join(d, 'sidecar', 'sessions'),
			sidecarData: path.join(d, 'sidecar', 'data'),
			logs: path.join(d, 'logs'),
			run: path.join(d, 'run'),
			cache: path.join(d, 'cache'),
		};
		this.handles = {}; // name → { child, exited } or EmbeddedPostgres
		this.stopping = undefined;
		this.info = {};
		let reportDeath;
		this.died = new Promise((resolve) => (reportDeath = resolve));
		this.reportDeath = reportDeath;
	}

	log(line) {
		this.o.log(line);
	}

	checkNotStopping() {
		if (this.stopping) throw new StartError('stopped while starting');
	}

	pidFile(name) {
		return path.join(this.paths.run, `${name}.pid`);
	}

	async start() {
		const started = Date.now();
		const { dataDir } = this.o;
		fs.mkdirSync(dataDir, { recursive: true });
		for (const dir of [this.paths.logs, this.paths.run, this.paths.cache]) fs.mkdirSync(dir, { recursive: true });
		await this.claimDataDir();

		// Dependencies, then the build (dist/, sidecar/dist) when missing or older than the sources.
		if (this.o.build) {
			const missing = installNeeded(this.o.repoRoot);
			if (missing) {
				this.log(`[start] installing dependencies (${missing}): npm install`);
				await runInstall(this.o.repoRoot);
			}
			this.checkNotStopping();
			const reason = buildNeeded(this.o.repoRoot);
			if (reason) {
				this.log(`[start] building (${reason}): npm run build`);
				await runBuild(this.o.repoRoot);
			}
		}
		this.checkNotStopping();

		// The n8n runtime (Node 24 + n8n), installed once outside the clone.
		this.log('[start] checking the n8n runtime (Node 24 + n8n 2.41.1)');
		this.runtime = await ensureRuntime(this.o.repoRoot, {
			onSlow: () =>
				this.log('[start] installing the n8n runtime into ~/.cache/n8n-nodes-whatsapp-crm — the first time takes about 5 minutes'),
		});
		this.checkNotStopping();

		// Ports: n8n's and the sidecar's are the user's choice; fail clearly when taken.
		for (const [label, port, variable] of [
			['n8n', this.o.n8nPort, 'PORT'],
			['the sidecar', this.o.sidecarPort, 'SIDECAR_PORT'],
		]) {
			if (!(await isPortFree(port))) throw new StartError(`port ${port} (for ${label}) is in use: stop what uses it or set ${variable}=<another port>`);
		}

		// Secrets (first run: generated), including the embedded database's password.
		const { secrets, created } = loadOrCreateSecrets(this.paths.secrets);
		this.secrets = secrets;
		this.state = loadState(this.paths.state);
		if (created.length > 0) this.log(`[start] generated secrets in ${displayPath(this.paths.secrets)}`);

		// The CRM database and its migrations.
		await this.startDatabase();
		this.checkNotStopping();

		// n8n's copy of this package.
		this.log(`[start] installing ${PACKAGE_NAME} into n8n's user folder (as a community package)`);
		const pkg = ensureCommunityPackage({
			repoRoot: this.o.repoRoot,
			userFolder: this.paths.userFolder,
			cacheDir: this.paths.cache,
			runtimeRequire: this.runtime.require,
		});
		if (!pkg.changed) this.log('[start]   unchanged since the last start');
		this.checkNotStopping();

		this.workflows = readWorkflowFiles(this.o.workflowsDir);
		this.n8nUrl = `http://127.0.0.1:${this.o.n8nPort}`;
		this.publicUrl = `http://localhost:${this.o.n8nPort}`;
		this.sidecarUrl = `http://127.0.0.1:${this.o.sidecarPort}`;
		await this.startN8n();
		this.checkNotStopping();

		// Credentials and workflows, through n8n's public API.
		await this.ensureCredentials();
		await this.ensureWorkflows();
		this.checkNotStopping();

		// The sidecar last: what its outbox kept, and the session events of the sessions it
		// restores, are delivered at once to the registered trigger (not retried with backoff).
		await this.startSidecar();
		this.checkNotStopping();

		this.watchChildren();
		this.info = this.describe();
		this.info.startedInSeconds = (Date.now() - started) / 1000;
	}

	/** One start script per DATA_DIR: a second one would fight over the same processes. */
	async claimDataDir() {
		const file = this.pidFile('start');
		try {
			const { pid, cmdline } = JSON.parse(fs.readFileSync(file, 'utf8'));
			if (pid !== process.pid && isAlive(pid) && commandLineOf(pid) === cmdline) {
				throw new StartError(`another start script (pid ${pid}) is running on ${this.o.dataDir}: stop it first (Ctrl-C in its terminal, or kill -INT ${pid})`);
			}
		} catch (error) {
			if (error instanceof StartError) throw error;
		}
		writePidFile(file, process.pid);
		// Processes a previous start left running (it was killed): end them, n8n first.
		for (const name of ['n8n', 'sidecar', 'postgres']) {
			if (await endStaleProcess(this.pidFile(name), { signal: name === 'postgres' ? 'SIGINT' : 'SIGTERM', graceMs: 20_000 })) {
				this.log(`[start] ended the ${name} process left running by a previous start`);
			}
		}
	}

	async startDatabase() {
		const { migrate } = require(path.join(this.o.repoRoot, 'db', 'migrate.js'));
		if (this.o.databaseUrl) {
			this.db = { url: this.o.databaseUrl, embedded: false, credential: postgresCredentialFromUrl(this.o.databaseUrl) };
			this.log('[start] CRM database: DATABASE_URL');
		} else {
			const preferred = this.o.postgresPort ?? this.state.postgresPort ?? EMBEDDED_PG_PORT;
			const port = await preferredOrFreePort(preferred);
			if (port !== this.state.postgresPort) {
				this.state.postgresPort = port;
				saveState(this.paths.state, this.state);
			}
			const pg = new EmbeddedPostgres({
				dataDir: this.paths.postgres,
				port,
				password: this.secrets.postgresPassword,
				logFile: path.join(this.paths.logs, 'postgres.log'),
			});
			const first = !pg.isInitialised();
			this.log(`[start] CRM database: embedded PostgreSQL in ${displayPath(this.paths.postgres)} on 127.0.0.1:${port}${first ? ' (initialising a new cluster)' : ''}`);
			this.handles.postgres = pg;
			await pg.start();
			writePidFile(this.pidFile('postgres'), pg.pid);
			await pg.ensureDatabase(CRM_DATABASE);
			this.db = {
				url: pg.url(CRM_DATABASE),
				embedded: true,
				port,
				credential: {
					host: '127.0.0.1',
					port,
					database: CRM_DATABASE,
					user: 'postgres',
					password: this.secrets.postgresPassword,
					ssl: 'disable',
					allowUnauthorizedCerts: false,
					maxConnections: 100,
					sshTunnel: false,
				},
			};
		}
		const { applied, alreadyApplied } = await migrate({ connection: this.db.url });
		this.log(
			applied.length > 0
				? `[start] migrations applied: ${applied.join(', ')}`
				: `[start] database schema up to date (${alreadyApplied.length} migration${alreadyApplied.length === 1 ? '' : 's'})`,
		);
	}

	async startSidecar() {
		const env = {
			...this.o.env,
			PORT: String(this.o.sidecarPort),
			HOST: '127.0.0.1',
			SIDECAR_API_KEY: this.secrets.sidecarApiKey,
			WEBHOOK_URL: this.o.sidecarWebhookUrl ? this.o.sidecarWebhookUrl(this.webhookUrl) : this.webhookUrl,
			WEBHOOK_SECRET: this.secrets.webhookSecret,
			SESSION_DIR: this.paths.sessions,
			DATA_DIR: this.paths.sidecarData,
			WHATSAPP_DRIVER: this.o.driver,
			LOG_LEVEL: this.o.env.LOG_LEVEL ?? 'info',
		};
		delete env.DATABASE_URL;
		fs.mkdirSync(this.paths.sessions, { recursive: true, mode: 0o700 });
		fs.mkdirSync(this.paths.sidecarData, { recursive: true });
		const main = path.join(this.o.repoRoot, 'sidecar', 'dist', 'sidecar', 'src', 'main.js');
		this.log(`[start] starting the sidecar (driver: ${this.o.driver}) on ${this.sidecarUrl}`);
		const logFile = path.join(this.paths.logs, 'sidecar.log');
		this.checkNotStopping();
		const handle = spawnLogged(process.execPath, [main], { cwd: this.o.repoRoot, env, logFile });
		this.handles.sidecar = handle;
		let exited;
		void handle.exited.then((r) => (exited = r));
		const deadline = Date.now() + 60_000;
		for (;;) {
			if (exited) throw new StartError(`the sidecar exited (code ${exited.code}) while starting:\n${tailOf(logFile, 30)}`);
			try {
				const res = await fetch(`${this.sidecarUrl}/healthz`, { signal: AbortSignal.timeout(1000) });
				await res.arrayBuffer();
				if (res.ok) break;
			} catch {
				// not listening yet
			}
			if (Date.now() > deadline) throw new StartError(`the sidecar did not answer on ${this.sidecarUrl}/healthz within 60 s:\n${tailOf(logFile, 30)}`);
			this.checkNotStopping();
			await sleep(150);
		}
		writePidFile(this.pidFile('sidecar'), handle.child.pid);
	}

	async startN8n() {
		const userFolder = this.paths.userFolder;
		const brokerPort = await freePort();
		const env = n8nEnvironment({
			runtime: this.runtime,
			userFolder,
			port: this.o.n8nPort,
			brokerPort,
			encryptionKey: this.secrets.encryptionKey,
			owner: { email: this.o.ownerEmail, password: this.secrets.ownerPassword },
			publicUrl: `${this.publicUrl}/`,
			baseEnv: this.o.env,
		});
		this.log(`[start] starting n8n on ${this.publicUrl} (SQLite in ${displayPath(path.join(userFolder, '.n8n'))})`);
		const logFile = path.join(this.paths.logs, 'n8n.log');
		this.checkNotStopping();
		const handle = startN8nProcess({ runtime: this.runtime, userFolder, env, logFile });
		this.handles.n8n = handle;
		const client = new N8nClient({ baseUrl: this.n8nUrl, apiKey: this.secrets.n8nApiKey ?? '' });
		try {
			await client.waitUntilReady({ timeoutMs: 180_000, exited: handle.exited });
		} catch (error) {
			throw new StartError(`${error.message}\n--- ${logFile} (last lines) ---\n${tailOf(logFile, 40)}`);
		}
		writePidFile(this.pidFile('n8n'), handle.child.pid);
		if (!(await client.apiKeyWorks())) {
			await client.login(this.o.ownerEmail, this.secrets.ownerPassword);
			this.secrets.n8nApiKey = await client.createApiKey(`npm start (${new Date().toISOString()})`);
			saveSecrets(this.paths.secrets, this.secrets);
		}
		this.client = client;
	}

	/** Desired credentials: the two this script can fill in. */
	desiredCredentials() {
		return [
			{
				...SIDECAR_CREDENTIAL,
				data: {
					baseUrl: this.sidecarUrl,
					apiKey: this.secrets.sidecarApiKey,
					webhookSecret: this.secrets.webhookSecret,
					previousWebhookSecret: '',
					toleranceSeconds: 300,
				},
			},
			{ ...POSTGRES_CREDENTIAL, data: this.db.credential },
		];
	}

	/**
	 * Creates the managed credentials, or finds them (by the id recorded, else by
	 * name and type) and updates their data only when what this script would
	 * write has changed since it last wrote it (a new port, DATABASE_URL…), so
	 * edits made in the editor otherwise stay.
	 */
	async ensureCredentials() {
		this.state.credentials ??= {};
		let existing;
		for (const wanted of this.desiredCredentials()) {
			const recorded = this.state.credentials[wanted.name];
			const wantedDigest = digest(wanted.data);
			let id;
			for (const candidate of [recorded?.id, wanted.id]) {
				if (!id && candidate && (await this.client.getCredential(candidate))) id = candidate;
			}
			if (!id) {
				existing ??= await this.client.listCredentials();
				const matches = existing.filter((c) => c.name === wanted.name && c.type === wanted.type);
				if (matches.length > 0) id = matches[0].id;
			}
			if (!id) {
				id = await this.client.createCredential(wanted);
				this.log(`[start] created the credential "${wanted.name}"`);
			} else if (recorded?.digest !== wantedDigest) {
				await this.client.updateCredential(id, wanted);
				this.log(`[start] updated the credential "${wanted.name}"`);
			}
			this.state.credentials[wanted.name] = { id, type: wanted.type, digest: wantedDigest };
			saveState(this.paths.state, this.state);
		}
	}

	/**
	 * Imports each workflows/*.json once (a workflow recorded in state.json, or
	 * one with the same name, is reused: never imported twice, never overwritten)
	 * and activates it when first imported, if every credential it refers to
	 * exists; others stay inactive with the reason. Then waits until the CRM
	 * logging trigger's webhook is registered.
	 */
	async ensureWorkflows() {
		this.state.workflows ??= {};
		this.triggerPath = undefined;
		const credentials = await this.client.listCredentials();
		const have = new Set(credentials.map((c) => `${c.type}\u0000${c.name}`));
		let all;
		this.workflowReport = [];
		for (const wf of this.workflows) {
			const recorded = this.state.workflows[wf.file];
			let current = recorded?.id ? await this.client.getWorkflow(recorded.id) : undefined;
			if (!current) {
				all ??= await this.client.listWorkflows();
				const byName = all.filter((w) => w.name === wf.name);
				if (byName.length > 0) current = byName[0];
			}
			const missing = credentialsUsed(wf.json).filter((c) => !have.has(`${c.type}\u0000${c.name}`));
			let imported = false;
			if (!current) {
				// Without its references to credentials that do not exist: n8n would keep them dangling and the
				// editor would show those nodes as fine; with none, they carry n8n's "credentials not set" badge.
				const id = await this.client.importWorkflow(missing.length > 0 ? withoutCredentials(wf.json, missing) : wf.json);
				current = await this.client.getWorkflow(id);
				imported = true;
				this.log(`[start] imported workflows/${wf.file} → "${wf.name}"`);
			}
			const entry = this.state.workflows[wf.file] ?? {};
			entry.id = current.id;
			if (imported) {
				entry.importedDigest = wf.digest;
				entry.activation = undefined;
			}
			let note = '';
			if (!current.active && (entry.activation === undefined || entry.activation === 'failed')) {
				if (missing.length > 0) {
					entry.activation = 'skipped';
					note = `needs the credential${missing.length > 1 ? 's' : ''} ${missing.map((c) => `"${c.name}" (${c.type})`).join(', ')} — create it in n8n, select it in the workflow, then activate`;
				} else {
					try {
						await this.client.activate(current.id);
						entry.activation = 'activated';
						current.active = true;
					} catch (error) {
						entry.activation = 'failed';
						note = `activation failed (${String(error.message).replace(/\s+/g, ' ').slice(0, 300)})`;
					}
				}
			} else if (!current.active) {
				note = entry.activation === 'skipped' && missing.length > 0 ? `needs the credential${missing.length > 1 ? 's' : ''} ${missing.map((c) => `"${c.name}" (${c.type})`).join(', ')}` : '';
			}
			if (entry.importedDigest && entry.importedDigest !== wf.digest && !imported) {
				note = `${note ? `${note}; ` : ''}workflows/${wf.file} changed since it was imported: n8n keeps its copy (delete the workflow in n8n to re-import it at the next start)`;
			}
			this.state.workflows[wf.file] = entry;
			saveState(this.paths.state, this.state);
			// n8n's copy is the one that runs (it may be an earlier import, or edited in the editor).
			const json = Array.isArray(current.nodes) ? current : wf.json;
			this.workflowReport.push({ file: wf.file, name: current.name ?? wf.name, id: current.id, active: Boolean(current.active), note, json });
		}
		const logging = this.workflowReport.find((w) => w.file === CRM_LOGGING_FILE);
		const trigger = logging && nodesOfType(logging.json, 'whatsAppCrmTrigger').find((n) => (n.parameters?.source ?? 'sidecar') === 'sidecar');
		if (trigger?.webhookId) this.triggerPath = crmTriggerPath(trigger);
		else this.log(`[start] warning: no WhatsApp CRM Trigger (sidecar) found in workflows/${CRM_LOGGING_FILE}: the sidecar's events will wait in its outbox`);
		this.webhookUrl = `${this.n8nUrl}/webhook/${this.triggerPath ?? 'whatsapp-crm'}`;
		if (this.triggerPath && logging.active) {
			await this.client.waitForWebhook(this.triggerPath, { method: 'POST', timeoutMs: 60_000 });
		}
	}

	/**
	 * Stops one part of the running stack — 'n8n', 'sidecar' or 'postgres' (the
	 * embedded one) — as a fault to recover from: SIGTERM (a clean stop, the
	 * default) or SIGKILL (a crash). `restartPart` brings it back on the same data.
	 * For fault-injection tests; a part stopped this way is not reported in `died`.
	 */
	async haltPart(name, { signal = 'SIGTERM' } = {}) {
		this.halted ??= new Set();
		this.halted.add(name);
		if (name === 'postgres') {
			if (!this.handles.postgres) throw new StartError('the CRM database is not the embedded one');
			if (signal === 'SIGKILL') {
				const pid = this.handles.postgres.pid;
				if (pid) signalGroup(pid, 'SIGKILL');
				await this.handles.postgres.exited;
			} else {
				await this.handles.postgres.stop();
			}
			return;
		}
		const handle = this.handles[name];
		if (!handle) throw new StartError(`no running part named ${name}`);
		if (signal === 'SIGKILL') {
			if (handle.child.pid) signalGroup(handle.child.pid, 'SIGKILL');
			await handle.exited;
		} else {
			await stopChild(handle, { signal, graceMs: 25_000 });
		}
	}

	/** Starts again a part stopped with haltPart (or stopped by itself), on the same data. */
	async restartPart(name) {
		if (name === 'postgres') {
			await this.handles.postgres.start();
			writePidFile(this.pidFile('postgres'), this.handles.postgres.pid);
		} else if (name === 'n8n') {
			await this.startN8n();
			if (this.triggerPath) await this.client.waitForWebhook(this.triggerPath, { method: 'POST', timeoutMs: 60_000 });
		} else if (name === 'sidecar') {
			await this.startSidecar();
		} else {
			throw new StartError(`no part named ${name}`);
		}
		this.halted?.delete(name);
		this.watchChildren([name]);
	}

	/** After start-up: a child that ends by itself ends the stack (unless haltPart stopped it). */
	watchChildren(parts = ['n8n', 'sidecar', 'postgres']) {
		const labels = { n8n: 'n8n', sidecar: 'the sidecar', postgres: 'PostgreSQL' };
		for (const part of parts) {
			const exited = part === 'postgres' ? this.handles.postgres?.exited : this.handles[part]?.exited;
			const logFile = path.join(this.paths.logs, `${part}.log`);
			void exited?.then((result) => {
				if (this.stopping || this.halted?.has(part)) return;
				this.reportDeath(`${labels[part]} exited unexpectedly (code ${result.code}, signal ${result.signal ?? 'none'})\n--- ${logFile} (last lines) ---\n${tailOf(logFile, 30)}`);
			});
		}
	}

	/** What the start script prints. */
	describe() {
		const formOf = (file) => {
			const wf = this.workflowReport.find((w) => w.file === file);
			const node = wf && nodesOfType(wf.json, 'formTrigger')[0];
			return node ? { url: `${this.publicUrl}/form/${formTriggerPath(node)}`, active: wf.active } : undefined;
		};
		return {
			editorUrl: `${this.publicUrl}/`,
			owner: { email: this.o.ownerEmail, password: this.secrets.ownerPassword },
			sidecarUrl: this.sidecarUrl,
			sidecarApiKey: this.secrets.sidecarApiKey,
			driver: this.o.driver,
			webhookUrl: this.webhookUrl,
			database: { url: this.db.url, embedded: this.db.embedded },
			connectForm: formOf('connect-whatsapp.json'),
			syncForm: formOf('sync-messages.json'),
			disconnectForm: formOf('disconnect-whatsapp.json'),
			workflows: this.workflowReport.map(({ json, ...rest }) => rest),
			demoUserId: DEMO_USER_ID,
			dataDir: this.o.dataDir,
			logsDir: this.paths.logs,
		};
	}

	/** Stops n8n and the sidecar (in parallel), then PostgreSQL. Safe to call twice. */
	stop() {
		this.stopping ??= (async () => {
			const jobs = [];
			if (this.handles.n8n) {
				jobs.push(stopChild(this.handles.n8n, { signal: 'SIGTERM', graceMs: 25_000 }).then(() => removePidFile(this.pidFile('n8n'))));
			}
			if (this.handles.sidecar) {
				jobs.push(stopChild(this.handles.sidecar, { signal: 'SIGTERM', graceMs: 35_000 }).then(() => removePidFile(this.pidFile('sidecar'))));
			}
			await Promise.all(jobs);
			if (this.handles.postgres) {
				await this.handles.postgres.stop();
				removePidFile(this.pidFile('postgres'));
			}
			removePidFile(this.pidFile('start'));
		})();
		return this.stopping;
	}

	/** Ends every child at once (a second Ctrl-C). */
	kill() {
		for (const handle of [this.handles.n8n, this.handles.sidecar, this.handles.postgres?.handle]) {
			if (handle?.child.pid) {
				try {
					process.kill(-handle.child.pid, 'SIGKILL');
				} catch {
					// gone
				}
			}
		}
	}
}

module.exports = { startStack, Stack, StartError, displayPath, postgresCredentialFromUrl, readWorkflowFiles, DEMO_USER_ID, CRM_DATABASE, EMBEDDED_PG_PORT };
