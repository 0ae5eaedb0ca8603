/**
 * The delivery ledger's rules, on both ledgers: the durable one on a real
 * PostgreSQL database (migrated), and the in-memory one, which must answer the
 * same. Plus what only the durable one does: claims that many processes race
 * for, parking into the failed-events list, replaying from it.
 */
import type { Pool } from 'pg';
import { buildMessageEvent } from '../../../core/events';
import { createMemoryLedger, planDelivery, type DeliveryLedger } from '../../../core/webhooks/delivery-ledger';
import { createPostgresLedger, FAILED_EVENTS_NOTIFICATION_KIND } from '../../../crm/delivery-ledger';
import { RECORD_REPLAY_OUTCOME, TAKE_FAILED_EVENTS } from '../../../crm/sql';
import { SESSION_ID, textMessage } from '../../support/sidecar-deliveries';
import { createTestDatabase, type TestDatabase } from './test-database';

let db: TestDatabase;
let pool: Pool;

beforeAll(async () => {
	db = await createTestDatabase({ migrated: true });
	pool = db.pool(30);
});

afterAll(async () => {
	await db.drop();
});

let scopeCounter = 0;
const newScope = () => `wf-${++scopeCounter}:node-1`;

describe.each([
	['in PostgreSQL', () => createPostgresLedger(pool, { retentionSeconds: 3600 })],
	['in memory', () => createMemoryLedger({ retentionMs: 3_600_000 })],
])('the ledger %s', (_name, make: () => DeliveryLedger) => {
	let ledger: DeliveryLedger;
	let scope: string;
	beforeEach(() => {
		ledger = make();
		scope = newScope();
	});

	it('claims a new key once; a second claim meanwhile is told it is being processed', async () => {
		expect(await ledger.claim(scope, ['a', 'b', 'a'], 30)).toEqual([
			{ key: 'a', outcome: 'claimed', attempts: 1, retryAfterSeconds: null },
			{ key: 'b', outcome: 'claimed', attempts: 1, retryAfterSeconds: null },
		]);
		const [again] = await ledger.claim(scope, ['a'], 30);
		expect(again).toMatchObject({ key: 'a', outcome: 'processing', attempts: 1 });
		expect(again.retryAfterSeconds).toBeGreaterThanOrEqual(1);
		expect(again.retryAfterSeconds).toBeLessThanOrEqual(30);
	});

	it('a done key is a duplicate for good; a failed one is claimed again with one more attempt', async () => {
		await ledger.claim(scope, ['ok', 'ko'], 30);
		await ledger.complete(scope, ['ok'], 'done');
		await ledger.complete(scope, ['ko'], 'failed');
		expect(await ledger.claim(scope, ['ok', 'ko'], 30)).toEqual([
			{ key: 'ok', outcome: 'done', attempts: 1, retryAfterSeconds: null },
			{ key: 'ko', outcome: 'claimed', attempts: 2, retryAfterSeconds: null },
		]);
	});

	it('a claim whose run stopped renewing it is claimed again once its lease is over', async () => {
		await ledger.claim(scope, ['k'], 1);
		expect((await ledger.claim(scope, ['k'], 1))[0].outcome).toBe('processing');
		await new Promise((resolve) => setTimeout(resolve, 1100));
		expect((await ledger.claim(scope, ['k'], 1))[0]).toMatchObject({ outcome: 'claimed', attempts: 2 });
	});

	it('a renewed claim stays held', async () => {
		await ledger.claim(scope, ['k'], 2);
		await new Promise((resolve) => setTimeout(resolve, 1200));
		await ledger.renew(scope, ['k'], 2);
		await new Promise((resolve) => setTimeout(resolve, 1200));
		expect((await ledger.claim(scope, ['k'], 2))[0].outcome).toBe('processing');
	});

	it('scopes are apart: the same key in another trigger is its own delivery', async () => {
		await ledger.claim(scope, ['k'], 30);
		await ledger.complete(scope, ['k'], 'done');
		expect((await ledger.claim(newScope(), ['k'], 30))[0].outcome).toBe('claimed');
	});
});

describe('the durable ledger under concurrency', () => {
	it('twenty processes claiming the same keys at once: each key is claimed exactly once', async () => {
		const scope = newScope();
		const keys = Array.from({ length: 10 }, (_, i) => `key-${i}`);
		// Twenty ledgers (as twenty webhook processes would have), overlapping key sets in different orders.
		const claims = await Promise.all(
			Array.from({ length: 20 }, (_, i) => {
				const mine = i % 2 === 0 ? keys : [...keys].reverse();
				return createPostgresLedger(pool, { retentionSeconds: 3600 }).claim(scope, mine, 30);
			}),
		);
		for (const key of keys) {
			const claimed = claims.flat().filter((c) => c.key === key && c.outcome === 'claimed');
			expect(claimed).toHaveLength(1);
		}
	});
});

