/** The Postgres ContactStore under core's matching rule, against a real database. */
import type { Pool } from 'pg';
import { resolveContact } from '../../../core/contacts/resolve-contact';
import type { ProfileUpdateMode } from '../../../core/contacts/types';
import { equivalentPhoneForms } from '../../../core/phone';
import { createPostgresContactStore, type CrmContact } from '../../../crm/contacts';
import { lookup } from '../../support/contact-lookup';
import { createTestDatabase, type TestDatabase } from './test-database';

let db: TestDatabase;
let pool: Pool;

beforeAll(async () => {
	db = await createTestDatabase({ migrated: true });
	pool = db.pool(20);
});
afterAll(async () => {
	await db.drop();
});
beforeEach(async () => {
	await pool.query('TRUNCATE whatsapp_crm.interactions, whatsapp_crm.contacts');
});

async function seed(contact: { whatsapp_phone?: string | null; phones?: string[]; name?: string | null; about?: string | null; source?: string }): Promise<string> {
	const { rows } = await pool.query<{ id: string }>(
		'INSERT INTO whatsapp_crm.contacts (whatsapp_phone, phones, name, about, source) VALUES ($1, $2, $3, $4, $5) RETURNING id',
		[contact.whatsapp_phone ?? null, contact.phones ?? [], contact.name ?? null, contact.about ?? null, contact.source ?? 'manual'],
	);
	return rows[0].id;
}

