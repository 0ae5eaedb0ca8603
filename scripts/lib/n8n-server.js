'use strict';
/**
 * Runs n8n (2.41.1, on the runtime's Node 24) as a child process: its
 * environment (SQLite in the user folder, loopback only, no telemetry or calls
 * home, the owner created from the environment) and the process itself.
 * Used by `npm start` and by the e2e harness (test/support/n8n), which differ
 * only in the options they pass: the log level, the shutdown timeout, and how
 * much of the caller's environment reaches n8n (`baseEnv`).
 */
const os = require('node:os');
const path = require('node:path');
const { spawnLogged } = require('./processes');

/** Variables the caller's environment may not override (they hold the instance together). */
const MANAGED = [
	'N8N_USER_FOLDER',
	'N8N_PORT',
	'N8N_ENCRYPTION_KEY',
	'N8N_RUNNERS_BROKER_PORT',
	'N8N_INSTANCE_OWNER_MANAGED_BY_ENV',
	'N8N_INSTANCE_OWNER_EMAIL',
	'N8N_INSTANCE_OWNER_PASSWORD_HASH',
];

/**
 * n8n's expression engine, as this package's deployments run it (measured by
 * bench/08; see the README's "n8n settings for production"). n8n 2.41 evaluates
 * expressions in isolated-vm isolates; every execution that takes one disposes
 * of it afterwards, and a fresh one (tens of ms of CPU) is built for the pool.
 * By default (`LAZY_ACQUIRE=false`) n8n takes one for every webhook call of a
 * trigger other than its own Webhook node, and again for the execution — even
 * when no expression is ever evaluated: 130–145 ms of CPU per WhatsApp event
 * against 14–17 ms lazily (bench 08). Lazily, only executions that really
 * evaluate an expression take one. The pool keeps that many isolates built in
 * advance, so a burst of executions that do evaluate expressions (the CRM
 * logging workflow) does not build them synchronously on n8n's main thread; 4 covers the sidecar's
 * deliveries of a few sessions at once (each idle isolate holds some memory).
 * The caller's environment wins (N8N_EXPRESSION_ENGINE_POOL_SIZE=…).
 */
const EXPRESSION_ENGINE_SETTINGS = {
	N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'true',
	N8N_EXPRESSION_ENGINE_POOL_SIZE: '4',
};

/** The caller's n8n settings (N8N_* / DB_* / GENERIC_TIMEZONE …) other than the managed ones. */
function n8nSettingsOf(baseEnv) {
	return Object.fromEntries(
		Object.entries(baseEnv).filter(
			([key, value]) =>
				value !== undefined &&
				(/^(N8N_|DB_|EXECUTIONS_|QUEUE_|NODE_FUNCTION_|GENERIC_TIMEZONE$|NODES_)/.test(key) || key === 'WEBHOOK_TUNNEL_URL') &&
				!MANAGED.includes(key),
		),
	);
}

/**
 * The environment for any n8n command on a user folder (`n8n start`, `n8n execute`,
 * `n8n import:workflow`, …).
 * options.runtime: from ensureRuntime(); options.userFolder: N8N_USER_FOLDER;
 * options.brokerPort: the task runners' broker port; options.encryptionKey;
 * options.logLevel: N8N_LOG_LEVEL (default 'info');
 * options.baseEnv: the caller's environment — PATH, HOME, TMPDIR, LANG and TZ come
 *   from it, and its N8N_* / DB_* / GENERIC_TIMEZONE … settings are kept (they win
 *   over the defaults here); everything else is not passed on.
 */
function n8nCommandEnvironment({ runtime, userFolder, brokerPort, encryptionKey, logLevel = 'info', baseEnv = process.env }) {
	return {
		PATH: `${path.dirname(runtime.node)}:${baseEnv.PATH ?? '/usr/bin:/bin'}`,
		HOME: baseEnv.HOME ?? userFolder,
		TMPDIR: baseEnv.TMPDIR ?? os.tmpdir(),
		LANG: baseEnv.LANG ?? 'C.UTF-8',
		TZ: baseEnv.TZ ?? 'UTC',
		NODE_ENV: 'production',
		N8N_LOG_LEVEL: logLevel,
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_DISABLED_MODULES: 'mcp-registry',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		...EXPRESSION_ENGINE_SETTINGS,
		...n8nSettingsOf(baseEnv),
		N8N_USER_FOLDER: userFolder,
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		N8N_ENCRYPTION_KEY: encryptionKey,
	};
}

/**
 * The environment for `n8n start`: n8nCommandEnvironment()'s (same options) and
 * options.port; options.owner: { email, password, firstName?, lastName? } (hashed
 * here with n8n's bcryptjs); options.publicUrl: where users reach it (default
 * http://localhost:<port>/); options.shutdownTimeoutSeconds:
 * N8N_GRACEFUL_SHUTDOWN_TIMEOUT (default 10).
 */
function n8nEnvironment(options) {
	const { runtime, port, owner, publicUrl, shutdownTimeoutSeconds = 10, baseEnv = process.env } = options;
	const bcrypt = runtime.require('bcryptjs');
	const url = publicUrl ?? `http://localhost:${port}/`;
	return {
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: new URL(url).hostname,
		N8N_PROTOCOL: new URL(url).protocol.replace(':', ''),
		WEBHOOK_URL: url,
		N8N_EDITOR_BASE_URL: url,
		N8N_SECURE_COOKIE: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_GRACEFUL_SHUTDOWN_TIMEOUT: String(shutdownTimeoutSeconds),
		// The caller's settings (within) win over the defaults above; the managed ones over both.
		...n8nCommandEnvironment(options),
		N8N_PORT: String(port),
		N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
		N8N_INSTANCE_OWNER_EMAIL: owner.email,
		N8N_INSTANCE_OWNER_FIRST_NAME: baseEnv.N8N_INSTANCE_OWNER_FIRST_NAME ?? owner.firstName ?? 'CRM',
		N8N_INSTANCE_OWNER_LAST_NAME: baseEnv.N8N_INSTANCE_OWNER_LAST_NAME ?? owner.lastName ?? 'Admin',
		N8N_INSTANCE_OWNER_PASSWORD_HASH: bcrypt.hashSync(owner.password, 10),
	};
}

/**
 * Starts `n8n start` in its own process group, output appended to logFile
 * (`tag` names the caller in what it appends itself). Returns { child, exited }.
 */
function startN8nProcess({ runtime, userFolder, env, logFile, tag }) {
	return spawnLogged(runtime.node, [runtime.n8n, 'start'], { cwd: userFolder, env, logFile, tag });
}

module.exports = { EXPRESSION_ENGINE_SETTINGS, n8nCommandEnvironment, n8nEnvironment, startN8nProcess };
