/**
 * Memory of the sidecar service itself: the whole service in this process
 * (createSidecar from sidecar/src/main.ts: HTTP API, session manager, outbox,
 * backfill runner) with the simulator driver, delivering to a webhook
 * receiver in another process. RSS and heap after a full GC with 0, 1 and 20
 * linked sessions, idle and after live messages.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { SimulatorDriver } from '../sidecar/src/drivers/simulator';
import type { Sidecar } from '../sidecar/src/main';
import { check, defineBench, type BenchContext, type Measurement } from './lib/harness';
import { startReceiver } from './lib/receiver';

// The sidecar's modules are loaded inside run(), after the first reading, so that reading is a bare process.
/* eslint-disable @typescript-eslint/no-require-imports */
const loadSidecar = () => ({
	...(require('../sidecar/src/config') as typeof import('../sidecar/src/config')),
	...(require('../sidecar/src/main') as typeof import('../sidecar/src/main')),
	...(require('./lib/quiet-logger') as typeof import('./lib/quiet-logger')),
});
const loadFixtures = () => require('./lib/fixtures') as typeof import('./lib/fixtures');
/* eslint-enable @typescript-eslint/no-require-imports */

const SECRET = 'bench-webhook-secret-0123456789abcdef';
const API_KEY = 'bench-api-key-0123456789abcdef';

function sessionId(i: number): string {
	return `0b5e${String(i).padStart(4, '0')}-1c2d-4e5f-8a9b-0c1d2e3f4a5b`;
}

async function until(what: string, condition: () => boolean, timeoutMs = 30_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs} ms`);
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

/** Starts sessions and links each through the simulated phone (what scanning the QR does). */
async function link(sidecar: Sidecar, ids: string[]): Promise<void> {
	const driver = sidecar.driver as SimulatorDriver;
	for (const [n, id] of ids.entries()) {
		const view = await sidecar.manager.start(id);
		check(view.state === 'qr', `session ${n} started in state ${view.state}, expected qr`);
		driver.simulatorSession(id)?.link(`55119${String(70000000 + n).padStart(8, '0')}`);
	}
	await until('sessions connected', () => ids.every((id) => sidecar.manager.get(id).state === 'connected'));
	await until('state events delivered', () => sidecar.outbox.stats().pending === 0);
}

/** `perSession` inbound text messages on every session, from 18 countries' numbers; waits until all were delivered. */
async function traffic(sidecar: Sidecar, ids: string[], perSession: number): Promise<number> {
	const driver = sidecar.driver as SimulatorDriver;
	const { exampleMobiles, variantOf } = loadFixtures();
	const mobiles = exampleMobiles();
	const before = sidecar.outbox.stats().delivered;
	const t0 = performance.now();
	for (let i = 0; i < perSession; i++) {
		for (const id of ids) {
			const from = variantOf(mobiles[i % mobiles.length].e164, Math.floor(i / mobiles.length));
			driver.simulatorSession(id)?.inbound({ from, text: `Message ${i} about order #${1000 + i}`, notifyName: `Customer ${i % 50}` });
		}
		// Let the session manager and the outbox keep up, as live traffic would.
		if (i % 10 === 9) await new Promise((resolve) => setImmediate(resolve));
	}
	const expected = before + perSession * ids.length;
	await until('messages delivered', () => sidecar.outbox.stats().delivered >= expected && sidecar.outbox.stats().pending === 0, 60_000);
	check(sidecar.outbox.stats().deadLetters === 0, 'some events went to the dead letters');
	return performance.now() - t0;
}

function perSessionDelta(ctx: BenchContext, label: string, from: Measurement, to: Measurement, sessions: number): void {
	const a = from.memory;
	const b = to.memory;
	if (!a || !b) return;
	ctx.value(`${label}: RSS per session`, (b.rssMB - a.rssMB) / sessions, 'MB', `(${to.name}) − (${from.name}), ÷ ${sessions}`);
	ctx.value(`${label}: heap used per session`, (b.heapUsedMB - a.heapUsedMB) / sessions, 'MB');
}

