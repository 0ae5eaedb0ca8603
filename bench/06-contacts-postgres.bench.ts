/**
 * Contact resolution against the real PostgreSQL: a throwaway database with
 * the package's schema (db/migrate.js), crm's createPostgresContactStore and
 * core's resolveContact with equivalentPhoneForms, as the Resolve Contact node
 * runs them. The database is dropped at the end, pass or fail.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client, Pool, type ClientConfig } from 'pg';
import { resolveContact } from '../core/contacts/resolve-contact';
import { equivalentPhoneForms } from '../core/phone';
import { createPostgresContactStore, type CrmContact } from '../crm/contacts';
import { exampleMobiles, variantOf } from './lib/fixtures';
import { check, defineBench } from './lib/harness';

const DB_PREFIX = 'wacrm_bench_';
const SEEDED_BY_WHATSAPP = 5000;
const SEEDED_BY_PHONES = 1000;
const CONCURRENT_FIRST_MESSAGES = 20;

/** The `n`-th distinct valid number (18 countries × up to 10,000 variants each). */
function numberAt(n: number): string {
	const mobiles = exampleMobiles();
	const variant = Math.floor(n / mobiles.length);
	if (variant >= 10_000) throw new Error('numberAt: out of distinct numbers');
	return variantOf(mobiles[n % mobiles.length].e164, variant);
}

function processIsAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (err) {
		return (err as NodeJS.ErrnoException).code === 'EPERM';
	}
}

