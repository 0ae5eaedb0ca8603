#!/usr/bin/env node
'use strict';
/**
 * Applies the CRM store's SQL migrations (db/migrations/NNNN_name.sql, in
 * order) to a PostgreSQL database. Plain JavaScript, so it runs without a
 * build: `node db/migrate.js` (connection from DATABASE_URL, else the standard
 * PG* variables: PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD).
 *
 * - Safe to start twice at once: a session-level advisory lock serializes
 *   migrators; the second one waits, then finds nothing left to do.
 * - Idempotent: applied versions are recorded in whatsapp_crm.schema_migrations
 *   and never run again.
 * - Each migration runs in its own transaction together with its record: it
 *   is applied completely or not at all.
 *
 * Also a module: `const { migrate } = require('./db/migrate')` for the start
 * script and tests (see migrate.d.ts).
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { Client } = require('pg');

const SCHEMA = 'whatsapp_crm';
const MIGRATIONS_DIR = path.join(__dirname, 'migrations');
/** pg_advisory_lock(int, int) key: 'WA' 'CM' — shared by every copy of this package. */
const LOCK_KEY = [0x5741, 0x434d];
const FILE_PATTERN = /^(\d{4})_([a-z0-9_]+)\.sql$/;

const BOOTSTRAP_SQL = `
	CREATE SCHEMA IF NOT EXISTS ${SCHEMA};
	CREATE TABLE IF NOT EXISTS ${SCHEMA}.schema_migrations (
		version text PRIMARY KEY,
		name text NOT NULL,
		checksum text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now()
	);
`;

/** The migration files of `dir`, sorted by version. Throws on two files with one version. */
function listMigrations(dir = MIGRATIONS_DIR) {
	const migrations = [];
	for (const file of fs.readdirSync(dir).sort()) {
		const match = FILE_PATTERN.exec(file);
		if (!match) continue;
		const sql = fs.readFileSync(path.join(dir, file), 'utf8');
		migrations.push({
			version: match[1],
			name: match[2],
			file,
			sql,
			checksum: crypto.createHash('sha256').update(sql).digest('hex'),
		});
	}
	for (let i = 1; i < migrations.length; i++) {
		if (migrations[i].version === migrations[i - 1].version) {
			throw new Error(`two migrations share version ${migrations[i].version}: ${migrations[i - 1].file}, ${migrations[i].file}`);
		}
	}
	return migrations;
}

/** Client settings from DATABASE_URL, else undefined (pg then reads PG* itself). */
function connectionFromEnv(env = process.env) {
	return env.DATABASE_URL ? { connectionString: env.DATABASE_URL } : undefined;
}

/** "host:port/database" for messages: never the password. */
function describeTarget(client) {
	return `${client.host ?? '?'}:${client.port ?? '?'}/${client.database ?? '?'}`;
}

/**
 * Brings the database up to the newest migration.
 * options.client: a connected pg Client to use (left open);
 * options.pool: a pg Pool to borrow one connection from;
 * options.connection: a connection string or pg ClientConfig (else DATABASE_URL / PG*);
 * options.migrationsDir: where the .sql files are (default: db/migrations);
 * options.log: receives one line per applied migration and per warning.
 * Resolves to { applied: ['0001_crm_schema', …], alreadyApplied: [...] }.
 */
async function migrate(options = {}) {
	const log = options.log ?? (() => {});
	const migrations = listMigrations(options.migrationsDir);

	let client;
	let release;
	if (options.client) {
		client = options.client;
		release = async () => {};
	} else if (options.pool) {
		const pooled = await options.pool.connect();
		client = pooled;
		release = async () => pooled.release();
	} else {
		const connection = typeof options.connection === 'string' ? { connectionString: options.connection } : options.connection;
		const own = new Client(connection ?? connectionFromEnv());
		await own.connect();
		client = own;
		release = async () => own.end();
	}

	try {
		await client.query('SELECT pg_advisory_lock($1, $2)', LOCK_KEY);
		try {
			await client.query(BOOTSTRAP_SQL);
			const { rows } = await client.query(`SELECT version, name, checksum FROM ${SCHEMA}.schema_migrations`);
			const done = new Map(rows.map((row) => [row.version, row]));
			const applied = [];
			const alreadyApplied = [];

			for (const migration of migrations) {
				const label = `${migration.version}_${migration.name}`;
				const record = done.get(migration.version);
				if (record) {
					if (record.checksum !== migration.checksum) {
						log(`warning: ${migration.file} changed after it was applied; changes to an applied migration are not re-run (add a new migration instead)`);
					}
					alreadyApplied.push(label);
					continue;
				}
				await client.query('BEGIN');
				try {
					await client.query(migration.sql);
					await client.query(`INSERT INTO ${SCHEMA}.schema_migrations (version, name, checksum) VALUES ($1, $2, $3)`, [
						migration.version,
						migration.name,
						migration.checksum,
					]);
					await client.query('COMMIT');
				} catch (error) {
					await client.query('ROLLBACK').catch(() => {});
					const reason = error instanceof Error ? error.message : String(error);
					throw new Error(`migration ${migration.file} failed and was rolled back: ${reason}`);
				}
				applied.push(label);
				log(`applied ${label}`);
			}

			const known = new Set(migrations.map((m) => m.version));
			for (const version of done.keys()) {
				if (!known.has(version)) log(`warning: the database has migration ${version}, which this version of the package does not know (a newer version ran here)`);
			}
			return { applied, alreadyApplied };
		} finally {
			await client.query('SELECT pg_advisory_unlock($1, $2)', LOCK_KEY).catch(() => {});
		}
	} finally {
		await release();
	}
}

module.exports = { migrate, listMigrations, connectionFromEnv, SCHEMA, MIGRATIONS_DIR };

if (require.main === module) {
	const probe = new Client(connectionFromEnv());
	const target = describeTarget(probe);
	migrate({ log: (line) => console.log(`[migrate] ${line}`) })
		.then(({ applied, alreadyApplied }) => {
			if (applied.length === 0) console.log(`[migrate] ${target}: schema ${SCHEMA} is up to date (${alreadyApplied.length} migrations)`);
			else console.log(`[migrate] ${target}: applied ${applied.length} migration(s), schema ${SCHEMA} is up to date`);
		})
		.catch((error) => {
			console.error(`[migrate] ${target}: ${error instanceof Error ? error.message : String(error)}`);
			process.exitCode = 1;
		});
}
