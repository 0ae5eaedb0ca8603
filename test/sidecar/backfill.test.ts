/**
 * The backfill runner end to end: a driver session holding a 30-day history,
 * the shared driver-message mapping, the real durable outbox and a real
 * receiving server on loopback that verifies every signature.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { BackfillBatchEvent, BackfillDoneEvent, NormalizedEvent } from '../../core/events/types';
import { createBackfillRunner, type BackfillRunner, type BackfillRunnerOptions } from '../../sidecar/src/backfill';
import type { DriverChat, DriverMediaDownload, DriverMessage, DriverProfile, DriverSession, HistoryPage } from '../../sidecar/src/drivers/driver';
import { SimulatorSession } from '../../sidecar/src/drivers/simulator';
import { toMessagePayload } from '../../sidecar/src/drivers/to-message-payload';
import { createOutbox, type Outbox } from '../../sidecar/src/outbox';
import { dedupeById, startReceiver, until, type Delivery, type Receiver } from './helpers/receiver';

jest.setTimeout(60_000);

const SECRET = 'backfill-test-secret';
const NOW_MS = Date.parse('2026-11-20T12:00:00Z');
const NOW = NOW_MS / 1000;
const DAY = 86400;
const SINCE = NOW - 30 * DAY;
const SECRET_WORD = 'confidencial';

const logLines: string[] = [];
const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });

// ---- a driver session with a known history ----------------------------------

interface FakeChat extends DriverChat {
	messages: DriverMessage[];
	reachedOldest: boolean;
}

class FakeSession implements DriverSession {
	readonly sessionId: string;
	failOn: string | null = null;
	fetches = 0;
	constructor(
		sessionId: string,
		readonly chats: FakeChat[],
	) {
		this.sessionId = sessionId;
	}
	on(): void {}
	async start(): Promise<void> {}
	async stop(): Promise<void> {}
	async logout(): Promise<void> {}
	async getState(): Promise<string | null> {
		return 'CONNECTED';
	}
	async ping(): Promise<boolean> {
		return true;
	}
	async lookupNumber(): Promise<string | null> {
		return null;
	}
	async sendText(): Promise<DriverMessage> {
		throw new Error('not used');
	}
	async sendMedia(): Promise<DriverMessage> {
		throw new Error('not used');
	}
	async sendLocation(): Promise<DriverMessage> {
		throw new Error('not used');
	}
	async hasMessage(): Promise<boolean> {
		throw new Error('not used');
	}
	async react(): Promise<void> {
		throw new Error('not used');
	}
	async markChatRead(): Promise<void> {
		throw new Error('not used');
	}
	async listChats(): Promise<DriverChat[]> {
		return this.chats.map(({ chatId, isGroup, resolvedPhoneJid, name }) => ({ chatId, isGroup, resolvedPhoneJid, name }));
	}
	async fetchHistory(chatId: string, sinceUnix: number): Promise<HistoryPage> {
		this.fetches++;
		if (this.failOn === chatId) throw 'Evaluation failed: loadEarlierMsgs is not a function';
		const chat = this.chats.find((c) => c.chatId === chatId);
		// A sloppy driver: the page reaches back a little before the cutoff.
		const messages = (chat?.messages ?? []).filter((m) => m.timestamp >= sinceUnix - 3 * DAY).map((m) => ({ ...m }));
		return { messages, reachedOldestAvailable: chat?.reachedOldest ?? true };
	}
	async getProfile(): Promise<DriverProfile> {
		return { name: null, about: null };
	}
	async downloadMedia(): Promise<DriverMediaDownload> {
		return { status: 'unknown_message' };
	}
}

interface History {
	chats: FakeChat[];
	/** The 1:1 text messages in the window, in the order a backfill must send them. */
	expected: DriverMessage[];
}

