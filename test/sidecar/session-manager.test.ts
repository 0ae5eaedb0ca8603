/**
 * The session manager with the simulator driver and an in-memory outbox:
 * disconnect that can be retried and reaches sessions not held in memory,
 * starts and disconnects of one id serialized, a send that WhatsApp accepted
 * answered as sent even when its event cannot be queued. With the webjs driver
 * (real whatsapp-web.js clients on the fake WhatsApp Web): the health check
 * tells a slow page from a gone browser whichever timeout fires first.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import type { NormalizedEvent, SessionStateEvent } from '../../core/events/types';
import type { Driver, DriverSession } from '../../sidecar/src/drivers/driver';
import { SimulatorDriver } from '../../sidecar/src/drivers/simulator';
import { SIMULATOR_AUTH_FILE } from '../../sidecar/src/drivers/simulator/simulator-session';
import { SidecarError } from '../../sidecar/src/errors';
import { SessionManager } from '../../sidecar/src/sessions/session-manager';
import type { EventSink } from '../../sidecar/src/sessions/forward-events';
import { createWebJsDriver } from '../../sidecar/src/drivers/webjs';
import { fakeWorld } from '../fixtures/webjs/fake-page';
import { captureLogger } from './helpers/driver-events';
import { CaptureLedger } from '../../sidecar/src/capture/ledger';
import { openDurableStore, type DurableStore } from '../../sidecar/src/storage/durable-store';

jest.setTimeout(30_000);

const tmpDirs: string[] = [];
const stores: DurableStore[] = [];
afterAll(async () => {
	for (const store of stores) await store.close();
	for (const dir of tmpDirs) fs.rmSync(dir, { recursive: true, force: true });
});
afterEach(() => jest.restoreAllMocks());

/** Records queued events (committing the capture ledger's writes with each); fails when `fail` says so (a full disk). */
class MemorySink implements EventSink {
	/** In the order they were queued (at once, as the outbox takes an event's place). */
	readonly events: NormalizedEvent[] = [];
	/** Once durable: the capture ledger's writes committed with them (as the outbox's enqueue resolves). */
	readonly committed: NormalizedEvent[] = [];
	fail: (event: NormalizedEvent) => boolean = () => false;
	constructor(private readonly store: DurableStore) {}
	async enqueue(event: NormalizedEvent, options: { sameCommit?: () => void } = {}): Promise<void> {
		if (this.fail(event)) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
		this.events.push(event);
		await this.store.transaction(() => options.sameCommit?.());
		this.committed.push(event);
	}
	states(sessionId: string): string[] {
		return this.events.filter((e): e is SessionStateEvent => e.type === 'session.state' && e.sessionId === sessionId).map((e) => e.session.state);
	}
}

/** The simulator driver, counting the driver sessions (browsers) created and optionally holding logouts and failing starts. */
class CountingDriver implements Driver {
	readonly name = 'simulator' as const;
	readonly sim: SimulatorDriver;
	created = 0;
	/** While set, logout waits for `releaseLogout`; `logoutEntered` resolves when one is waiting. */
	holdLogout = false;
	failStart = false;
	private release: (() => void) | null = null;
	private entered: (() => void) | null = null;
	logoutEntered: Promise<void> = new Promise((r) => (this.entered = r));

	constructor(readonly sessionDir: string) {
		this.sim = new SimulatorDriver({ sessionDir });
	}

	createSession(sessionId: string): DriverSession {
		this.created++;
		const session = this.sim.createSession(sessionId);
		const logout = session.logout.bind(session);
		const start = session.start.bind(session);
		session.logout = async () => {
			if (this.holdLogout) {
				await new Promise<void>((resolve) => {
					this.release = resolve;
					this.entered?.();
				});
			}
			return logout();
		};
		session.start = async () => {
			if (this.failStart) throw new Error('browser could not launch for 5511987654321@c.us');
			return start();
		};
		return session;
	}

	releaseLogout(): void {
		this.release?.();
	}

	listStoredSessions(): Promise<string[]> {
		return this.sim.listStoredSessions();
	}