export default defineBench({
	title: 'Sidecar memory (simulator driver)',
	measures: 'RSS and heap of an in-process sidecar (createSidecar, simulator driver) with 0, 1 and 20 linked sessions, idle and after live messages delivered through the outbox.',
	async run(ctx) {
		const messages = ctx.quick ? 25 : 100;
		const root = ctx.tempDir('sidecar-memory');
		const receiver = await startReceiver(SECRET);
		ctx.onCleanup(() => receiver.stop());
		const bare = await ctx.memory('bare bench process (Node and the bench harness only)');
		const { loadConfig, createSidecar, discardingLogger } = loadSidecar();
		loadFixtures();

		const config = loadConfig(
			{
				PORT: '0',
				HOST: '127.0.0.1',
				SIDECAR_API_KEY: API_KEY,
				WEBHOOK_URL: receiver.url,
				WEBHOOK_SECRET: SECRET,
				SESSION_DIR: path.join(root, 'sessions'),
				DATA_DIR: path.join(root, 'data'),
				WHATSAPP_DRIVER: 'simulator',
				LOG_LEVEL: 'info',
				MAX_SESSIONS: '50',
			},
			root,
		);
		const loaded = await ctx.memory('sidecar modules loaded (pino, libphonenumber-js, qrcode, …), not started');
		const sidecar = await createSidecar(config, { logger: discardingLogger() });
		ctx.onCleanup(() => sidecar.close());
		const empty = await ctx.memory('sidecar running, no session');
		ctx.value('sidecar code loaded, over the bare process', (loaded.memory?.rssMB ?? 0) - (bare.memory?.rssMB ?? 0), 'MB RSS');
		ctx.value('sidecar running with no session, over the bare process', (empty.memory?.rssMB ?? 0) - (bare.memory?.rssMB ?? 0), 'MB RSS');

		const ids = Array.from({ length: 20 }, (_, i) => sessionId(i));
		await link(sidecar, ids.slice(0, 1));
		const one = await ctx.memory('1 linked session, idle');
		await link(sidecar, ids.slice(1));
		const twenty = await ctx.memory('20 linked sessions, idle');
		perSessionDelta(ctx, 'each further idle linked session', one, twenty, 19);
		const twentyMs = await traffic(sidecar, ids, messages);
		const busy = await ctx.memory(`20 sessions after ${messages} live messages each, all delivered`);
		perSessionDelta(ctx, `${messages} live messages, per session`, twenty, busy, 20);
		ctx.value(`20 sessions × ${messages} live messages: all delivered after`, twentyMs, 'ms', `${((messages * 20) / (twentyMs / 1000)).toFixed(0)} messages/s through the session manager, outbox and receiver`);
		check(sidecar.manager.list().length === 20, 'the sidecar does not hold 20 sessions');

		await sidecar.close();
		ctx.note(
			'Not measured here: a real session (WHATSAPP_DRIVER=webjs) runs a headless Chromium with WhatsApp Web in it, roughly 200–400 MB per session on top of these figures (measured on a development machine: 175–205 MB for an idle headless Chromium, about 390 MB PSS across its processes; published figures: about 400 MB and 0.3 CPU per session, and growth by 100–500 MB over hours). Size a host by Chromium, not by the sidecar process.',
		);
		ctx.note(
			"The simulator keeps each simulated phone's chats in this process (and rewrites its JSON store on every message); with the webjs driver that state lives in Chromium instead, so the per-session figures here slightly overstate the sidecar's own share. The session manager keeps up to 2,000 recent message events per session for send/event deduplication, which is what grows with traffic.",
		);
		ctx.note('Memory is read after two forced full garbage collections (node --expose-gc). Heap figures are exact; RSS also counts memory the allocator keeps after a peak, so RSS deltas are upper bounds. The webhook receiver runs in a separate process and is not counted.');
	},
});
