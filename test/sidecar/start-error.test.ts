/**
 * A session that cannot start says why in the API (`lastError`), not only in
 * the sidecar's log: the real sidecar in-process with the real webjs driver on
 * Debian's Chromium, whose navigation to https://web.whatsapp.com fails for
 * real (Chromium's resolver is told no host exists, so the test behaves the
 * same with or without internet: net::ERR_NAME_NOT_RESOLVED, as offline).
 *
 * Skipped (with the reason printed) only when /usr/bin/chromium is absent.
 */
import { existsSync } from 'node:fs';
import fs from 'node:fs';
import { Writable } from 'node:stream';
import { createWebJsDriver } from '../../sidecar/src/drivers/webjs';
import { createLogger } from '../../sidecar/src/logger';
import { createSidecar, type Sidecar } from '../../sidecar/src/main';
import { describeStartError } from '../../sidecar/src/sessions/start-error';
import { TimeoutError } from '../../sidecar/src/util/timeout';
import { API_KEY, SECRET, eventually, newSessionId, tempDir, testConfig } from './helpers/harness';
import { startReceiver, type Receiver } from './helpers/receiver';

const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM) {
	// eslint-disable-next-line no-console
	console.warn(`start-error: the Chromium part is SKIPPED — ${CHROMIUM} is not installed (apt-get install -y chromium)`);
}
const describeWithChromium = HAVE_CHROMIUM ? describe : describe.skip;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('describeStartError', () => {
	const at = new Date('2026-12-02T06:00:00.000Z');

	it('names a failed navigation to WhatsApp Web whatsapp_web_unreachable, with Chromium\'s error and what to check', () => {
		expect(describeStartError(new Error('net::ERR_NAME_NOT_RESOLVED at https://web.whatsapp.com/'), at)).toEqual({
			code: 'whatsapp_web_unreachable',
			message: 'WhatsApp Web (https://web.whatsapp.com) could not be reached from the sidecar (ERR_NAME_NOT_RESOLVED). Check its internet access: DNS, proxy, firewall.',
			at: '2026-12-02T06:00:00.000Z',
		});
		expect(describeStartError(new Error('net::ERR_PROXY_CONNECTION_FAILED at https://web.whatsapp.com/'), at).code).toBe('whatsapp_web_unreachable');
	});

	it('tells a browser that did not launch, a page that did not load in time, and anything else apart', () => {
		expect(describeStartError(new Error('Failed to launch the browser process! spawn /usr/bin/chromium ENOENT'), at).code).toBe('browser_launch_failed');
		expect(describeStartError('auth timeout', at).code).toBe('whatsapp_web_timeout');
		expect(describeStartError(new TimeoutError(120000, 'initialize'), at).code).toBe('whatsapp_web_timeout');
		expect(describeStartError(new Error('something odd'), at)).toMatchObject({ code: 'start_failed', message: 'The WhatsApp session could not start (something odd).' });
	});

	it('never carries a phone number or a JID', () => {
		const { message } = describeStartError(new Error('Evaluation failed for 5511987654321@c.us (+55 11 98765-4321)'), at);
		expect(message).not.toMatch(/\d{5}/);
		expect(message).not.toContain('@c.us');
	});
});

describeWithChromium('a session whose browser cannot reach WhatsApp Web (real Chromium)', () => {
	jest.setTimeout(120_000);
	let root: string;
	let receiver: Receiver;
	let sidecar: Sidecar;
	const logs: string[] = [];

	beforeAll(async () => {
		root = tempDir('start-error-');
		receiver = await startReceiver(SECRET);
		// START_WAIT_MS 0: POST answers at once, so the test sees the answer a retry gets while it is still starting.
		const config = testConfig(root, receiver.url, { WHATSAPP_DRIVER: 'webjs', CHROMIUM_PATH: CHROMIUM, START_WAIT_MS: '0' });
		const sink = new Writable({
			write(chunk: Buffer, _enc, cb) {
				logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
				cb();
			},
		});
		const logger = createLogger('debug', sink);
		const driver = createWebJsDriver({
			sessionDir: config.sessionDir,
			chromiumPath: CHROMIUM,
			logger: logger.child({ component: 'webjs' }),
			// Every host name fails to resolve: a real failed navigation, online or not.
			extraChromiumArgs: ['--host-resolver-rules=MAP * ~NOTFOUND'],
		});
		sidecar = await createSidecar(config, { logger, driver });
	});
	afterAll(async () => {
		await sidecar?.close();
		await receiver?.close();
		if (root) fs.rmSync(root, { recursive: true, force: true });
	});

	const api = async (method: string, p: string) => {
		const res = await fetch(`${sidecar.url}${p}`, { method, headers: { authorization: `Bearer ${API_KEY}` } });
		return { status: res.status, body: (await res.json()) as Record<string, any> };
	};

	it('reports whatsapp_web_unreachable in the session, and keeps it while a new attempt is starting', async () => {
		const id = newSessionId();
		const first = await api('POST', `/sessions/${id}`);
		expect(first).toMatchObject({ status: 200, body: { sessionId: id, state: 'starting', lastError: null } });

		const failed = await eventually(async () => {
			const { body } = await api('GET', `/sessions/${id}`);
			return body.state === 'disconnected' ? body : undefined;
		}, 90_000, 'the session to fail');
		expect(failed.lastError).toEqual({
			code: 'whatsapp_web_unreachable',
			message: 'WhatsApp Web (https://web.whatsapp.com) could not be reached from the sidecar (ERR_NAME_NOT_RESOLVED). Check its internet access: DNS, proxy, firewall.',
			at: expect.stringMatching(ISO),
		});
		expect(failed.qrDataUrl).toBeNull();

		// What the Connect form gets when the user tries again: a new start, and the cause of the last one.
		const retry = await api('POST', `/sessions/${id}`);
		expect(retry.body).toMatchObject({ state: 'starting', lastError: { code: 'whatsapp_web_unreachable' } });
		const listed = await api('GET', '/sessions');
		expect(listed.body.sessions[0]).toMatchObject({ sessionId: id, lastError: { code: 'whatsapp_web_unreachable' } });

		await eventually(async () => ((await api('GET', `/sessions/${id}`)).body.lastError?.at !== failed.lastError.at ? true : undefined), 90_000, 'the retry to fail');
		expect(logs.some((l) => l.includes('session failed to start') && l.includes('whatsapp_web_unreachable'))).toBe(true);
	});
});
