/**
 * The durable outbox: every event is on disk before it is sent, sent signed,
 * retried with backoff while the receiver is down, kept in order per session,
 * and given up into a dead-letter list only once it has been failing for
 * `maxFailingMs` (or `maxAttempts`, when set), or at once when the receiver
 * refuses it for good. An unreadable event record is set aside and never
 * blocks its session. Storage: store.ts (LMDB, group commit).
 *
 * Delivery is at-least-once: an event is removed from disk only after a 2xx,
 * so a kill between the receiver's 2xx and the removal sends it again — with
 * the same X-Webhook-Id (the event id), for the receiver to deduplicate on.
 *
 * Each session has its own FIFO queue and at most one delivery in flight; a
 * head that keeps failing blocks only its own session. Logs carry event ids,
 * session ids, attempt numbers and statuses — never a body.
 */
import { MAX_EVENT_ID_LENGTH, signSidecarPayload } from '../../../core/signatures';
import type { NormalizedEvent } from '../../../core/events/types';
import { messageRef } from '../util/log-safety';
import { backoffDelayMs, parseRetryAfterMs, verdictForStatus } from './retry-policy';
import { OutboxStore, RECORD_VERSION, sessionKey, type DeadRecord, type OutboxRecord } from './store';
import { createTransport, type Transport } from './transport';
import type { DeadLetter, DeadLetterList, DeadLetterReason, EnqueueOptions, Outbox, OutboxOptions, OutboxStats, ReplayReport, UnreadableDeadLetter } from './types';

/** One delivery's time limit: room for a CRM workflow that answers when it has finished (see sidecar/README.md). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;


interface Entry {
	seq: number;
	eventId: string;
	/** False while the record is still being committed: the queue waits for it. */
	ready: boolean;
}

interface SessionQueue {
	key: string;
	sessionId: string;
	entries: Entry[];
	nextSeq: number;
	inFlight: Promise<void> | null;
	timer: NodeJS.Timeout | null;
}

type AttemptOutcome =
	| { verdict: 'delivered'; status: number }
	| { verdict: 'retry'; status: number | null; error: string; retryAfterMs: number | null }
	| { verdict: 'permanent'; status: number; error: string };

