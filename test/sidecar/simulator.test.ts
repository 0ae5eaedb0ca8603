/**
 * The simulator driver on its own: it must look like WhatsApp Web through
 * whatsapp-web.js to the service — ids in the library's serialized format, a
 * QR shaped like WhatsApp's, history at realistic times, auth data on disk in
 * LocalAuth's layout, the same failures.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { DriverMessage } from '../../sidecar/src/drivers/driver';
import { createSimulatorDriver, SimulatorSession, SIMULATOR_AUTH_FILE, SIMULATOR_STORE_FILE } from '../../sidecar/src/drivers/simulator';
import { tempDir } from './helpers/harness';

let root: string;
beforeEach(() => {
	root = tempDir('simulator-test-');
});
afterEach(() => {
	fs.rmSync(root, { recursive: true, force: true });
});

function nextEvent<T>(session: SimulatorSession, name: 'qr' | 'ready' | 'message' | 'disconnected'): Promise<T> {
	return new Promise((resolve) => session.on(name, ((value: T) => resolve(value)) as never));
}

/** A simulated phone linked and ready, in a driver on `root`. */
async function linkedPhone(): Promise<{ driver: ReturnType<typeof createSimulatorDriver>; id: string; session: SimulatorSession }> {
	const driver = createSimulatorDriver({ sessionDir: root });
	const id = randomUUID();
	const session = driver.createSession(id) as SimulatorSession;
	await session.start();
	session.link();
	await nextEvent(session, 'ready');
	return { driver, id, session };
}