	authDataPath(sessionId: string): string {
		return this.sim.authDataPath(sessionId);
	}
}

interface Setup<D extends Driver = CountingDriver> {
	manager: SessionManager;
	driver: D;
	sink: MemorySink;
	capture: CaptureLedger;
	logs: string[];
	sessionDir: string;
}

/** With the simulator (CountingDriver) unless `driver` makes another. */
function setup<D extends Driver = CountingDriver>(
	options: { maxSessions?: number; sessionDir?: string; healthTimeoutMs?: number; driver?: (sessionDir: string) => D } = {},
): Setup<D> {
	let sessionDir = options.sessionDir;
	if (!sessionDir) {
		const root = fs.mkdtempSync(path.join(os.tmpdir(), 'session-manager-test-'));
		tmpDirs.push(root);
		sessionDir = path.join(root, 'sessions');
		fs.mkdirSync(sessionDir);
	}
	const logs: string[] = [];
	const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(line) });
	const driver = options.driver ? options.driver(sessionDir) : (new CountingDriver(sessionDir) as unknown as D);
	const store = openDurableStore(path.join(path.dirname(sessionDir), 'data'));
	stores.push(store);
	const sink = new MemorySink(store);
	const capture = new CaptureLedger(store);
	const manager = new SessionManager({
		driver,
		outbox: sink,
		capture,
		logger,
		maxSessions: options.maxSessions ?? 10,
		healthTimeoutMs: options.healthTimeoutMs ?? 500,
		startGraceMs: 1000,
		startWaitMs: 3000,
	});
	return { manager, driver, sink, capture, logs, sessionDir };
}

async function until(check: () => boolean): Promise<void> {
	while (!check()) await new Promise((r) => setTimeout(r, 5));
}

/** Starts a session and links it through the simulator. */
async function linked(s: Setup, id = randomUUID()): Promise<string> {
	expect((await s.manager.start(id)).state).toBe('qr');
	s.driver.sim.simulatorSession(id)!.link('5511900000001');
	await until(() => s.manager.get(id).state === 'connected');
	return id;
}

/** Auth data on disk as a linked simulator session leaves it. */
function storedSession(sessionDir: string, id: string): string {
	const dir = path.join(sessionDir, `session-${id}`);
	fs.mkdirSync(dir, { recursive: true });
	fs.writeFileSync(path.join(dir, SIMULATOR_AUTH_FILE), JSON.stringify({ linkedPhoneJid: '5511900000002@c.us', linkedAt: new Date().toISOString() }));
	return dir;
}

describe('capture of what the message store does not keep', () => {
	it('a reaction and an edit are forwarded once each, and never move their chat\'s catch-up cursor', async () => {
		const s = setup();
		const id = await linked(s);
		const phone = s.driver.sim.simulatorSession(id)!;
		const chat = '5511987654321@c.us';
		const text = phone.inbound({ from: chat, text: 'Oi', timestamp: 1_800_000_000 });
		await text.stored;
		// Durable, so its cursor is written (same commit).
		await until(() => s.sink.committed.some((e) => e.type === 'message' && e.message.messageId === text.message.id));
		expect(s.capture.cursor(id, chat)).toEqual({ ts: 1_800_000_000, id: text.message.id });

		const reaction = phone.inbound({ from: chat, type: 'reaction', timestamp: 1_800_000_500, content: { reaction: { emoji: '👍', messageId: text.message.id } } });
		const edit = phone.inbound({ from: chat, type: 'protocol', timestamp: 1_800_000_600, content: { edit: { messageId: text.message.id, text: 'Olá' } } });
		await Promise.all([reaction.stored, edit.stored]);
		const forwarded = () => s.sink.committed.filter((e) => e.type === 'message').map((e) => (e.type === 'message' ? e.message.kind : null));
		await until(() => forwarded().length === 3);
		expect(forwarded()).toEqual(['text', 'reaction', 'system']);
		expect(s.capture.cursor(id, chat)).toEqual({ ts: 1_800_000_000, id: text.message.id });
		expect(s.capture.isCaptured(id, reaction.message.id)).toBe(true);
	});
});

