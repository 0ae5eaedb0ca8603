/**
 * The shipped CRM logging workflow (workflows/crm-logging.json) on a real n8n with
 * this package, a real PostgreSQL CRM database and the real sidecar on the
 * simulator driver (test/e2e/support/stack.ts, as the workflow e2e tests run it):
 * a phone with 100 one-to-one chats of 100 text messages each is linked, the
 * workflow imports its last 30 days through the sidecar's backfill (batches of 50),
 * and the clock stops when the 10,000th interaction row is in the CRM. Then 1,000 live
 * messages from 10 linked phones (BENCH_LIVE_MESSAGES), the queue-mode test's shape, for the
 * single-process figure beside the queue-mode one.
 *
 * BENCH_BACKFILL_CHATS and BENCH_BACKFILL_MESSAGES (per chat) change the size;
 * BENCH_N8N_NODE_OPTIONS is passed to n8n as NODE_OPTIONS (e.g. `--cpu-prof --cpu-prof-dir=<dir>`), and
 * BENCH_N8N_ENV (JSON) adds n8n settings (e.g. `{"EXECUTIONS_DATA_SAVE_ON_SUCCESS":"none"}`).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { buildStaleSync } from '../scripts/lib/build';
import { newMessageKey, seededRandom, serializeMessageId } from '../sidecar/src/drivers/simulator/ids';
import { SIMULATOR_STORE_FILE } from '../sidecar/src/drivers/simulator/simulator-session';
import type { SimStore } from '../sidecar/src/drivers/simulator/history';
import { startWorkflowStack } from '../test/e2e/support/stack';
import { check, defineBench } from './lib/harness';
import { groupCpuMs } from './lib/n8n-load';

const intFromEnv = (name: string, fallback: number) => {
	const value = Number(process.env[name]);
	return Number.isInteger(value) && value > 0 ? value : fallback;
};

const PHRASES = ['Hi, is the offer still available?', 'Thanks, I will get back to you', 'Can we move our call to Thursday?', 'Sent the documents just now', 'Olá! Qual é o preço? 😀'];

/** A phone's store: `chats` one-to-one chats with `perChat` text messages each, spread over the last 29 days. */
function phoneWithHistory(chats: number, perChat: number): { store: SimStore; ids: string[] } {
	const random = seededRandom(14);
	const now = Math.floor(Date.now() / 1000);
	const store: SimStore = { chats: {}, contacts: {} };
	const ids: string[] = [];
	for (let c = 0; c < chats; c++) {
		const chatId = `5511${String(900000000 + c * 7919).padStart(9, '0')}@c.us`;
		const name = `Customer ${c + 1}`;
		store.contacts[chatId] = { name, about: null };
		const messages = [];
		for (let m = 0; m < perChat; m++) {
			const fromMe = m % 3 === 2;
			const id = serializeMessageId(fromMe, chatId, newMessageKey(random), null);
			ids.push(id);
			messages.push({
				id,
				fromMe,
				chatId,
				author: null,
				type: 'chat',
				body: PHRASES[(c + m) % PHRASES.length],
				timestamp: now - 29 * 86400 + Math.floor(((m + 1) * 28 * 86400) / (perChat + 1)) + c,
				hasMedia: false,
				isStatus: false,
				resolvedPhoneJid: null,
				notifyName: fromMe ? null : name,
			});
		}
		store.chats[chatId] = { chatId, name, isGroup: false, resolvedPhoneJid: null, messages };
	}
	return { store, ids };
}