export default defineBench({
	title: 'Contact resolution on PostgreSQL',
	measures: `resolveContact (core/contacts) over createPostgresContactStore (crm) on a throwaway database migrated by db/migrate.js, with ${SEEDED_BY_WHATSAPP + SEEDED_BY_PHONES} seeded contacts.`,
	async run(ctx) {
		const base: ClientConfig = {
			host: process.env.BENCH_PGHOST ?? '127.0.0.1',
			port: Number(process.env.BENCH_PGPORT ?? 5432),
			user: process.env.BENCH_PGUSER ?? 'postgres',
			password: process.env.BENCH_PGPASSWORD,
			connectionTimeoutMillis: 3000,
		};
		const admin = new Client({ ...base, database: 'postgres' });
		try {
			await admin.connect();
		} catch (err) {
			ctx.skip(`no PostgreSQL at ${base.host}:${base.port} (${err instanceof Error ? err.message : String(err)})`);
		}
		ctx.onCleanup(() => admin.end());
		const version = (await admin.query<{ server_version: string }>('SHOW server_version')).rows[0].server_version;

		// Databases left by a bench process that was killed (its pid no longer runs).
		const leftovers = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE '${DB_PREFIX}%'`);
		for (const { datname } of leftovers.rows) {
			const pid = Number(/^wacrm_bench_(\d+)_\d+$/.exec(datname)?.[1]);
			if (Number.isInteger(pid) && !processIsAlive(pid)) {
				await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
				ctx.note(`Dropped ${datname}, left behind by an earlier bench run that was killed.`);
			}
		}

		const database = `${DB_PREFIX}${process.pid}_${Date.now()}`;
		await admin.query(`CREATE DATABASE "${database}"`);
		let pool: Pool | null = null;
		ctx.onCleanup(async () => {
			await pool?.end();
			await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
		});

		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const { migrate } = require(path.join(ctx.repoRoot, 'db', 'migrate.js')) as typeof import('../db/migrate');
		const migrated = await migrate({ connection: { ...base, database } });
		check(migrated.applied.length > 0, 'db/migrate.js applied nothing to a fresh database');

		pool = new Pool({ ...base, database, max: CONCURRENT_FIRST_MESSAGES });
		// An idle connection ended by the DROP … WITH (FORCE) at clean-up must not crash the process.
		pool.on('error', () => undefined);
		// Open every connection first, so connection set-up is not timed.
		const clients = await Promise.all(Array.from({ length: CONCURRENT_FIRST_MESSAGES }, () => (pool as Pool).connect()));
		for (const c of clients) c.release();

		// Seed: contacts known by whatsapp_phone, and contacts known only by an entry in `phones`.
		const waPhones = Array.from({ length: SEEDED_BY_WHATSAPP }, (_, i) => numberAt(i));
		const listed = Array.from({ length: SEEDED_BY_PHONES }, (_, i) => numberAt(SEEDED_BY_WHATSAPP + i));
		await pool.query(
			`INSERT INTO whatsapp_crm.contacts (whatsapp_phone, name, source) SELECT p, 'Seeded ' || ord, 'manual' FROM unnest($1::text[]) WITH ORDINALITY AS t(p, ord)`,
			[waPhones],
		);
		await pool.query(
			`INSERT INTO whatsapp_crm.contacts (whatsapp_phone, phones, name, source) SELECT NULL, ARRAY[p], 'Imported ' || ord, 'import' FROM unnest($1::text[]) WITH ORDINALITY AS t(p, ord)`,
			[listed],
		);
		await pool.query('ANALYZE whatsapp_crm.contacts');

		const store = createPostgresContactStore(pool);
		const options = { createIfMissing: true, equivalentForms: equivalentPhoneForms };

		const sampleHit = await resolveContact(store, { phone: waPhones[7] }, options);
		check(sampleHit.matchedBy === 'whatsapp_phone' && sampleHit.contact?.whatsapp_phone === waPhones[7], 'a seeded number did not resolve by whatsapp_phone');
		const samplePhones = await resolveContact(store, { phone: listed[3] }, options);
		check(samplePhones.matchedBy === 'phones', `a number listed in phones resolved by ${samplePhones.matchedBy}`);

		let hit = 0;
		await ctx.rate('resolve existing contact (whatsapp_phone match), one at a time', () => resolveContact(store, { phone: waPhones[hit++ % waPhones.length] }, options), {
			opLabel: 'resolution',
			timeMs: 1200,
		});
		await ctx.concurrent('resolve existing contact (whatsapp_phone match)', (i) => resolveContact(store, { phone: waPhones[(i * 7) % waPhones.length] }, options), {
			concurrency: 10,
			timeMs: 1200,
			opLabel: 'resolution',
		});
		let listedHit = 0;
		await ctx.rate('resolve existing contact (phones entry match), one at a time', () => resolveContact(store, { phone: listed[listedHit++ % listed.length] }, options), {
			opLabel: 'resolution',
			timeMs: 800,
		});

		let fresh = SEEDED_BY_WHATSAPP + SEEDED_BY_PHONES + 100;
		const created = await resolveContact(store, { phone: numberAt(fresh++), name: 'New person' }, options);
		check(created.matchedBy === 'created' && created.contact?.source === 'whatsapp', 'an unknown number did not create a contact with source whatsapp');
		await ctx.rate('create new contact (unknown number), one at a time', () => resolveContact(store, { phone: numberAt(fresh++), name: 'New person' }, options), {
			opLabel: 'creation',
			timeMs: 1200,
		});

		// Twenty first messages from one new number at once (a burst, or a backfill racing live delivery).
		const rounds = ctx.quick ? 5 : 20;
		const settle: number[] = [];
		for (let round = 0; round < rounds; round++) {
			const phone = numberAt(fresh++);
			const t0 = performance.now();
			const results = await Promise.all(
				Array.from({ length: CONCURRENT_FIRST_MESSAGES }, () => resolveContact<CrmContact>(store, { phone, name: 'Racing person' }, options)),
			);
			settle.push(performance.now() - t0);
			const ids = new Set(results.map((r) => r.contact?.id));
			const creators = results.filter((r) => r.matchedBy === 'created').length;
			const rows = await pool.query<{ n: string }>('SELECT count(*) AS n FROM whatsapp_crm.contacts WHERE whatsapp_phone = $1', [phone]);
			check(ids.size === 1 && creators === 1 && rows.rows[0].n === '1', `${CONCURRENT_FIRST_MESSAGES} concurrent first messages gave ${ids.size} contacts, ${creators} creators, ${rows.rows[0].n} rows`);
		}
		ctx.samples(`${CONCURRENT_FIRST_MESSAGES} concurrent first messages from one new number: time until all ${CONCURRENT_FIRST_MESSAGES} resolved`, settle, {
			opLabel: 'burst',
			note: `${rounds} bursts, each gave exactly one contact`,
		});

		const total = (await pool.query<{ n: string }>('SELECT count(*) AS n FROM whatsapp_crm.contacts')).rows[0].n;
		ctx.value('contacts in the table at the end', Number(total), 'rows');
		ctx.note(`PostgreSQL ${version} at ${base.host}:${base.port}; throwaway database ${database}, migrated with db/migrate.js (${migrated.applied.join(', ')}), dropped after the bench. pg Pool of ${CONCURRENT_FIRST_MESSAGES} connections, opened before timing.`);
		ctx.note(`Seeded ${SEEDED_BY_WHATSAPP} contacts by whatsapp_phone and ${SEEDED_BY_PHONES} known only by a phones entry, numbers from 18 countries; each resolution searches the number and its equivalent forms (equivalentPhoneForms: Brazil's ninth digit, Mexico's 1, Argentina's 9).`);
		ctx.note('A whatsapp_phone hit is one query; a phones hit two; a creation three (both lookups, then INSERT … ON CONFLICT DO NOTHING RETURNING). In a burst, the losers of the INSERT read the winner\'s row (a fourth query).');
	},
});