describe('disconnect', () => {
	it('keeps the session when its auth folder could not be deleted, and a second DELETE finishes the job', async () => {
		const s = setup();
		const id = await linked(s);
		const dir = s.driver.authDataPath(id);
		// The browser is gone: logout fails before deleting anything, so the manager deletes the folder itself.
		s.driver.sim.simulatorSession(id)!.killBrowser();
		const rm = jest.spyOn(fs.promises, 'rm').mockRejectedValueOnce(Object.assign(new Error('directory not empty'), { code: 'ENOTEMPTY' }));

		await expect(s.manager.disconnect(id)).rejects.toMatchObject({ code: 'ENOTEMPTY' });
		expect(fs.existsSync(dir)).toBe(true);
		expect(s.manager.get(id)).toMatchObject({ sessionId: id, state: 'disconnected' });
		expect(s.sink.states(id)).not.toContain('logged_out');
		expect(s.logs.some((l) => l.includes('could not delete the auth folder'))).toBe(true);

		const second = await s.manager.disconnect(id);
		expect(second).toMatchObject({ sessionId: id, state: 'logged_out' });
		expect(rm).toHaveBeenCalledTimes(2);
		expect(rm.mock.calls[1][1]).toMatchObject({ recursive: true, force: true, maxRetries: 5 });
		expect(fs.existsSync(dir)).toBe(false);
		expect(s.sink.states(id).filter((st) => st === 'logged_out')).toHaveLength(1);
		expect(() => s.manager.get(id)).toThrow(SidecarError);
		await expect(s.manager.disconnect(id)).rejects.toMatchObject({ status: 404 });
	});

	it('keeps the session (and queues logged_out on retry) when the logged_out event could not be queued', async () => {
		const s = setup();
		const id = await linked(s);
		s.sink.fail = (e) => e.type === 'session.state' && e.session.state === 'logged_out';
		await expect(s.manager.disconnect(id)).rejects.toMatchObject({ code: 'ENOSPC' });
		expect(fs.existsSync(s.driver.authDataPath(id))).toBe(false);
		expect(s.manager.get(id).sessionId).toBe(id);

		s.sink.fail = () => false;
		expect((await s.manager.disconnect(id)).state).toBe('logged_out');
		expect(s.sink.states(id).at(-1)).toBe('logged_out');
		expect(() => s.manager.get(id)).toThrow(SidecarError);
	});

	it('deletes the auth folder of a stored session that was not restored (MAX_SESSIONS), so no restart reconnects it', async () => {
		const first = setup({ maxSessions: 1 });
		const [a, b] = [randomUUID(), randomUUID()].sort();
		const dirA = storedSession(first.sessionDir, a);
		const dirB = storedSession(first.sessionDir, b);
		expect(await first.manager.restoreAll()).toEqual([a]);
		expect(() => first.manager.get(b)).toThrow(SidecarError);

		const view = await first.manager.disconnect(b);
		expect(view).toMatchObject({ sessionId: b, state: 'logged_out', qr: null, linkedPhone: null, reason: 'disconnect requested' });
		expect(fs.existsSync(dirB)).toBe(false);
		expect(fs.existsSync(dirA)).toBe(true);
		expect(first.sink.states(b)).toEqual(['logged_out']);
		expect(first.driver.created).toBe(1);
		// Gone for good: a second DELETE finds nothing, and a restart does not bring it back.
		await expect(first.manager.disconnect(b)).rejects.toMatchObject({ status: 404 });
		await first.manager.stopAll();

		const restarted = setup({ maxSessions: 10, sessionDir: first.sessionDir });
		expect(await restarted.manager.restoreAll()).toEqual([a]);
		await restarted.manager.stopAll();
	});

	it('answers 404 for an id with neither a session nor auth data', async () => {
		const s = setup();
		await expect(s.manager.disconnect(randomUUID())).rejects.toMatchObject({ status: 404 });
	});
});

