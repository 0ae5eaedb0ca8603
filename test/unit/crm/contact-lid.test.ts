/**
 * Contacts known by their WhatsApp lid (migration 0004), against a real
 * database: a lid-only sender's contact, one per lid under concurrency, and
 * the merge into the number's contact — interactions kept, under concurrency
 * too — by a message that carries both or by an admin.
 */
import type { Pool } from 'pg';
import { resolveContact } from '../../../core/contacts/resolve-contact';
import { equivalentPhoneForms } from '../../../core/phone';
import { createPostgresContactStore } from '../../../crm/contacts';
import { logMessage } from '../../support/crm/interactions';
import { useMigratedTestDatabase } from './test-database';

const database = useMigratedTestDatabase(30);
let pool: Pool;

beforeEach(async () => {
	pool = database.pool;
	await pool.query('TRUNCATE whatsapp_crm.interactions, whatsapp_crm.contacts, whatsapp_crm.contact_merges, whatsapp_crm.webhook_payloads');
});

const LID = '110985430876233@lid';
const PHONE = '+5511987654321';

const resolve = (input: { phone?: string | null; lid?: string | null; name?: string | null }, createIfMissing = true) =>
	resolveContact(
		createPostgresContactStore(pool),
		{ phone: input.phone ?? null, lid: input.lid ?? null, name: input.name ?? null },
		{ createIfMissing, profileUpdate: 'fillMissing', equivalentForms: equivalentPhoneForms },
	);

/** As the logging workflow does: LOG_MESSAGE (the interaction and its event, in one statement). */
async function logInteraction(contactId: string, messageId: string): Promise<void> {
	await logMessage(pool, {
		contactId,
		direction: 'inbound',
		body: 'hello',
		extMessageId: messageId,
		occurredAt: '2026-12-02T08:00:00Z',
		sessionId: 'session',
		event: { eventId: `event-${messageId}`, source: 'sidecar', type: 'message', payload: {} },
	});
}

async function contacts() {
	const { rows } = await pool.query('SELECT id::text, name, whatsapp_phone, whatsapp_lid, phones FROM whatsapp_crm.contacts ORDER BY created_at, id');
	return rows;
}

async function interactionsByContact(): Promise<Record<string, string[]>> {
	const { rows } = await pool.query<{ contact_id: string; ext_message_id: string }>(
		'SELECT contact_id::text, ext_message_id FROM whatsapp_crm.interactions ORDER BY ext_message_id',
	);
	const out: Record<string, string[]> = {};
	for (const row of rows) (out[row.contact_id] ??= []).push(row.ext_message_id);
	return out;
}

describe('a sender known only by the lid', () => {
	it('gets a contact with the lid and no number (source whatsapp), found again by the lid', async () => {
		const created = await resolve({ lid: LID, name: 'Bia' });
		expect(created).toMatchObject({ matchedBy: 'created', searchedForms: [], contact: { whatsapp_phone: null, whatsapp_lid: LID, name: 'Bia', source: 'whatsapp' } });
		const again = await resolve({ lid: LID });
		expect(again).toMatchObject({ matchedBy: 'whatsapp_lid', contact: { id: created.contact!.id } });
		expect(await contacts()).toHaveLength(1);
	});

	it('with creation off, finds nothing and creates nothing', async () => {
		expect(await resolve({ lid: LID }, false)).toMatchObject({ contact: null, matchedBy: 'not_found' });
		expect(await contacts()).toEqual([]);
	});

	it('twenty concurrent first messages from one lid create exactly one contact', async () => {
		const results = await Promise.all(Array.from({ length: 20 }, (_, i) => resolve({ lid: LID, name: `Name ${i}` })));
		expect(new Set(results.map((r) => r.contact?.id)).size).toBe(1);
		expect(results.filter((r) => r.matchedBy === 'created')).toHaveLength(1);
		expect(results.filter((r) => r.matchedBy === 'whatsapp_lid')).toHaveLength(19);
		expect(await contacts()).toHaveLength(1);
	});

	it('the lid is unique among contacts', async () => {
		await pool.query('INSERT INTO whatsapp_crm.contacts (whatsapp_lid) VALUES ($1)', [LID]);
		await expect(pool.query('INSERT INTO whatsapp_crm.contacts (whatsapp_lid) VALUES ($1)', [LID])).rejects.toThrow(/contacts_whatsapp_lid_unique/);
		await expect(pool.query("INSERT INTO whatsapp_crm.contacts (whatsapp_lid) VALUES (' ')")).rejects.toThrow(/contacts_whatsapp_lid_not_blank/);
		// Contacts without a lid are as many as ever.
		await pool.query('INSERT INTO whatsapp_crm.contacts (name) VALUES ($1), ($2)', ['A', 'B']);
	});
});

