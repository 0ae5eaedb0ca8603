/** Types for db/migrate.js (plain JavaScript so that it runs without a build). */
import type { Client, ClientConfig, Pool, PoolClient } from 'pg';

export interface Migration {
	/** `0001` */
	version: string;
	/** `crm_schema` */
	name: string;
	/** `0001_crm_schema.sql` */
	file: string;
	sql: string;
	/** sha256 of the file's text, recorded when applied. */
	checksum: string;
}

export interface MigrateOptions {
	/** A connected client to use (left open). */
	client?: Client | PoolClient;
	/** A pool to borrow one connection from. */
	pool?: Pool;
	/** A connection string or client config; default: DATABASE_URL, else the PG* variables. */
	connection?: string | ClientConfig;
	/** Folder of NNNN_name.sql files; default: db/migrations. */
	migrationsDir?: string;
	/** Receives a line per applied migration and per warning (no secrets, no data). */
	log?: (line: string) => void;
}

export interface MigrateResult {
	/** Migrations applied by this call, e.g. `['0001_crm_schema']`. */
	applied: string[];
	/** Migrations that were already applied before. */
	alreadyApplied: string[];
}

export function migrate(options?: MigrateOptions): Promise<MigrateResult>;
export function listMigrations(dir?: string): Migration[];
export function connectionFromEnv(env?: NodeJS.ProcessEnv): ClientConfig | undefined;
export const SCHEMA: 'whatsapp_crm';
export const MIGRATIONS_DIR: string;
