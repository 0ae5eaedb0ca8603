/**
 * A throwaway database on the machine's PostgreSQL (127.0.0.1:5432, user
 * postgres, trust auth) per test file: `wacrm_test_<random>`, dropped after.
 */
import { randomBytes } from 'node:crypto';
import { Client, type Pool } from 'pg';
import { migrate } from '../../../db/migrate';
import { createCrmPool, type PostgresSettings } from '../../../crm/connection';

export const PG_HOST = process.env.PGHOST ?? '127.0.0.1';
export const PG_PORT = Number(process.env.PGPORT ?? 5432);
export const PG_USER = process.env.PGUSER ?? 'postgres';

export interface TestDatabase {
	name: string;
	connectionString: string;
	/** As n8n's Postgres credential would give them. */
	settings: PostgresSettings;
	/** A pool on this database, closed by drop(). */
	pool(max?: number): Pool;
	migrate(): Promise<void>;
	drop(): Promise<void>;
}

async function admin<T>(run: (client: Client) => Promise<T>): Promise<T> {
	const client = new Client({ host: PG_HOST, port: PG_PORT, user: PG_USER, database: 'postgres' });
	await client.connect();
	try {
		return await run(client);
	} finally {
		await client.end();
	}
}

export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
	const name = `wacrm_test_${randomBytes(6).toString('hex')}`;
	await admin((client) => client.query(`CREATE DATABASE ${name}`));
	const connectionString = `postgres://${PG_USER}@${PG_HOST}:${PG_PORT}/${name}`;
	const pools: Pool[] = [];
	const db: TestDatabase = {
		name,
		connectionString,
		settings: { host: PG_HOST, port: PG_PORT, database: name, user: PG_USER, password: '', ssl: 'disable' },
		pool(max = 10) {
			// createCrmPool ignores the 'error' of a connection that DROP DATABASE … WITH (FORCE) ends while the pool closes.
			const pool = createCrmPool({ connectionString, max });
			pools.push(pool);
			return pool;
		},
		async migrate() {
			await migrate({ connection: connectionString });
		},
		async drop() {
			await Promise.all(pools.map((pool) => pool.end().catch(() => {})));
			await admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
		},
	};
	if (options.migrated) await db.migrate();
	return db;
}

/**
 * A migrated throwaway database for the test file that calls this at its top
 * level: created before its tests (beforeAll), dropped after them (afterAll).
 * Read `.pool` inside tests and hooks.
 */
export function useMigratedTestDatabase(poolSize = 10): { readonly pool: Pool } {
	let db: TestDatabase | undefined;
	let pool: Pool | undefined;
	beforeAll(async () => {
		db = await createTestDatabase({ migrated: true });
		pool = db.pool(poolSize);
	});
	afterAll(async () => {
		await db?.drop();
	});
	return {
		get pool(): Pool {
			if (pool === undefined) throw new Error('the test database is created in beforeAll');
			return pool;
		},
	};
}