describe('giving up: the failed-events list', () => {
	const event = (text: string) => buildMessageEvent({ sessionId: SESSION_ID, message: textMessage({ text }) });

	it('planDelivery runs what was claimed, sets aside what failed too often, and counts the rest', () => {
		const [fresh, poison, done, busy] = [event('fresh'), event('poison'), event('done'), event('busy')];
		const plan = planDelivery(
			[fresh, poison, done, busy, fresh],
			[
				{ key: fresh.eventId, outcome: 'claimed', attempts: 1, retryAfterSeconds: null },
				{ key: poison.eventId, outcome: 'claimed', attempts: 4, retryAfterSeconds: null },
				{ key: done.eventId, outcome: 'done', attempts: 1, retryAfterSeconds: null },
				{ key: busy.eventId, outcome: 'processing', attempts: 1, retryAfterSeconds: 12 },
			],
			3,
		);
		expect(plan.run).toEqual([fresh]);
		expect(plan.park).toEqual([{ key: poison.eventId, event: poison, attempts: 3 }]);
		expect(plan).toMatchObject({ duplicates: 2, inProgress: 1, retryAfterSeconds: 12 });
		expect(planDelivery([poison], [{ key: poison.eventId, outcome: 'claimed', attempts: 40, retryAfterSeconds: null }], null).run).toEqual([poison]);
	});

	it('parks with the event, tells the session\'s user once, and a replay resolves it', async () => {
		const ledger = createPostgresLedger(pool, { retentionSeconds: 3600 });
		const scope = newScope();
		await pool.query('INSERT INTO whatsapp_crm.users (id) VALUES ($1) ON CONFLICT DO NOTHING', [SESSION_ID]);
		const poison = [event("'); DROP TABLE whatsapp_crm.contacts; --"), event('second')];
		await ledger.claim(scope, poison.map((e) => e.eventId), 30);
		await ledger.park(scope, poison.map((e) => ({ key: e.eventId, event: e, attempts: 5 })));

		expect((await ledger.claim(scope, [poison[0].eventId], 30))[0].outcome).toBe('parked');
		const { rows } = await pool.query('SELECT event_id, attempts, payload, resolved_at FROM whatsapp_crm.failed_events WHERE scope = $1 ORDER BY id', [scope]);
		expect(rows).toEqual(poison.map((e) => ({ event_id: e.eventId, attempts: 5, payload: JSON.parse(JSON.stringify(e)), resolved_at: null })));
		const notes = await pool.query('SELECT kind FROM whatsapp_crm.notifications WHERE user_id = $1 AND resolved_at IS NULL', [SESSION_ID]);
		expect(notes.rows).toEqual([{ kind: FAILED_EVENTS_NOTIFICATION_KIND }]);

		expect((await pool.query(TAKE_FAILED_EVENTS, [10, 'cloud_api'])).rows).toEqual([]);
		const taken = await pool.query(TAKE_FAILED_EVENTS, [10, 'sidecar']);
		expect(taken.rows.map((r) => r.event_id)).toEqual(expect.arrayContaining(poison.map((e) => e.eventId)));
		expect(taken.rows.find((r) => r.event_id === poison[0].eventId)?.event).toEqual(JSON.parse(JSON.stringify(poison[0])));
		// A second replay meanwhile takes nothing of these.
		const overlapping = await pool.query(TAKE_FAILED_EVENTS, [10, null]);
		expect(overlapping.rows.filter((r) => poison.some((e) => e.eventId === r.event_id))).toEqual([]);

		// One replay went through, the other failed again: it is back in the list, with its new reason.
		expect((await pool.query(RECORD_REPLAY_OUTCOME, [poison[0].eventId, true, null])).rows).toEqual([{ event_id: poison[0].eventId, resolved: true, recorded: true }]);
		expect((await pool.query(RECORD_REPLAY_OUTCOME, [poison[1].eventId, false, 'still broken'])).rows).toEqual([{ event_id: poison[1].eventId, resolved: false, recorded: true }]);
		const open = await pool.query('SELECT event_id, attempts, reason, replayed_at FROM whatsapp_crm.failed_events WHERE scope = $1 AND resolved_at IS NULL', [scope]);
		expect(open.rows).toEqual([{ event_id: poison[1].eventId, attempts: 6, reason: 'still broken', replayed_at: null }]);
		// The user's notification stays open while one of their events is still failing, and is resolved with the last.
		const stillOpen = await pool.query("SELECT count(*)::int AS n FROM whatsapp_crm.notifications WHERE user_id = $1 AND kind = 'whatsapp_failed_events' AND resolved_at IS NULL", [SESSION_ID]);
		expect(stillOpen.rows[0].n).toBe(1);
		await pool.query(TAKE_FAILED_EVENTS, [10, 'sidecar']);
		await pool.query(RECORD_REPLAY_OUTCOME, [poison[1].eventId, true, null]);
		const settled = await pool.query("SELECT count(*)::int AS n FROM whatsapp_crm.notifications WHERE user_id = $1 AND kind = 'whatsapp_failed_events' AND resolved_at IS NULL", [SESSION_ID]);
		expect(settled.rows[0].n).toBe(0);
		// The CRM still has its tables: the text was data.
		expect((await pool.query("SELECT to_regclass('whatsapp_crm.contacts')::text AS t")).rows[0].t).toBe('whatsapp_crm.contacts');
	});
});
