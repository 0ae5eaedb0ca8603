/**
 * The API around the outbox and the backfill runner: a backfill of a seeded
 * history through the HTTP API, its progress, and dead letters listed and
 * replayed after the receiver refused them.
 */
import type { BackfillBatchEvent, BackfillDoneEvent, NormalizedEvent } from '../../core/events/types';
import type { Receiver } from './helpers/receiver';
import { eventually, isMessage, linkSession, newSessionId, type Running, startSidecarUnderTest, stopSidecarUnderTest } from './helpers/harness';

jest.setTimeout(60000);

let root: string;
let receiver: Receiver;
let run: Running;

beforeAll(async () => {
	({ root, receiver, run } = await startSidecarUnderTest({ OUTBOX_MAX_ATTEMPTS: '2' }));
});

afterAll(() => stopSidecarUnderTest({ root, receiver, run }));

describe('backfill through the API', () => {
	it('refuses a session that is not connected (409) and bad sizes (422)', async () => {
		const linking = newSessionId();
		await run.api('POST', `/sessions/${linking}`);
		expect((await run.api('POST', `/sessions/${linking}/backfill`, {})).status).toBe(409);
		expect((await run.api('POST', `/sessions/${newSessionId()}/backfill`, {})).status).toBe(404);
		const connected = newSessionId();
		await linkSession(run, receiver.waitFor, connected);
		const tooBig = await run.api('POST', `/sessions/${connected}/backfill`, { batchSize: 501 });
		expect(tooBig.status).toBe(422);
		expect(tooBig.body.error.field).toBe('batchSize');
		expect((await run.api('POST', `/sessions/${connected}/backfill`, { days: 0 })).body.error.field).toBe('days');
		expect((await run.api('GET', '/backfill/bf-does-not-exist')).status).toBe(404);
	});

	it('delivers a seeded 30-day history oldest first in batches of 50, nothing missing or doubled, and says when it is done', async () => {
		const sessionId = newSessionId();
		await linkSession(run, receiver.waitFor, sessionId);
		const seeded = await run.api('POST', `/simulator/sessions/${sessionId}/history`, { days: 20, directChats: 6, seed: 42 });
		expect(seeded.status).toBe(200);
		const expected: string[] = seeded.body.directTextMessageIds;
		expect(expected.length).toBeGreaterThan(100);

		const started = await run.api('POST', `/sessions/${sessionId}/backfill`, {});
		expect(started.status).toBe(202);
		expect(started.body).toMatchObject({ sessionId, state: 'running', days: 30, batchSize: 50 });
		const again = await run.api('POST', `/sessions/${sessionId}/backfill`, {});
		expect(again.body.jobId).toBe(started.body.jobId);

		const done = (await receiver.waitFor((e) => e.type === 'backfill.done' && e.backfill.jobId === started.body.jobId, 30000)) as BackfillDoneEvent;
		expect(done.backfill).toMatchObject({ outcome: 'completed', messagesSent: expected.length, reachedOldestAvailable: true });

		const batches = receiver
			.events()
			.filter((e: NormalizedEvent): e is BackfillBatchEvent => e.type === 'backfill.batch' && e.backfill.jobId === started.body.jobId)
			.sort((a, b) => a.backfill.batchIndex - b.backfill.batchIndex);
		expect(batches.map((b) => b.backfill.messages.length).slice(0, -1).every((n) => n === 50)).toBe(true);
		const delivered = batches.flatMap((b) => b.backfill.messages);
		expect(delivered.map((m) => m.messageId).sort()).toEqual([...expected].sort());
		expect(delivered.every((m) => m.origin === 'backfill' && m.kind === 'text' && m.chatKind === 'direct')).toBe(true);
		const times = delivered.map((m) => Date.parse(m.timestamp));
		expect(times).toEqual([...times].sort((a, b) => a - b));

		// The job records its end right after queueing the done event.
		const job = await eventually(async () => {
			const res = await run.api('GET', `/backfill/${started.body.jobId}`);
			return res.body.state === 'running' ? undefined : res.body;
		});
		expect(job).toMatchObject({ state: 'completed', messagesSent: expected.length, batchesSent: batches.length });
	});
});

describe('dead letters', () => {
	it('lists events the receiver refused and delivers them on replay', async () => {
		const sessionId = newSessionId();
		await linkSession(run, receiver.waitFor, sessionId);
		receiver.respondWith(400);
		const sent = await run.api('POST', `/simulator/sessions/${sessionId}/inbound`, { from: '+5511987654321', text: 'refused at first' });
		const dead = await eventually(async () => {
			const res = await run.api('GET', '/outbox/dead-letters');
			return res.body.deadLetters.find((d: { event: NormalizedEvent }) => d.event.type === 'message' && d.event.message.messageId === sent.body.messageId);
		}, 20000, 'dead letter');
		expect(dead).toMatchObject({ sessionId, lastStatus: 400 });

		receiver.respondWith(200);
		const replay = await run.api('POST', '/outbox/dead-letters/replay', { ids: [dead.id] });
		expect(replay).toMatchObject({ status: 200, body: { replayed: 1 } });
		await receiver.waitFor(isMessage(sent.body.messageId));
		expect((await run.api('POST', '/outbox/dead-letters/replay', { ids: 'x' })).status).toBe(422);
	});
});
