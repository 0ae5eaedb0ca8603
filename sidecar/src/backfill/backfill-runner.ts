/**
 * The backfill runner: the last N days of every 1:1 chat, text only, oldest
 * first across the whole backfill, in batches through the durable outbox,
 * then one `backfill.done` event.
 *
 * Resumable: a checkpoint per job records how far it got (the key of the last
 * message enqueued, the number of batches, …) after every batch. A resumed job
 * reads the history again, skips everything up to that key and goes on with
 * the next batch number. Batch event ids are `backfill:<jobId>:batch:<n>` and
 * the done event's `backfill:<jobId>:done`, so an event enqueued twice across
 * a crash carries the same id; the checkpoint's journal makes it the same
 * bytes too (see checkpoint.ts).
 *
 * Logs carry job ids, session ids and counts — never chat ids, numbers or text.
 */
import { randomUUID } from 'node:crypto';
import { buildBackfillBatchEvent, buildBackfillDoneEvent } from '../../../core/events/builders';
import type { NormalizedEvent } from '../../../core/events/types';
import type { DriverSession } from '../drivers/driver';
import { errorText, safeError } from '../util/log-safety';
import { withTimeout } from '../util/timeout';
import { CHECKPOINT_VERSION, CheckpointStore, compareKeys, type Checkpoint, type JobProgress } from './checkpoint';
import { chatsDoneAt, collectHistory } from './collect-history';
import type { BackfillJob, BackfillRunner, BackfillRunnerOptions } from './types';

/** Finished jobs kept per session (older checkpoints are removed at start-up). */
export const FINISHED_JOBS_KEPT = 20;

export function batchEventId(jobId: string, batchIndex: number): string {
	return `backfill:${jobId}:batch:${batchIndex}`;
}

export function doneEventId(jobId: string): string {
	return `backfill:${jobId}:done`;
}