export function createOutbox(options: OutboxOptions): Outbox {
	const maxAttempts = options.maxAttempts === undefined ? Infinity : positiveInteger(options.maxAttempts, 'maxAttempts');
	const maxFailingMs = positiveInteger(options.maxFailingMs ?? 72 * 60 * 60 * 1000, 'maxFailingMs');
	const baseDelayMs = nonNegative(options.baseDelayMs ?? 1000, 'baseDelayMs');
	const maxDelayMs = nonNegative(options.maxDelayMs ?? 5 * 60 * 1000, 'maxDelayMs');
	const requestTimeoutMs = positiveInteger(options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, 'requestTimeoutMs');
	if (typeof options.secret !== 'string' || options.secret.length === 0) throw new TypeError('secret must be a non-empty string');
	const now = options.now ?? Date.now;
	const random = options.random ?? Math.random;
	const log = options.logger.child({ component: 'outbox' });
	const store = new OutboxStore(options.dataDir);
	const transport: Transport = createTransport(options.webhookUrl);
	const { secret } = options;

	const queues = new Map<string, SessionQueue>();
	const writes = new Set<Promise<unknown>>();
	let deadCount = 0;
	let delivered = 0;
	let failedAttempts = 0;
	let running = false;
	let loadPromise: Promise<void> | null = null;
	let idleWaiters: Array<() => void> = [];

	const iso = () => new Date(now()).toISOString();

	function queueFor(sessionId: string): SessionQueue {
		const key = sessionKey(sessionId);
		let q = queues.get(key);
		if (!q) {
			q = { key, sessionId, entries: [], nextSeq: store.lastSeq(key) + 1, inFlight: null, timer: null };
			queues.set(key, q);
		}
		return q;
	}

	function load(): Promise<void> {
		if (!loadPromise) {
			loadPromise = (async () => {
				const { imported } = await store.init((file, err) => {
					log.error({ file, err: errorSummary(err) }, 'outbox: a file of the earlier outbox layout could not be read; left in place');
				});
				if (imported > 0) log.info({ imported }, 'outbox: imported the events of the earlier file layout');
				deadCount = store.listDead().length;
				const pending = await store.scanPending(iso(), (id, err) => {
					log.error({ record: id, err: errorSummary(err) }, 'outbox: unreadable event record set aside');
				});
				let recovered = 0;
				for (const [key, files] of pending) {
					if (files.length === 0) continue;
					const q = queueFor(files[0].record.sessionId);
					if (q.key !== key) continue;
					for (const f of files) q.entries.push({ seq: f.seq, eventId: f.record.eventId, ready: true });
					q.nextSeq = Math.max(q.nextSeq, files[files.length - 1].seq + 1);
					recovered += files.length;
				}
				if (recovered > 0) log.info({ pending: recovered, sessions: pending.size }, 'outbox: recovered undelivered events from disk');
			})();
			loadPromise.catch((err) => {
				log.error({ err: errorSummary(err) }, 'outbox: could not open the outbox store');
				queues.clear(); // a partial recovery is discarded:
				loadPromise = null; // the next call tries again
			});
		}
		return loadPromise;
	}

	function track<T>(p: Promise<T>): Promise<T> {
		writes.add(p);
		const done = () => {
			writes.delete(p);
			checkIdle();
		};
		p.then(done, done);
		return p;
	}

	/**
	 * Appends a record at the end of its session's queue (its place is taken
	 * in the order of the calls); resolves once `write` has committed it durably.
	 */
	async function append(record: Omit<OutboxRecord, 'seq'>, write: (full: OutboxRecord) => Promise<void>): Promise<number> {
		await load();
		const q = queueFor(record.sessionId);
		const entry: Entry = { seq: q.nextSeq++, eventId: record.eventId, ready: false };
		q.entries.push(entry);
		try {
			await track(write({ ...record, seq: entry.seq }));
		} catch (err) {
			const i = q.entries.indexOf(entry);
			if (i >= 0) q.entries.splice(i, 1);
			checkIdle();
			throw err;
		}
		entry.ready = true;
		pump(q);
		return entry.seq;
	}

	async function enqueue(event: NormalizedEvent, enqueueOptions: EnqueueOptions = {}): Promise<void> {
		if (typeof event.eventId !== 'string' || event.eventId.length === 0 || event.eventId.length > MAX_EVENT_ID_LENGTH) {
			throw new TypeError(`event.eventId must be a string of 1 to ${MAX_EVENT_ID_LENGTH} characters`);
		}
		if (typeof event.sessionId !== 'string' || event.sessionId.length === 0) {
			throw new TypeError('event.sessionId must be a non-empty string');
		}
		const seq = await append({
			v: RECORD_VERSION,
			eventId: event.eventId,
			sessionId: event.sessionId,
			eventType: event.type,
			enqueuedAt: iso(),
			attempts: 0,
			lastError: null,
			lastStatus: null,
			lastAttemptAt: null,
			body: JSON.stringify(event),
		}, (full) => store.append(full, enqueueOptions.sameCommit));
		log.debug({ ...eventRef(event.eventId), sessionId: event.sessionId, eventType: event.type, seq }, 'outbox: event stored');
	}

	function pump(q: SessionQueue): void {
		if (!running || q.inFlight || q.timer) return;
		const head = q.entries[0];
		if (!head || !head.ready) return;
		q.inFlight = deliverHead(q, head)
			.catch((err) => {
				// Disk trouble while handling the outcome: try the same head again later.
				log.error({ ...eventRef(head.eventId), sessionId: q.sessionId, err: errorSummary(err) }, 'outbox: could not update the outbox on disk');
				schedule(q, Math.max(baseDelayMs, 1000));
			})
			.finally(() => {
				q.inFlight = null;
				pump(q);
				checkIdle();
			});
	}

	function schedule(q: SessionQueue, delayMs: number): void {
		if (!running) return;
		q.timer = setTimeout(() => {
			q.timer = null;
			pump(q);
		}, delayMs);
	}

	async function attempt(record: OutboxRecord): Promise<AttemptOutcome> {
		const body = Buffer.from(record.body, 'utf8');
		const headers = signSidecarPayload({ secret, id: record.eventId, timestamp: Math.floor(now() / 1000), body });
		const result = await transport.post({ ...headers }, body, requestTimeoutMs);
		if (!result.ok) {
			return { verdict: 'retry', status: null, error: result.code ? `${result.code}: ${result.error}` : result.error, retryAfterMs: null };
		}
		const verdict = verdictForStatus(result.status);
		if (verdict === 'delivered') return { verdict, status: result.status };
		if (verdict === 'retry') {
			return { verdict, status: result.status, error: `http ${result.status}`, retryAfterMs: parseRetryAfterMs(result.retryAfter, now()) };
		}
		return { verdict, status: result.status, error: `http ${result.status}` };
	}

	async function deliverHead(q: SessionQueue, head: Entry): Promise<void> {
		let record: OutboxRecord | null;
		try {
			record = store.readPending(q.key, head.seq);
		} catch (err) {
			// Unreadable (damaged, not a record): it would block its session forever. Set it aside and go on.
			log.error(
				{ ...eventRef(head.eventId), sessionId: q.sessionId, seq: head.seq, err: errorSummary(err) },
				'outbox: unreadable event record set aside; its session continues',
			);
			try {
				await store.setAsidePending(q.key, head.seq, iso());
			} catch (moveErr) {
				log.error({ sessionId: q.sessionId, seq: head.seq, err: errorSummary(moveErr) }, 'outbox: could not set the unreadable event record aside; skipped until the next restart');
			}
			dropHead(q, head);
			return;
		}
		if (!record) {
			// Gone from the store: nothing left to send.
			log.warn({ ...eventRef(head.eventId), sessionId: q.sessionId, seq: head.seq }, 'outbox: event record vanished; skipping it');
			dropHead(q, head);
			return;
		}
		const attemptNo = record.attempts + 1;
		const outcome = await attempt(record);
		const logIds = { ...eventRef(record.eventId), sessionId: record.sessionId, eventType: record.eventType, attempt: attemptNo };

		if (outcome.verdict === 'delivered') {
			await store.removePending(q.key, head.seq);
			dropHead(q, head);


			delivered++;
			log.info({ ...logIds, status: outcome.status }, 'outbox: event delivered');
			return;
		}

		failedAttempts++;
		const updated: OutboxRecord = {
			...record,
			attempts: attemptNo,
			lastError: outcome.error,
			lastStatus: outcome.status,
			lastAttemptAt: iso(),
			failingSince: record.failingSince ?? iso(),
		};

		if (outcome.verdict === 'permanent') {
			if (outcome.status === 401) {
				log.error(
					{ ...logIds, status: 401 },
					'outbox: the webhook receiver refused the signature (401): WEBHOOK_SECRET does not match the secret configured in n8n; event moved to the dead letters (replay it once the secrets match)',
				);
			} else {
				log.error({ ...logIds, status: outcome.status }, 'outbox: the webhook receiver refused the event permanently; moved to the dead letters');
			}
			await bury(q, head, updated, 'permanent_status');
			return;
		}

		if (attemptNo >= maxAttempts) {
			log.error(
				{ ...logIds, status: outcome.status, error: outcome.error, maxAttempts },
				'outbox: delivery failed too many times; moved to the dead letters',
			);
			await bury(q, head, updated, 'max_attempts');
			return;
		}
		if (now() - Date.parse(updated.failingSince as string) >= maxFailingMs) {
			log.error(
				{ ...logIds, status: outcome.status, error: outcome.error, failingSince: updated.failingSince },
				'outbox: delivery has been failing for too long; moved to the dead letters',
			);
			await bury(q, head, updated, 'failing_too_long');
			return;
		}

		await store.update(updated);
		const delayMs = outcome.retryAfterMs ?? backoffDelayMs(attemptNo, baseDelayMs, maxDelayMs, random);
		log.warn(
			{ ...logIds, status: outcome.status, error: outcome.error, retryInMs: delayMs, retryAfter: outcome.retryAfterMs !== null },
			'outbox: delivery failed; will retry',
		);
		schedule(q, delayMs);
	}

	async function bury(q: SessionQueue, head: Entry, record: OutboxRecord, reason: DeadLetterReason): Promise<void> {
		const dead: DeadRecord = { ...record, reason, deadAt: iso() };
		const id = await store.moveToDead(dead);
		deadCount++;
		dropHead(q, head);
		log.warn({ deadLetterId: id, ...eventRef(record.eventId), sessionId: record.sessionId, reason }, 'outbox: dead letter stored');
	}

	function dropHead(q: SessionQueue, head: Entry): void {
		if (q.entries[0] === head) q.entries.shift();
		else {
			const i = q.entries.indexOf(head);
			if (i >= 0) q.entries.splice(i, 1);
		}
	}

	function pendingCount(): number {
		let n = 0;
		for (const q of queues.values()) n += q.entries.length;
		return n;
	}

	function isIdle(): boolean {
		if (writes.size > 0) return false;
		for (const q of queues.values()) if (q.entries.length > 0 || q.inFlight) return false;
		return true;
	}

	function checkIdle(): void {
		if (idleWaiters.length === 0 || !isIdle()) return;
		const waiters = idleWaiters;
		idleWaiters = [];
		for (const w of waiters) w();
	}

	async function onIdle(): Promise<void> {
		await load();
		if (isIdle()) return;
		await new Promise<void>((resolve) => idleWaiters.push(resolve));
	}

	/** Reads a dead letter; null when it is gone, an UnreadableDeadLetter (logged) when it cannot be read. */
	function readDeadSafely(id: string): { record: DeadRecord; event: NormalizedEvent } | UnreadableDeadLetter | null {
		try {
			const record = store.readDead(id);
			if (!record) return null;
			return { record, event: JSON.parse(record.body) as NormalizedEvent };
		} catch (err) {
			const summary = errorSummary(err);
			log.error({ deadLetterId: id, err: summary }, 'outbox: unreadable dead-letter file skipped');
			return { id, error: summary.code ?? summary.name };
		}
	}

	async function listDeadLetters(): Promise<DeadLetterList> {
		await load();
		const out: DeadLetter[] = [];
		const unreadable: UnreadableDeadLetter[] = [];
		for (const d of store.listDead()) {
			const read = readDeadSafely(d.id);
			if (!read) continue;
			if ('error' in read) {
				unreadable.push(read);
				continue;
			}
			const { record, event } = read;
			out.push({
				id: d.id,
				eventId: record.eventId,
				sessionId: record.sessionId,
				eventType: record.eventType,
				attempts: record.attempts,
				lastError: record.lastError,
				lastStatus: record.lastStatus,
				reason: record.reason,
				enqueuedAt: record.enqueuedAt,
				deadAt: record.deadAt,
				event,
			});
		}
		out.sort((a, b) => (a.deadAt < b.deadAt ? -1 : a.deadAt > b.deadAt ? 1 : a.id < b.id ? -1 : 1));
		return { deadLetters: out, unreadable };
	}

	async function replayDeadLetters(ids?: string[]): Promise<ReplayReport> {
		await load();
		const all = store.listDead();
		const wanted = ids === undefined ? all : all.filter((d) => ids.includes(d.id));
		let replayed = 0;
		const unreadable: UnreadableDeadLetter[] = [];
		for (const d of wanted) {
			const read = readDeadSafely(d.id);
			if (!read) continue;
			if ('error' in read) {
				unreadable.push(read);
				continue;
			}
			const { record } = read;
			// Back on the pending list and off the dead list in one transaction.
			await append({
				v: RECORD_VERSION,
				eventId: record.eventId,
				sessionId: record.sessionId,
				eventType: record.eventType,
				enqueuedAt: record.enqueuedAt,
				attempts: 0,
				lastError: null,
				lastStatus: null,
				lastAttemptAt: null,
				failingSince: null,
				body: record.body,
			}, (full) => store.replay(d.id, full));
			deadCount = Math.max(0, deadCount - 1);
			replayed++;
			log.info({ deadLetterId: d.id, ...eventRef(record.eventId), sessionId: record.sessionId }, 'outbox: dead letter replayed');
		}
		return { replayed, unreadable };
	}

	return {
		enqueue,
		start() {
			if (running) return;
			running = true;
			load().then(
				() => {
					if (!running) return;
					for (const q of queues.values()) pump(q);
					checkIdle();
				},
				() => undefined,
			);
		},
		async stop() {
			running = false;
			for (const q of queues.values()) {
				if (q.timer) clearTimeout(q.timer);
				q.timer = null;
			}
			const inFlight = [...queues.values()].map((q) => q.inFlight).filter((p): p is Promise<void> => p !== null);
			await Promise.allSettled([...inFlight, ...writes]);
			transport.close();
			// Everything is in the store; a later start reads it back from there.
			if (loadPromise) await loadPromise.catch(() => undefined);
			queues.clear();
			loadPromise = null;
			await store.close();
		},
		listDeadLetters,
		replayDeadLetters,
		stats(): OutboxStats {
			return { pending: pendingCount(), deadLetters: deadCount, delivered, failedAttempts };
		},
		onIdle,
	};
}