export default defineBench({
	title: 'CRM logging workflow: a 10,000-message backfill and 1,000 live messages into PostgreSQL',
	measures:
		'Messages logged per second by the shipped CRM logging workflow on a real n8n 2.41.1 with the shipped settings, from linking a simulated phone (100 chats × 100 text messages) until the last interaction row is in the CRM database: the sidecar\'s backfill in batches of 50, the trigger, Resolve Contact and the Postgres nodes.',
	timeoutMs: 15 * 60_000,
	async run(ctx) {
		const chats = intFromEnv('BENCH_BACKFILL_CHATS', ctx.quick ? 20 : 100);
		const perChat = intFromEnv('BENCH_BACKFILL_MESSAGES', ctx.quick ? 50 : 100);
		const total = chats * perChat;

		const probe = new Client({ host: process.env.PGHOST ?? '127.0.0.1', port: Number(process.env.PGPORT ?? 5432), user: process.env.PGUSER ?? 'postgres', database: 'postgres', connectionTimeoutMillis: 3000 });
		try {
			await probe.connect();
		} catch (err) {
			ctx.skip(`no PostgreSQL at 127.0.0.1:5432 (${err instanceof Error ? err.message : String(err)})`);
		} finally {
			await probe.end().catch(() => {});
		}

		const built = buildStaleSync(ctx.repoRoot);
		if (built.length > 0) ctx.log(`built ${built.join(', ')}`);
		ctx.log('starting n8n, the sidecar and a CRM database');
		const stack = await startWorkflowStack({
			activate: ['crm-logging.json'],
			// For a CPU profile of n8n during the import: BENCH_N8N_NODE_OPTIONS='--cpu-prof --cpu-prof-dir=/tmp/prof'.
			n8nEnv: {
				...(JSON.parse(process.env.BENCH_N8N_ENV ?? '{}') as Record<string, string>),
				...(process.env.BENCH_N8N_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_N8N_NODE_OPTIONS } : {}),
			},
		});
		ctx.onCleanup(() => stack.stop());
		const crmWorkflow = stack.workflows['crm-logging.json'].id;

		// The simulated phone's history is on disk before its session starts (the session reads it then).
		const user = randomUUID();
		const { store, ids } = phoneWithHistory(chats, perChat);
		const authDir = path.join(stack.sidecar.sessionDir, `session-${user}`);
		fs.mkdirSync(authDir, { recursive: true, mode: 0o700 });
		fs.writeFileSync(path.join(authDir, SIMULATOR_STORE_FILE), JSON.stringify(store), { mode: 0o600 });
		await stack.sidecar.call('POST', `/sessions/${user}`);

		const count = async () => Number((await stack.db.query<{ n: string }>('SELECT count(*) AS n FROM whatsapp_crm.interactions'))[0].n);
		check((await count()) === 0, 'the CRM database is not empty before the import');

		const pid = stack.n8n.pid;
		check(pid !== undefined, 'n8n has no process id');
		const cpuBefore = groupCpuMs(pid);
		const cpuSelfBefore = process.cpuUsage();
		const t0 = performance.now();
		// Linking is all a user does: the "connected" event reaches the workflow, which starts the 30-day import.
		await stack.sidecar.call('POST', `/simulator/sessions/${user}/link`, { phone: '+5511900000001' });
		let firstRowAt: number | null = null;
		let logged = 0;
		const deadline = Date.now() + 10 * 60_000;
		let lastLog = 0;
		while (logged < total && Date.now() < deadline) {
			await new Promise((resolve) => setTimeout(resolve, 200));
			logged = await count();
			if (logged > 0 && firstRowAt === null) firstRowAt = performance.now();
			if (Date.now() - lastLog > 10_000) {
				lastLog = Date.now();
				ctx.log(`${logged} of ${total} interactions after ${((performance.now() - t0) / 1000).toFixed(1)} s`);
			}
		}
		const elapsedMs = performance.now() - t0;
		const cpuMs = groupCpuMs(pid) - cpuBefore;
		const self = process.cpuUsage(cpuSelfBefore);
		check(logged === total, `${logged} of ${total} interactions logged within 10 minutes`);

		// Each message once, with its id; one contact per chat.
		const rows = await stack.db.query<{ ext_message_id: string; origin: string }>('SELECT ext_message_id, origin FROM whatsapp_crm.interactions');
		const expected = new Set(ids);
		check(rows.length === total && rows.every((r) => expected.has(r.ext_message_id) && r.origin === 'backfill'), 'the logged interactions are not the phone\'s messages, each once, as backfill');
		const contacts = Number((await stack.db.query<{ n: string }>('SELECT count(*) AS n FROM whatsapp_crm.contacts'))[0].n);
		check(contacts === chats, `${contacts} contacts for ${chats} chats`);
		const executions = await stack.n8n.listExecutions(crmWorkflow).catch(() => []);
		const failed = executions.filter((e) => e.status !== 'success').length;

		ctx.value(`${total.toLocaleString('en-US')} messages (${chats} chats × ${perChat}): link → last interaction row`, elapsedMs / 1000, 's');
		ctx.value('messages logged per second', total / (elapsedMs / 1000), 'messages/s', 'over the whole import, from linking the phone');
		if (firstRowAt !== null) ctx.value('link → first interaction row', (firstRowAt - t0) / 1000, 's', 'the connected event, the workflow starting the backfill, the first batch');
		ctx.value("CPU of n8n's process group per message", cpuMs / total, 'ms');
		ctx.value('CPU of the bench process (sidecar, PostgreSQL client) per message', (self.user + self.system) / 1000 / total, 'ms', 'the sidecar runs in the bench process; PostgreSQL itself is not counted');
		ctx.value('CRM logging executions not successful', failed, 'executions', `of ${executions.length} (one per batch of 50, plus the session events)`);
		ctx.note('The workflow runs as shipped (trigger acknowledging when the workflow has finished, delivery ledger in the CRM database); the sidecar delivers one batch of a session at a time, in order.');

		// Live messages, in the queue-mode test's shape (test/e2e/queue-mode.e2e.test.ts): 10 linked phones,
		// texts from 100 numbers, each phone's in order — one execution per message, on one n8n process.
		const live = intFromEnv('BENCH_LIVE_MESSAGES', ctx.quick ? 200 : 1000);
		const phones = Array.from({ length: 10 }, () => randomUUID());
		for (const [i, phone] of phones.entries()) {
			await stack.sidecar.call('POST', `/sessions/${phone}`);
			await stack.sidecar.call('POST', `/simulator/sessions/${phone}/link`, { phone: `+55119${String(82000000 + i).padStart(8, '0')}` });
		}
		const linked = async () =>
			Number((await stack.db.query<{ n: string }>('SELECT count(*) AS n FROM whatsapp_crm.users WHERE id = ANY ($1::uuid[]) AND whatsapp_connected', [phones]))[0].n);
		const linkDeadline = Date.now() + 120_000;
		while ((await linked()) < phones.length && Date.now() < linkDeadline) await new Promise((resolve) => setTimeout(resolve, 200));
		check((await linked()) === phones.length, 'the 10 phones were not all linked within 2 minutes');
		const before = await count();
		const liveCpuBefore = groupCpuMs(pid);
		const t1 = performance.now();
		await Promise.all(
			phones.map(async (phone, p) => {
				for (let i = p; i < live; i += phones.length) {
					await stack.sidecar.call('POST', `/simulator/sessions/${phone}/inbound`, { from: `+55119${String(81000000 + (i % 100)).padStart(8, '0')}`, text: `live ${i}` });
				}
			}),
		);
		const liveDeadline = Date.now() + 10 * 60_000;
		while ((await count()) < before + live && Date.now() < liveDeadline) await new Promise((resolve) => setTimeout(resolve, 200));
		const liveMs = performance.now() - t1;
		check((await count()) === before + live, `${(await count()) - before} of ${live} live messages logged within 10 minutes`);
		ctx.value(`${live.toLocaleString('en-US')} live messages from 10 phones and 100 numbers: sent → all logged`, liveMs / 1000, 's');
		ctx.value('live messages logged per second', live / (liveMs / 1000), 'messages/s', 'one execution per message; compare with the queue-mode test\'s figure (deploy/README.md)');
		ctx.value("CPU of n8n's process group per live message", (groupCpuMs(pid) - liveCpuBefore) / live, 'ms');
	},
});
