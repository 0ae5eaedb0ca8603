/**
 * The webjs driver with REAL Chromium (Debian's /usr/bin/chromium) and the real
 * whatsapp-web.js, offline.
 *
 * whatsapp-web.js serves `<webVersionCachePath>/<webVersion>.html` in place of
 * https://web.whatsapp.com/ when that file exists (its local web-version
 * cache); the file here is the fake WhatsApp Web of
 * test/fixtures/webjs/fake-whatsapp-web.js. Everything else is real: puppeteer,
 * Chromium, LocalAuth's profile, the library's injection, its exposed
 * functions and its serialization across the page boundary.
 *
 * Skipped (with the reason printed) only when /usr/bin/chromium is absent;
 * .ci/run installs it.
 */
import { spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DriverMessage, DriverSession } from '../../sidecar/src/drivers/driver';
import { clearStaleChromiumLocks, createWebJsDriver, readProcesses, SessionUnavailableError } from '../../sidecar/src/drivers/webjs';
import { toMessagePayload } from '../../sidecar/src/drivers/to-message-payload';
import { captureLogger, recordEvents } from './helpers/driver-events';
import { rawFixture, textModel, writeFakeWebVersion, type FakeData } from '../fixtures/webjs/fake-page';

const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM) {
	// eslint-disable-next-line no-console
	console.warn(`webjs-chromium: SKIPPED — ${CHROMIUM} is not installed (apt-get install -y chromium)`);
}
const describeWithChromium = HAVE_CHROMIUM ? describe : describe.skip;

jest.setTimeout(60_000);

const ME = '5511912345678';
const CONTACT_JID = '5511987654321@c.us';
const SESSION = '7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const VERSION = '2.3000.9999999999-fake';
const DAY = 86400;



/**
 * Play the phone's part inside the fake WhatsApp Web (window.__fakeWA) through
 * the session's puppeteer page — a test-only peek at the session's client.
 */
async function phone(session: DriverSession, action: 'link' | 'receive' | 'logoutFromPhone', ...args: unknown[]): Promise<void> {
	const page = (session as unknown as { client: { pupPage: { evaluate(fn: unknown, ...a: unknown[]): Promise<unknown> } } }).client.pupPage;
	await page.evaluate(
		(name: string, params: unknown[]) => {
			// eslint-disable-next-line @typescript-eslint/no-explicit-any
			(globalThis as any).__fakeWA[name](...params);
		},
		action,
		args,
	);
}

/** Processes whose command line names this profile. */
async function holders(profileDir: string): Promise<number[]> {
	return (await readProcesses()).filter((p) => p.args.some((a) => a === `--user-data-dir=${profileDir}`)).map((p) => p.pid);
}

