/**
 * The durable outbox against a real receiving server on loopback that checks
 * every delivery with the core's verifySidecarSignature.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { NO_MESSAGE_CONTENT, sidecarMessageEventId } from '../../core/events';
import type { MessageEvent, NormalizedEvent } from '../../core/events/types';
import { createOutbox, parseRetryAfterMs, type Outbox, type OutboxOptions } from '../../sidecar/src/outbox';
import { DEAD_DB, OutboxStore, PENDING_DB } from '../../sidecar/src/outbox/store';
import { openDurableStore } from '../../sidecar/src/storage/durable-store';
import { buildSidecar, REPO_ROOT } from './helpers/spawn';
import { dedupeById, startReceiver, until, type Delivery, type Receiver } from './helpers/receiver';

jest.setTimeout(60_000);

const SECRET = 'outbox-test-secret';
const PHONE = '5511987654321';
const TEXT = 'Olá, segredo do cliente';

const logLines: string[] = [];
const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });

const tmpDirs: string[] = [];
function tmpDir(): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outbox-test-'));
	tmpDirs.push(dir);
	return dir;
}

let counter = 0;
/** A live message event as the service builds it: its id embeds WhatsApp's message id, and so the phone number. */
function messageEvent(sessionId: string, seq: number): MessageEvent {
	counter++;
	return {
		schemaVersion: 2,
		eventId: sidecarMessageEventId(sessionId, `false_${PHONE}@c.us_3EB0${seq}X${counter}`),
		source: 'sidecar',
		sessionId,
		occurredAt: new Date().toISOString(),
		type: 'message',
		message: {
			messageId: `false_${PHONE}@c.us_3EB0${seq}X${counter}`,
			direction: 'inbound',
			chatKind: 'direct',
			chatId: `${PHONE}@c.us`,
			remote: { idKind: 'person', phone: `+${PHONE}`, rawId: `${PHONE}@c.us`, name: 'Maria', about: null },
			kind: 'text',
			isMedia: false,
			rawType: 'chat',
			text: `${TEXT} #${seq}`,
			timestamp: new Date().toISOString(),
			origin: 'live',
			participant: null,
			contextMessageId: null,
			...NO_MESSAGE_CONTENT,
		},
	};
}

/** The pending records' keys as the store holds them: [session key, seq]. */
function pendingKeys(dataDir: string): unknown[] {
	const store = openDurableStore(dataDir);
	try {
		return [...store.db<string>(PENDING_DB, 'string').getKeys()];
	} finally {
		void store.close();
	}
}

/** Overwrites a stored record with damaged text, as a bad disk or a hand edit would. */
async function damage(dataDir: string, dbName: string, key: [string, number], text: string): Promise<void> {
	const store = openDurableStore(dataDir);
	try {
		await store.db<string>(dbName, 'string').put(key, text);
	} finally {
		await store.close();
	}
}

const outboxes: Outbox[] = [];
const receivers: Receiver[] = [];

function makeOutbox(receiver: Receiver, extra: Partial<OutboxOptions> = {}): Outbox {
	const outbox = createOutbox({
		dataDir: extra.dataDir ?? tmpDir(),
		webhookUrl: receiver.url,
		secret: SECRET,
		logger,
		baseDelayMs: 20,
		maxDelayMs: 200,
		// No maxAttempts: by default an event is given up only after failing for maxFailingMs (72 h).
		...extra,
	});
	outboxes.push(outbox);
	return outbox;
}

async function receiver(options: { now?: () => number } = {}): Promise<Receiver> {
	const r = await startReceiver(SECRET, options);
	receivers.push(r);
	return r;
}

function idsOfSession(deliveries: Delivery[], sessionId: string): string[] {
	return deliveries.filter((d) => d.event.sessionId === sessionId).map((d) => d.id);
}

afterEach(async () => {
	await Promise.all(outboxes.splice(0).map((o) => o.stop()));
	await Promise.all(receivers.splice(0).map((r) => r.close()));
});

