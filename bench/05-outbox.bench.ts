/**
 * The sidecar's durable outbox (sidecar/src/outbox createOutbox, stored in
 * LMDB with group commit): how fast events are made durable — against a
 * reference measured in the same run, the earlier layout's one fsynced file
 * per event — and how fast they are delivered, signed, to a webhook receiver
 * running in another process on loopback, with several sessions (one
 * delivery in flight per session).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { NormalizedEvent } from '../core/events/types';
import { createOutbox } from '../sidecar/src/outbox';
import type { Outbox } from '../sidecar/src/outbox';
import { sidecarMessageEvent } from './lib/fixtures';
import { check, defineBench, type BenchContext } from './lib/harness';
import { discardingLogger } from './lib/quiet-logger';
import { startReceiver, type ReceiverProcess } from './lib/receiver';

const SECRET = 'bench-webhook-secret-0123456789abcdef';

/** Distinct events of one template (a live text message), with their session and id changed. */
function eventFactory(): (sessionId: string, n: number) => NormalizedEvent {
	const template = sidecarMessageEvent(1);
	return (sessionId, n) => ({
		...template,
		sessionId,
		eventId: `sidecar:msg:${sessionId}:bench_${n}@c.us_3EB0${String(n).padStart(12, '0')}`,
	});
}

function sessionIds(count: number, tag: string): string[] {
	return Array.from({ length: count }, (_, i) => `bench-${tag}-session-${String(i).padStart(2, '0')}`);
}

async function enqueueAll(outbox: Outbox, ids: string[], perSession: number, makeEvent: (sessionId: string, n: number) => NormalizedEvent, enqueuedAt: Map<string, number>): Promise<void> {
	// Every session at once, each session's events handed over in order without waiting for the disk
	// (as the session manager does: an event takes its place at once and is durable a commit later).
	const stored: Array<Promise<void>> = [];
	for (let i = 0; i < perSession; i++) {
		for (const sessionId of ids) {
			const event = makeEvent(sessionId, i);
			enqueuedAt.set(event.eventId, performance.timeOrigin + performance.now());
			stored.push(outbox.enqueue(event));
		}
		// Events arrive over time, not all in one turn.
		if (i % 25 === 24) await new Promise((resolve) => setImmediate(resolve));
	}
	await Promise.all(stored);
}

/** The earlier outbox's cost per event: temp file written and fsynced, renamed, folder fsynced. */
async function fsyncedFileWrite(dir: string, body: string): Promise<void> {
	const tmp = path.join(dir, `${randomBytes(6).toString('hex')}.tmp`);
	const handle = await fs.promises.open(tmp, 'w', 0o600);
	try {
		await handle.writeFile(body, 'utf8');
		await handle.sync();
	} finally {
		await handle.close();
	}
	await fs.promises.rename(tmp, `${tmp}.json`);
	const folder = await fs.promises.open(dir, 'r');
	try {
		await folder.sync();
	} finally {
		await folder.close();
	}
}

async function checkDelivered(outbox: Outbox, receiver: ReceiverProcess, total: number) {
	const stats = outbox.stats();
	const report = await receiver.report();
	check(stats.delivered === total && stats.deadLetters === 0, `outbox delivered ${stats.delivered}/${total}, dead letters ${stats.deadLetters}`);
	check(report.received.length === total && report.rejected === 0, `receiver got ${report.received.length}/${total} events, refused ${report.rejected}`);
	return report;
}

