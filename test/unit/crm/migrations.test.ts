/** db/migrate.js: from zero, re-runs, concurrent starts, a failing migration, the command. */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Pool } from 'pg';
import { listMigrations, migrate, MIGRATIONS_DIR } from '../../../db/migrate';
import { createTestDatabase, type TestDatabase } from './test-database';

const run = promisify(execFile);
const REPO = path.resolve(__dirname, '../../..');

async function tables(pool: Pool): Promise<string[]> {
	const { rows } = await pool.query<{ table_name: string }>(
		"SELECT table_name FROM information_schema.tables WHERE table_schema = 'whatsapp_crm' ORDER BY table_name",
	);
	return rows.map((row) => row.table_name);
}

describe('db/migrate.js', () => {
	let db: TestDatabase;
	let pool: Pool;
	beforeEach(async () => {
		db = await createTestDatabase();
		pool = db.pool(2);
	});
	afterEach(async () => {
		await db.drop();
	});

	it('creates the whole schema from zero, then finds nothing to do', async () => {
		expect(await tables(pool)).toEqual([]);
		const first = await migrate({ connection: db.connectionString });
		const all = listMigrations().map((m) => `${m.version}_${m.name}`);
		expect(all.slice(0, 3)).toEqual(['0001_crm_schema', '0002_notification_claims', '0003_delivery_ledger']);
		expect(first).toEqual({ applied: all, alreadyApplied: [] });
		expect(await tables(pool)).toEqual(
			expect.arrayContaining(['contacts', 'failed_events', 'interactions', 'notifications', 'schema_migrations', 'users', 'webhook_deliveries', 'webhook_payloads']),
		);

		const second = await migrate({ connection: db.connectionString });
		expect(second).toEqual({ applied: [], alreadyApplied: all });
		const { rows } = await pool.query('SELECT version, name FROM whatsapp_crm.schema_migrations ORDER BY version');
		expect(rows).toEqual(listMigrations().map((m) => ({ version: m.version, name: m.name })));
	});

	it('lives in its own schema, beside tables of the same name in public', async () => {
		await pool.query('CREATE TABLE public.contacts (id int PRIMARY KEY, phone text)');
		await pool.query('CREATE TABLE public.users (id int PRIMARY KEY)');
		await migrate({ pool });
		await pool.query("INSERT INTO whatsapp_crm.contacts (whatsapp_phone) VALUES ('+14155550100')");
		expect((await pool.query('SELECT count(*)::int AS n FROM public.contacts')).rows[0].n).toBe(0);
	});

	it('lets several starts race: each succeeds, the migration is applied once', async () => {
		const count = listMigrations().length;
		const results = await Promise.all(Array.from({ length: 6 }, () => migrate({ connection: db.connectionString })));
		expect(results.filter((r) => r.applied.length === count)).toHaveLength(1);
		expect(results.filter((r) => r.alreadyApplied.length === count)).toHaveLength(5);
		expect((await pool.query('SELECT count(*)::int AS n FROM whatsapp_crm.schema_migrations')).rows[0].n).toBe(count);
	});

	it("0004 moves Mexican contacts stored in WhatsApp's +521 form to the modern +52 form, unless that one is taken", async () => {
		const dir = mkdtempSync(path.join(os.tmpdir(), 'wacrm-migrations-'));
		try {
			for (const file of ['0001_crm_schema.sql', '0002_notification_claims.sql', '0003_delivery_ledger.sql']) {
				copyFileSync(path.join(MIGRATIONS_DIR, file), path.join(dir, file));
			}
			await migrate({ connection: db.connectionString, migrationsDir: dir });
			await pool.query(
				"INSERT INTO whatsapp_crm.contacts (whatsapp_phone) VALUES ('+5215512345678'), ('+5213312345678'), ('+523312345678'), ('+5511987654321')",
			);
			await migrate({ connection: db.connectionString });
			const { rows } = await pool.query<{ whatsapp_phone: string }>('SELECT whatsapp_phone FROM whatsapp_crm.contacts ORDER BY whatsapp_phone');
			expect(rows.map((r) => r.whatsapp_phone)).toEqual(['+5213312345678', '+523312345678', '+525512345678', '+5511987654321']);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});

	it('rolls a failing migration back completely and records nothing for it', async () => {
		const dir = mkdtempSync(path.join(os.tmpdir(), 'wacrm-migrations-'));
		try {
			copyFileSync(path.join(MIGRATIONS_DIR, '0001_crm_schema.sql'), path.join(dir, '0001_crm_schema.sql'));
			writeFileSync(
				path.join(dir, '0002_broken.sql'),
				'CREATE TABLE whatsapp_crm.half_done (id int);\nALTER TABLE whatsapp_crm.contacts ADD COLUMN oops no_such_type;\n',
			);
			await expect(migrate({ connection: db.connectionString, migrationsDir: dir })).rejects.toThrow(
				/0002_broken\.sql failed and was rolled back: type "no_such_type" does not exist/,
			);
			expect(await tables(pool)).not.toContain('half_done');
			expect((await pool.query('SELECT version FROM whatsapp_crm.schema_migrations')).rows).toEqual([{ version: '0001' }]);

			// Fixed, it applies on the next start.
			writeFileSync(path.join(dir, '0002_broken.sql'), 'CREATE TABLE whatsapp_crm.half_done (id int);\n');
			expect(await migrate({ connection: db.connectionString, migrationsDir: dir })).toEqual({
				applied: ['0002_broken'],
				alreadyApplied: ['0001_crm_schema'],
			});
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});

	it('warns when an applied migration was edited afterwards', async () => {
		const dir = mkdtempSync(path.join(os.tmpdir(), 'wacrm-migrations-'));
		try {
			copyFileSync(path.join(MIGRATIONS_DIR, '0001_crm_schema.sql'), path.join(dir, '0001_crm_schema.sql'));
			await migrate({ connection: db.connectionString, migrationsDir: dir });
			writeFileSync(path.join(dir, '0001_crm_schema.sql'), '-- edited\nSELECT 1;\n');
			const lines: string[] = [];
			await migrate({ connection: db.connectionString, migrationsDir: dir, log: (line) => lines.push(line) });
			expect(lines).toEqual([expect.stringMatching(/0001_crm_schema\.sql changed after it was applied/)]);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});

	it('refuses two files with one version', () => {
		const dir = mkdtempSync(path.join(os.tmpdir(), 'wacrm-migrations-'));
		try {
			writeFileSync(path.join(dir, '0001_a.sql'), 'SELECT 1;');
			writeFileSync(path.join(dir, '0001_b.sql'), 'SELECT 1;');
			writeFileSync(path.join(dir, 'README.md'), 'not a migration');
			expect(() => listMigrations(dir)).toThrow(/two migrations share version 0001/);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});

	it('runs as `node db/migrate.js` with DATABASE_URL, and with the PG* variables', async () => {
		const env = { ...process.env, DATABASE_URL: db.connectionString };
		const first = await run(process.execPath, ['db/migrate.js'], { cwd: REPO, env });
		expect(first.stdout).toMatch(/applied 0001_crm_schema/);
		expect(first.stdout).toMatch(/applied 0002_notification_claims/);
		expect(first.stdout).toContain(`127.0.0.1:5432/${db.name}: applied ${listMigrations().length} migration(s)`);

		const { DATABASE_URL: _ignored, ...withoutUrl } = process.env;
		void _ignored;
		const second = await run(process.execPath, ['db/migrate.js'], {
			cwd: REPO,
			env: { ...withoutUrl, PGHOST: '127.0.0.1', PGPORT: '5432', PGUSER: 'postgres', PGDATABASE: db.name },
		});
		expect(second.stdout).toContain(`is up to date (${listMigrations().length} migrations)`);
	});

	it('exits non-zero with the reason when the database cannot be reached', async () => {
		const env = { ...process.env, DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${db.name}_missing` };
		await expect(run(process.execPath, ['db/migrate.js'], { cwd: REPO, env })).rejects.toMatchObject({
			code: 1,
			stderr: expect.stringMatching(/database ".*_missing" does not exist/),
		});
	});
});

describe('the schema', () => {
	let db: TestDatabase;
	let pool: Pool;
	beforeAll(async () => {
		db = await createTestDatabase({ migrated: true });
		pool = db.pool(2);
	});
	afterAll(async () => {
		await db.drop();
	});

	it('accepts only E.164 WhatsApp numbers, each once', async () => {
		await pool.query("INSERT INTO whatsapp_crm.contacts (whatsapp_phone) VALUES ('+5511987654321')");
		for (const bad of ['5511987654321', '+0123456789', '+55 11 98765-4321', '+1234', '5511987654321@c.us']) {
			await expect(pool.query('INSERT INTO whatsapp_crm.contacts (whatsapp_phone) VALUES ($1)', [bad])).rejects.toThrow(
				/contacts_whatsapp_phone_e164/,
			);
		}
		await expect(pool.query("INSERT INTO whatsapp_crm.contacts (whatsapp_phone) VALUES ('+5511987654321')")).rejects.toThrow(
			/duplicate key/,
		);
		// Contacts known only by other numbers may be many.
		await pool.query("INSERT INTO whatsapp_crm.contacts (phones) VALUES ('{+14155550100}'), ('{+14155550101}')");
	});

	it('keeps updated_at current on every update, also from plain SQL', async () => {
		const { rows } = await pool.query(
			"INSERT INTO whatsapp_crm.contacts (whatsapp_phone, created_at, updated_at) VALUES ('+14155550999', now() - interval '1 day', now() - interval '1 day') RETURNING id",
		);
		await pool.query("UPDATE whatsapp_crm.contacts SET name = 'Ana' WHERE id = $1", [rows[0].id]);
		const after = await pool.query('SELECT updated_at > created_at + interval \'1 hour\' AS touched FROM whatsapp_crm.contacts WHERE id = $1', [rows[0].id]);
		expect(after.rows[0].touched).toBe(true);
	});

	it('refuses interactions with an unknown direction or origin, or without a contact', async () => {
		const { rows } = await pool.query("INSERT INTO whatsapp_crm.contacts (whatsapp_phone) VALUES ('+14155550777') RETURNING id");
		const insert = (direction: string, origin: string, contactId: string) =>
			pool.query(
				"INSERT INTO whatsapp_crm.interactions (contact_id, direction, body, ext_message_id, occurred_at, origin) VALUES ($1, $2, 'hi', $3, now(), $4)",
				[contactId, direction, `id-${direction}-${origin}-${contactId}`, origin],
			);
		await insert('inbound', 'live', rows[0].id);
		await expect(insert('sideways', 'live', rows[0].id)).rejects.toThrow(/check constraint/);
		await expect(insert('inbound', 'replay', rows[0].id)).rejects.toThrow(/check constraint/);
		await expect(insert('inbound', 'live', '00000000-0000-4000-8000-000000000000')).rejects.toThrow(/foreign key/);
		// History is not deleted along with a contact by accident.
		await expect(pool.query('DELETE FROM whatsapp_crm.contacts WHERE id = $1', [rows[0].id])).rejects.toThrow(/foreign key/);
	});
});