afterAll(() => {
	for (const dir of tmpDirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe('delivery', () => {
	it('posts each event as its exact JSON, signed with its event id, in order per session', async () => {
		const r = await receiver();
		const outbox = makeOutbox(r);
		outbox.start();
		const enqueued: Record<string, NormalizedEvent[]> = { 'session-a': [], 'session-b': [], 'session-c': [] };
		for (let i = 1; i <= 15; i++) {
			for (const s of Object.keys(enqueued)) {
				const e = messageEvent(s, i);
				enqueued[s].push(e);
				await outbox.enqueue(e);
			}
		}
		await outbox.onIdle();

		expect(r.all).toHaveLength(45);
		for (const d of r.all) {
			expect(d.signatureOk).toBe(true);
			expect(d.contentType).toBe('application/json');
			expect(d.event.eventId).toBe(d.id);
			expect(d.raw.toString('utf8')).toBe(JSON.stringify(d.event));
		}
		for (const [s, events] of Object.entries(enqueued)) {
			expect(idsOfSession(r.all, s)).toEqual(events.map((e) => e.eventId));
			expect(idsOfSession(r.all, s).map((id) => r.all.find((d) => d.id === id)?.raw.toString('utf8'))).toEqual(
				events.map((e) => JSON.stringify(e)),
			);
		}
		expect(outbox.stats()).toEqual({ pending: 0, deadLetters: 0, delivered: 45, failedAttempts: 0 });
	});

	it('removes a delivered event from the store', async () => {
		const r = await receiver();
		const dataDir = tmpDir();
		const outbox = makeOutbox(r, { dataDir });
		await outbox.enqueue(messageEvent('s1', 1));
		expect(pendingKeys(dataDir)).toEqual([['s-s1', 1]]);
		outbox.start();
		await outbox.onIdle();
		expect(pendingKeys(dataDir)).toEqual([]);
	});

	it('acknowledges each of a burst of concurrent enqueues only once it is stored, keeping the order of the calls', async () => {
		const r = await receiver();
		const dataDir = tmpDir();
		const outbox = makeOutbox(r, { dataDir });
		const events = Array.from({ length: 300 }, (_, i) => messageEvent('burst', i + 1));
		const store = openDurableStore(dataDir);
		const pending = store.db<string>(PENDING_DB, 'string');
		let acknowledged = 0;
		await Promise.all(
			events.map((e, i) =>
				outbox.enqueue(e).then(() => {
					// Acknowledged means committed: the record is in the store right now.
					expect(JSON.parse(pending.get(['s-burst', i + 1]) as string).eventId).toBe(e.eventId);
					acknowledged++;
				}),
			),
		);
		await store.close();
		expect(acknowledged).toBe(300);

		expect(pendingKeys(dataDir)).toEqual(events.map((_, i) => ['s-burst', i + 1]));
		outbox.start();
		await outbox.onIdle();
		expect(r.all.map((d) => d.id)).toEqual(events.map((e) => e.eventId));
	});

	it('refuses an event id the receiver could not verify', async () => {
		const r = await receiver();
		const outbox = makeOutbox(r);
		await expect(outbox.enqueue({ ...messageEvent('s1', 1), eventId: '' })).rejects.toThrow(TypeError);
		await expect(outbox.enqueue({ ...messageEvent('s1', 1), eventId: 'x'.repeat(201) })).rejects.toThrow(TypeError);
	});
});

describe('outages', () => {
	it('keeps retrying through 503s with a fresh signed timestamp, then delivers each event once, in order', async () => {
		let clockMs = Date.now();
		const r = await receiver({ now: () => clockMs });
		let down = true;
		r.respond = (d) => {
			clockMs += 2000; // every attempt happens "later"
			return { status: !d.signatureOk ? 401 : down ? 503 : 200 };
		};
		const outbox = makeOutbox(r, { now: () => clockMs });
		outbox.start();
		const ids: Record<string, string[]> = { a: [], b: [] };
		for (let i = 1; i <= 10; i++) {
			for (const s of ['a', 'b']) {
				const e = messageEvent(s, i);
				ids[s].push(e.eventId);
				await outbox.enqueue(e);
			}
		}
		await until(() => outbox.stats().failedAttempts >= 8);
		down = false;
		await outbox.onIdle();

		expect(r.all.every((d) => d.signatureOk)).toBe(true);
		const accepted = r.accepted();
		expect(accepted).toHaveLength(20);
		expect(new Set(accepted.map((d) => d.id)).size).toBe(20);
		expect(idsOfSession(accepted, 'a')).toEqual(ids.a);
		expect(idsOfSession(accepted, 'b')).toEqual(ids.b);
		// Retries of the head kept its id, each attempt signed at its own time.
		const headAttempts = r.all.filter((d) => d.id === ids.a[0]);
		expect(headAttempts.length).toBeGreaterThan(1);
		const stamps = headAttempts.map((d) => d.timestamp);
		expect(new Set(stamps).size).toBe(stamps.length);
		expect(outbox.stats().failedAttempts).toBe(r.all.length - 20);
	});

	it('delivers everything once the receiver comes back after being unreachable', async () => {
		const r = await receiver();
		const outbox = makeOutbox(r);
		outbox.start();
		await r.close();
		const ids: Record<string, string[]> = { a: [], b: [], c: [] };
		for (let i = 1; i <= 8; i++) {
			for (const s of Object.keys(ids)) {
				const e = messageEvent(s, i);
				ids[s].push(e.eventId);
				await outbox.enqueue(e);
			}
		}
		await until(() => outbox.stats().failedAttempts >= 9);
		expect(outbox.stats().pending).toBe(24);
		await r.reopen();
		await outbox.onIdle();

		expect(r.all).toHaveLength(24);
		for (const s of Object.keys(ids)) expect(idsOfSession(r.all, s)).toEqual(ids[s]);
	});

	it("a failing head blocks only its own session's queue", async () => {
		const r = await receiver();
		let blockA = true;
		r.respond = (d) => ({ status: blockA && d.event.sessionId === 'a' ? 500 : 200 });
		const outbox = makeOutbox(r);
		outbox.start();
		const aIds: string[] = [];
		const bIds: string[] = [];
		for (let i = 1; i <= 5; i++) {
			const a = messageEvent('a', i);
			const b = messageEvent('b', i);
			aIds.push(a.eventId);
			bIds.push(b.eventId);
			await outbox.enqueue(a);
			await outbox.enqueue(b);
		}
		await until(() => r.accepted().length === 5);
		expect(idsOfSession(r.accepted(), 'b')).toEqual(bIds);
		// Session a never got past its head while it failed.
		expect(new Set(r.all.filter((d) => d.event.sessionId === 'a').map((d) => d.id))).toEqual(new Set([aIds[0]]));
		blockA = false;
		await outbox.onIdle();
		expect(idsOfSession(r.accepted(), 'a')).toEqual(aIds);
	});

	it('waits as long as a 429 Retry-After asks, not the (here very long) backoff', async () => {
		const r = await receiver();
		r.respond = (_d, attempt) => (attempt === 1 ? { status: 429, headers: { 'Retry-After': '1' } } : { status: 200 });
		// Without Retry-After the next try would come about 10 minutes later.
		const outbox = makeOutbox(r, { baseDelayMs: 600_000, maxDelayMs: 600_000, random: () => 0.999 });
		outbox.start();
		const e = messageEvent('s', 1);
		await outbox.enqueue(e);
		await outbox.onIdle();
		expect(r.all.map((d) => [d.id, d.status])).toEqual([
			[e.eventId, 429],
			[e.eventId, 200],
		]);
		expect(r.all[1].timestamp).toBeGreaterThanOrEqual(r.all[0].timestamp);
	});

	it('retries a 404 (n8n registering its webhooks, or the workflow inactive) and delivers once the receiver is there', async () => {
		const r = await receiver();
		const e = messageEvent('s', 1);
		const next = messageEvent('s', 2);
		r.respond = (d, attempt) => ({ status: d.id === e.eventId && attempt <= 3 ? 404 : 200 });
		const outbox = makeOutbox(r);
		outbox.start();
		await outbox.enqueue(e);
		await outbox.enqueue(next);
		await outbox.onIdle();
		expect(r.all.map((d) => [d.id, d.status])).toEqual([
			[e.eventId, 404],
			[e.eventId, 404],
			[e.eventId, 404],
			[e.eventId, 200],
			[next.eventId, 200],
		]);
		expect((await outbox.listDeadLetters()).deadLetters).toEqual([]);
		expect(outbox.stats()).toEqual({ pending: 0, deadLetters: 0, delivered: 2, failedAttempts: 3 });
	});

	it('reads Retry-After as seconds or as an HTTP date', () => {
		const now = Date.parse('2026-01-01T00:00:00Z');
		expect(parseRetryAfterMs('120', now)).toBe(120_000);
		expect(parseRetryAfterMs(['3'], now)).toBe(3000);
		expect(parseRetryAfterMs('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
		expect(parseRetryAfterMs('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
		expect(parseRetryAfterMs('soon', now)).toBeNull();
		expect(parseRetryAfterMs(undefined, now)).toBeNull();
		expect(parseRetryAfterMs('999999', now)).toBe(60 * 60 * 1000);
	});
});

describe('dead letters', () => {
	it('moves a permanently refused event to the dead letters at once, lets the rest through, and replays it', async () => {
		const r = await receiver();
		const poison = messageEvent('s', 2);
		let refuse = true;
		r.respond = (d) => ({ status: refuse && d.id === poison.eventId ? 422 : 200 });
		const outbox = makeOutbox(r);
		outbox.start();
		const first = messageEvent('s', 1);
		const third = messageEvent('s', 3);
		for (const e of [first, poison, third]) await outbox.enqueue(e);
		await outbox.onIdle();

		expect(r.all.map((d) => [d.id, d.status])).toEqual([
			[first.eventId, 200],
			[poison.eventId, 422],
			[third.eventId, 200],
		]);
		const dead = (await outbox.listDeadLetters()).deadLetters;
		expect(dead).toHaveLength(1);
		expect(dead[0]).toMatchObject({
			eventId: poison.eventId,
			sessionId: 's',
			eventType: 'message',
			attempts: 1,
			lastStatus: 422,
			lastError: 'http 422',
			reason: 'permanent_status',
		});
		expect(dead[0].event).toEqual(poison);
		expect(outbox.stats()).toMatchObject({ pending: 0, deadLetters: 1, delivered: 2 });

		refuse = false;
		const later = messageEvent('s', 4);
		await outbox.enqueue(later);
		expect((await outbox.replayDeadLetters([dead[0].id])).replayed).toBe(1);
		await outbox.onIdle();
		// The replayed event went to the end of its session's queue, same id, same bytes.
		expect(r.all.slice(3).map((d) => [d.id, d.status])).toEqual([
			[later.eventId, 200],
			[poison.eventId, 200],
		]);
		expect(r.all[4].raw.toString('utf8')).toBe(JSON.stringify(poison));
		expect((await outbox.listDeadLetters()).deadLetters).toEqual([]);
		expect(outbox.stats()).toMatchObject({ pending: 0, deadLetters: 0, delivered: 4 });
	});

	it('a wrong secret gets 401 from a verifying receiver: dead letter at once and a clear log line', async () => {
		const r = await receiver(); // answers 401 when the signature does not verify
		const outbox = makeOutbox(r, { secret: 'not-the-receivers-secret' });
		outbox.start();
		const e = messageEvent('s', 1);
		await outbox.enqueue(e);
		await outbox.onIdle();
		expect(r.all.map((d) => [d.signatureOk, d.status])).toEqual([[false, 401]]);
		const dead = (await outbox.listDeadLetters()).deadLetters;
		expect(dead.map((d) => [d.eventId, d.lastStatus, d.attempts])).toEqual([[e.eventId, 401, 1]]);
		const line = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.status === 401 && l.level === 50);
		expect(String(line?.msg)).toContain('WEBHOOK_SECRET');
	});

	it('gives up after maxAttempts and keeps the event, its attempts and its last error', async () => {
		const r = await receiver();
		r.respond = () => ({ status: 503 });
		const outbox = makeOutbox(r, { maxAttempts: 3 });
		outbox.start();
		const e = messageEvent('s', 1);
		const next = messageEvent('s', 2);
		await outbox.enqueue(e);
		await outbox.enqueue(next);
		await until(() => outbox.stats().deadLetters === 2);
		expect(r.all.map((d) => d.id)).toEqual([e.eventId, e.eventId, e.eventId, next.eventId, next.eventId, next.eventId]);
		const dead = (await outbox.listDeadLetters()).deadLetters;
		expect(dead.map((d) => [d.eventId, d.attempts, d.lastStatus, d.reason])).toEqual([
			[e.eventId, 3, 503, 'max_attempts'],
			[next.eventId, 3, 503, 'max_attempts'],
		]);
		expect(outbox.stats()).toEqual({ pending: 0, deadLetters: 2, delivered: 0, failedAttempts: 6 });

		r.respond = () => ({ status: 200 });
		expect((await outbox.replayDeadLetters()).replayed).toBe(2);
		await outbox.onIdle();
		expect(r.accepted().map((d) => d.id)).toEqual([e.eventId, next.eventId]);
	});

	it('gives up an event that has been failing for longer than maxFailingMs, however few its attempts', async () => {
		const hour = 60 * 60 * 1000;
		let clockMs = Date.now();
		const r = await receiver({ now: () => clockMs });
		r.respond = (d) => {
			clockMs += hour; // each failed attempt happens an hour after the previous one
			return { status: d.signatureOk ? 503 : 401 };
		};
		const outbox = makeOutbox(r, { now: () => clockMs, maxFailingMs: 3 * hour });
		outbox.start();
		const e = messageEvent('s', 1);
		await outbox.enqueue(e);
		await until(() => outbox.stats().deadLetters === 1);
		// Failing since the first answer (t+1h); the 4th answer (t+4h) is 3 h later: given up then, not before.
		expect(r.all.map((d) => [d.id, d.status])).toEqual(Array.from({ length: 4 }, () => [e.eventId, 503]));
		const [dead] = (await outbox.listDeadLetters()).deadLetters;
		expect(dead).toMatchObject({ eventId: e.eventId, attempts: 4, lastStatus: 503, lastError: 'http 503', reason: 'failing_too_long' });
		expect(dead.event).toEqual(e);
		expect(outbox.stats()).toMatchObject({ pending: 0, deadLetters: 1, delivered: 0, failedAttempts: 4 });
	});

	it('a replayed dead letter starts a fresh failing period', async () => {
		const hour = 60 * 60 * 1000;
		let clockMs = Date.now();
		const r = await receiver({ now: () => clockMs });
		r.respond = (d) => {
			clockMs += hour;
			return { status: d.signatureOk ? 503 : 401 };
		};
		const outbox = makeOutbox(r, { now: () => clockMs, maxFailingMs: 3 * hour });
		outbox.start();
		const e = messageEvent('s', 1);
		await outbox.enqueue(e);
		await until(() => outbox.stats().deadLetters === 1);
		expect(r.all).toHaveLength(4);

		// Replayed while the receiver still fails: retried for another 3 hours, not buried on its first failure.
		expect((await outbox.replayDeadLetters()).replayed).toBe(1);
		expect(outbox.stats().deadLetters).toBe(0);
		await until(() => outbox.stats().deadLetters === 1);
		expect(r.all).toHaveLength(8);
		const [dead] = (await outbox.listDeadLetters()).deadLetters;
		expect(dead).toMatchObject({ eventId: e.eventId, attempts: 4, reason: 'failing_too_long' });

		// And once the receiver is back, a replay delivers it.
		r.respond = (d) => ({ status: d.signatureOk ? 200 : 401 });
		expect((await outbox.replayDeadLetters()).replayed).toBe(1);
		await outbox.onIdle();
		expect(r.accepted().map((d) => d.id)).toEqual([e.eventId]);
		expect(outbox.stats()).toMatchObject({ pending: 0, deadLetters: 0, delivered: 1 });
	});

	it('counts a network failure towards maxAttempts and records its error', async () => {
		const r = await receiver();
		await r.close();
		const outbox = makeOutbox(r, { maxAttempts: 2 });
		outbox.start();
		await outbox.enqueue(messageEvent('s', 1));
		await until(() => outbox.stats().deadLetters === 1);
		const [dead] = (await outbox.listDeadLetters()).deadLetters;
		expect(dead.attempts).toBe(2);
		expect(dead.lastStatus).toBeNull();
		expect(dead.lastError).toContain('ECONNREFUSED');
	});
});

describe('restarts', () => {
	it('delivers, in order, what a stopped outbox left on disk, and appends new events after it', async () => {
		const r = await receiver();
		await r.close();
		const dataDir = tmpDir();
		const first = makeOutbox(r, { dataDir });
		first.start();
		const ids: string[] = [];
		for (let i = 1; i <= 6; i++) {
			const e = messageEvent('s', i);
			ids.push(e.eventId);
			await first.enqueue(e);
		}
		await until(() => first.stats().failedAttempts >= 2);
		await first.stop();

		await r.reopen();
		const second = makeOutbox(r, { dataDir });
		const after = messageEvent('s', 7);
		await second.enqueue(after);
		second.start();
		await second.onIdle();
		expect(r.all.map((d) => d.id)).toEqual([...ids, after.eventId]);
	});

	it('imports an outbox of the earlier one-file-per-event layout once, losing nothing', async () => {
		const r = await receiver();
		const dataDir = tmpDir();
		const legacy = path.join(dataDir, 'outbox');
		const record = (e: NormalizedEvent, seq: number, extra: Record<string, unknown> = {}) =>
			JSON.stringify({ v: 1, eventId: e.eventId, sessionId: e.sessionId, eventType: e.type, seq, enqueuedAt: new Date().toISOString(), attempts: 2, lastError: 'http 503', lastStatus: 503, lastAttemptAt: new Date().toISOString(), failingSince: new Date().toISOString(), body: JSON.stringify(e), ...extra });
		const [a1, a2, a3, a4, b1] = [messageEvent('a', 1), messageEvent('a', 2), messageEvent('a', 3), messageEvent('a', 4), messageEvent('b', 1)];
		fs.mkdirSync(path.join(legacy, 'pending', 's-a'), { recursive: true });
		fs.mkdirSync(path.join(legacy, 'pending', 's-b'), { recursive: true });
		fs.mkdirSync(path.join(legacy, 'dead'), { recursive: true });
		fs.mkdirSync(path.join(legacy, 'tmp'), { recursive: true });
		fs.writeFileSync(path.join(legacy, 'pending', 's-a', '0000000000000001.json'), record(a1, 1));
		// Killed between writing the dead letter and removing the pending file: it is a dead letter.
		fs.writeFileSync(path.join(legacy, 'pending', 's-a', '0000000000000002.json'), record(a2, 2));
		fs.writeFileSync(path.join(legacy, 'dead', 's-a.0000000000000002.json'), record(a2, 2, { reason: 'permanent_status', deadAt: new Date().toISOString(), lastStatus: 422 }));
		fs.writeFileSync(path.join(legacy, 'pending', 's-a', '0000000000000003.json'), '{"v":1,"eventId":'); // torn
		fs.writeFileSync(path.join(legacy, 'pending', 's-a', '0000000000000004.json'), record(a4, 4));
		fs.writeFileSync(path.join(legacy, 'pending', 's-b', '0000000000000001.json'), record(b1, 1));
		fs.writeFileSync(path.join(legacy, 'tmp', 'half-written.tmp'), '{');

		const outbox = makeOutbox(r, { dataDir });
		outbox.start();
		await outbox.onIdle();
		expect(idsOfSession(r.all, 'a')).toEqual([a1.eventId, a4.eventId]);
		expect(idsOfSession(r.all, 'b')).toEqual([b1.eventId]);
		expect((await outbox.listDeadLetters()).deadLetters.map((d) => [d.id, d.eventId, d.lastStatus])).toEqual([['s-a.0000000000000002', a2.eventId, 422]]);
		expect(fs.existsSync(legacy)).toBe(false);
		void a3;

		// New events of a session continue after the imported sequence numbers (no id is reused).
		const a5 = messageEvent('a', 5);
		await outbox.enqueue(a5);
		await outbox.onIdle();
		expect(idsOfSession(r.all, 'a')).toEqual([a1.eventId, a4.eventId, a5.eventId]);
		expect((await outbox.replayDeadLetters()).replayed).toBe(1);
		await outbox.onIdle();
		expect(idsOfSession(r.all, 'a')).toEqual([a1.eventId, a4.eventId, a5.eventId, a2.eventId]);
		// Imported once: a restart finds nothing more to import and nothing to send.
		await outbox.stop();
		const again = makeOutbox(r, { dataDir });
		again.start();
		await again.onIdle();
		expect(r.all).toHaveLength(5);
	});

	it('keeps dead letters across a restart and replays them afterwards', async () => {

		const r = await receiver();
		r.respond = () => ({ status: 410 });
		const dataDir = tmpDir();
		const first = makeOutbox(r, { dataDir });
		first.start();
		const e = messageEvent('s', 1);
		await first.enqueue(e);
		await first.onIdle();
		await first.stop();

		r.respond = () => ({ status: 200 });
		const second = makeOutbox(r, { dataDir });
		second.start();
		const dead = (await second.listDeadLetters()).deadLetters;
		expect(dead.map((d) => [d.eventId, d.lastStatus])).toEqual([[e.eventId, 410]]);
		expect(second.stats().deadLetters).toBe(1);
		// A new event after the restart does not take the dead letter's place.
		const fresh = messageEvent('s', 2);
		await second.enqueue(fresh);
		await second.onIdle();
		expect((await second.listDeadLetters()).deadLetters).toHaveLength(1);
		expect((await second.replayDeadLetters(['no-such-id'])).replayed).toBe(0);
		expect((await second.replayDeadLetters()).replayed).toBe(1);
		await second.onIdle();
		expect(r.accepted().map((d) => d.id)).toEqual([fresh.eventId, e.eventId]);
	});

	it('loses nothing when the sidecar is killed with SIGKILL mid-delivery', async () => {
		const build = buildSidecar();
		tmpDirs.push(build.outDir);
		const outboxModule = build.module('sidecar/src/outbox/index.ts');
		const dataDir = tmpDir();
		const r = await receiver();
		const sessions = ['alpha', 'beta'];
		const count = 60;

		type Run = { enqueued: string[]; stdout: string; stderr: string; exit: Promise<{ code: number | null; signal: string | null }>; kill: () => void };
		const run = (from: number, to: number): Run => {
			const child = spawn(process.execPath, [path.join(__dirname, 'helpers', 'outbox-child.js')], {
				env: {
					...process.env,
					NODE_PATH: path.join(REPO_ROOT, 'node_modules'),
					OUTBOX_MODULE: outboxModule,
					DATA_DIR: dataDir,
					WEBHOOK_URL: r.url,
					WEBHOOK_SECRET: SECRET,
					SESSIONS: sessions.join(','),
					FROM: String(from),
					COUNT: String(to),
					PAUSE_MS: '5',
				},
				stdio: ['ignore', 'pipe', 'pipe'],
			});
			const result: Run = {
				enqueued: [],
				stdout: '',
				stderr: '',
				exit: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal }))),
				kill: () => child.kill('SIGKILL'),
			};
			child.stdout.on('data', (chunk: Buffer) => {
				result.stdout += chunk.toString('utf8');
				result.enqueued = [...result.stdout.matchAll(/^enqueued (\S+)$/gm)].map((m) => m[1]);
			});
			child.stderr.on('data', (chunk: Buffer) => (result.stderr += chunk.toString('utf8')));
			return result;
		};

		// A slow receiver; the sender dies while the 25th request is being answered.
		let killed = false;
		let first: Run | null = null;
		r.respond = () => {
			const kill = !killed && r.all.length + 1 >= 25;
			if (kill) killed = true;
			// The killed delivery is answered only after the sender is gone: never acknowledged.
			return { status: 200, delayMs: kill ? 100 : 15, beforeAnswer: kill ? () => first?.kill() : undefined };
		};
		first = run(1, count);
		const firstExit = await first.exit;
		expect(firstExit.signal).toBe('SIGKILL');
		const confirmedBeforeKill = [...first.enqueued];
		expect(confirmedBeforeKill.length).toBeGreaterThan(0);
		// Killed while still enqueueing, not after everything was sent.
		expect(first.stdout).not.toContain('idle');

		r.respond = () => ({ status: 200, delayMs: 2 });
		const second = run(1, 0); // enqueues nothing: only recovers and delivers
		const secondExit = await second.exit;
		expect({ ...secondExit, stderr: second.stderr }).toEqual({ code: 0, signal: null, stderr: '' });
		expect(second.stdout).toContain('idle');

		expect(r.all.every((d) => d.signatureOk)).toBe(true);
		// The receiver counts only what it acknowledged; the delivery cut off by the kill came again.
		const acknowledged = r.accepted();
		expect(acknowledged.length).toBeLessThan(r.all.length);
		const received = new Set(acknowledged.map((d) => d.id));
		for (const id of confirmedBeforeKill) expect(received.has(id)).toBe(true);
		const unique = dedupeById(acknowledged);
		for (const s of sessions) {
			const seqs = unique.filter((d) => d.event.sessionId === s).map((d) => Number(d.id.split(':').pop()));
			const confirmed = confirmedBeforeKill.filter((id) => id.startsWith(`${s}:`)).length;
			// Complete and in order: exactly 1..m, with m covering everything confirmed as stored.
			expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
			expect(seqs.length).toBeGreaterThanOrEqual(confirmed);
			expect(seqs.length).toBeLessThanOrEqual(count);
		}
	});
});

describe('unreadable files', () => {
	it('sets an unreadable pending event aside and goes on with its session', async () => {
		const r = await receiver();
		const dataDir = tmpDir();
		const outbox = makeOutbox(r, { dataDir });
		const broken = messageEvent('s', 1);
		const second = messageEvent('s', 2);
		const third = messageEvent('s', 3);
		for (const e of [broken, second, third]) await outbox.enqueue(e);
		await damage(dataDir, PENDING_DB, ['s-s', 1], '{"v":1,"eventId":'); // torn by hand or by a bad disk
		outbox.start();
		await outbox.onIdle();

		expect(r.all.map((d) => [d.id, d.status])).toEqual([
			[second.eventId, 200],
			[third.eventId, 200],
		]);
		expect(pendingKeys(dataDir)).toEqual([]);
		await outbox.stop();
		const store = new OutboxStore(dataDir);
		await store.init(() => undefined);
		const corrupt = store.listSetAside();
		await store.close();
		expect(corrupt).toEqual([expect.objectContaining({ from: 'pending', id: 's-s.0000000000000001', text: '{"v":1,"eventId":' })]);
		const line = logLines
			.map((l) => JSON.parse(l) as Record<string, unknown>)
			.find((l) => String(l.msg).includes('unreadable event record set aside') && l.seq === 1);
		expect(line).toMatchObject({ sessionId: 's', level: 50 });
		expect(JSON.stringify(line)).not.toContain(PHONE);
	});

	it('sets aside, at start-up, an unreadable record a previous run left', async () => {
		const r = await receiver();
		const dataDir = tmpDir();
		const first = makeOutbox(r, { dataDir });
		const broken = messageEvent('s', 1);
		const good = messageEvent('s', 2);
		await first.enqueue(broken);
		await first.enqueue(good);
		await first.stop();
		await damage(dataDir, PENDING_DB, ['s-s', 1], 'not json');
		const second = makeOutbox(r, { dataDir });
		second.start();
		await second.onIdle();
		expect(r.all.map((d) => d.id)).toEqual([good.eventId]);
		const line = logLines
			.map((l) => JSON.parse(l) as Record<string, unknown>)
			.find((l) => l.msg === 'outbox: unreadable event record set aside' && l.record === 's-s.0000000000000001');
		expect(line).toMatchObject({ level: 50, err: { name: 'SyntaxError' } });
	});

	it('skips and reports an unreadable dead letter, listing and replaying the others', async () => {
		const r = await receiver();
		r.respond = () => ({ status: 422 });
		const dataDir = tmpDir();
		const outbox = makeOutbox(r, { dataDir });
		outbox.start();
		const broken = messageEvent('s', 1);
		const good = messageEvent('s', 2);
		await outbox.enqueue(broken);
		await outbox.enqueue(good);
		await outbox.onIdle();
		const before = (await outbox.listDeadLetters()).deadLetters;
		expect(before.map((d) => d.eventId)).toEqual([broken.eventId, good.eventId]);
		const brokenId = before[0].id;
		expect(brokenId).toBe('s-s.0000000000000001');
		await damage(dataDir, DEAD_DB, ['s-s', 1], 'not json at all');

		expect((await outbox.listDeadLetters()).deadLetters.map((d) => d.eventId)).toEqual([good.eventId]);
		expect(await outbox.listDeadLetters()).toMatchObject({
			deadLetters: [{ eventId: good.eventId }],
			unreadable: [{ id: brokenId, error: 'SyntaxError' }],
		});

		r.respond = () => ({ status: 200 });
		expect(await outbox.replayDeadLetters()).toEqual({ replayed: 1, unreadable: [{ id: brokenId, error: 'SyntaxError' }] });
		await outbox.onIdle();
		expect(r.accepted().map((d) => d.id)).toEqual([good.eventId]);
		// The unreadable record stays where it is, for someone to look at.
		expect(await outbox.listDeadLetters()).toMatchObject({ deadLetters: [], unreadable: [{ id: brokenId, error: 'SyntaxError' }] });
		expect((await outbox.replayDeadLetters()).replayed).toBe(0);

	});
});

describe('logs', () => {
	// Runs last: by now every test above has logged deliveries, retries, dead letters and replays.
	it('never contain a body, a phone number or a message text', () => {
		const all = logLines.join('');
		expect(all).toContain('outbox: event delivered');
		expect(all).toContain('outbox: dead letter stored');
		expect(all).not.toContain(PHONE);
		expect(all).not.toContain(TEXT);
		expect(all).not.toContain('"message":{');
		// Message events are logged by a hash of their WhatsApp message id, like the rest of the service.
		expect(all).toContain('"msgRef":"');
	});
});

describe('several webhook URLs (WEBHOOK_URL, comma separated)', () => {
	/** Enqueues `n` events for each of two sessions; their ids per session, in order. */
	async function enqueueBurst(outbox: Outbox, n: number, from = 1): Promise<Record<string, string[]>> {
		const ids: Record<string, string[]> = { a: [], b: [] };
		for (let i = from; i < from + n; i++) {
			for (const s of Object.keys(ids)) {
				const e = messageEvent(s, i);
				ids[s]!.push(e.eventId);
				await outbox.enqueue(e);
			}
		}
		return ids;
	}

	it('the first URL refuses connections: everything goes to the second, in order, nothing lost, no failed attempt', async () => {
		const first = await receiver();
		const second = await receiver();
		await first.close();
		const outbox = makeOutbox(first, { webhookUrl: [first.url, second.url] });
		outbox.start();
		const ids = await enqueueBurst(outbox, 10);
		await outbox.onIdle();

		expect(first.all).toHaveLength(0);
		for (const s of Object.keys(ids)) expect(idsOfSession(second.accepted(), s)).toEqual(ids[s]);
		expect(second.rejected()).toEqual([]);
		expect(outbox.stats()).toEqual({ pending: 0, deadLetters: 0, delivered: 20, failedAttempts: 0 });
	});

	it('keeps using the URL that answered, and moves back when that one goes down: every event delivered, in order per session', async () => {
		const first = await receiver();
		const second = await receiver();
		const outbox = makeOutbox(first, { webhookUrl: [first.url, second.url] });
		outbox.start();
		const before = await enqueueBurst(outbox, 5);
		await outbox.onIdle();
		expect(first.accepted()).toHaveLength(10);
		expect(second.all).toHaveLength(0);

		await first.close();
		const during = await enqueueBurst(outbox, 5, 6);
		await outbox.onIdle();
		await first.reopen();
		const after = await enqueueBurst(outbox, 5, 11);
		await outbox.onIdle();

		// After the failover the second URL keeps the traffic, though the first is back.
		expect(second.accepted()).toHaveLength(20);
		for (const s of ['a', 'b']) {
			const delivered = [...idsOfSession(first.accepted(), s), ...idsOfSession(second.accepted(), s)];
			expect(delivered).toEqual([...before[s]!, ...during[s]!, ...after[s]!]);
		}
		expect(outbox.stats().failedAttempts).toBe(0);
	});

	it('503 (a process not ready, a proxy without a backend) goes to the next URL at once; 500 (the workflow failed) does not', async () => {
		const first = await receiver();
		const second = await receiver();
		first.respondWith(503);
		const outbox = makeOutbox(first, { webhookUrl: [first.url, second.url] });
		outbox.start();
		const ids = await enqueueBurst(outbox, 1);
		await outbox.onIdle();
		expect(second.accepted().map((d) => d.id).sort()).toEqual([...ids.a!, ...ids.b!].sort());
		expect(outbox.stats().failedAttempts).toBe(0);

		// Now the second answers 500 on the first try of each event: retried there, never sent to the first.
		second.respond = (_d, attempts) => ({ status: attempts === 1 ? 500 : 200 });
		const more = await enqueueBurst(outbox, 1, 2);
		await outbox.onIdle();
		const sent = [...more.a!, ...more.b!];
		expect(first.all.filter((d) => sent.includes(d.id))).toEqual([]);
		expect(second.all.filter((d) => sent.includes(d.id)).map((d) => d.status).sort()).toEqual([200, 200, 500, 500]);
		expect(outbox.stats().failedAttempts).toBe(2);
	});

	it('all URLs down: retried with backoff, and delivered once, to whichever comes back', async () => {
		const first = await receiver();
		const second = await receiver();
		await first.close();
		await second.close();
		const outbox = makeOutbox(first, { webhookUrl: [first.url, second.url] });
		outbox.start();
		const ids = await enqueueBurst(outbox, 4);
		await until(() => outbox.stats().failedAttempts >= 4);
		expect(outbox.stats().pending).toBe(8);
		await second.reopen();
		await outbox.onIdle();
		for (const s of Object.keys(ids)) expect(idsOfSession(second.accepted(), s)).toEqual(ids[s]);
		expect(dedupeById(second.accepted())).toHaveLength(8);
	});
});