describe('a message that carries the lid and the number', () => {
	it("records the lid on the number's contact, or creates the contact with both", async () => {
		const phoneId = (await pool.query<{ id: string }>('INSERT INTO whatsapp_crm.contacts (whatsapp_phone) VALUES ($1) RETURNING id::text', [PHONE])).rows[0]!.id;
		expect(await resolve({ phone: PHONE, lid: LID })).toMatchObject({ matchedBy: 'whatsapp_phone', contact: { id: phoneId, whatsapp_lid: LID } });
		expect(await resolve({ phone: '+14155550100', lid: '999@lid' })).toMatchObject({
			matchedBy: 'created',
			contact: { whatsapp_phone: '+14155550100', whatsapp_lid: '999@lid' },
		});
		// A lid-only message now finds the number's contact.
		expect(await resolve({ lid: LID })).toMatchObject({ matchedBy: 'whatsapp_lid', contact: { id: phoneId } });
	});

	it('gives the number to the lid-only contact when no contact has it', async () => {
		const lidOnly = await resolve({ lid: LID, name: 'Bia' });
		await logInteraction(lidOnly.contact!.id, 'm1');
		const withPhone = await resolve({ phone: PHONE, lid: LID });
		expect(withPhone).toMatchObject({ matchedBy: 'whatsapp_lid', contact: { id: lidOnly.contact!.id, whatsapp_phone: PHONE, whatsapp_lid: LID } });
		// …and the number (in either Brazilian form) finds it from then on.
		expect(await resolve({ phone: '+551187654321' })).toMatchObject({ matchedBy: 'whatsapp_phone', contact: { id: lidOnly.contact!.id } });
		expect(await interactionsByContact()).toEqual({ [lidOnly.contact!.id]: ['m1'] });
	});

	it("merges the lid-only contact into the number's contact: interactions moved, profile filled in, merge recorded", async () => {
		const lidOnly = (await resolve({ lid: LID, name: 'Bia' })).contact!;
		await pool.query("UPDATE whatsapp_crm.contacts SET about = 'Disponível', phones = '{+14155550100}' WHERE id = $1", [lidOnly.id]);
		await logInteraction(lidOnly.id, 'm1');
		await logInteraction(lidOnly.id, 'm2');
		const phoneId = (
			await pool.query<{ id: string }>("INSERT INTO whatsapp_crm.contacts (whatsapp_phone, name) VALUES ($1, 'Beatriz') RETURNING id::text", [PHONE])
		).rows[0]!.id;
		await logInteraction(phoneId, 'm3');

		const merged = await resolve({ phone: PHONE, lid: LID, name: 'Bia' });
		expect(merged).toMatchObject({
			matchedBy: 'whatsapp_phone',
			mergedContactId: lidOnly.id,
			contact: { id: phoneId, name: 'Beatriz', about: 'Disponível', whatsapp_lid: LID, phones: ['+14155550100'] },
		});
		expect(await contacts()).toHaveLength(1);
		expect(await interactionsByContact()).toEqual({ [phoneId]: ['m1', 'm2', 'm3'] });
		const { rows } = await pool.query('SELECT merged_contact_id::text, into_contact_id::text, whatsapp_lid, interactions_moved FROM whatsapp_crm.contact_merges');
		expect(rows).toEqual([{ merged_contact_id: lidOnly.id, into_contact_id: phoneId, whatsapp_lid: LID, interactions_moved: 2 }]);

		// Redelivered: nothing more to merge, one statement.
		const again = await resolve({ phone: PHONE, lid: LID });
		expect(again.mergedContactId).toBeUndefined();
		expect(again.contact?.id).toBe(phoneId);
		// A redelivered lid-only message logs nothing twice: the message id is the key.
		await logInteraction(phoneId, 'm1');
		expect(await interactionsByContact()).toEqual({ [phoneId]: ['m1', 'm2', 'm3'] });
	});

	it('twenty concurrent resolutions, lid-only and lid-with-number mixed, end with one contact that holds every interaction', async () => {
		const phoneId = (await pool.query<{ id: string }>('INSERT INTO whatsapp_crm.contacts (whatsapp_phone) VALUES ($1) RETURNING id::text', [PHONE])).rows[0]!.id;
		const lidOnly = (await resolve({ lid: LID })).contact!;
		await logInteraction(lidOnly.id, 'm-before');

		const results = await Promise.all(
			Array.from({ length: 20 }, async (_, i) => {
				// Each run resolves, then logs its own message against the contact it got — as the logging workflow does.
				// A run whose contact was merged away meanwhile fails on the foreign key: the sidecar delivers it again.
				for (let attempt = 0; ; attempt++) {
					const result = await resolve(i % 2 === 0 ? { lid: LID } : { phone: PHONE, lid: LID });
					try {
						await logInteraction(result.contact!.id, `m${i}`);
						return result;
					} catch (error) {
						if (attempt > 3 || !/foreign key/.test(String(error))) throw error;
					}
				}
			}),
		);
		expect(results.filter((r) => r.mergedContactId !== undefined)).toHaveLength(1);
		expect(await contacts()).toMatchObject([{ id: phoneId, whatsapp_phone: PHONE, whatsapp_lid: LID }]);
		const logged = await interactionsByContact();
		expect(Object.keys(logged)).toEqual([phoneId]);
		expect(logged[phoneId]).toHaveLength(21);
	});

	it('concurrent first messages from a new person, with the lid and the number, create one contact with both', async () => {
		const results = await Promise.all(
			Array.from({ length: 20 }, (_, i) => resolve(i % 3 === 0 ? { lid: LID } : { phone: i % 2 ? PHONE : '+551187654321', lid: LID })),
		);
		const rows = await contacts();
		expect(rows).toHaveLength(1);
		expect(rows[0]).toMatchObject({ whatsapp_lid: LID });
		expect(['+5511987654321', '+551187654321']).toContain(rows[0].whatsapp_phone);
		// Runs that came before the number was known may have had the lid-only contact, which then took the number: one id throughout.
		expect(new Set(results.map((r) => r.contact?.id))).toEqual(new Set([rows[0].id]));
	});
});