/** A backlog already on disk (e.g. after n8n was down), delivered once the outbox starts. */
async function backlog(ctx: BenchContext, receiver: ReceiverProcess, sessions: number, perSession: number, makeEvent: (sessionId: string, n: number) => NormalizedEvent): Promise<void> {
	await receiver.reset();
	const outbox = createOutbox({ dataDir: ctx.tempDir('outbox-backlog'), webhookUrl: receiver.url, secret: SECRET, logger: discardingLogger(), baseDelayMs: 50, maxDelayMs: 500 });
	ctx.onCleanup(() => outbox.stop());
	const total = sessions * perSession;
	await enqueueAll(outbox, sessionIds(sessions, `backlog${sessions}`), perSession, makeEvent, new Map());
	const t0 = performance.now();
	outbox.start();
	await outbox.onIdle();
	const elapsed = performance.now() - t0;
	const report = await checkDelivered(outbox, receiver, total);
	const label = `${sessions} session${sessions === 1 ? '' : 's'} × ${perSession} events`;
	ctx.value(`delivery of a backlog on disk, ${label}`, total / (elapsed / 1000), 'events/s', `${total} delivered in ${elapsed.toFixed(0)} ms`);
	if (report.duplicates > 0) ctx.note(`backlog, ${label}: the receiver saw ${report.duplicates} duplicate deliveries (at-least-once).`);
	await outbox.stop();
}

/** Events enqueued while the outbox is delivering: the time from enqueue to the receiver. */
async function live(ctx: BenchContext, receiver: ReceiverProcess, sessions: number, perSession: number, makeEvent: (sessionId: string, n: number) => NormalizedEvent): Promise<void> {
	await receiver.reset();
	const outbox = createOutbox({ dataDir: ctx.tempDir('outbox-live'), webhookUrl: receiver.url, secret: SECRET, logger: discardingLogger(), baseDelayMs: 50, maxDelayMs: 500 });
	ctx.onCleanup(() => outbox.stop());
	outbox.start();
	const total = sessions * perSession;
	const enqueuedAt = new Map<string, number>();
	const t0 = performance.now();
	await enqueueAll(outbox, sessionIds(sessions, `live${sessions}`), perSession, makeEvent, enqueuedAt);
	const enqueued = performance.now();
	await outbox.onIdle();
	const elapsed = performance.now() - t0;
	const report = await checkDelivered(outbox, receiver, total);
	const latencies = report.received.map(([eventId, at]) => at - (enqueuedAt.get(eventId) ?? at));
	const label = `${sessions} session${sessions === 1 ? '' : 's'} × ${perSession} events`;
	ctx.value(`enqueue + deliver at once, ${label}`, total / (elapsed / 1000), 'events/s', `all enqueued after ${(enqueued - t0).toFixed(0)} ms, all delivered after ${elapsed.toFixed(0)} ms`);
	ctx.samples(`enqueue + deliver at once, ${label}: enqueue called → received by the webhook`, latencies, { opLabel: 'event' });
	if (report.duplicates > 0) ctx.note(`live, ${label}: the receiver saw ${report.duplicates} duplicate deliveries (at-least-once).`);
	await outbox.stop();
}