describe('start and disconnect of one session id are serialized', () => {
	it('two concurrent starts of a disconnected session launch one browser', async () => {
		const s = setup();
		const id = await linked(s);
		s.driver.sim.simulatorSession(id)!.dropLink();
		await until(() => s.manager.get(id).state === 'disconnected');
		expect(s.driver.created).toBe(1);

		const [one, two] = await Promise.all([s.manager.start(id), s.manager.start(id)]);
		expect(s.driver.created).toBe(2);
		expect([one.state, two.state]).toEqual(['qr', 'qr']);
		expect(one.qr).toBe(two.qr);
		expect(s.manager.list().filter((v) => v.sessionId === id)).toHaveLength(1);
		await s.manager.stopAll();
	});

	it('a start during a disconnect waits for the deletion, then starts afresh; the last event says so', async () => {
		const s = setup();
		const id = await linked(s);
		const dir = s.driver.authDataPath(id);
		s.driver.holdLogout = true;

		const disconnecting = s.manager.disconnect(id);
		const starting = s.manager.start(id);
		await s.driver.logoutEntered;
		// No second browser while the first one's auth folder is being deleted.
		expect(s.driver.created).toBe(1);
		s.driver.releaseLogout();

		const [gone, started] = await Promise.all([disconnecting, starting]);
		expect(gone.state).toBe('logged_out');
		expect(started.state).toBe('qr');
		expect(s.driver.created).toBe(2);
		expect(s.manager.get(id).state).toBe('qr');
		expect(fs.existsSync(dir)).toBe(false);
		// What the webhook receiver saw last matches the session: logged out, then a new QR.
		expect(s.sink.states(id).slice(-2)).toEqual(['logged_out', 'qr']);
		await s.manager.stopAll();
	});
});

describe('failures after the fact', () => {
	it('answers a send WhatsApp accepted with its message id even when its event cannot be queued', async () => {
		const s = setup();
		const id = await linked(s);
		s.sink.fail = (e) => e.type === 'message';
		const sent = await s.manager.sendText(id, '+5511987654321', 'Olá');
		expect(sent.messageId).toMatch(/^true_5511987654321@c\.us_/);
		expect(sent.event.message.messageId).toBe(sent.messageId);
		const line = s.logs.find((l) => l.includes('message sent but its event could not be queued'));
		expect(line).toBeDefined();
		expect(line).not.toContain('5511987654321');
		expect(line).not.toContain('Olá');
		await s.manager.stopAll();
	});

	it('logs (never leaves unhandled) a failure to queue the state event of a session that failed to start', async () => {
		const s = setup();
		s.driver.failStart = true;
		s.sink.fail = () => true;
		const id = randomUUID();
		const view = await s.manager.start(id);
		expect(view.state).toBe('disconnected');
		expect(view.reason).not.toContain('5511987654321');
		await until(() => s.logs.some((l) => l.includes('could not queue the state event of a session that failed to start')));
		await s.manager.stopAll();
	});
});

describe('health check', () => {
	afterEach(() => jest.useRealTimers());

	it('with HEALTH_TIMEOUT_MS above the driver\'s own 15 s call timeout, a page slow to answer getState is a timeout, not a gone browser', async () => {
		const world = fakeWorld({ me: '5511912345678', version: '2.3000.1017054665', linked: true });
		try {
			const s = setup({
				healthTimeoutMs: 20_000,
				// The webjs driver as main.ts builds it: its own call timeout at its default (15 s).
				driver: (sessionDir) =>
					createWebJsDriver({ sessionDir, chromiumPath: '/usr/bin/chromium', logger: captureLogger() }, { library: world.library, prepareProfile: async () => undefined }),
			});
			const id = randomUUID();
			await s.manager.start(id);
			await until(() => s.manager.get(id).state === 'connected');
			expect(await s.manager.health(id)).toMatchObject({ healthy: true, reason: null });

			// The page stops answering (a busy or frozen tab); the browser is still there.
			const { client } = world.clients[0];
			client.getState = () => new Promise(() => undefined);
			jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
			const report = s.manager.health(id);
			await jest.advanceTimersByTimeAsync(20_000);
			expect(await report).toMatchObject({ healthy: false, connected: false, reason: 'state_timeout' });
			jest.useRealTimers();
			await s.manager.stopAll();
		} finally {
			world.uninstall();
		}
	});
});