describe('simulator driver', () => {
	it('shows a QR, links, persists auth data like LocalAuth, and is restored without a QR', async () => {
		const driver = createSimulatorDriver({ sessionDir: root });
		const id = randomUUID();
		const session = driver.createSession(id) as SimulatorSession;
		const qr = nextEvent<string>(session, 'qr');
		await session.start();
		expect(await qr).toMatch(/^2@[^,]+,[^,]+,[^,]+,[^,]+$/);
		expect(await session.getState()).toBe('UNPAIRED');
		expect(await driver.listStoredSessions()).toEqual([]);

		const ready = nextEvent<{ linkedPhoneJid: string }>(session, 'ready');
		session.link('+5511912345678');
		expect(await ready).toEqual({ linkedPhoneJid: '5511912345678@c.us' });
		expect(driver.authDataPath(id)).toBe(path.join(root, `session-${id}`));
		expect(fs.existsSync(path.join(root, `session-${id}`, SIMULATOR_AUTH_FILE))).toBe(true);
		expect(await driver.listStoredSessions()).toEqual([id]);
		await session.stop();

		const restored = createSimulatorDriver({ sessionDir: root }).createSession(id) as SimulatorSession;
		let sawQr = false;
		restored.on('qr', () => {
			sawQr = true;
		});
		const readyAgain = nextEvent<{ linkedPhoneJid: string }>(restored, 'ready');
		await restored.start();
		expect(await readyAgain).toEqual({ linkedPhoneJid: '5511912345678@c.us' });
		expect(sawQr).toBe(false);
		expect(await restored.getState()).toBe('CONNECTED');
	});

	it('keeps every message it took in when its client stops mid-write: a client started after stop() has them all', async () => {
		const { driver, id, session } = await linkedPhone();

		// Many messages at once: one store write in flight, the rest queued behind it, when the client stops.
		const taken = Array.from({ length: 40 }, (_, i) => session.inbound({ from: `+55119876543${String(i % 10).padStart(2, '0')}`, text: `message ${i}` }));
		await session.stop();
		await Promise.all(taken.map((t) => t.stored));

		// What a client started now reads: the phone's store file.
		const store = JSON.parse(fs.readFileSync(path.join(driver.authDataPath(id), SIMULATOR_STORE_FILE), 'utf8')) as { chats: Record<string, { messages: Array<{ id: string }> }> };
		const held = new Set(Object.values(store.chats).flatMap((c) => c.messages.map((m) => m.id)));
		expect(taken.map((t) => t.message.id).filter((messageId) => !held.has(messageId))).toEqual([]);
		const restarted = createSimulatorDriver({ sessionDir: root }).createSession(id) as SimulatorSession;
		expect(restarted.snapshot().messages).toBe(40);
	});

	it("hands a message on to history reads (catch-up, backfill) only once it is in the phone's store file", async () => {
		const { session } = await linkedPhone();
		const taken = session.inbound({ from: '+5511987654321', text: 'just arrived' });
		const readNow = await session.fetchHistory(taken.message.chatId, 0);
		expect(readNow.messages.map((m) => m.id)).not.toContain(taken.message.id);
		await taken.stored;
		const readAfter = await session.fetchHistory(taken.message.chatId, 0);
		expect(readAfter.messages.map((m) => m.id)).toContain(taken.message.id);
	});

	it('refuses ids that could leave SESSION_DIR', () => {
		const driver = createSimulatorDriver({ sessionDir: root });
		for (const bad of ['../x', '..', 'abc', `${randomUUID()}/..`]) expect(() => driver.authDataPath(bad)).toThrow();
	});

	it('lists only session folders with auth data', async () => {
		const id = randomUUID();
		fs.mkdirSync(path.join(root, `session-${id}`));
		fs.writeFileSync(path.join(root, `session-${id}`, SIMULATOR_AUTH_FILE), JSON.stringify({ linkedPhoneJid: '5511912345678@c.us' }));
		fs.mkdirSync(path.join(root, `session-${randomUUID()}`)); // no auth data
		fs.mkdirSync(path.join(root, 'session-not-a-uuid'));
		fs.mkdirSync(path.join(root, '.wwebjs_cache'));
		expect(await createSimulatorDriver({ sessionDir: root }).listStoredSessions()).toEqual([id]);
	});

	it('reports messages both ways with whatsapp-web.js serialized ids, and acks sends', async () => {
		const driver = createSimulatorDriver({ sessionDir: root });
		const session = driver.createSession(randomUUID()) as SimulatorSession;
		await session.start();
		session.link();
		await nextEvent(session, 'ready');

		const inbound = nextEvent<DriverMessage>(session, 'message');
		session.inbound({ from: '+5511987654321', text: 'oi' });
		expect(await inbound).toMatchObject({ id: expect.stringMatching(/^false_5511987654321@c\.us_3EB0[0-9A-F]{16}$/), fromMe: false, type: 'chat', body: 'oi', author: null });

		const group = nextEvent<DriverMessage>(session, 'message');
		session.inbound({ from: '5511987654321', text: 'no grupo', group: '120363025246125888@g.us' });
		expect(await group).toMatchObject({
			id: expect.stringMatching(/^false_120363025246125888@g\.us_3EB0[0-9A-F]{16}_5511987654321@c\.us$/),
			chatId: '120363025246125888@g.us',
			author: '5511987654321@c.us',
		});

		const acks: number[] = [];
		session.on('message_ack', (a) => acks.push(a.ack));
		const outbound = nextEvent<DriverMessage>(session, 'message');
		const sent = await session.sendText('5511987654321@c.us', 'tchau');
		expect(sent.id).toMatch(/^true_5511987654321@c\.us_3EB0/);
		expect(await outbound).toMatchObject({ id: sent.id, fromMe: true });
		await new Promise((r) => setTimeout(r, 10));
		expect(acks).toEqual([1]);

		expect(await session.lookupNumber('5511987654321')).toBe('5511987654321@c.us');
		session.setNotOnWhatsApp(['+55 11 95555-4444']);
		expect(await session.lookupNumber('5511955554444')).toBeNull();
	});

	it('seeds a reproducible history at daytime hours with text, media, a group, status and @lid chats', async () => {
		const driver = createSimulatorDriver({ sessionDir: root });
		const session = driver.createSession(randomUUID()) as SimulatorSession;
		await session.start();
		session.link();
		const now = Math.floor(Date.now() / 1000);
		const result = session.seed({ days: 30, seed: 5, now });
		expect(result.directTextMessageIds.length).toBeGreaterThan(100);

		const chats = await session.listChats();
		expect(chats.filter((c) => c.isGroup)).toHaveLength(1);
		expect(chats.some((c) => c.chatId.endsWith('@lid') && c.resolvedPhoneJid?.endsWith('@c.us'))).toBe(true);
		expect(chats.some((c) => c.chatId.endsWith('@lid') && c.resolvedPhoneJid === null)).toBe(true);
		expect(chats.some((c) => c.chatId === 'status@broadcast')).toBe(false);

		const all: DriverMessage[] = [];
		for (const chat of chats) {
			const page = await session.fetchHistory(chat.chatId, now - 30 * 86400);
			all.push(...page.messages);
			const times = page.messages.map((m) => m.timestamp);
			expect(times).toEqual([...times].sort((a, b) => a - b));
			expect(page.reachedOldestAvailable).toBe(true);
		}
		const types = new Set(all.map((m) => m.type));
		for (const t of ['chat', 'image', 'ptt']) expect(types).toContain(t);
		expect(all.some((m) => m.fromMe) && all.some((m) => !m.fromMe)).toBe(true);
		for (const m of all) {
			expect(m.timestamp).toBeGreaterThanOrEqual(now - 30 * 86400);
			expect(m.timestamp).toBeLessThan(now);
			const hour = new Date(m.timestamp * 1000).getUTCHours();
			expect(hour).toBeGreaterThanOrEqual(8);
			expect(m.id).toMatch(/^(true|false)_[^_]+@(c\.us|lid|g\.us)_3EB0[0-9A-F]{16}(_\d+@(c\.us|lid))?$/);
		}
		// A 10-day window inside a 30-day history: older messages exist, so the device did not run out.
		const recent = await session.fetchHistory(chats[0]!.chatId, now - 10 * 86400);
		expect(recent.reachedOldestAvailable).toBe(false);

		// Same seed, same history.
		const otherRoot = tempDir('simulator-test-');
		const other = createSimulatorDriver({ sessionDir: otherRoot }).createSession(randomUUID()) as SimulatorSession;
		expect(other.seed({ days: 30, seed: 5, now }).directTextMessageIds).toEqual(result.directTextMessageIds);
		fs.rmSync(otherRoot, { recursive: true, force: true });
	});

	it('drops its link (LOGOUT, auth data deleted), goes zombie, loses its browser', async () => {
		const { driver, id, session } = await linkedPhone();

		session.becomeZombie();
		expect(await session.getState()).toBe('CONNECTED');
		await expect(session.ping()).rejects.toThrow(/timed out/);
		session.killBrowser();
		await expect(session.getState()).rejects.toThrow(/Session closed/);

		const second = driver.createSession(randomUUID()) as SimulatorSession;
		await second.start();
		second.link();
		await nextEvent(second, 'ready');
		const disconnected = nextEvent<string>(second, 'disconnected');
		second.dropLink();
		expect(await disconnected).toBe('LOGOUT');
		expect(await second.getState()).toBe('UNPAIRED');
		expect(fs.existsSync(driver.authDataPath(second.sessionId))).toBe(false);
		expect(fs.existsSync(driver.authDataPath(id))).toBe(true);
	});
});