export default defineBench({
	title: 'Sidecar outbox',
	measures: 'createOutbox (sidecar/src/outbox): durable enqueue (fsync) throughput, and end-to-end signed delivery to a node:http receiver in another process on loopback.',
	async run(ctx) {
		const makeEvent = eventFactory();

		// --- Reference, same run: the earlier layout's one fsynced file per event ---
		const fileDir = ctx.tempDir('outbox-file-reference');
		const sampleBody = JSON.stringify(makeEvent('bench-reference', 0));
		const reference = await ctx.rate('reference: one fsynced file (temp file, fsync, rename, folder fsync)', () => fsyncedFileWrite(fileDir, sampleBody), {
			opLabel: 'event',
			timeMs: 1200,
			warmupMs: 100,
		});

		// --- Durable enqueue (delivery stopped, so only the disk work is measured) ---
		const enqueueDir = ctx.tempDir('outbox-enqueue');
		const idle = createOutbox({ dataDir: enqueueDir, webhookUrl: 'http://127.0.0.1:9/unused', secret: SECRET, logger: discardingLogger() });
		ctx.onCleanup(() => idle.stop());
		let n = 0;
		await idle.enqueue(makeEvent('bench-enqueue-warm', n++));
		const one = await ctx.rate('enqueue, one at a time (each awaited before the next), 1 session', () => idle.enqueue(makeEvent('bench-enqueue-one', n++)), { opLabel: 'event', timeMs: 1200, warmupMs: 100 });
		const eight = sessionIds(8, 'enqueue');
		await ctx.concurrent('enqueue, 8 sessions', (i) => idle.enqueue(makeEvent(eight[i % 8], n++)), { concurrency: 8, timeMs: 1200, opLabel: 'event' });
		await ctx.concurrent('enqueue, 32 sessions', (i) => idle.enqueue(makeEvent(`bench-enqueue-32-${i % 32}`, n++)), { concurrency: 32, timeMs: 1200, opLabel: 'event' });
		// A burst: 500 messages of one session arrive at once (the case a kill -9 used to cut short).
		const bursts: number[] = [];
		for (let round = 0; round < (ctx.quick ? 2 : 5); round++) {
			const t0 = performance.now();
			const events = Array.from({ length: 500 }, () => makeEvent(`bench-burst-${round}`, n++));
			await Promise.all(events.map((e) => idle.enqueue(e)));
			bursts.push(performance.now() - t0);
		}
		bursts.sort((a, b) => a - b);
		const burstMs = bursts[Math.floor(bursts.length / 2)];
		const referenceMs = 1000 / (reference.opsPerSec as number);
		ctx.value('burst of 500 events of one session, all durable (median of rounds)', burstMs, 'ms', `rounds: ${bursts.map((b) => b.toFixed(1)).join(', ')} ms`);
		ctx.value(
			'burst of 500: speed-up over the earlier outbox (500 fsynced files one after another, at the reference rate of this run)',
			(500 * referenceMs) / burstMs,
			'×',
			`${(500 * referenceMs).toFixed(0)} ms vs ${burstMs.toFixed(1)} ms`,
		);
		ctx.value('enqueue one at a time: speed relative to the reference (one fsynced file)', (one.opsPerSec as number) / (reference.opsPerSec as number), '×', 'each awaited until durable: one commit per event, so this is the disk\'s commit latency');
		check(idle.stats().pending === n, `the outbox holds ${idle.stats().pending} events, ${n} were enqueued`);
		await idle.stop();

		// --- End to end ---------------------------------------------------------
		const receiver = await startReceiver(SECRET);
		ctx.onCleanup(() => receiver.stop());
		const scale = ctx.quick ? 4 : 1;
		for (const [sessions, perSession] of [
			[1, 400],
			[8, 150],
			[20, 75],
		]) {
			await backlog(ctx, receiver, sessions, Math.round(perSession / scale), makeEvent);
			await live(ctx, receiver, sessions, Math.round(perSession / scale), makeEvent);
		}

		ctx.note('Events are stored in LMDB (DATA_DIR/state/): every enqueue of one event-loop turn goes into one transaction with one fsync (group commit), and resolves only once that commit is flushed. One at a time, each event pays a whole commit; in a burst, hundreds share one. The reference is the earlier layout\'s write of one event (its own file, two fsyncs), measured on the same disk in the same run; the earlier outbox wrote a session\'s events one after another.');
		ctx.note('Backlog: events already stored when the outbox starts (n8n was down; the sidecar restarted), so the figure is delivery alone. Enqueue + deliver at once: the sessions hand over a burst while delivery runs; the latency includes waiting behind earlier events of the same session. Delivery: each session has one POST in flight at a time (order per session), so throughput grows with the number of sessions; the HTTP agent keeps up to 16 sockets alive. Each delivery reads the record, signs it (HMAC-SHA256), POSTs, and removes the record after the 2xx.');

		ctx.note('The receiver is a separate Node process verifying each signature with core\'s verifySidecarSignature and answering 200 at once (a real n8n adds its own request handling). Logs are produced at the default level (info) into a discarding stream.');
	},
});