async function countContacts(): Promise<number> {
	return (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM whatsapp_crm.contacts')).rows[0].n;
}

const resolve = (
	phone: string,
	extra: { name?: string | null; about?: string | null; createIfMissing?: boolean; profileUpdate?: ProfileUpdateMode } = {},
) =>
	resolveContact(
		createPostgresContactStore(pool),
		{ phone, name: extra.name ?? null, about: extra.about ?? null },
		{ createIfMissing: extra.createIfMissing ?? true, profileUpdate: extra.profileUpdate, equivalentForms: equivalentPhoneForms },
	);


async function contactById(id: string): Promise<{ name: string | null; about: string | null; updated_at: Date } | undefined> {
	const { rows } = await pool.query('SELECT name, about, updated_at FROM whatsapp_crm.contacts WHERE id = $1', [id]);
	return rows[0];
}

describe('createPostgresContactStore', () => {
	it('finds by whatsapp_phone, preferring the earlier form', async () => {
		const a = await seed({ whatsapp_phone: '+14155550100' });
		const b = await seed({ whatsapp_phone: '+14155550200' });
		const store = createPostgresContactStore(pool);
		expect(await store.findOrCreate(lookup(['+14155550200', '+14155550100']))).toMatchObject({ matchedBy: 'whatsapp_phone', contact: { id: b } });
		expect((await store.findOrCreate(lookup(['+14155550100', '+14155550200']))).contact?.id).toBe(a);
		expect(await store.findOrCreate(lookup(['+14155550300']))).toEqual({ contact: null, matchedBy: 'not_found' });
		expect(await store.findOrCreate(lookup([], { createIfMissing: true }))).toEqual({ contact: null, matchedBy: 'not_found' });
	});

	it('finds by an entry of phones, preferring the earlier form, then the older contact', async () => {
		const older = await seed({ phones: ['+14155550400', '+14155550500'] });
		const other = await seed({ phones: ['+14155550300'] });
		await seed({ phones: ['+14155550500'] });
		const store = createPostgresContactStore(pool);
		expect(await store.findOrCreate(lookup(['+14155550300', '+14155550400']))).toMatchObject({ matchedBy: 'phones', contact: { id: other } });
		expect((await store.findOrCreate(lookup(['+14155550400', '+14155550300']))).contact?.id).toBe(older);
		// Two contacts list +14155550500: the older one is the match, every time.
		expect((await store.findOrCreate(lookup(['+14155550500']))).contact?.id).toBe(older);
		expect((await store.findOrCreate(lookup(['+14155550999']))).contact).toBeNull();
	});

	it('returns contacts as plain JSON-ready objects', async () => {
		const id = await seed({ whatsapp_phone: '+14155550100', phones: ['+14155550101'], name: 'Ana', about: 'Hi', source: 'import' });
		const { contact: found } = await createPostgresContactStore(pool).findOrCreate(lookup(['+14155550100']));
		expect(found).toEqual<CrmContact>({
			id,
			name: 'Ana',
			whatsapp_phone: '+14155550100',
			whatsapp_lid: null,
			phones: ['+14155550101'],
			about: 'Hi',
			source: 'import',
			created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
			updated_at: expect.stringMatching(/Z$/),
		});
		expect(JSON.parse(JSON.stringify(found))).toEqual(found);
	});

	it('findOrCreate creates once, then returns the existing contact untouched', async () => {
		const first = await resolve('+14155550100', { name: ' Ana ', about: '' });
		expect(first.matchedBy).toBe('created');
		expect(first.contact).toMatchObject({ whatsapp_phone: '+14155550100', name: 'Ana', about: null, source: 'whatsapp', phones: [] });
		const second = await resolve('+14155550100', { name: 'Someone else' });
		expect(second).toMatchObject({ contact: first.contact, matchedBy: 'whatsapp_phone' });
		expect(await countContacts()).toBe(1);
	});
});

describe('resolveContact over Postgres', () => {
	it('twenty concurrent first messages from one new number create exactly one contact', async () => {
		const results = await Promise.all(Array.from({ length: 20 }, (_, i) => resolve('+5511987650001', { name: `Name ${i}` })));
		expect(await countContacts()).toBe(1);
		const ids = new Set(results.map((r) => r.contact?.id));
		expect(ids.size).toBe(1);
		expect(results.filter((r) => r.matchedBy === 'created')).toHaveLength(1);
		expect(results.filter((r) => r.matchedBy === 'whatsapp_phone')).toHaveLength(19);
		const { rows } = await pool.query('SELECT whatsapp_phone, source FROM whatsapp_crm.contacts');
		expect(rows).toEqual([{ whatsapp_phone: '+5511987650001', source: 'whatsapp' }]);
	});

	it('twenty concurrent first messages alternating the two forms of one Brazilian number (+551187654321, +5511987654321) create exactly one contact', async () => {
		const forms = ['+551187654321', '+5511987654321'];
		const results = await Promise.all(Array.from({ length: 20 }, (_, i) => resolve(forms[i % 2]!, { name: `Name ${i}` })));
		expect(await countContacts()).toBe(1);
		expect(new Set(results.map((r) => r.contact?.id)).size).toBe(1);
		expect(results.filter((r) => r.matchedBy === 'created')).toHaveLength(1);
		const { rows } = await pool.query<{ whatsapp_phone: string }>('SELECT whatsapp_phone FROM whatsapp_crm.contacts');
		expect(forms).toContain(rows[0]!.whatsapp_phone);
	});

	it('findOrCreate looks again under the lock: a contact created meanwhile in the other form (whatsapp_phone or phones) is returned, nothing inserted', async () => {
		const forms = ['+5511987654321', '+551187654321'];
		// The first look (before the lock) misses the contact that another writer commits meanwhile.
		const racing = (create: () => Promise<unknown>) => {
			let done = false;
			return {
				async query(text: string, values?: unknown[]) {
					if (!done && /^\s*WITH matched/.test(text)) {
						done = true;
						const missed = await pool.query(text, [['+19999999999'], ...(values ?? []).slice(1)]);
						await create();
						return missed;
					}
					return await pool.query(text, values);
				},
				connect: () => pool.connect(),
				totalCount: 0,
			} as unknown as Pool;
		};
		let byWhatsApp = '';
		const first = await createPostgresContactStore(racing(async () => (byWhatsApp = await seed({ whatsapp_phone: '+551187654321' })))).findOrCreate(
			lookup(forms, { createIfMissing: true }),
		);
		expect(first).toMatchObject({ matchedBy: 'whatsapp_phone', contact: { id: byWhatsApp } });
		await pool.query('TRUNCATE whatsapp_crm.contacts CASCADE');
		let byPhones = '';
		const second = await createPostgresContactStore(racing(async () => (byPhones = await seed({ phones: ['+551187654321'] })))).findOrCreate(
			lookup(forms, { createIfMissing: true }),
		);
		expect(second).toMatchObject({ matchedBy: 'phones', contact: { id: byPhones } });
		expect(await countContacts()).toBe(1);
		// And the lock is per transaction: nothing stays held (a pool client is free for the next one).
		const { rows } = await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'");
		expect(rows[0]!.n).toBe(0);
	});

	it('findOrCreate runs on a single client too (BEGIN/COMMIT on it)', async () => {
		const client = await pool.connect();
		try {
			const store = createPostgresContactStore(client);
			const created = await store.findOrCreate(lookup(['+14155550123'], { createIfMissing: true, profile: { name: 'Ana', about: null } }));
			expect(created).toMatchObject({ matchedBy: 'created', contact: { whatsapp_phone: '+14155550123', name: 'Ana' } });
			// Committed: visible from another connection.
			expect(await countContacts()).toBe(1);
		} finally {
			client.release();
		}
	});

	it('matches a whatsapp_phone stored in the other Brazilian form (ninth digit)', async () => {
		const id = await seed({ whatsapp_phone: '+551187654321' });
		const result = await resolve('+5511987654321');
		expect(result).toMatchObject({ matchedBy: 'whatsapp_phone', contact: { id } });
		expect(await countContacts()).toBe(1);
	});

	it('matches through phones: +551187654321 listed there is found for +5511987654321', async () => {
		const id = await seed({ name: 'Bruno', phones: ['+551187654321'] });
		const result = await resolve('+5511987654321');
		expect(result).toMatchObject({ matchedBy: 'phones', contact: { id, name: 'Bruno' } });
		expect(result.searchedForms).toEqual(['+5511987654321', '+551187654321']);
		expect(await countContacts()).toBe(1);
	});

	it('prefers a whatsapp_phone match over a phones match', async () => {
		await seed({ phones: ['+14155550100'] });
		const byWhatsApp = await seed({ whatsapp_phone: '+14155550100' });
		expect(await resolve('+14155550100')).toMatchObject({ matchedBy: 'whatsapp_phone', contact: { id: byWhatsApp } });
	});

	it('does not match numbers that merely share digits', async () => {
		await seed({ whatsapp_phone: '+14155550100', phones: ['+4415550100'] });
		// Same last 10 digits, another country.
		const result = await resolve('+4414155550100');
		expect(result.matchedBy).toBe('created');
		expect(await countContacts()).toBe(2);
	});

	it('creates nothing when creation is off', async () => {
		const result = await resolve('+14155550100', { createIfMissing: false });
		expect(result).toMatchObject({ matchedBy: 'not_found', contact: null });
		expect(await countContacts()).toBe(0);
	});
});

describe('the profile of a matched contact, updated in the same call', () => {
	it('fillMissing sets only what the contact lacks', async () => {
		const id = await seed({ whatsapp_phone: '+14155550100', name: 'Typed by sales', about: '  ' });
		const updated = await resolve('+14155550100', { name: 'WhatsApp name', about: 'Busy', profileUpdate: 'fillMissing' });
		expect(updated.contact).toMatchObject({ id, name: 'Typed by sales', about: 'Busy' });
		// Nothing left to fill: no change, no write.
		const before = await contactById(id);
		const again = await resolve('+14155550100', { name: 'Other', about: 'Other', profileUpdate: 'fillMissing' });
		expect(again.contact).toMatchObject({ name: 'Typed by sales', about: 'Busy' });
		expect(await contactById(id)).toEqual(before);
	});

	it('overwriteChanged replaces what differs and writes nothing when all is the same', async () => {
		const id = await seed({ whatsapp_phone: '+14155550100', name: 'Old', about: 'Old about' });
		const before = await contactById(id);
		await resolve('+14155550100', { name: 'Old', about: 'Old about', profileUpdate: 'overwriteChanged' });
		expect(await contactById(id)).toEqual(before);
		const updated = await resolve('+14155550100', { name: 'New', about: null, profileUpdate: 'overwriteChanged' });
		expect(updated.contact).toMatchObject({ name: 'New', about: 'Old about' });
		expect(Date.parse(updated.contact!.updated_at)).toBeGreaterThanOrEqual(before!.updated_at.getTime());
	});

	it('never erases a stored value with an unknown one, and "never" changes nothing', async () => {
		const id = await seed({ whatsapp_phone: '+14155550100', name: 'Ana', about: 'Hi' });
		await resolve('+14155550100', { name: '', about: null, profileUpdate: 'overwriteChanged' });
		await resolve('+14155550100', { name: 'Other', about: 'Other', profileUpdate: 'never' });
		expect(await contactById(id)).toMatchObject({ name: 'Ana', about: 'Hi' });
	});

	it('updates a contact matched through phones too, and leaves a new contact as created', async () => {
		const id = await seed({ phones: ['+14155550100'] });
		expect((await resolve('+14155550100', { name: 'Ana', profileUpdate: 'fillMissing' })).contact).toMatchObject({ id, name: 'Ana' });
		const created = await resolve('+14155550200', { name: 'Bea', about: 'Hi', profileUpdate: 'overwriteChanged' });
		expect(created).toMatchObject({ matchedBy: 'created', contact: { name: 'Bea', about: 'Hi' } });
	});
});
