/** Interactions and the event archive: one statement, insert-or-ignore keyed by WhatsApp's ids. */
import type { Pool } from 'pg';
import { LOG_MESSAGE } from '../../../crm/sql';
import { logMessage } from '../../support/crm/interactions';
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

const SESSION = '3f2b9c4e-1d2a-4b6c-8e9f-0a1b2c3d4e5f';
const message = (id: string, eventId = `sidecar:msg:${SESSION}:${id}`) => ({
	contactId,
	direction: 'inbound' as const,
	body: 'Olá! Tudo bem? 👋',
	extMessageId: id,
	occurredAt: '2026-11-20T14:03:05.000Z',
	sessionId: SESSION,
	origin: 'live' as const,
	event: { eventId, source: 'sidecar', type: 'message', payload: { schemaVersion: 1, eventId, type: 'message', message: { messageId: id } } },
});

const count = async (table: string, column: string, value: string): Promise<number> =>
	(await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM whatsapp_crm.${table} WHERE ${column} = $1`, [value])).rows[0].n;

describe('logMessage (LOG_MESSAGE, the logging workflows\' statement)', () => {
	it('logs a message once however often it is delivered, and archives each event once', async () => {
		const id = 'false_5511987654321@c.us_3EB0C767D26A1D4B7F10';
		const first = await logMessage(pool, message(id));
		expect(first).toEqual({ inserted: true, id: expect.stringMatching(/^\d+$/), archived: true });
		for (let i = 0; i < 3; i++) expect(await logMessage(pool, { ...message(id), body: 'changed' })).toEqual({ inserted: false, id: null, archived: false });
		// The same message again in a history import: a new event (archived), no second interaction.
		expect(await logMessage(pool, { ...message(id, 'sidecar:batch:7#3'), origin: 'backfill' })).toEqual({ inserted: false, id: null, archived: true });

		const { rows } = await pool.query('SELECT contact_id, channel, direction, body, occurred_at, session_id, origin FROM whatsapp_crm.interactions WHERE ext_message_id = $1', [id]);
		expect(rows).toEqual([
			{
				contact_id: contactId,
				channel: 'whatsapp',
				direction: 'inbound',
				body: 'Olá! Tudo bem? 👋',
				occurred_at: new Date('2026-11-20T14:03:05.000Z'),
				session_id: SESSION,
				origin: 'live',
			},
		]);
		const archived = await pool.query("SELECT event_id, source, session_id, event_type, payload FROM whatsapp_crm.webhook_payloads WHERE payload->'message'->>'messageId' = $1 ORDER BY id", [id]);
		expect(archived.rows).toEqual([
			{ event_id: message(id).event.eventId, source: 'sidecar', session_id: SESSION, event_type: 'message', payload: message(id).event.payload },
			{ event_id: 'sidecar:batch:7#3', source: 'sidecar', session_id: SESSION, event_type: 'message', payload: message(id, 'sidecar:batch:7#3').event.payload },
		]);
	});

	it('inserts exactly one row when the same message arrives concurrently (live and backfill at once)', async () => {
		const id = 'wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFjNFQjA';
		const results = await Promise.all(
			Array.from({ length: 10 }, (_, i) =>
				logMessage(pool, { ...message(id, i % 2 === 0 ? `cloud_api:msg:${id}` : `sidecar:batch:9#${i}`), origin: i % 2 === 0 ? 'live' : 'backfill' }),
			),
		);
		expect(results.filter((r) => r.inserted)).toHaveLength(1);
		expect(await count('interactions', 'ext_message_id', id)).toBe(1);
		expect(results.filter((r) => r.archived)).toHaveLength(6); // one live event id, five batch items
	});

	it('logs nothing when the event cannot be archived: the message and its event go in together or not at all', async () => {
		const id = 'false_5511987654321@c.us_ATOMIC0000000000';
		const input = message(id);
		// The values the workflow passes, with the event id missing (the archive's NOT NULL column refuses it).
		const values = [contactId, 'inbound', input.body, id, input.occurredAt, SESSION, 'live', null, 'sidecar', 'message', JSON.stringify(input.event.payload)];
		await expect(pool.query(LOG_MESSAGE, values)).rejects.toThrow(/null value in column "event_id"/);
		expect(await count('interactions', 'ext_message_id', id)).toBe(0);
		// Delivered again, whole: logged, and "newly logged" — so the steps after it still run once.
		expect(await logMessage(pool, input)).toEqual({ inserted: true, id: expect.stringMatching(/^\d+$/), archived: true });
	});

	it('takes a Date, defaults to a live message and keeps outbound ones apart', async () => {
		const result = await logMessage(pool, {
			contactId,
			direction: 'outbound',
			body: 'Thanks!',
			extMessageId: 'true_5511987654321@c.us_ABC',
			occurredAt: new Date('2026-11-20T15:00:00Z'),
			event: { eventId: 'sidecar:msg:x:true_5511987654321@c.us_ABC', source: 'sidecar', payload: [{ entry: [] }] },
		});
		expect(result).toMatchObject({ inserted: true, archived: true });
		const { rows } = await pool.query("SELECT direction, origin, session_id FROM whatsapp_crm.interactions WHERE ext_message_id = 'true_5511987654321@c.us_ABC'");
		expect(rows).toEqual([{ direction: 'outbound', origin: 'live', session_id: null }]);
		const archived = await pool.query("SELECT session_id, event_type, payload FROM whatsapp_crm.webhook_payloads WHERE event_id = 'sidecar:msg:x:true_5511987654321@c.us_ABC'");
		expect(archived.rows).toEqual([{ session_id: null, event_type: null, payload: [{ entry: [] }] }]); // arrays stay JSON
	});

	it('refuses an empty message id or event id', async () => {
		await expect(logMessage(pool, message('  '))).rejects.toThrow(/extMessageId must not be empty/);
		await expect(logMessage(pool, message('m-1', ' '))).rejects.toThrow(/eventId must not be empty/);
	});
});