let keyCounter = 0;
function msg(chatId: string, timestamp: number, over: Partial<DriverMessage> = {}): DriverMessage {
	const fromMe = (keyCounter++ & 1) === 0;
	const key = `3EB0${String(keyCounter).padStart(16, '0')}`;
	return {
		id: `${fromMe}_${chatId}_${key}`,
		fromMe,
		chatId,
		author: null,
		type: 'chat',
		body: `${SECRET_WORD} mensagem ${keyCounter}`,
		timestamp,
		hasMedia: false,
		isStatus: false,
		resolvedPhoneJid: null,
		notifyName: fromMe ? null : 'Cliente',
		...over,
	};
}

/** 7 one-to-one chats (6 phone, 1 @lid) with 340 text messages in the window, plus media, older messages, a group, status, a channel. */
function buildHistory(reachedOldest: (i: number) => boolean = (i) => i === 2): History {
	const textCounts = [60, 55, 50, 50, 45, 40, 40];
	const chatIds = [
		'5511987654301@c.us',
		'5511987654302@c.us',
		'5521987654303@c.us',
		'5531987654304@c.us',
		'5541987654305@c.us',
		'4915123456789@c.us',
		'123456789012345@lid',
	];
	const chats: FakeChat[] = [];
	const expected: DriverMessage[] = [];
	chatIds.forEach((chatId, i) => {
		const messages: DriverMessage[] = [];
		const n = textCounts[i];
		// Older than the window (and exactly one second too old): never sent.
		messages.push(msg(chatId, SINCE - 2 * DAY), msg(chatId, SINCE - 1));
		for (let k = 0; k < n; k++) {
			// Spread over the window; every chat's k-th message shares a timestamp with the others' (ties).
			const ts = k === 0 && i === 0 ? SINCE : SINCE + 60 + Math.floor((k * (30 * DAY - 3600)) / n) + (k % 3 === 0 ? 0 : i * 7);
			const m = msg(chatId, ts, chatId.endsWith('@lid') ? { resolvedPhoneJid: '5511987654399@c.us' } : {});
			messages.push(m);
			expected.push(m);
			if (k % 15 === 7) {
				messages.push(msg(chatId, ts + 1, { type: 'image', hasMedia: true, body: `${SECRET_WORD} legenda` }));
				messages.push(msg(chatId, ts + 2, { type: 'ptt', hasMedia: true, body: '' }));
				messages.push(msg(chatId, ts + 3, { type: 'revoked', body: '' }));
			}
		}
		// Arrived after the backfill started: live delivery's job, not the backfill's.
		messages.push(msg(chatId, NOW + 30));
		messages.sort((a, b) => a.timestamp - b.timestamp);
		chats.push({ chatId, isGroup: false, resolvedPhoneJid: null, name: `Chat ${i}`, messages, reachedOldest: reachedOldest(i) });
	});
	const group = '120363012345678901@g.us';
	chats.push({
		chatId: group,
		isGroup: true,
		resolvedPhoneJid: null,
		name: 'Team',
		reachedOldest: false,
		messages: Array.from({ length: 30 }, (_, k) => msg(group, SINCE + 100 + k * DAY, { author: '5511987654301@c.us' })),
	});
	chats.push({
		chatId: 'status@broadcast',
		isGroup: false,
		resolvedPhoneJid: null,
		name: null,
		reachedOldest: false,
		messages: Array.from({ length: 10 }, (_, k) => msg('status@broadcast', SINCE + 200 + k * DAY, { isStatus: true, author: '5511987654302@c.us' })),
	});
	chats.push({
		chatId: '120363999999999999@newsletter',
		isGroup: false,
		resolvedPhoneJid: null,
		name: 'News',
		reachedOldest: false,
		messages: Array.from({ length: 10 }, (_, k) => msg('120363999999999999@newsletter', SINCE + 300 + k * DAY)),
	});
	expected.sort((a, b) => a.timestamp - b.timestamp || (a.chatId < b.chatId ? -1 : a.chatId > b.chatId ? 1 : a.id < b.id ? -1 : 1));
	return { chats, expected };
}

