/**
 * A throwaway CRM database on the machine's PostgreSQL (127.0.0.1:5432, trust auth,
 * user postgres): created with a unique name, brought up to date with the package's
 * own migrations (db/migrate.js, as `npm start` and admins run them), dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import { Client, Pool, type QueryResultRow } from 'pg';
import { migrate } from '../../../db/migrate';

export interface CrmDatabaseSettings {
	host: string;
	port: number;
	user: string;
	password: string;
	database: string;
}

export interface CrmDatabase {
	readonly settings: CrmDatabaseSettings;
	/** Runs one statement against the CRM database; returns its rows. */
	query<T extends QueryResultRow = Record<string, unknown>>(text: string, values?: unknown[]): Promise<T[]>;
	/** Closes the pool and drops the database (terminating any connection still open on it). */
	drop(): Promise<void>;
}

const SERVER = {
	host: process.env.PGHOST ?? '127.0.0.1',
	port: Number(process.env.PGPORT ?? 5432),
	user: process.env.PGUSER ?? 'postgres',
	password: process.env.PGPASSWORD ?? '',
};

export async function createCrmDatabase(prefix = 'whatsapp_crm_e2e'): Promise<CrmDatabase> {
	const database = `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
	const admin = new Client({ ...SERVER, database: 'postgres' });
	await admin.connect();
	try {
		await admin.query(`CREATE DATABASE "${database}"`);
	} finally {
		await admin.end();
	}
	const settings: CrmDatabaseSettings = { ...SERVER, database };
	await migrate({ connection: settings });
	const pool = new Pool({ ...settings, max: 4 });
	let dropped: Promise<void> | undefined;
	return {
		settings,
		async query<T extends QueryResultRow>(text: string, values?: unknown[]) {
			const result = await pool.query<T>(text, values);
			return result.rows;
		},
		drop() {
			dropped ??= (async () => {
				await pool.end().catch(() => {});
				const client = new Client({ ...SERVER, database: 'postgres' });
				await client.connect();
				try {
					await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
				} finally {
					await client.end();
				}
			})();
			return dropped;
		},
	};
}
