/**
 * The sidecar loses nothing that reached the phone, whatever moment it dies
 * at: the built sidecar as a real process (simulator driver), killed with
 * SIGKILL, restarted on the same folders, delivering to a real receiver that
 * verifies every signature.
 *
 * The truth about what was sent is the phone's own store (the simulator's
 * simulator-store.json, fsynced before its control API answers): every 1:1
 * text message in it must reach the receiver, each with one event id.
 * Each scenario prints `sent / delivered / duplicated / lost`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { MessageEvent, NormalizedEvent } from '../../core/events/types';
import { deliverWhileOffline, SIMULATOR_STORE_FILE } from '../../sidecar/src/drivers/simulator';
import { seededRandom } from '../../sidecar/src/drivers/simulator/ids';
import { sessionFolder } from '../../sidecar/src/drivers/session-id';
import { freePort } from '../../scripts/lib/ports';
import { startReceiver, type Receiver } from './helpers/receiver';
import { API_KEY, SECRET, eventually, linkSession, startSidecarUnderTest, stopSidecarUnderTest, type SidecarUnderTest } from './helpers/harness';
import { buildSidecar, startListeningSidecar, type ApiCall, type Child } from './helpers/spawn';

jest.setTimeout(240_000);

let build: { mainJs: string; outDir: string };
const roots: string[] = [];
const children = new Set<Child>();
/** Every process of the current test, for the logs when something is missing. */
let generations: Child[] = [];
const receivers: Receiver[] = [];

beforeAll(() => {
	build = buildSidecar();
});

afterEach(async () => {
	for (const c of children) {
		if (c.process.exitCode === null && c.process.signalCode === null) c.process.kill('SIGKILL');
		await c.exited;
	}
	children.clear();
	generations = [];
	await Promise.all(receivers.splice(0).map((r) => r.close()));
});

afterAll(() => {
	for (const root of roots) fs.rmSync(root, { recursive: true, force: true });
	if (build) fs.rmSync(build.outDir, { recursive: true, force: true });
});

interface Stack {
	root: string;
	sessionDir: string;
	port: number;
	url: string;
}

async function newStack(): Promise<Stack> {
	const root = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'capture-faults-'));
	roots.push(root);
	const port = await freePort();
	return { root, sessionDir: path.join(root, 'sessions'), port, url: `http://127.0.0.1:${port}/webhook` };
}

async function startProcess(stack: Stack, options: { umask?: string } = {}): Promise<{ child: Child; api: ApiCall }> {
	const run = await startListeningSidecar(
		build.mainJs,
		{
			PORT: '0',
			SIDECAR_API_KEY: API_KEY,
			WEBHOOK_URL: stack.url,
			WEBHOOK_SECRET: SECRET,
			SESSION_DIR: stack.sessionDir,
			DATA_DIR: path.join(stack.root, 'data'),
			WHATSAPP_DRIVER: 'simulator',
			LOG_LEVEL: 'info',
			OUTBOX_BASE_DELAY_MS: '20',
			OUTBOX_MAX_DELAY_MS: '200',
		},
		API_KEY,
		options,
	);
	children.add(run.child);
	generations.push(run.child);
	return run;
}

async function kill9(child: Child): Promise<void> {
	child.process.kill('SIGKILL');
	expect(await child.exited).toBe('SIGKILL');
}

async function receiverOn(stack: Stack): Promise<Receiver> {
	const r = await startReceiver(SECRET, { port: stack.port });
	receivers.push(r);
	return r;
}

async function linkedSession(api: ApiCall): Promise<string> {
	const sessionId = randomUUID();
	expect((await api('POST', `/sessions/${sessionId}`)).body.state).toBe('qr');
	expect((await api('POST', `/simulator/sessions/${sessionId}/link`, {})).status).toBe(200);
	await eventually(async () => ((await api('GET', `/sessions/${sessionId}`)).body.state === 'connected' ? true : undefined), 60_000, 'the session connected');
	return sessionId;
}