/**
 * An event id as it may be logged. A message event's id embeds WhatsApp's
 * message id, which embeds the chat's JID (a phone number): such ids are
 * logged as `msgRef` (the hash util/log-safety uses for message ids, so the
 * line matches the service's own message logs), any other id holding a JID as
 * `eventRef` (the same hash of the whole id). Other ids (UUIDs, backfill ids) as they are.
 */
export function eventRef(eventId: string): { eventId: string } | { msgRef: string } | { eventRef: string } {
	const message = /^sidecar:msg:[^:]*:(.+)$/.exec(eventId);
	if (message) return { msgRef: messageRef(message[1]) };
	if (eventId.includes('@') || /\d{7,}/.test(eventId.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, ''))) {
		return { eventRef: messageRef(eventId) };
	}
	return { eventId };
}

function errorSummary(err: unknown): { name: string; code?: string } {
	if (err instanceof Error) {
		const code = (err as NodeJS.ErrnoException).code;
		return { name: err.name, ...(typeof code === 'string' ? { code } : {}) };
	}
	return { name: typeof err };
}

function positiveInteger(value: number, name: string): number {
	if (!Number.isInteger(value) || value < 1) throw new TypeError(`${name} must be a positive integer`);
	return value;
}

function nonNegative(value: number, name: string): number {
	if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new TypeError(`${name} must be a non-negative number`);
	return value;
}