export function createBackfillRunner(options: BackfillRunnerOptions): BackfillRunner {
	const now = options.now ?? Date.now;
	const log = options.logger.child({ component: 'backfill' });
	const store = new CheckpointStore(options.dataDir);
	assertPositiveInteger(options.days, 'days');
	assertPositiveInteger(options.batchSize, 'batchSize');
	const connectWaitMs = options.connectWaitMs ?? 120_000;
	const connectPollMs = options.connectPollMs ?? 1000;
	const callTimeoutMs = options.driverCallTimeoutMs ?? 5 * 60_000;
	const stopWaitMs = options.stopWaitMs ?? 15_000;

	const jobs = new Map<string, Checkpoint>();
	const active = new Map<string, Promise<void>>(); // jobId → run
	let stopping = false;

	for (const checkpoint of store.loadAll((file, err) => log.error({ file, err: safeError(err) }, 'backfill: unreadable checkpoint skipped'))) {
		jobs.set(checkpoint.jobId, checkpoint);
	}
	pruneFinished();

	const iso = (ms = now()) => new Date(ms).toISOString();

	function snapshot(c: Checkpoint): BackfillJob {
		return {
			jobId: c.jobId,
			sessionId: c.sessionId,
			state: c.state,
			order: 'oldest_first',
			days: c.days,
			batchSize: c.batchSize,
			since: new Date(c.sinceUnix * 1000).toISOString(),
			until: new Date(c.untilUnix * 1000).toISOString(),
			startedAt: c.startedAt,
			updatedAt: c.updatedAt,
			finishedAt: c.finishedAt,
			chatsTotal: c.chatsTotal,
			chatsDone: c.chatsDone,
			messagesSent: c.messagesSent,
			batchesSent: c.batchesSent,
			reachedOldestAvailable: c.reachedOldestAvailable,
			error: c.error,
		};
	}

	function pruneFinished(): void {
		const bySession = new Map<string, Checkpoint[]>();
		for (const c of jobs.values()) {
			if (c.state === 'running') continue;
			const list = bySession.get(c.sessionId) ?? [];
			list.push(c);
			bySession.set(c.sessionId, list);
		}
		for (const list of bySession.values()) {
			list.sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1));
			for (const old of list.slice(FINISHED_JOBS_KEPT)) {
				jobs.delete(old.jobId);
				store.remove(old.jobId);
			}
		}
	}

	async function save(c: Checkpoint): Promise<void> {
		c.updatedAt = iso();
		await store.write(c);
	}

	/** Writes the checkpoint with `change` applied, then shows it in memory (what the API reports is always on disk). */
	async function saveWith(c: Checkpoint, change: Partial<Checkpoint>): Promise<void> {
		const next: Checkpoint = { ...c, ...change, updatedAt: iso() };
		await store.write(next);
		Object.assign(c, next);
	}

	/** Journal the event, enqueue it, then record the progress it stands for. */
	async function commit(c: Checkpoint, event: NormalizedEvent, after: Partial<JobProgress>): Promise<void> {
		await saveWith(c, { journal: { event, after } });
		await options.outbox.enqueue(event);
		await saveWith(c, { ...after, journal: null });
	}

	async function replayJournal(c: Checkpoint): Promise<void> {
		if (!c.journal) return;
		const { event, after } = c.journal;
		log.info({ jobId: c.jobId, sessionId: c.sessionId, eventId: event.eventId }, 'backfill: re-enqueueing the event interrupted by a restart');
		await options.outbox.enqueue(event);
		await saveWith(c, { ...after, journal: null });
	}

	function doneEvent(c: Checkpoint, outcome: 'completed' | 'failed', reason: string | null, progress: Partial<JobProgress>): NormalizedEvent {
		const p = { ...c, ...progress };
		return buildBackfillDoneEvent({
			sessionId: c.sessionId,
			eventId: doneEventId(c.jobId),
			occurredAt: iso(),
			jobId: c.jobId,
			batchIndex: p.batchesSent,
			chatsTotal: p.chatsTotal,
			chatsDone: p.chatsDone,
			messagesSent: p.messagesSent,
			since: new Date(c.sinceUnix * 1000),
			reachedOldestAvailable: p.reachedOldestAvailable,
			outcome,
			reason,
		});
	}

	async function run(c: Checkpoint, session: DriverSession): Promise<void> {
		const ids = { jobId: c.jobId, sessionId: c.sessionId };
		try {
			await replayJournal(c);
			if (c.state !== 'running') return;
			if (!(await waitUntilConnected(c, session))) return;

			const history = await collectHistory({
				sessionId: c.sessionId,
				session,
				sinceUnix: c.sinceUnix,
				untilUnix: c.untilUnix,
				toMessagePayload: options.toMessagePayload,
				profileFor: options.profileFor,
				shouldStop: () => stopping,
				callTimeoutMs,
			});
			if (!history) return;
			c.chatsTotal = history.chatIds.length;
			c.reachedOldestAvailable = c.reachedOldestAvailable || history.reachedOldestAvailable;
			c.chatsDone = chatsDoneAt(history, c.cursor);
			await save(c);
			const cursor = c.cursor;
			const remaining = cursor ? history.items.filter((item) => compareKeys(item.key, cursor) > 0) : history.items;
			log.info(
				{ ...ids, chats: c.chatsTotal, messages: remaining.length, alreadySent: c.messagesSent, resumedAfterBatch: c.batchesSent },
				'backfill: history read',
			);

			for (let i = 0; i < remaining.length; i += c.batchSize) {
				if (stopping) return;
				const slice = remaining.slice(i, i + c.batchSize);
				const batchIndex = c.batchesSent + 1;
				const after: Partial<JobProgress> = {
					batchesSent: batchIndex,
					messagesSent: c.messagesSent + slice.length,
					cursor: slice[slice.length - 1].key,
				};
				after.chatsDone = chatsDoneAt(history, after.cursor ?? null);
				const event = buildBackfillBatchEvent({
					sessionId: c.sessionId,
					eventId: batchEventId(c.jobId, batchIndex),
					occurredAt: iso(),
					jobId: c.jobId,
					batchIndex,
					chatsTotal: c.chatsTotal,
					chatsDone: after.chatsDone,
					messagesSent: after.messagesSent as number,
					since: new Date(c.sinceUnix * 1000),
					messages: slice.map((item) => item.payload),
				});
				await commit(c, event, after);
				log.info({ ...ids, batchIndex, messages: slice.length, messagesSent: c.messagesSent, chatsDone: c.chatsDone }, 'backfill: batch enqueued');
			}
			if (stopping) return;

			const finished: Partial<JobProgress> = { state: 'completed', chatsDone: c.chatsTotal, finishedAt: iso() };
			await commit(c, doneEvent(c, 'completed', null, finished), finished);
			log.info({ ...ids, batches: c.batchesSent, messagesSent: c.messagesSent, chats: c.chatsTotal, reachedOldestAvailable: c.reachedOldestAvailable }, 'backfill: done');
		} catch (err) {
			if (stopping) {
				// Shutting down (the session may be stopping too): keep the job resumable.
				log.info({ ...ids, err: safeError(err) }, 'backfill: interrupted by shutdown; will resume from its checkpoint');
				return;
			}
			await fail(c, err);
		}
	}

	/**
	 * A job resumed at start-up may find its session still restoring: wait
	 * (bounded) for CONNECTED. Not connected in time: the job stays pending
	 * (not failed) for the next resumePending or start of that session.
	 */
	async function waitUntilConnected(c: Checkpoint, session: DriverSession): Promise<boolean> {
		const deadline = now() + connectWaitMs;
		for (;;) {
			if (stopping) return false;
			const state = await withTimeout(session.getState(), Math.max(connectPollMs, 10_000)).catch(() => null);
			if (state === 'CONNECTED') return true;
			if (now() >= deadline) {
				log.warn({ jobId: c.jobId, sessionId: c.sessionId, waitedMs: connectWaitMs }, 'backfill: session not connected; job left pending');
				return false;
			}
			await sleep(connectPollMs);
		}
	}

	async function fail(c: Checkpoint, err: unknown): Promise<void> {
		const reason = errorText(err).slice(0, 500) || 'unknown error';
		log.error({ jobId: c.jobId, sessionId: c.sessionId, err: safeError(err), batchesSent: c.batchesSent }, 'backfill: failed');
		const failed: Partial<JobProgress> = { state: 'failed', error: reason, finishedAt: iso() };
		try {
			await commit(c, doneEvent(c, 'failed', reason, failed), failed);
		} catch (again) {
			// Could not even record the failure (disk trouble): keep it in memory at least.
			Object.assign(c, failed);
			c.journal = null;
			log.error({ jobId: c.jobId, sessionId: c.sessionId, err: safeError(again) }, 'backfill: could not record the failure');
		}
	}

	function launch(c: Checkpoint, session: DriverSession): void {
		const p = run(c, session).finally(() => active.delete(c.jobId));
		active.set(c.jobId, p);
	}

	function runningFor(sessionId: string): Checkpoint | undefined {
		for (const c of jobs.values()) if (c.sessionId === sessionId && c.state === 'running' && active.has(c.jobId)) return c;
		return undefined;
	}

	return {
		start(sessionId, session, overrides = {}) {
			if (stopping) throw new Error('the backfill runner is stopped');
			const existing = runningFor(sessionId);
			if (existing) return snapshot(existing);
			// An unfinished job of this session from before a restart is continued rather than doubled.
			const pending = [...jobs.values()].find((c) => c.sessionId === sessionId && c.state === 'running');
			if (pending) {
				launch(pending, session);
				log.info({ jobId: pending.jobId, sessionId }, 'backfill: resumed (asked to start while unfinished)');
				return snapshot(pending);
			}
			const days = overrides.days ?? options.days;
			const batchSize = overrides.batchSize ?? options.batchSize;
			assertPositiveInteger(days, 'days');
			assertPositiveInteger(batchSize, 'batchSize');
			const startedMs = now();
			const untilUnix = Math.floor(startedMs / 1000);
			const c: Checkpoint = {
				v: CHECKPOINT_VERSION,
				jobId: `bf-${randomUUID()}`,
				sessionId,
				state: 'running',
				days,
				batchSize,
				sinceUnix: untilUnix - days * 86400,
				untilUnix,
				startedAt: iso(startedMs),
				updatedAt: iso(startedMs),
				finishedAt: null,
				chatsTotal: 0,
				chatsDone: 0,
				messagesSent: 0,
				batchesSent: 0,
				reachedOldestAvailable: false,
				cursor: null,
				error: null,
				journal: null,
			};
			jobs.set(c.jobId, c);
			launch(c, session);
			log.info({ jobId: c.jobId, sessionId, days, batchSize }, 'backfill: started');
			return snapshot(c);
		},
		get(jobId) {
			const c = jobs.get(jobId);
			return c ? snapshot(c) : undefined;
		},
		listForSession(sessionId) {
			return [...jobs.values()]
				.filter((c) => c.sessionId === sessionId)
				.sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0))
				.map(snapshot);
		},
		resumePending(getSession) {
			if (stopping) return;
			for (const c of jobs.values()) {
				if (c.state !== 'running' || active.has(c.jobId)) continue;
				const session = getSession(c.sessionId);
				if (!session) continue;
				if (runningFor(c.sessionId)) continue;
				log.info({ jobId: c.jobId, sessionId: c.sessionId, batchesSent: c.batchesSent }, 'backfill: resuming from checkpoint');
				launch(c, session);
			}
		},
		async stop() {
			stopping = true;
			// Jobs stop after their current step; a driver call that hangs is not waited for beyond stopWaitMs.
			let timer: NodeJS.Timeout | undefined;
			const bound = new Promise<void>((resolve) => {
				timer = setTimeout(resolve, stopWaitMs);
				timer.unref();
			});
			await Promise.race([Promise.allSettled([...active.values()]), bound]);
			clearTimeout(timer);
		},
	};
}

function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

function assertPositiveInteger(value: number, name: string): void {
	if (!Number.isInteger(value) || value < 1) throw new TypeError(`${name} must be a positive integer`);
}