/** Injects messages `from`..`to - 1` with `concurrency` requests in flight; calls `onAnswer` after each answer. Resolves with the ids answered. */
async function inject(api: ApiCall, sessionId: string, from: number, to: number, concurrency: number, onAnswer?: (answered: number) => void): Promise<string[]> {
	const answered: string[] = [];
	let next = from;
	const worker = async () => {
		while (next < to) {
			const i = next++;
			const sender = `+55119876500${String(i % 7).padStart(2, '0')}`;
			let res: { status: number; body: any };
			try {
				res = await api('POST', `/simulator/sessions/${sessionId}/inbound`, { from: sender, text: `stream message ${i}` });
			} catch {
				return; // the sidecar is gone (killed): this message may or may not have reached the phone
			}
			expect(res.status).toBe(200);
			answered.push(res.body.messageId as string);
			onAnswer?.(answered.length);
		}
	};
	await Promise.all(Array.from({ length: concurrency }, worker));
	return answered;
}

/** The 1:1 text messages in the phone's own store: what must reach the CRM. */
function phoneStore(stack: Stack, sessionId: string): string[] {
	const store = JSON.parse(fs.readFileSync(path.join(sessionFolder(stack.sessionDir, sessionId), SIMULATOR_STORE_FILE), 'utf8')) as {
		chats: Record<string, { messages: Array<{ id: string; type: string; chatId: string }> }>;
	};
	return Object.values(store.chats)
		.flatMap((c) => c.messages)
		.filter((m) => m.type === 'chat' && m.chatId.endsWith('@c.us'))
		.map((m) => m.id);
}

interface Tally {
	sent: number;
	/** Messages of the phone's store that reached the receiver. */
	delivered: number;
	/** Deliveries beyond the first of a message. */
	duplicated: number;
	lost: number;
	/** Messages that reached the receiver under more than one event id (never allowed). */
	eventIdsSplit: number;
	/** Messages the receiver got that the phone never had (never allowed). */
	unexpected: number;
}

function messageEvents(receiver: Receiver, sessionId: string): MessageEvent[] {
	return receiver.events().filter((e: NormalizedEvent): e is MessageEvent => e.type === 'message' && e.sessionId === sessionId);
}

function tally(scenario: string, sent: string[], receiver: Receiver, sessionId: string): Tally {
	const eventIds = new Map<string, Set<string>>();
	let deliveries = 0;
	for (const e of messageEvents(receiver, sessionId)) {
		deliveries++;
		let ids = eventIds.get(e.message.messageId);
		if (!ids) eventIds.set(e.message.messageId, (ids = new Set()));
		ids.add(e.eventId);
		expect(e.message.origin).toBe('live');
	}
	const sentSet = new Set(sent);
	const delivered = sent.filter((id) => eventIds.has(id)).length;
	const result: Tally = {
		sent: sent.length,
		delivered,
		duplicated: deliveries - eventIds.size,
		lost: sent.length - delivered,
		eventIdsSplit: [...eventIds.values()].filter((ids) => ids.size > 1).length,
		unexpected: [...eventIds.keys()].filter((id) => !sentSet.has(id)).length,
	};
	console.log(`${scenario}: sent ${result.sent} / delivered ${result.delivered} / duplicated ${result.duplicated} / lost ${result.lost}`);
	if (result.lost > 0 || result.unexpected > 0) {
		// What each process said about capture, catch-up and failures (ids and counts only, never texts).
		const lines = generations.map((c, i) =>
			c
				.stdout()
				.split('\n')
				.filter((l) => /catch-up|could not|failed|error|"level":(40|50|60)/.test(l))
				.map((l) => `process ${i + 1}: ${l}`)
				.join('\n'),
		);
		console.log(`missing: ${sent.filter((id) => !eventIds.has(id)).length} messages\n${lines.join('\n')}`);
	}
	return result;
}

/**
 * Nothing lost, one event id per message, and no message enqueued twice: a
 * repeated delivery is allowed only for an event that was in flight when the
 * process was killed (acknowledged by the receiver, not yet removed from the
 * outbox) — at most one per kill, since a session has one delivery in flight.
 */
function expectNothingLost(t: Tally, receiver: Receiver, killsDuringDelivery = 0): void {
	expect(t).toMatchObject({ delivered: t.sent, lost: 0, eventIdsSplit: 0, unexpected: 0 });
	expect(t.duplicated).toBeLessThanOrEqual(killsDuringDelivery);
	expect(receiver.rejected()).toEqual([]);
}