describe('whatsapp_crm.merge_contact, for an admin', () => {
	it('merges a lid-only contact into the contact that has the number, once', async () => {
		const lidOnly = (await resolve({ lid: LID, name: 'Bia' })).contact!;
		await logInteraction(lidOnly.id, 'm1');
		const phoneId = (await pool.query<{ id: string }>('INSERT INTO whatsapp_crm.contacts (whatsapp_phone) VALUES ($1) RETURNING id::text', [PHONE])).rows[0]!.id;

		expect((await pool.query('SELECT whatsapp_crm.merge_contact($1, $2) AS moved', [lidOnly.id, phoneId])).rows).toEqual([{ moved: 1 }]);
		expect(await contacts()).toMatchObject([{ id: phoneId, name: 'Bia', whatsapp_lid: LID }]);
		expect(await interactionsByContact()).toEqual({ [phoneId]: ['m1'] });
		// Again, or into itself: nothing happens.
		expect((await pool.query('SELECT whatsapp_crm.merge_contact($1, $2) AS moved', [lidOnly.id, phoneId])).rows).toEqual([{ moved: 0 }]);
		expect((await pool.query('SELECT whatsapp_crm.merge_contact($1, $1) AS moved', [phoneId])).rows).toEqual([{ moved: 0 }]);
		expect(await contacts()).toHaveLength(1);
	});

	it('two concurrent merges of the same contacts move each interaction once', async () => {
		const lidOnly = (await resolve({ lid: LID })).contact!;
		for (let i = 0; i < 50; i++) await logInteraction(lidOnly.id, `m${String(i).padStart(2, '0')}`);
		const phoneId = (await pool.query<{ id: string }>('INSERT INTO whatsapp_crm.contacts (whatsapp_phone) VALUES ($1) RETURNING id::text', [PHONE])).rows[0]!.id;
		const moved = await Promise.all(
			Array.from({ length: 4 }, async () => (await pool.query<{ moved: number }>('SELECT whatsapp_crm.merge_contact($1, $2) AS moved', [lidOnly.id, phoneId])).rows[0]!.moved),
		);
		expect(moved.sort((a, b) => a - b)).toEqual([0, 0, 0, 50]);
		expect((await interactionsByContact())[phoneId]).toHaveLength(50);
		expect((await pool.query('SELECT count(*)::int AS n FROM whatsapp_crm.contact_merges')).rows[0].n).toBe(1);
	});

	it('set_contact_phone: sets the number on the lid-only contact, or merges it into the contact that has the number', async () => {
		const alone = (await resolve({ lid: '1@lid' })).contact!;
		expect((await pool.query('SELECT whatsapp_crm.set_contact_phone($1, $2) AS id', [alone.id, '+14155550100'])).rows).toEqual([{ id: alone.id }]);
		expect(await resolve({ phone: '+14155550100' })).toMatchObject({ matchedBy: 'whatsapp_phone', contact: { id: alone.id, whatsapp_lid: '1@lid' } });

		const lidOnly = (await resolve({ lid: LID })).contact!;
		await logInteraction(lidOnly.id, 'm1');
		const phoneId = (await pool.query<{ id: string }>('INSERT INTO whatsapp_crm.contacts (whatsapp_phone) VALUES ($1) RETURNING id::text', [PHONE])).rows[0]!.id;
		expect((await pool.query('SELECT whatsapp_crm.set_contact_phone($1, $2) AS id', [lidOnly.id, PHONE])).rows).toEqual([{ id: phoneId }]);
		expect(await interactionsByContact()).toEqual({ [phoneId]: ['m1'] });
		expect(await resolve({ lid: LID })).toMatchObject({ matchedBy: 'whatsapp_lid', contact: { id: phoneId } });
		await expect(pool.query('SELECT whatsapp_crm.set_contact_phone($1, $2)', [lidOnly.id, PHONE])).rejects.toThrow(/no contact with id/);
	});
});