// ---- harness -------------------------------------------------------------------

const tmpDirs: string[] = [];
function tmpDir(): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'backfill-test-'));
	tmpDirs.push(dir);
	return dir;
}

const runners: BackfillRunner[] = [];
const outboxes: Outbox[] = [];
const receivers: Receiver[] = [];

async function setup(): Promise<{ receiver: Receiver; outbox: Outbox; dataDir: string }> {
	const receiver = await startReceiver(SECRET);
	receivers.push(receiver);
	const dataDir = tmpDir();
	const outbox = createOutbox({ dataDir, webhookUrl: receiver.url, secret: SECRET, logger, baseDelayMs: 20, maxDelayMs: 200 });
	outboxes.push(outbox);
	outbox.start();
	return { receiver, outbox, dataDir };
}

function runner(dataDir: string, outbox: BackfillRunnerOptions['outbox'], extra: Partial<BackfillRunnerOptions> = {}): BackfillRunner {
	const r = createBackfillRunner({
		dataDir,
		outbox,
		days: 30,
		batchSize: 50,
		logger,
		toMessagePayload: (sessionId, message, profile) => toMessagePayload(sessionId, message, profile, { origin: 'backfill' }),
		now: () => NOW_MS,
		...extra,
	});
	runners.push(r);
	return r;
}

function backfillEvents(deliveries: Delivery[]): { batches: BackfillBatchEvent[]; done: BackfillDoneEvent[]; order: NormalizedEvent[] } {
	const order = deliveries.map((d) => d.event).filter((e) => e.type === 'backfill.batch' || e.type === 'backfill.done');
	return {
		batches: order.filter((e): e is BackfillBatchEvent => e.type === 'backfill.batch'),
		done: order.filter((e): e is BackfillDoneEvent => e.type === 'backfill.done'),
		order,
	};
}

async function finished(r: BackfillRunner, jobId: string): Promise<void> {
	await until(() => r.get(jobId)?.state !== 'running');
}

afterEach(async () => {
	await Promise.all(runners.splice(0).map((r) => r.stop()));
	await Promise.all(outboxes.splice(0).map((o) => o.stop()));
	await Promise.all(receivers.splice(0).map((r) => r.close()));
});

afterAll(() => {
	for (const dir of tmpDirs) fs.rmSync(dir, { recursive: true, force: true });
});

// ---- tests ---------------------------------------------------------------------

