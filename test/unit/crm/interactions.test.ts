/** Interactions and the payload archive: insert-or-ignore keyed by WhatsApp's ids. */
import type { Pool } from 'pg';
import { logInteraction } from '../../support/crm/interactions';
import { archivePayload } from '../../support/crm/payloads';
import { createTestDatabase, type TestDatabase } from './test-database';

let db: TestDatabase;
let pool: Pool;
let contactId: string;

beforeAll(async () => {
	db = await createTestDatabase({ migrated: true });
	pool = db.pool(10);
	const { rows } = await pool.query<{ id: string }>("INSERT INTO whatsapp_crm.contacts (whatsapp_phone, source) VALUES ('+5511987654321', 'whatsapp') RETURNING id");
	contactId = rows[0].id;
});
afterAll(async () => {
	await db.drop();
});

const message = (id: string) => ({
	contactId,
	direction: 'inbound' as const,
	body: 'Olá! Tudo bem? 👋',
	extMessageId: id,
	occurredAt: '2026-11-20T14:03:05.000Z',
	sessionId: '3f2b9c4e-1d2a-4b6c-8e9f-0a1b2c3d4e5f',
	origin: 'live' as const,
});

describe('logInteraction', () => {
	it('logs a message once however often it is delivered', async () => {
		const id = 'false_5511987654321@c.us_3EB0C767D26A1D4B7F10';
		const first = await logInteraction(pool, message(id));
		expect(first).toEqual({ inserted: true, id: expect.stringMatching(/^\d+$/) });
		for (let i = 0; i < 3; i++) expect(await logInteraction(pool, { ...message(id), body: 'changed' })).toEqual({ inserted: false, id: null });

		const { rows } = await pool.query('SELECT contact_id, channel, direction, body, occurred_at, session_id, origin FROM whatsapp_crm.interactions WHERE ext_message_id = $1', [id]);
		expect(rows).toEqual([
			{
				contact_id: contactId,
				channel: 'whatsapp',
				direction: 'inbound',
				body: 'Olá! Tudo bem? 👋',
				occurred_at: new Date('2026-11-20T14:03:05.000Z'),
				session_id: '3f2b9c4e-1d2a-4b6c-8e9f-0a1b2c3d4e5f',
				origin: 'live',
			},
		]);
	});

	it('inserts exactly one row when the same message arrives concurrently (live and backfill at once)', async () => {
		const id = 'wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFjNFQjA';
		const results = await Promise.all(
			Array.from({ length: 10 }, (_, i) => logInteraction(pool, { ...message(id), origin: i % 2 === 0 ? 'live' : 'backfill' })),
		);
		expect(results.filter((r) => r.inserted)).toHaveLength(1);
		const { rows } = await pool.query('SELECT count(*)::int AS n FROM whatsapp_crm.interactions WHERE ext_message_id = $1', [id]);
		expect(rows[0].n).toBe(1);
	});

	it('takes a Date, defaults to a live message and keeps outbound ones apart', async () => {
		const result = await logInteraction(pool, {
			contactId,
			direction: 'outbound',
			body: 'Thanks!',
			extMessageId: 'true_5511987654321@c.us_ABC',
			occurredAt: new Date('2026-11-20T15:00:00Z'),
		});
		expect(result.inserted).toBe(true);
		const { rows } = await pool.query("SELECT direction, origin, session_id FROM whatsapp_crm.interactions WHERE ext_message_id = 'true_5511987654321@c.us_ABC'");
		expect(rows).toEqual([{ direction: 'outbound', origin: 'live', session_id: null }]);
	});

	it('refuses an empty message id', async () => {
		await expect(logInteraction(pool, message('  '))).rejects.toThrow(/extMessageId must not be empty/);
	});
});

describe('archivePayload', () => {
	it('archives each event once, as JSON (arrays included)', async () => {
		const payload = { schemaVersion: 1, eventId: 'evt-1', type: 'message', message: { text: 'a "quoted" text', tags: ['x'] } };
		expect(await archivePayload(pool, { eventId: 'evt-1', source: 'sidecar', sessionId: 's-1', eventType: 'message', payload })).toEqual({
			archived: true,
			id: expect.stringMatching(/^\d+$/),
		});
		expect(await archivePayload(pool, { eventId: 'evt-1', source: 'sidecar', payload: { other: true } })).toEqual({ archived: false, id: null });
		await archivePayload(pool, { eventId: 'evt-2', source: 'cloud_api', payload: [{ entry: [] }] });

		const { rows } = await pool.query("SELECT event_id, source, session_id, event_type, payload FROM whatsapp_crm.webhook_payloads ORDER BY id");
		expect(rows).toEqual([
			{ event_id: 'evt-1', source: 'sidecar', session_id: 's-1', event_type: 'message', payload },
			{ event_id: 'evt-2', source: 'cloud_api', session_id: null, event_type: null, payload: [{ entry: [] }] },
		]);
	});
});