/** Waits until every id has reached the receiver (or gives up quietly after two minutes: the tally then says what is missing). */
async function allDelivered(receiver: Receiver, sessionId: string, ids: string[], what: string): Promise<void> {
	await eventually(
		() => {
			const got = new Set(messageEvents(receiver, sessionId).map((e) => e.message.messageId));
			return ids.every((id) => got.has(id)) ? true : undefined;
		},
		120_000,
		what,
	).catch(() => undefined);
}

async function outboxEmpty(api: ApiCall): Promise<void> {
	await eventually(async () => (/^whatsapp_sidecar_outbox_pending 0$/m.test((await api('GET', '/metrics')).body as string) ? true : undefined), 60_000, 'the outbox empty');
}

test('a burst of 500 messages while n8n is unreachable, kill -9 right after it, restart: all 500 delivered, one event id each', async () => {
	const stack = await newStack();
	let run = await startProcess(stack); // nothing listens on the webhook port yet: n8n is down
	const sessionId = await linkedSession(run.api);
	const answered = await inject(run.api, sessionId, 0, 500, 16);
	expect(answered).toHaveLength(500);
	await kill9(run.child);

	run = await startProcess(stack);
	const receiver = await receiverOn(stack); // n8n is back
	const sent = phoneStore(stack, sessionId);
	expect(new Set(sent)).toEqual(new Set(answered));
	await allDelivered(receiver, sessionId, sent, 'all 500 messages delivered');
	await outboxEmpty(run.api);
	expectNothingLost(tally('burst of 500, n8n down, kill -9 after the burst', sent, receiver, sessionId), receiver);
});

test.each([11, 23, 37])('kill -9 at random moments of a stream (seed %i): nothing lost, nothing doubled', async (seed) => {
	const random = seededRandom(seed);
	const stack = await newStack();
	const receiver = await receiverOn(stack);
	let run = await startProcess(stack);
	const sessionId = await linkedSession(run.api);
	const total = 240;
	let next = 0;
	for (let cycle = 0; cycle < 3; cycle++) {
		// Kill while requests are in flight, after a random number of answers.
		const killAfter = 5 + Math.floor(random() * 60);
		const current = run;
		let killed: Promise<void> | null = null;
		const from = next;
		const to = Math.min(total, from + killAfter + 20);
		const answered = await inject(current.api, sessionId, from, to, 6, (n) => {
			if (n === killAfter && !killed) killed = kill9(current.child);
		});
		await (killed ?? kill9(current.child));
		next = to;
		expect(answered.length).toBeGreaterThanOrEqual(killAfter);
		run = await startProcess(stack);
	}
	await inject(run.api, sessionId, next, total, 6);
	const sent = phoneStore(stack, sessionId);
	await allDelivered(receiver, sessionId, sent, `seed ${seed}: every message in the phone's store delivered`);
	await outboxEmpty(run.api);
	expectNothingLost(tally(`random kill -9 x3 during a stream, seed ${seed}`, sent, receiver, sessionId), receiver, 3);
});

test('messages that reached the phone while the sidecar was dead are caught up after the restart, once', async () => {
	const stack = await newStack();
	const receiver = await receiverOn(stack);
	let run = await startProcess(stack);
	const sessionId = await linkedSession(run.api);
	const before = await inject(run.api, sessionId, 0, 30, 4);
	await allDelivered(receiver, sessionId, before, 'the first messages delivered');
	await outboxEmpty(run.api);
	await kill9(run.child);

	// While the sidecar is dead, WhatsApp's servers hold messages for the device; the device
	// takes them into its store when it comes back. Half of them it also announces as new
	// messages (racing with the catch-up), half it does not (only the catch-up finds them).
	const offline = deliverWhileOffline(
		sessionFolder(stack.sessionDir, sessionId),
		Array.from({ length: 40 }, (_, i) => ({ from: `+5511987651${String(i % 5).padStart(3, '0')}`, text: `sent while the sidecar was down ${i}`, announce: i % 2 === 0 })),
	);

	run = await startProcess(stack);
	const sent = phoneStore(stack, sessionId);
	expect(sent).toEqual(expect.arrayContaining([...before, ...offline.map((m) => m.id)]));
	await allDelivered(receiver, sessionId, sent, 'the messages of the offline time caught up');
	await outboxEmpty(run.api);
	const caughtUp = await run.child.waitForLog((l) => l.msg === 'catch-up finished' && l.sessionId === sessionId, 60_000);
	expect(caughtUp).toMatchObject({ complete: true });
	expectNothingLost(tally('messages reached the phone while the sidecar was dead', sent, receiver, sessionId), receiver);
});

