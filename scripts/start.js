#!/usr/bin/env node
'use strict';
/**
 * `npm start`: the whole WhatsApp CRM on this machine with one command.
 *
 * Builds when needed, installs the n8n runtime (Node 24 + n8n, first time only),
 * starts the CRM database (DATABASE_URL, or an embedded PostgreSQL in
 * DATA_DIR/postgres) and applies the migrations, generates secrets on first run,
 * starts the sidecar and n8n (this package installed as a community package),
 * creates the credentials, imports and activates the workflows in workflows/,
 * and prints the URLs, the owner login and what to do next. Ctrl-C (SIGINT) or
 * SIGTERM stops everything and exits 0. All state lives in DATA_DIR (default
 * .data/ in the repository).
 *
 * Settings (environment):
 *   PORT             n8n's port (5678)
 *   SIDECAR_PORT     the sidecar's port (3100)
 *   DATABASE_URL     use this PostgreSQL for the CRM instead of the embedded one
 *   WHATSAPP_DRIVER  webjs (real WhatsApp Web through Chromium) or simulator (demo, tests);
 *                    default webjs when Chromium is installed, else simulator
 *   DATA_DIR         where everything is kept (.data)
 *   N8N_OWNER_EMAIL  the n8n owner's login (admin@example.com); the password is generated
 *   N8N_*, DB_*, …   other n8n settings are passed on to n8n
 *
 * Also: `node scripts/start.js sql "<SQL>"` runs one query against the CRM
 * database of DATA_DIR (while `npm start` runs) and prints the rows.
 */
const fs = require('node:fs');
const path = require('node:path');

const REPO_ROOT = path.resolve(__dirname, '..');
const env = process.env;
const dataDir = path.resolve(REPO_ROOT, env.DATA_DIR || '.data');

function portFrom(name, fallback) {
	const raw = env[name];
	if (raw === undefined || raw.trim() === '') return fallback;
	const port = Number(raw);
	if (!Number.isInteger(port) || port < 1 || port > 65535) {
		console.error(`[start] ${name} must be a port number (1-65535), got "${raw}"`);
		process.exit(1);
	}
	return port;
}

function chooseDriver() {
	const set = (env.WHATSAPP_DRIVER ?? '').trim();
	if (set) {
		if (!['webjs', 'simulator'].includes(set)) {
			console.error(`[start] WHATSAPP_DRIVER must be webjs or simulator, got "${set}"`);
			process.exit(1);
		}
		return { driver: set, note: undefined };
	}
	const chromium = env.CHROMIUM_PATH || '/usr/bin/chromium';
	if (fs.existsSync(chromium)) {
		return { driver: 'webjs', note: `WhatsApp driver: webjs (Chromium at ${chromium}); WHATSAPP_DRIVER=simulator runs the demo without a phone` };
	}
	return {
		driver: 'simulator',
		note: `WhatsApp driver: simulator — no Chromium at ${chromium} (install it with \`apt-get install chromium\` and set WHATSAPP_DRIVER=webjs to link a real phone)`,
	};
}

async function sqlCommand(query) {
	const pg = require('pg');
	const { loadState, readJson } = require('./lib/secrets');
	const { CRM_DATABASE } = require('./lib/stack');
	let connection;
	if (env.DATABASE_URL) connection = { connectionString: env.DATABASE_URL };
	else {
		const state = loadState(path.join(dataDir, 'state.json'));
		const secrets = readJson(path.join(dataDir, 'secrets.json'));
		if (!state.postgresPort || !secrets?.postgresPassword) {
			console.error(`[sql] no embedded database in ${dataDir}: run \`npm start\` first (or set DATABASE_URL)`);
			process.exit(1);
		}
		connection = { host: '127.0.0.1', port: state.postgresPort, user: 'postgres', password: secrets.postgresPassword, database: CRM_DATABASE };
	}
	const client = new pg.Client(connection);
	try {
		await client.connect();
	} catch (error) {
		console.error(`[sql] cannot connect to the CRM database (is \`npm start\` running?): ${error.message}`);
		process.exit(1);
	}
	try {
		const result = await client.query(query);
		const results = Array.isArray(result) ? result : [result];
		for (const r of results) {
			if (r.rows && r.fields?.length) console.table(r.rows);
			else console.log(`${r.command ?? 'OK'} ${r.rowCount ?? ''}`.trim());
		}
	} catch (error) {
		console.error(`[sql] ${error.message}`);
		process.exitCode = 1;
	} finally {
		await client.end();
	}
}

async function main() {
	if (process.argv[2] === 'sql') {
		if (!process.argv[3]) {
			console.error('usage: node scripts/start.js sql "<SQL>"');
			process.exit(2);
		}
		return await sqlCommand(process.argv.slice(3).join(' '));
	}
	if (process.argv[2] && process.argv[2] !== 'start') {
		console.error(`unknown command "${process.argv[2]}" (use: node scripts/start.js [sql "<SQL>"])`);
		process.exit(2);
	}

	const { Stack, StartError, displayPath } = require('./lib/stack');
	const { banner } = require('./lib/banner');
	const rel = displayPath;
	const n8nPort = portFrom('PORT', 5678);
	const sidecarPort = portFrom('SIDECAR_PORT', 3100);
	const { driver, note } = chooseDriver();
	const log = (line) => process.stdout.write(`${line}\n`);
	log(`[start] WhatsApp CRM: data in ${rel(dataDir)}/, n8n on port ${n8nPort}, sidecar on port ${sidecarPort}`);
	if (note) log(`[start] ${note}`);

	let stack;
	let signalled;
	let firstSignalAt = 0;
	const shutdown = async (signal) => {
		if (signalled) {
			// Under `npm start`, one Ctrl-C can arrive twice (from the terminal and forwarded by npm).
			if (Date.now() - firstSignalAt < 2000) return;
			log(`[start] ${signal} again: killing everything now`);
			stack?.kill();
			process.exit(130);
		}
		signalled = signal;
		firstSignalAt = Date.now();
		log(`\n[start] ${signal}: stopping n8n, the sidecar${stack?.db?.embedded === false ? '' : ' and the database'}…`);
		if (stack) await stack.stop().catch((error) => log(`[start] while stopping: ${error.message}`));
		log('[start] stopped');
		process.exit(0);
	};
	process.on('SIGINT', () => void shutdown('SIGINT'));
	process.on('SIGTERM', () => void shutdown('SIGTERM'));

	stack = new Stack({
		repoRoot: REPO_ROOT,
		dataDir,
		n8nPort,
		sidecarPort,
		databaseUrl: env.DATABASE_URL || undefined,
		driver,
		ownerEmail: env.N8N_OWNER_EMAIL || undefined,
		env,
		log,
	});
	try {
		await stack.start();
	} catch (error) {
		if (signalled) return; // the signal handler stops and exits
		console.error(`\n[start] failed: ${error instanceof StartError ? error.message : error.stack || error.message}`);
		await stack.stop().catch(() => {});
		process.exit(1);
	}
	log(banner(stack.info, { rel, repoRoot: REPO_ROOT }));
	log(`[start] ready in ${stack.info.startedInSeconds.toFixed(1)} s: ${stack.info.editorUrl} — Ctrl-C stops everything`);

	const reason = await stack.died;
	if (signalled) return;
	console.error(`\n[start] ${reason}\n[start] stopping the rest`);
	await stack.stop().catch(() => {});
	process.exit(1);
}

main().catch((error) => {
	console.error(`[start] ${error.stack || error.message}`);
	process.exit(1);
});