describeWithChromium('webjs driver on real Chromium with a fake WhatsApp Web page', () => {
	let root: string;
	let sessionDir: string;
	let cacheDir: string;
	const sessions: DriverSession[] = [];

	beforeEach(async () => {
		root = await fs.mkdtemp(path.join(os.tmpdir(), 'webjs-chromium-'));
		sessionDir = path.join(root, 'sessions');
		cacheDir = path.join(root, 'wweb-cache');
	});
	afterEach(async () => {
		for (const s of sessions.splice(0)) await s.stop();
		await fs.rm(root, { recursive: true, force: true });
	});

	async function driverWith(data: FakeData, logger = captureLogger()) {
		await writeFakeWebVersion(cacheDir, VERSION, { me: ME, pushname: 'Loja', ...data });
		return createWebJsDriver({ sessionDir, chromiumPath: CHROMIUM, webVersion: VERSION, webVersionCachePath: cacheDir, logger, authTimeoutMs: 20_000 });
	}

	it('qr → authenticated → ready → live messages both ways → calls → disconnected("LOGOUT") → logout removes everything', async () => {
		const now = Math.floor(Date.now() / 1000);
		const history = Array.from({ length: 120 }, (_, i) =>
			textModel({ chatId: CONTACT_JID, me: ME, fromMe: i % 2 === 1, id: `R${String(i).padStart(4, '0')}`, t: now - 40 * DAY + i * (DAY / 3), body: `histórico ${i}` }),
		);
		const driver = await driverWith({
			registered: { '5511987654321': CONTACT_JID },
			contacts: { [CONTACT_JID]: { pushname: 'Maria Souza', about: 'Disponível' } },
			chats: [
				{ id: CONTACT_JID, name: 'Maria Souza', messages: history, loaded: 20 },
				{ id: '120363025555555555@g.us', name: 'Clientes VIP', messages: [], loadEarlier: 'works' },
				{ id: '5521998765432@c.us', messages: history.map((m) => ({ ...m, id: { ...(m.id as object), remote: '5521998765432@c.us', _serialized: undefined } })), loaded: 20, loadEarlier: 'changed-signature' },
			],
			pageSize: 25,
		});
		const session = driver.createSession(SESSION);
		sessions.push(session);
		const rec = recordEvents(session, { timeoutMs: 20_000, pollMs: 20 });
		const profileDir = driver.authDataPath(SESSION);

		await session.start();
		const [[qr]] = await rec.next('qr');
		expect(String(qr).split(',')).toHaveLength(5);
		expect(existsSync(profileDir)).toBe(true); // LocalAuth's profile, where the driver says
		expect(await holders(profileDir)).not.toHaveLength(0);

		await phone(session, 'link');
		await rec.next('authenticated');
		const [[ready]] = await rec.next('ready');
		expect(ready).toEqual({ linkedPhoneJid: `${ME}@c.us` });
		expect(await session.getState()).toBe('CONNECTED');
		expect(await session.ping()).toBe(true);

		// Live messages, raised inside the page and carried out by the library's exposed functions.
		const incoming = await rawFixture('text-in');
		const outgoing = await rawFixture('text-out');
		await phone(session, 'receive', incoming);
		await phone(session, 'receive', outgoing);
		const messages = (await rec.next('message', 2)).map(([m]) => m as DriverMessage);
		expect(messages.map((m) => [m.id, m.fromMe, m.chatId, m.body])).toEqual([
			['false_5511987654321@c.us_3EB0C767D26A1D2B8F4A', false, CONTACT_JID, 'Olá, quero saber o preço do plano anual'],
			['true_5511987654321@c.us_3A9F2D4C1B0E8A7F6D5C', true, CONTACT_JID, 'O plano anual custa R$ 1.200'],
		]);
		expect(messages.map((m) => toMessagePayload(SESSION, m)?.direction)).toEqual(['inbound', 'outbound']);

		// Calls through the real page.
		expect(await session.lookupNumber('5511987654321')).toBe(CONTACT_JID);
		expect(await session.lookupNumber('5511900000000')).toBeNull();
		const sent = await session.sendText(CONTACT_JID, 'Obrigado!');
		expect(sent).toMatchObject({ fromMe: true, chatId: CONTACT_JID, body: 'Obrigado!', type: 'chat' });
		const chats = await session.listChats();
		expect(chats.map((c) => [c.chatId, c.isGroup])).toEqual([
			[CONTACT_JID, false],
			['120363025555555555@g.us', true],
			['5521998765432@c.us', false],
		]);
		expect(await session.getProfile(CONTACT_JID)).toEqual({ name: 'Maria Souza', about: 'Disponível' });

		const since = now - 30 * DAY;
		const expected = history.filter((m) => (m.t as number) >= since).map((m) => (m.id as { _serialized: string })._serialized);
		const viaFetchMessages = await session.fetchHistory(CONTACT_JID, since);
		expect(viaFetchMessages.messages.map((m) => m.id)).toEqual([...expected, sent.id]); // what we just sent is history too
		expect(viaFetchMessages.reachedOldestAvailable).toBe(false);
		// A chat where fetchMessages breaks: the store is read in the page (the page function is self-contained),
		// and ids whose _serialized went missing are rebuilt.
		const viaStore = await session.fetchHistory('5521998765432@c.us', since);
		expect(viaStore.messages.map((m) => m.id)).toEqual(expected.map((id) => id.replace(CONTACT_JID, '5521998765432@c.us')));

		// The phone removes the linked device: WhatsApp Web logs out and reloads.
		await phone(session, 'logoutFromPhone');
		const [[reason]] = await rec.next('disconnected');
		expect(reason).toBe('LOGOUT');
		await rec.next('qr', 2); // the library shows a fresh QR on the reloaded page

		await session.logout();
		expect(existsSync(profileDir)).toBe(false);
		expect(await holders(profileDir)).toEqual([]);
		await expect(session.getState()).rejects.toBeInstanceOf(SessionUnavailableError);
	});

	it('starts a session whose profile is still held by an orphaned Chromium from a killed sidecar', async () => {
		const driver = await driverWith({ linked: true });
		const profileDir = driver.authDataPath(SESSION);
		await fs.mkdir(profileDir, { recursive: true });
		// A browser left behind: started by a shell that is gone, so it is nobody's child here.
		spawn('sh', ['-c', `${CHROMIUM} --headless=new --no-sandbox --disable-gpu --user-data-dir=${profileDir} about:blank >/dev/null 2>&1 &`], {
			stdio: 'ignore',
		}).unref();
		const deadline = Date.now() + 20_000;
		while (!(await clearStaleChromiumLocks(profileDir)).heldBy) {
			if (Date.now() > deadline) throw new Error('the orphan never locked the profile');
			await new Promise((r) => setTimeout(r, 100));
		}
		expect(await holders(profileDir)).not.toHaveLength(0);

		const session = driver.createSession(SESSION);
		sessions.push(session);
		const rec = recordEvents(session, { timeoutMs: 20_000, pollMs: 20 });
		await session.start(); // ends the orphan, clears its locks, launches
		const [[ready]] = await rec.next('ready');
		expect(ready).toEqual({ linkedPhoneJid: `${ME}@c.us` });
		expect(rec.events.some((e) => e.event === 'qr')).toBe(false); // restored, no QR

		await session.stop();
		expect(await holders(profileDir)).toEqual([]);
		expect(existsSync(profileDir)).toBe(true); // stop keeps auth data
	});

	it('a failing start leaves no browser behind', async () => {
		// A page that never becomes WhatsApp Web: the library gives up with the string 'auth timeout'.
		await fs.mkdir(cacheDir, { recursive: true });
		await fs.writeFile(path.join(cacheDir, `${VERSION}.html`), '<html><body>not WhatsApp</body></html>');
		const driver = createWebJsDriver({
			sessionDir,
			chromiumPath: CHROMIUM,
			webVersion: VERSION,
			webVersionCachePath: cacheDir,
			logger: captureLogger(),
			authTimeoutMs: 1500,
		});
		const session = driver.createSession(SESSION);
		const failure = await session.start().then(
			() => null,
			(err: unknown) => err,
		);
		expect(failure).toBeInstanceOf(Error);
		expect((failure as Error).message).toBe('auth timeout');
		expect(await holders(driver.authDataPath(SESSION))).toEqual([]);
	});
});
