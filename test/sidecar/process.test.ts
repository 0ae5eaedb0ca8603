/**
 * The built sidecar as a real process: configuration errors, clean shutdown on
 * SIGTERM (auth data kept, restored on the next start), and the log grep —
 * traffic with known numbers and texts in both directions, then no log line
 * may contain any of those numbers (in any form) or texts.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { MessageEvent } from '../../core/events/types';
import { startReceiver, type Receiver } from './helpers/receiver';
import { API_KEY, SECRET, eventually, isMessage, isSessionState, tempDir } from './helpers/harness';
import { REPO_ROOT, buildSidecar, startChild, startListeningSidecar, type Child } from './helpers/spawn';

jest.setTimeout(120000);

let build: { mainJs: string; outDir: string };

beforeAll(() => {
	build = buildSidecar();
});

afterAll(() => {
	if (build) fs.rmSync(build.outDir, { recursive: true, force: true });
});

describe('configuration errors', () => {
	it('exits 1 and names the missing setting when WEBHOOK_SECRET is not set', async () => {
		const child = startChild(build.mainJs, { SIDECAR_API_KEY: API_KEY, WEBHOOK_URL: 'http://127.0.0.1:9/hook', WHATSAPP_DRIVER: 'simulator' });
		expect(await child.exited).toBe(1);
		expect(child.stderr()).toContain('WEBHOOK_SECRET');
		expect(child.stderr()).not.toMatch(/SIDECAR_API_KEY|WEBHOOK_URL/);
		expect(child.stderr()).not.toMatch(/\n\s+at /); // a message, not a stack trace
	});

	it('names every bad setting at once', async () => {
		const child = startChild(build.mainJs, { WEBHOOK_URL: 'not-a-url', BACKFILL_BATCH_SIZE: '0', WHATSAPP_DRIVER: 'selenium' });
		expect(await child.exited).toBe(1);
		for (const name of ['SIDECAR_API_KEY', 'WEBHOOK_SECRET', 'WEBHOOK_URL', 'BACKFILL_BATCH_SIZE', 'WHATSAPP_DRIVER']) expect(child.stderr()).toContain(name);
	});
});

describe('the simulator', () => {
	it('never loads whatsapp-web.js or puppeteer', () => {
		const root = tempDir();
		const script = `
			const { loadConfig } = require(${JSON.stringify(path.join(path.dirname(build.mainJs), 'config.js'))});
			const { createSidecar } = require(${JSON.stringify(build.mainJs)});
			const config = loadConfig({ PORT: '0', SIDECAR_API_KEY: '${API_KEY}', WEBHOOK_URL: 'http://127.0.0.1:9/x', WEBHOOK_SECRET: '${SECRET}',
				WHATSAPP_DRIVER: 'simulator', SESSION_DIR: ${JSON.stringify(path.join(root, 's'))}, DATA_DIR: ${JSON.stringify(path.join(root, 'd'))}, LOG_LEVEL: 'silent' });
			createSidecar(config).then(async (s) => {
				const loaded = Object.keys(require.cache).filter((k) => /puppeteer|whatsapp-web\\.js/.test(k));
				await s.close();
				process.stdout.write(JSON.stringify({ modules: Object.keys(require.cache).length, loaded }));
			});`;
		const result = spawnSync(process.execPath, ['-e', script], { env: { PATH: process.env.PATH ?? '', NODE_PATH: path.join(REPO_ROOT, 'node_modules') }, encoding: 'utf8' });
		fs.rmSync(root, { recursive: true, force: true });
		expect(result.stderr).toBe('');
		const out = JSON.parse(result.stdout) as { modules: number; loaded: string[] };
		expect(out.modules).toBeGreaterThan(20);
		expect(out.loaded).toEqual([]);
	});
});

describe('a running sidecar process', () => {
	let root: string;
	let receiver: Receiver;
	let child: Child | null = null;
	const sessionId = randomUUID();

	const env = () => ({
		PORT: '0',
		HOST: '127.0.0.1',
		SIDECAR_API_KEY: API_KEY,
		WEBHOOK_URL: receiver.url,
		WEBHOOK_SECRET: SECRET,
		SESSION_DIR: path.join(root, 'sessions'),
		DATA_DIR: path.join(root, 'data'),
		WHATSAPP_DRIVER: 'simulator',
		DEFAULT_COUNTRY: 'BR',
		LOG_LEVEL: 'trace',
		OUTBOX_BASE_DELAY_MS: '20',
		OUTBOX_MAX_DELAY_MS: '100',
		HEALTH_TIMEOUT_MS: '300',
	});

	const startProcess = () => startListeningSidecar(build.mainJs, env(), API_KEY);

	beforeAll(async () => {
		root = tempDir();
		receiver = await startReceiver(SECRET);
	});

	afterAll(async () => {
		if (child && child.process.exitCode === null) {
			child.process.kill('SIGKILL');
			await child.exited;
		}
		await receiver.close();
		fs.rmSync(root, { recursive: true, force: true });
	});

	// Every number in the traffic below, and every text.
	const contacts = [
		{ e164: '+5511987654321', national: '11987654321', formatted: '(11) 98765-4321', local: '98765-4321', subscriber: '987654321' },
		{ e164: '+5521976543210', national: '21976543210', formatted: '(21) 97654-3210', local: '97654-3210', subscriber: '976543210' },
		{ e164: '+4915123456789', national: '015123456789', formatted: '0151 23456789', local: '23456789', subscriber: '15123456789' },
		{ e164: '+5531955554444', national: '31955554444', formatted: '(31) 95555-4444', local: '95555-4444', subscriber: '955554444' },
	];
	const linkedPhone = { e164: '+5511933332222', national: '11933332222', local: '93333-2222', subscriber: '933332222' };
	const lid = '118812345678901';
	const groupJid = '120363025246125777@g.us';
	const texts = [
		'Segredo comercial numero um',
		'Proposta confidencial para o cliente',
		'Texto enviado pelo celular vinculado',
		'Resposta pela API do sidecar',
		'Mensagem no grupo da equipe',
		'Legenda de uma foto privada',
		'Status visivel para contatos',
		'Numero sem WhatsApp recebe isto',
		'Mensagem de um id privado lid',
	];

	it('handles traffic, stops cleanly on SIGTERM keeping auth data, and comes back without a QR', async () => {
		const first = await startProcess();
		child = first.child;
		const { api } = first;

		// Link.
		const started = await api('POST', `/sessions/${sessionId}`);
		expect(started.body.state).toBe('qr');
		await api('POST', `/simulator/sessions/${sessionId}/link`, { phone: linkedPhone.e164 });
		await receiver.waitFor(isSessionState(sessionId, 'connected'));
		await api('POST', `/simulator/sessions/${sessionId}/not-on-whatsapp`, { numbers: [contacts[3]!.e164] });
		await api('POST', `/simulator/sessions/${sessionId}/contact`, { jid: '5511987654321@c.us', name: 'Ana Souza', about: 'Available' });

		// Inbound, both forwarded and skipped kinds.
		const inbound = await api('POST', `/simulator/sessions/${sessionId}/inbound`, { from: contacts[0]!.e164, text: texts[0] });
		await api('POST', `/simulator/sessions/${sessionId}/inbound`, { from: '4915123456789@c.us', text: texts[1], notifyName: 'Jonas' });
		await api('POST', `/simulator/sessions/${sessionId}/inbound`, { from: contacts[1]!.e164, text: texts[4], group: groupJid });
		await api('POST', `/simulator/sessions/${sessionId}/inbound`, { from: contacts[1]!.e164, type: 'image', caption: texts[5] });
		await api('POST', `/simulator/sessions/${sessionId}/inbound`, { from: contacts[2]!.e164, text: texts[6], status: true });
		await api('POST', `/simulator/sessions/${sessionId}/inbound`, { from: `${lid}@lid`, text: texts[8], resolvedPhoneJid: '5521976543210@c.us' });
		// Outbound: typed on the phone, and sent through the API (national format with DEFAULT_COUNTRY=BR).
		await api('POST', `/simulator/sessions/${sessionId}/outbound-from-phone`, { to: contacts[1]!.e164, text: texts[2] });
		const sent = await api('POST', `/sessions/${sessionId}/messages`, { to: contacts[0]!.formatted, text: texts[3] });
		expect(sent.status).toBe(201);
		expect(sent.body.event.message.remote.phone).toBe(contacts[0]!.e164);
		// Refused sends, with numbers and text in the request.
		expect((await api('POST', `/sessions/${sessionId}/messages`, { to: contacts[3]!.formatted, text: texts[7] })).body.error.code).toBe('not_on_whatsapp');
		expect((await api('POST', `/sessions/${sessionId}/messages`, { to: groupJid, text: texts[7] })).status).toBe(422);
		expect((await api('POST', `/sessions/${sessionId}/messages`, { to: '+55119', text: texts[7] })).status).toBe(422);
		// Paths with numbers in them.
		expect((await api('GET', `/sessions/${contacts[0]!.national}`)).status).toBe(422);
		expect((await api('POST', `/sessions/${contacts[2]!.e164}/messages`, { to: contacts[2]!.e164, text: texts[7] })).status).toBe(422);
		// Backfill of a seeded history (its numbers are random; they are checked below too).
		const seeded = await api('POST', `/simulator/sessions/${sessionId}/history`, { days: 5, directChats: 3, seed: 11 });
		const job = await api('POST', `/sessions/${sessionId}/backfill`, {});
		await receiver.waitFor((e) => e.type === 'backfill.done' && e.backfill.jobId === job.body.jobId, 20000);

		await receiver.waitFor(isMessage(inbound.body.messageId));
		await receiver.waitFor(isMessage(sent.body.messageId));
		const delivered = receiver.events().filter((e): e is MessageEvent => e.type === 'message');
		expect(delivered.map((e) => e.message.text)).toEqual(expect.arrayContaining([texts[0], texts[1], texts[2], texts[3], texts[8]]));

		// Zombie and dead browser produce log lines too.
		await api('POST', `/simulator/sessions/${sessionId}/zombie`);
		expect((await api('GET', '/health')).body.sessions[0].healthy).toBe(false);

		// Stop cleanly.
		child.process.kill('SIGTERM');
		expect(await child.exited).toBe(0);
		expect(child.stdout()).toMatch(/"msg":"sidecar stopped"/);
		expect(fs.existsSync(path.join(root, 'sessions', `session-${sessionId}`, 'simulator-auth.json'))).toBe(true);

		// Log grep over everything the process wrote.
		const output = `${child.stdout()}\n${child.stderr()}`;
		const lines = output.split('\n').filter(Boolean);
		expect(lines.length).toBeGreaterThan(30);
		for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
		const forbidden = [
			...contacts.flatMap((c) => [c.e164, c.e164.slice(1), c.national, c.formatted, c.local, c.subscriber]),
			linkedPhone.e164,
			linkedPhone.e164.slice(1),
			linkedPhone.national,
			linkedPhone.local,
			linkedPhone.subscriber,
			lid,
			groupJid.split('@')[0]!,
			...texts,
			...(seeded.body.contacts as string[]).map((jid) => jid.split('@')[0]!),
			...(seeded.body.contacts as string[]).map((jid) => jid.split('@')[0]!.slice(2)),
		];
		const leaks = forbidden.filter((needle) => output.includes(needle));
		expect({ leaks, lines: lines.filter((l) => leaks.some((n) => l.includes(n))) }).toEqual({ leaks: [], lines: [] });
		// Not even as JIDs or raw message ids.
		expect(output).not.toMatch(/@c\.us|@s\.whatsapp\.net|@lid|@g\.us|_3EB0/);

		// Restart: restored without a QR.
		const before = receiver.accepted().length;
		const second = await startProcess();
		child = second.child;
		await eventually(() => receiver.accepted().slice(before).map((d) => d.event).find(isSessionState(sessionId, 'connected')), 15000, 'restored');
		expect(receiver.accepted().slice(before).some((d) => isSessionState(sessionId, 'qr')(d.event))).toBe(false);
		expect((await second.api('GET', `/sessions/${sessionId}`)).body).toMatchObject({ state: 'connected', restored: true, linkedPhone: linkedPhone.e164 });
		child.process.kill('SIGINT');
		expect(await child.exited).toBe(0);
		const secondOutput = `${child.stdout()}\n${child.stderr()}`;
		expect(forbidden.filter((needle) => secondOutput.includes(needle))).toEqual([]);
	});
});