describe('backfill', () => {
	it('sends every 1:1 text of the last 30 days once, oldest first, in batches of 50, then the done event', async () => {
		const { receiver, outbox, dataDir } = await setup();
		const history = buildHistory();
		expect(history.expected).toHaveLength(340);
		const session = new FakeSession('user-1', history.chats);
		const r = runner(dataDir, outbox);
		const job = r.start('user-1', session);
		expect(job).toMatchObject({ sessionId: 'user-1', state: 'running', days: 30, batchSize: 50, order: 'oldest_first' });
		expect(job.since).toBe(new Date(SINCE * 1000).toISOString());
		await finished(r, job.jobId);
		await outbox.onIdle();

		expect(receiver.all.every((d) => d.signatureOk && d.status === 200)).toBe(true);
		const { batches, done, order } = backfillEvents(receiver.all);
		expect(order).toHaveLength(8);
		expect(batches.map((b) => b.backfill.messages.length)).toEqual([50, 50, 50, 50, 50, 50, 40]);
		expect(batches.map((b) => b.backfill.batchIndex)).toEqual([1, 2, 3, 4, 5, 6, 7]);
		expect(batches.map((b) => b.backfill.messagesSent)).toEqual([50, 100, 150, 200, 250, 300, 340]);
		expect(batches.map((b) => b.eventId)).toEqual(batches.map((b) => `backfill:${job.jobId}:batch:${b.backfill.batchIndex}`));
		for (const b of batches) {
			expect(b.sessionId).toBe('user-1');
			expect(b.backfill.jobId).toBe(job.jobId);
			expect(b.backfill.chatsTotal).toBe(7);
			expect(b.backfill.since).toBe(job.since);
		}
		const chatsDone = batches.map((b) => b.backfill.chatsDone);
		expect(chatsDone).toEqual([...chatsDone].sort((a, b) => a - b));
		expect(chatsDone[chatsDone.length - 1]).toBe(7);

		// Exactly the expected messages, in the expected order: nothing older, nothing newer, no media, no groups.
		const sent = batches.flatMap((b) => b.backfill.messages);
		expect(sent.map((m) => m.messageId)).toEqual(history.expected.map((m) => m.id));
		for (const m of sent) {
			expect(m).toMatchObject({ kind: 'text', chatKind: 'direct', origin: 'backfill', isMedia: false, rawType: 'chat' });
			expect(Date.parse(m.timestamp) / 1000).toBeGreaterThanOrEqual(SINCE);
		}
		const times = sent.map((m) => Date.parse(m.timestamp));
		expect(times).toEqual([...times].sort((a, b) => a - b));

		// The done event comes last and adds up.
		expect(order[order.length - 1].type).toBe('backfill.done');
		expect(done).toHaveLength(1);
		expect(done[0].eventId).toBe(`backfill:${job.jobId}:done`);
		expect(done[0].backfill).toEqual({
			jobId: job.jobId,
			batchIndex: 7,
			chatsTotal: 7,
			chatsDone: 7,
			messagesSent: 340,
			since: job.since,
			reachedOldestAvailable: true,
			outcome: 'completed',
			reason: null,
		});
		expect(r.get(job.jobId)).toMatchObject({ state: 'completed', messagesSent: 340, batchesSent: 7, chatsDone: 7, chatsTotal: 7, reachedOldestAvailable: true, error: null });
	});

	it('says the device had older history when no chat reached its oldest message', async () => {
		const { receiver, outbox, dataDir } = await setup();
		const r = runner(dataDir, outbox, { batchSize: 500 });
		const job = r.start('user-1', new FakeSession('user-1', buildHistory(() => false).chats));
		await finished(r, job.jobId);
		await outbox.onIdle();
		const { batches, done } = backfillEvents(receiver.all);
		expect(batches.map((b) => b.backfill.messages.length)).toEqual([340]);
		expect(done[0].backfill).toMatchObject({ reachedOldestAvailable: false, outcome: 'completed', batchIndex: 1 });
	});

	it('honours days and batch size given for one job', async () => {
		const { receiver, outbox, dataDir } = await setup();
		const history = buildHistory();
		const r = runner(dataDir, outbox);
		const job = r.start('user-1', new FakeSession('user-1', history.chats), { days: 7, batchSize: 20 });
		await finished(r, job.jobId);
		await outbox.onIdle();
		const expected = history.expected.filter((m) => m.timestamp >= NOW - 7 * DAY);
		const { batches } = backfillEvents(receiver.all);
		expect(batches.flatMap((b) => b.backfill.messages.map((m) => m.messageId))).toEqual(expected.map((m) => m.id));
		expect(batches.every((b) => b.backfill.messages.length <= 20)).toBe(true);
		expect(batches).toHaveLength(Math.ceil(expected.length / 20));
	});

	it('a second start while one runs returns the running job', async () => {
		const { outbox, dataDir } = await setup();
		const session = new FakeSession('user-1', buildHistory().chats);
		const r = runner(dataDir, outbox);
		const first = r.start('user-1', session);
		const second = r.start('user-1', session, { days: 3 });
		expect(second.jobId).toBe(first.jobId);
		expect(second.days).toBe(30);
		expect(r.listForSession('user-1').map((j) => j.jobId)).toEqual([first.jobId]);
		// Another session gets its own job.
		const other = r.start('user-2', new FakeSession('user-2', buildHistory().chats));
		expect(other.jobId).not.toBe(first.jobId);
		await finished(r, first.jobId);
		await finished(r, other.jobId);
		await outbox.onIdle();
		// Once finished, a new start is a new job.
		const third = r.start('user-1', session);
		expect(third.jobId).not.toBe(first.jobId);
		await finished(r, third.jobId);
		expect(session.fetches).toBe(2 * 7);
	});

	it('a failure ends the job as failed with a done event saying why', async () => {
		const { receiver, outbox, dataDir } = await setup();
		const session = new FakeSession('user-1', buildHistory().chats);
		session.failOn = '5531987654304@c.us';
		const r = runner(dataDir, outbox);
		const job = r.start('user-1', session);
		await finished(r, job.jobId);
		await outbox.onIdle();
		expect(r.get(job.jobId)).toMatchObject({ state: 'failed', error: 'Evaluation failed: loadEarlierMsgs is not a function' });
		const { batches, done } = backfillEvents(receiver.all);
		expect(batches).toEqual([]);
		expect(done.map((d) => d.backfill)).toEqual([
			expect.objectContaining({ outcome: 'failed', reason: 'Evaluation failed: loadEarlierMsgs is not a function', messagesSent: 0, batchIndex: 0 }),
		]);
	});

	it('resumes a stopped job from its checkpoint without missing or repeating a message', async () => {
		const { receiver, outbox, dataDir } = await setup();
		const history = buildHistory();
		const session = new FakeSession('user-1', history.chats);
		let first: BackfillRunner | null = null;
		let enqueued = 0;
		let stopping: Promise<void> | null = null;
		// Stop the runner (a shutdown) right after its third batch is in the outbox.
		const stoppingOutbox = {
			enqueue: async (event: NormalizedEvent) => {
				await outbox.enqueue(event);
				if (event.type === 'backfill.batch' && ++enqueued === 3) stopping = first?.stop() ?? null;
			},
		};
		first = runner(dataDir, stoppingOutbox);
		const job = first.start('user-1', session);
		await until(() => stopping !== null);
		await stopping;
		expect(first.get(job.jobId)).toMatchObject({ state: 'running', batchesSent: 3, messagesSent: 150 });

		const second = runner(dataDir, outbox);
		expect(second.get(job.jobId)).toMatchObject({ state: 'running', batchesSent: 3, messagesSent: 150 });
		second.resumePending((id) => (id === 'user-1' ? session : undefined));
		await finished(second, job.jobId);
		await outbox.onIdle();

		const { batches, done } = backfillEvents(dedupeById(receiver.all));
		expect(batches.map((b) => b.backfill.batchIndex)).toEqual([1, 2, 3, 4, 5, 6, 7]);
		expect(batches.flatMap((b) => b.backfill.messages.map((m) => m.messageId))).toEqual(history.expected.map((m) => m.id));
		expect(done.map((d) => [d.backfill.outcome, d.backfill.messagesSent, d.backfill.batchIndex])).toEqual([['completed', 340, 7]]);
	});

	it('resends the very same batch after a crash between enqueue and checkpoint, even if the history changed meanwhile', async () => {
		const { receiver, outbox, dataDir } = await setup();
		const history = buildHistory();
		const session = new FakeSession('user-1', history.chats);
		let batches = 0;
		// The process "dies" right after batch 4 reached the outbox: the runner never hears back.
		const crashingOutbox = {
			enqueue: async (event: NormalizedEvent) => {
				await outbox.enqueue(event);
				if (event.type === 'backfill.batch' && ++batches === 4) await new Promise<never>(() => undefined);
			},
		};
		const first = createBackfillRunner({
			dataDir,
			outbox: crashingOutbox,
			days: 30,
			batchSize: 50,
			logger,
			toMessagePayload: (sessionId, message, profile) => toMessagePayload(sessionId, message, profile, { origin: 'backfill' }),
			now: () => NOW_MS,
		}); // abandoned, like a killed process (never stopped)
		const job = first.start('user-1', session);
		await until(() => batches === 4);
		await outbox.onIdle();

		// Meanwhile one message of batch 4 is deleted on the phone (it becomes `revoked`).
		const deletedId = history.expected[170].id;
		for (const chat of session.chats) {
			for (const m of chat.messages) if (m.id === deletedId) Object.assign(m, { type: 'revoked', body: '' });
		}

		const second = runner(dataDir, outbox);
		second.resumePending(() => session);
		await finished(second, job.jobId);
		await outbox.onIdle();

		const batch4 = receiver.all.filter((d) => d.id === `backfill:${job.jobId}:batch:4`);
		expect(batch4).toHaveLength(2);
		expect(batch4[1].raw.equals(batch4[0].raw)).toBe(true);

		const unique = backfillEvents(dedupeById(receiver.all));
		expect(unique.batches.map((b) => b.backfill.batchIndex)).toEqual([1, 2, 3, 4, 5, 6, 7]);
		const ids = unique.batches.flatMap((b) => b.backfill.messages.map((m) => m.messageId));
		expect(new Set(ids).size).toBe(ids.length);
		// Everything arrived (the deleted one already had, in batch 4).
		expect(ids).toEqual(history.expected.map((m) => m.id));
		expect(unique.done.map((d) => d.backfill.messagesSent)).toEqual([340]);
	});

	it('keeps finished jobs visible after a restart', async () => {
		const { outbox, dataDir } = await setup();
		const r = runner(dataDir, outbox);
		const job = r.start('user-1', new FakeSession('user-1', buildHistory().chats));
		await finished(r, job.jobId);
		const again = runner(dataDir, outbox);
		expect(again.get(job.jobId)).toMatchObject({ state: 'completed', messagesSent: 340 });
		expect(again.listForSession('user-1').map((j) => j.jobId)).toEqual([job.jobId]);
		expect(again.get('bf-00000000-0000-0000-0000-000000000000')).toBeUndefined();
	});

	it("backfills the simulator driver's seeded 30-day history", async () => {
		const { receiver, outbox, dataDir } = await setup();
		const session = new SimulatorSession('user-sim', path.join(tmpDir(), 'session-user-sim'));
		await session.start();
		session.link();
		await until(() => session.snapshot().phase === 'connected');
		const seeded = session.seed({ days: 30, now: NOW, seed: 7, directChats: 5 });
		expect(seeded.directTextMessageIds.length).toBeGreaterThan(100);

		const r = runner(dataDir, outbox);
		const job = r.start('user-sim', session);
		await finished(r, job.jobId);
		await outbox.onIdle();
		await session.stop();

		const { batches, done } = backfillEvents(receiver.all);
		const sent = batches.flatMap((b) => b.backfill.messages);
		expect(sent.map((m) => m.messageId).sort()).toEqual([...seeded.directTextMessageIds].sort());
		const times = sent.map((m) => Date.parse(m.timestamp));
		expect(times).toEqual([...times].sort((a, b) => a - b));
		expect(batches.slice(0, -1).every((b) => b.backfill.messages.length === 50)).toBe(true);
		expect(done[0].backfill).toMatchObject({ outcome: 'completed', messagesSent: seeded.directTextMessageIds.length, chatsTotal: 7 });
	});
});

describe('backfill logs', () => {
	it('never contain a number or a message text', () => {
		const all = logLines.join('');
		expect(all).toContain('backfill: batch enqueued');
		expect(all).not.toContain(SECRET_WORD);
		expect(all).not.toMatch(/55\d{2}98765\d{4}/);
		expect(all).not.toContain('123456789012345');
	});
});