test('under umask 000 every folder the sidecar writes is 0700 and every file 0600', async () => {
	const stack = await newStack();
	// Folders made beforehand by someone else (an image, an older version) are narrowed too.
	fs.mkdirSync(stack.sessionDir, { mode: 0o755 });
	fs.mkdirSync(path.join(stack.root, 'data'), { mode: 0o755 });
	fs.chmodSync(stack.sessionDir, 0o755);
	fs.chmodSync(path.join(stack.root, 'data'), 0o755);
	const receiver = await receiverOn(stack);
	receiver.respondWith(422); // dead letters are written too
	const run = await startProcess(stack, { umask: '000' });
	const sessionId = await linkedSession(run.api);
	await inject(run.api, sessionId, 0, 5, 1);
	await run.api('POST', `/simulator/sessions/${sessionId}/history`, { days: 3, seed: 3 });
	expect((await run.api('POST', `/sessions/${sessionId}/backfill`, { days: 3 })).status).toBe(202);
	await eventually(async () => ((await run.api('GET', '/outbox/dead-letters')).body.count >= 5 ? true : undefined), 60_000, 'dead letters stored');
	await run.api('POST', `/sessions/${sessionId}`); // still running: left as it is
	await kill9(run.child);

	const wrong: string[] = [];
	const walk = (p: string) => {
		const stat = fs.statSync(p);
		const mode = stat.mode & 0o777;
		if (stat.isDirectory()) {
			if (mode !== 0o700) wrong.push(`${path.relative(stack.root, p)}/ ${mode.toString(8)}`);
			for (const name of fs.readdirSync(p)) walk(path.join(p, name));
		} else if (mode !== 0o600) wrong.push(`${path.relative(stack.root, p)} ${mode.toString(8)}`);
	};
	walk(stack.sessionDir);
	walk(path.join(stack.root, 'data'));
	expect(fs.readdirSync(path.join(stack.root, 'data')).sort()).toEqual(expect.arrayContaining(['state']));
	expect(wrong).toEqual([]);
});

test('in-process (no umask of its own), under umask 000 too: folders 0700, files 0600', async () => {
	const previous = process.umask(0o000);
	let under: SidecarUnderTest | undefined;
	try {
		under = await startSidecarUnderTest();
		const { run, receiver, root } = under;
		const sessionId = randomUUID();
		await linkSession(run, receiver.waitFor, sessionId);
		receiver.respondWith(422); // dead letters are written too
		for (let i = 0; i < 3; i++) {
			expect((await run.api('POST', `/simulator/sessions/${sessionId}/inbound`, { from: '+5511987650001', text: `umask ${i}` })).status).toBe(200);
		}
		await run.api('POST', `/simulator/sessions/${sessionId}/history`, { days: 2, seed: 4 });
		expect((await run.api('POST', `/sessions/${sessionId}/backfill`, { days: 2 })).status).toBe(202);
		await eventually(async () => ((await run.api('GET', '/outbox/dead-letters')).body.count >= 4 ? true : undefined), 60_000, 'dead letters stored');
		const wrong: string[] = [];
		const walk = (p: string) => {
			const stat = fs.statSync(p);
			const mode = stat.mode & 0o777;
			if (stat.isDirectory()) {
				if (mode !== 0o700) wrong.push(`${path.relative(root, p)}/ ${mode.toString(8)}`);
				for (const name of fs.readdirSync(p)) walk(path.join(p, name));
			} else if (mode !== 0o600) wrong.push(`${path.relative(root, p)} ${mode.toString(8)}`);
		};
		walk(path.join(root, 'sessions'));
		walk(path.join(root, 'data'));
		expect(wrong).toEqual([]);
	} finally {
		process.umask(previous);
		if (under) await stopSidecarUnderTest(under);
	}
});
