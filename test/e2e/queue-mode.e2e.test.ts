/**
 * The product on n8n's queue mode, on this machine without containers
 * (test/support/n8n/queue-mode.ts: one main process, two `n8n webhook`
 * processes behind a round-robin load balancer, two `n8n worker` processes,
 * Redis, n8n's database on PostgreSQL), with the shipped CRM logging workflow
 * (trigger version 2, the CRM Postgres credential = the durable delivery
 * ledger, acknowledging when the workflow has finished) and two real sidecars
 * on the simulator driver sharing the sessions (the credential lists both;
 * each session lives on its owner, core/sidecar-api/session-owner.ts), their
 * WEBHOOK_URL pointing at the load balancer — deploy/docker-compose.queue.yml's
 * topology.
 *
 * What a user notices is asserted: the CRM's rows (every message logged once,
 * one contact per number) and n8n's executions (which worker ran them, none
 * started by a replayed delivery). Every wait waits for the state it names.
 *
 * WHATSAPP_CRM_QUEUE_MESSAGES sets how many live messages the first scenario
 * sends (default 1,000; each crash scenario sends a tenth as many, at least
 * 50); WHATSAPP_CRM_QUEUE_BACKFILL_CHATS the chats of the phone whose history
 * is imported (default 33: about 5,500 messages). The throughputs are printed
 * at the end ("[queue mode] …") and recorded in deploy/README.md.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { N8nClient } from '../../scripts/lib/n8n-client';
import { triggerOutputItems } from '../support/n8n';
import { TOPOLOGY } from '../../scripts/lib/queue-mode';
import { startQueueModeN8n, FAST_STALL_DETECTION, type QueueModeN8n } from '../support/n8n/queue-mode';
import { formPathOf, readWorkflow, TEMPLATE_CREDENTIALS, TRIGGER_TYPE, webhookIdOf, withCredentialIds, type WorkflowFile } from '../support/workflow-files';
import { createCrmDatabase, type CrmDatabase } from './support/crm-database';
import { formEndingPage, submitForm } from './support/forms';
import { runWorkflowNow, waitForForm } from './support/stack';
import { sessionOwner, sidecarUrlList } from '../../core/sidecar-api/session-owner';
import { startSimulatorSidecar, type RunningSidecar } from './support/sidecar';
import { waitFor } from './support/wait';

jest.setTimeout(15 * 60_000);

const MESSAGES = Number(process.env.WHATSAPP_CRM_QUEUE_MESSAGES ?? 1000);
/** Messages of each crash scenario. */
const CRASH_MESSAGES = Math.max(50, Math.round(MESSAGES / 10));
const SESSIONS = 10;
const NUMBERS = 100;
/** 1:1 chats of history on the phone linked in the import scenario (WHATSAPP_CRM_QUEUE_BACKFILL_CHATS): 33 chats × 30 days ≈ 5,500 texts. */
const BACKFILL_CHATS = Number(process.env.WHATSAPP_CRM_QUEUE_BACKFILL_CHATS ?? 33);
/** The import scenario's size the issue asks for, when run at the default size. */
const BACKFILL_AT_LEAST = process.env.WHATSAPP_CRM_QUEUE_BACKFILL_CHATS === undefined ? 5000 : BACKFILL_CHATS;

let q: QueueModeN8n;
let db: CrmDatabase;
/** The two sidecars, in the order the credential lists them. */
let sidecars: RunningSidecar[] = [];
/** The sidecar that holds a session: its owner, as the nodes find it. */
function sidecarOf(sessionId: string): RunningSidecar {
	const urls = sidecarUrlList(sidecars.map((s) => s.url)).urls;
	return sidecars[urls.indexOf(sessionOwner(sessionId, urls))]!;
}
let workflowId: string;
let triggerPath: string;
let credentials: { whatsAppSidecarApi: string; postgres: string };
/** The linked users: as many on each sidecar (chosen once the sidecars' URLs are known). */
const sessions: string[] = [];
const numbers = Array.from({ length: NUMBERS }, (_, i) => `+55119${String(81000000 + i).padStart(8, '0')}`);
const timings: string[] = [];
/** The numbers that have written so far. */
const numbersUsed = new Set<string>();
/** The session (so the sidecar) each sent message went through. */
const sessionOfMessage = new Map<string, string>();

beforeAll(async () => {
	const started = Date.now();
	db = await createCrmDatabase('whatsapp_crm_queue_e2e');
	try {
		q = await startQueueModeN8n({ env: FAST_STALL_DETECTION });
		const crmLogging = readWorkflow('crm-logging.json');
		triggerPath = `${webhookIdOf(crmLogging, TRIGGER_TYPE)}/webhook`;
		const secrets = { webhookSecret: `queue-webhook-secret-${randomBytes(8).toString('hex')}`, apiKey: `queue-api-key-${randomBytes(8).toString('hex')}` };
		for (let i = 0; i < TOPOLOGY.sidecars; i++) sidecars.push(await startSimulatorSidecar({ webhookUrl: q.webhookUrl(triggerPath), ...secrets }));
		while (sessions.length < SESSIONS) {
			const id = randomUUID();
			if (sessions.filter((s) => sidecarOf(s) === sidecarOf(id)).length < SESSIONS / TOPOLOGY.sidecars) sessions.push(id);
		}
		credentials = {
			whatsAppSidecarApi: await q.main.createCredential('whatsAppSidecarApi', TEMPLATE_CREDENTIALS.whatsAppSidecarApi, {
				baseUrl: sidecars[0]!.url,
				additionalBaseUrls: sidecars.slice(1).map((sidecar) => sidecar.url).join('\n'),
				apiKey: secrets.apiKey,
				webhookSecret: secrets.webhookSecret,
				toleranceSeconds: 300,
			}),
			postgres: await q.main.createCredential('postgres', TEMPLATE_CREDENTIALS.postgres, { ...db.settings, ssl: 'disable' }),
		};
		workflowId = await q.main.importWorkflow(withCredentialIds(crmLogging, credentials));
		await q.main.activate(workflowId);
		// Activated on the main process; each webhook process finds the webhook in n8n's database.
		for (const webhook of q.webhooks) await new N8nClient({ baseUrl: webhook.baseUrl }).waitForWebhook(triggerPath, { method: 'POST', timeoutMs: 60_000 });

		// Users link their phones: the "connected" events run on the workers (the import step calls the sidecar).
		await Promise.all(
			sessions.map(async (id, i) => {
				await sidecarOf(id).call('POST', `/sessions/${id}`);
				await sidecarOf(id).call('POST', `/simulator/sessions/${id}/link`, { phone: `+55119${String(82000000 + i).padStart(8, '0')}` });
			}),
		);
		await waitFor(
			'every user to be connected in the CRM',
			async () => {
				const [row] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM whatsapp_crm.users WHERE id = ANY ($1::uuid[]) AND whatsapp_connected', [sessions]);
				return row!.n === SESSIONS ? true : undefined;
			},
			180_000,
			500,
		);
	} catch (error) {
		const state = await diagnose().catch((e: Error) => `(no diagnosis: ${e.message})`);
		await stopAll();
		throw new Error(`${(error as Error).message}\n${state}`);
	}
	timings.push(`start-up (1 main, ${q.webhooks.length} webhook, ${q.workers.length} worker processes, ${SESSIONS} sessions linked): ${((Date.now() - started) / 1000).toFixed(1)} s`);
}, 600_000);

/** What the stack was doing, for a failure's message: the users, the outbox, n8n's executions, the processes' last lines. */
async function diagnose(): Promise<string> {
	const lines: string[] = [];
	if (db) lines.push(`users: ${JSON.stringify(await db.query("SELECT whatsapp_connected, whatsapp_last_state, count(*)::int AS n FROM whatsapp_crm.users GROUP BY 1, 2"))}`);
	if (db) lines.push(`ledger: ${JSON.stringify(await db.query('SELECT state, attempts, count(*)::int AS n FROM whatsapp_crm.webhook_deliveries GROUP BY 1, 2 ORDER BY 1, 2'))}`);
	if (db) lines.push(`failed events: ${JSON.stringify(await db.query('SELECT event_type, left(reason, 300) AS reason FROM whatsapp_crm.failed_events LIMIT 5'))}`);
	for (const [i, sidecar] of sidecars.entries()) {
		lines.push(`sidecar ${i + 1} outbox: ${JSON.stringify(sidecar.sidecar.outbox.stats())}`);
		lines.push(`sidecar ${i + 1} warnings: ${sidecar.logs().filter((l) => /"level":"(warn|error)"/.test(l)).slice(-15).join('\n')}`);
	}
	if (q && workflowId) {
		const executions = await q.main.api<{ data: Array<{ id: string; status: string }> }>('GET', `/executions?workflowId=${workflowId}&limit=250`);
		const statuses: Record<string, number> = {};
		for (const e of executions.data) statuses[e.status] = (statuses[e.status] ?? 0) + 1;
		lines.push(`executions: ${JSON.stringify(statuses)}`);
		const failed = executions.data.find((e) => e.status === 'error' || e.status === 'crashed');
		if (failed) {
			const detail = await q.main.getExecution(failed.id);
			lines.push(`a failed execution: ${JSON.stringify(detail).slice(0, 1500)}`);
		}
	}
	for (const p of q ? [...q.webhooks, ...q.workers] : []) lines.push(`--- ${p.name} ---\n${p.logs().split('\n').filter((l) => !/^(Worker (started|finished)|Enqueued|Execution \d+ \(job)/.test(l)).slice(-15).join('\n')}`);
	return lines.join('\n');
}

async function stopAll(): Promise<void> {
	for (const sidecar of sidecars) await sidecar.stop().catch(() => {});
	await q?.stop().catch(() => {});
	await db?.drop().catch(() => {});
}

afterAll(async () => {
	await stopAll();
	if (timings.length > 0) process.stdout.write(`[queue mode] ${timings.join('\n[queue mode] ')}\n`);
});

afterEach(() => {
	for (const p of [...q.webhooks, ...q.workers]) expect({ process: p.name, fatal: /FATAL|unhandled rejection/i.test(p.logs()) }).toEqual({ process: p.name, fatal: false });
});

/** `count` inbound texts, spread over the sessions and the 100 numbers; each session's texts in order. Returns the message ids. */
async function sendInbound(count: number, tag: string): Promise<string[]> {
	const perSession = sessions.map(() => [] as number[]);
	for (let i = 0; i < count; i++) perSession[i % SESSIONS]!.push(i);
	const ids = await Promise.all(
		sessions.map(async (sessionId, s) => {
			const mine: string[] = [];
			for (const i of perSession[s]!) {
				const from = numbers[i % NUMBERS]!;
				numbersUsed.add(from);
				const answer = await sidecarOf(sessionId).call<{ messageId: string }>('POST', `/simulator/sessions/${sessionId}/inbound`, {
					from,
					text: `${tag} ${i}`,
				});
				mine.push(answer.messageId);
				sessionOfMessage.set(answer.messageId, sessionId);
			}
			return mine;
		}),
	);
	return ids.flat();
}

/** Per message id, how many interactions the CRM holds. */
async function interactionCounts(ids: string[]): Promise<Map<string, number>> {
	const rows = await db.query<{ ext_message_id: string; n: number }>(
		'SELECT ext_message_id, count(*)::int AS n FROM whatsapp_crm.interactions WHERE ext_message_id = ANY ($1::text[]) GROUP BY ext_message_id',
		[ids],
	);
	return new Map(rows.map((r) => [r.ext_message_id, r.n]));
}

async function waitUntilLogged(ids: string[], what: string, timeoutMs = 10 * 60_000): Promise<void> {
	try {
		await waitFor(what, async () => ((await interactionCounts(ids)).size === ids.length ? true : undefined), timeoutMs, 500);
	} catch (error) {
		throw new Error(`${(error as Error).message} (${(await interactionCounts(ids)).size} of ${ids.length} logged)\n${await diagnose()}`);
	}
}

/** Each message logged exactly once, and one contact per number (never two for one). */
async function expectLoggedExactlyOnce(ids: string[]): Promise<void> {
	const counts = await interactionCounts(ids);
	const notOnce = ids.filter((id) => counts.get(id) !== 1).map((id) => `${id}: ${counts.get(id) ?? 0}`);
	expect({ logged: counts.size, notExactlyOnce: notOnce.slice(0, 5) }).toEqual({ logged: ids.length, notExactlyOnce: [] });
	const [contacts] = await db.query<{ numbers: number; contacts: number }>(
		'SELECT count(DISTINCT whatsapp_phone)::int AS numbers, count(*)::int AS contacts FROM whatsapp_crm.contacts WHERE whatsapp_phone = ANY ($1::text[])',
		[[...numbersUsed]],
	);
	expect(contacts).toEqual({ numbers: numbersUsed.size, contacts: numbersUsed.size });
}

/** Waits until neither the sidecars' outboxes nor n8n have anything left to do for the workflow. */
async function waitUntilSettled(): Promise<void> {
	let quiet = 0;
	await waitFor(
		'the sidecar outbox to drain and every execution to finish',
		async () => {
			const pending = sidecars.reduce((sum, sidecar) => sum + sidecar.sidecar.outbox.stats().pending, 0);
			const running = (await q.main.listRunningExecutions(workflowId)).length;
			quiet = pending === 0 && running === 0 ? quiet + 1 : 0;
			return quiet >= 2 ? true : undefined;
		},
		5 * 60_000,
		500,
	);
}

test(`${MESSAGES} signed sidecar events from ${NUMBERS} numbers through the load balancer: every message logged exactly once, executions on both workers, deliveries on both webhook processes`, async () => {
	const executionsBefore = new Set((await q.main.listExecutions(workflowId)).map((e) => String(e.id)));
	const started = Date.now();
	const ids = await sendInbound(MESSAGES, 'queue');
	await waitUntilLogged(ids, `all ${MESSAGES} messages to be logged`);
	const seconds = (Date.now() - started) / 1000;
	timings.push(`${MESSAGES} live messages, sent → all logged: ${seconds.toFixed(1)} s (${(MESSAGES / seconds).toFixed(1)} messages/s)`);
	await waitUntilSettled();

	await expectLoggedExactlyOnce(ids);

	// One successful execution per message (the sessions' own events run too: left out), each run by one of the two workers.
	const executions = (await q.main.listExecutions(workflowId)).filter((e) => !executionsBefore.has(String(e.id)));
	const sent = new Set(ids);
	const runsOf = new Map<string, Array<{ id: string; status: string }>>();
	for (const execution of executions) {
		for (const item of triggerOutputItems(execution)) {
			const messageId = (item as { message?: { messageId?: string } }).message?.messageId;
			if (messageId && sent.has(messageId)) runsOf.set(messageId, [...(runsOf.get(messageId) ?? []), { id: String(execution.id), status: String(execution.status) }]);
		}
	}
	const notOnce = ids.filter((id) => runsOf.get(id)?.length !== 1 || runsOf.get(id)![0]!.status !== 'success');
	expect({ messagesWithOneSuccessfulRun: ids.length - notOnce.length, others: notOnce.slice(0, 3).map((id) => runsOf.get(id) ?? []) }).toEqual({
		messagesWithOneSuccessfulRun: MESSAGES,
		others: [],
	});
	const [first, second] = q.workers.map((w) => new Set(w.startedExecutions()));
	const byWorker = [...runsOf.values()].map(([run]) => (first!.has(run!.id) ? 'worker-1' : second!.has(run!.id) ? 'worker-2' : 'unknown'));
	const tally = Object.fromEntries(['worker-1', 'worker-2', 'unknown'].map((w) => [w, byWorker.filter((b) => b === w).length]));
	timings.push(`executions per worker: ${JSON.stringify(tally)}; answers per webhook process: ${q.webhooks.map((w) => `${w.name} ${q.balancer.answersBy(w.baseUrl)}`).join(', ')}`);
	expect(tally.unknown).toBe(0);
	expect(tally['worker-1']).toBeGreaterThan(0);
	expect(tally['worker-2']).toBeGreaterThan(0);
	for (const webhook of q.webhooks) expect({ process: webhook.name, answered: q.balancer.answersBy(webhook.baseUrl) > 0 }).toEqual({ process: webhook.name, answered: true });
	// Each sidecar holds half the sessions and delivered their messages (all logged once, above).
	for (const [i, sidecar] of sidecars.entries()) {
		const held = (await sidecar.call<{ sessions: Array<{ sessionId: string }> }>('GET', '/sessions')).sessions.map((x) => x.sessionId);
		const delivered = ids.filter((id) => sidecarOf(sessionOfMessage.get(id)!) === sidecar).length;
		expect({ sidecar: i + 1, holdsItsSessions: sessions.filter((id) => sidecarOf(id) === sidecar).every((id) => held.includes(id)), delivered: delivered > 0 }).toEqual({
			sidecar: i + 1,
			holdsItsSessions: true,
			delivered: true,
		});
	}
});

test('the same signed delivery replayed to each webhook process directly starts no second execution (the delivery ledger)', async () => {
	// The newest delivery the load balancer forwarded that n8n ran through: still within the signature's tolerance.
	const delivery = [...q.balancer.forwarded].reverse().find((d) => d.method === 'POST' && d.status === 200 && d.headers['x-webhook-id']?.startsWith('sidecar:msg:'));
	expect(delivery).toBeDefined();
	const messageId = (JSON.parse(delivery!.body.toString('utf8')) as { message: { messageId: string } }).message.messageId;
	const before = await q.main.countExecutions(workflowId);

	for (const webhook of q.webhooks) {
		const res = await fetch(`${webhook.baseUrl}${delivery!.path}`, { method: 'POST', headers: delivery!.headers, body: delivery!.body });
		const body = (await res.json()) as Record<string, unknown>;
		expect({ process: webhook.name, status: res.status, body }).toEqual({
			process: webhook.name,
			status: 200,
			body: expect.objectContaining({ ok: true, received: 1, emitted: 0, duplicates: 1 }),
		});
	}
	await q.main.expectNoNewExecutions(workflowId, before, 3000);
	expect((await interactionCounts([messageId])).get(messageId)).toBe(1);
});

test(`a phone linked with ${BACKFILL_CHATS} chats of history: the 30-day import (the Backfill node on a worker calling the sidecar, batches of 50 back through the load balancer) logs every 1:1 text once`, async () => {
	const sessionId = randomUUID();
	await sidecarOf(sessionId).call('POST', `/sessions/${sessionId}`);
	const seeded = await sidecarOf(sessionId).call<{ directTextMessageIds: string[]; contacts: string[] }>('POST', `/simulator/sessions/${sessionId}/history`, {
		days: 30,
		directChats: BACKFILL_CHATS,
		groups: 0,
		messagesPerDay: 10,
		seed: 17,
		media: false,
		status: false,
		lid: false,
	});
	const expected = seeded.directTextMessageIds;
	expect(expected.length).toBeGreaterThanOrEqual(BACKFILL_AT_LEAST);
	const started = Date.now();
	await sidecarOf(sessionId).call('POST', `/simulator/sessions/${sessionId}/link`, { phone: '+5511983999999' });
	await waitUntilLogged(expected, `the ${expected.length} messages of the import to be logged`);
	const seconds = (Date.now() - started) / 1000;
	timings.push(`import of ${expected.length} history messages, link → all logged: ${seconds.toFixed(1)} s (${(expected.length / seconds).toFixed(1)} messages/s)`);
	await waitUntilSettled();

	const counts = await interactionCounts(expected);
	expect({ logged: counts.size, notOnce: expected.filter((id) => counts.get(id) !== 1).length }).toEqual({ logged: expected.length, notOnce: 0 });
	const phones = seeded.contacts.map((jid) => `+${jid.replace(/@.*$/, '')}`);
	const [contacts] = await db.query<{ numbers: number; contacts: number }>(
		'SELECT count(DISTINCT whatsapp_phone)::int AS numbers, count(*)::int AS contacts FROM whatsapp_crm.contacts WHERE whatsapp_phone = ANY ($1::text[])',
		[phones],
	);
	expect(contacts).toEqual({ numbers: phones.length, contacts: phones.length });
	const [origins] = await db.query<{ backfill: number }>("SELECT count(*)::int AS backfill FROM whatsapp_crm.interactions WHERE ext_message_id = ANY ($1::text[]) AND origin = 'backfill'", [expected]);
	expect(origins!.backfill).toBe(expected.length);
});

test('the Connect (QR code), Sync and Disconnect forms through the load balancer, and the nightly health check run by hand: each works wherever its steps run', async () => {
	const files: WorkflowFile[] = ['connect-whatsapp.json', 'sync-messages.json', 'disconnect-whatsapp.json', 'session-health-nightly.json'];
	const ids = {} as Record<WorkflowFile, string>;
	for (const file of files) ids[file] = await q.main.importWorkflow(withCredentialIds(readWorkflow(file), credentials));
	const viaBalancer = { baseUrl: q.balancer.url };
	const form = (file: WorkflowFile) => formPathOf(readWorkflow(file));
	for (const file of files.slice(0, 3)) {
		await q.main.activate(ids[file]);
		// Served by each webhook process (the balancer alternates): asked twice.
		for (let i = 0; i < q.webhooks.length; i++) await waitForForm(viaBalancer, form(file), 60_000);
	}
	const userRow = async (id: string) =>
		(await db.query<{ whatsapp_connected: boolean; whatsapp_last_state: string | null; whatsapp_phone: string | null }>(
			'SELECT whatsapp_connected, whatsapp_last_state, whatsapp_phone FROM whatsapp_crm.users WHERE id = $1',
			[id],
		))[0];
	const interactionsOf = async (id: string) =>
		(await db.query<{ n: number }>('SELECT count(*)::int AS n FROM whatsapp_crm.interactions WHERE session_id = $1', [id]))[0]!.n;

	// Connect: the form page on one webhook process, the run on a worker, the QR code page from a webhook process.
	const dana = randomUUID();
	const connect = await formEndingPage(await submitForm(q.balancer.url, form('connect-whatsapp.json'), [dana, 'dana@example.com']), 60_000);
	expect(connect.status).toBe(200);
	expect(connect.html).toMatch(/<img class="qr" src="data:image\/png;base64,[A-Za-z0-9+/]+=*"/);
	expect(await userRow(dana)).toMatchObject({ whatsapp_connected: false, whatsapp_last_state: 'qr' });
	const seeded = await sidecarOf(dana).call<{ directTextMessageIds: string[] }>('POST', `/simulator/sessions/${dana}/history`, {
		days: 30,
		directChats: 3,
		groups: 0,
		messagesPerDay: 3,
		seed: 23,
		media: false,
		status: false,
		lid: false,
	});
	await sidecarOf(dana).call('POST', `/simulator/sessions/${dana}/link`, { phone: '+5511983888888' });
	await waitUntilLogged(seeded.directTextMessageIds, "the import started by Dana's link to be logged");
	await waitUntilSettled();
	expect(await userRow(dana)).toMatchObject({ whatsapp_connected: true, whatsapp_phone: '+5511983888888', whatsapp_last_state: 'connected' });
	const logged = await interactionsOf(dana);
	expect(logged).toBe(seeded.directTextMessageIds.length);

	// Sync: the same import again, through the form; nothing is logged twice.
	const sync = await formEndingPage(await submitForm(q.balancer.url, form('sync-messages.json'), [dana, 30]), 60_000);
	expect(sync.html).toContain('Import started');
	const jobId = /Job (\S+)<\/p>/.exec(sync.html)?.[1];
	expect(jobId).toBeDefined();
	const job = await waitFor(
		'the re-import to finish',
		async () => {
			const state = await sidecarOf(dana).call<{ state: string; messagesSent: number }>('GET', `/backfill/${jobId}`);
			return state.state === 'completed' || state.state === 'failed' ? state : undefined;
		},
		120_000,
	);
	expect(job).toMatchObject({ state: 'completed', messagesSent: seeded.directTextMessageIds.length });
	await waitUntilSettled();
	await expectLoggedExactlyOnce(seeded.directTextMessageIds);
	expect(await interactionsOf(dana)).toBe(logged);

	// The nightly health check, run by hand from the editor (the main process starts it; it runs where n8n puts it).
	// Erik: connected as far as the CRM knows, unknown to the sidecar. Dana and the ten linked users are fine.
	const erik = randomUUID();
	await db.query("INSERT INTO whatsapp_crm.users (id, email, name, whatsapp_connected, whatsapp_phone) VALUES ($1, 'erik@example.com', 'Erik', true, '+5511900000009')", [erik]);
	const health = await runWorkflowNow(q.main, ids['session-health-nightly.json'], 'Run the check now', 120_000);
	expect(health.status).toBe('success');
	expect(await userRow(erik)).toMatchObject({ whatsapp_connected: false, whatsapp_last_state: 'unknown_session' });
	expect(await userRow(dana)).toMatchObject({ whatsapp_connected: true, whatsapp_last_state: 'connected' });
	const [linkedStill] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM whatsapp_crm.users WHERE id = ANY ($1::uuid[]) AND whatsapp_connected', [sessions]);
	expect(linkedStill!.n).toBe(SESSIONS);
	const notifications = await db.query<{ user_id: string; kind: string }>("SELECT user_id::text, kind FROM whatsapp_crm.notifications WHERE resolved_at IS NULL AND kind = 'whatsapp_reauth'");
	expect(notifications).toEqual([{ user_id: erik, kind: 'whatsapp_reauth' }]);

	// Disconnect: the session and its auth data are gone; the contacts and interactions stay.
	const disconnect = await formEndingPage(await submitForm(q.balancer.url, form('disconnect-whatsapp.json'), [dana]), 60_000);
	expect(disconnect.html).toContain('Your WhatsApp is disconnected');
	for (const sidecar of sidecars) expect((await sidecar.api('GET', `/sessions/${dana}`)).status).toBe(404);
	expect(await userRow(dana)).toMatchObject({ whatsapp_connected: false, whatsapp_phone: null, whatsapp_last_state: 'unlinked' });
	await waitUntilSettled();
	expect(await interactionsOf(dana)).toBe(logged);
	for (const file of files.slice(0, 3)) await q.main.deactivate(ids[file]);
});

test('a worker killed with SIGKILL mid-stream loses nothing: its jobs are found stalled, the sidecar delivers them again, the other worker runs them — each message logged once', async () => {
	const victim = q.workers[0]!;
	const survivor = q.workers[1]!;
	const count = CRASH_MESSAGES;
	const victimBefore = victim.startedExecutions().length;
	const survivorBefore = survivor.startedExecutions().length;
	const sending = sendInbound(count, 'crash');

	// Mid-stream: once the victim has started some of this stream's executions.
	await waitFor('the worker to be running executions of the stream', async () => (victim.startedExecutions().length >= victimBefore + 3 ? true : undefined), 5 * 60_000, 100);
	await victim.kill();
	const ids = await sending;

	await waitUntilLogged(ids, `all ${count} messages to be logged after the worker was killed`);
	await waitUntilSettled();
	await expectLoggedExactlyOnce(ids);
	expect(survivor.startedExecutions().length).toBeGreaterThan(survivorBefore);

	// The worker comes back and takes jobs again.
	await victim.start();
	const afterRestart = victim.startedExecutions().length;
	const more = await sendInbound(SESSIONS * 2, 'after restart');
	await waitUntilLogged(more, 'the messages sent after the worker came back to be logged');
	await waitUntilSettled();
	await expectLoggedExactlyOnce(more);
	timings.push(`worker crash: ${count} messages, ${victim.startedExecutions().length - afterRestart} of ${more.length} later ones run by the restarted worker`);
});

test('a webhook process killed with SIGKILL mid-stream loses nothing: the load balancer sends to the other one, the sidecar delivers again what the dead one held — each message logged once', async () => {
	const victim = q.webhooks[1]!;
	const survivor = q.webhooks[0]!;
	const count = CRASH_MESSAGES;
	const answersBefore = q.balancer.answersBy(victim.baseUrl);
	const sending = sendInbound(count, 'webhook crash');

	await waitFor('the webhook process to be taking deliveries of the stream', async () => (q.balancer.answersBy(victim.baseUrl) >= answersBefore + 3 ? true : undefined), 5 * 60_000, 100);
	await victim.kill();
	const ids = await sending;

	await waitUntilLogged(ids, `all ${count} messages to be logged after the webhook process was killed`);
	await waitUntilSettled();
	await expectLoggedExactlyOnce(ids);

	// It comes back, finds the trigger's webhook in n8n's database and takes deliveries again.
	await victim.start();
	await new N8nClient({ baseUrl: victim.baseUrl }).waitForWebhook(triggerPath, { method: 'POST', timeoutMs: 60_000 });
	const afterRestart = q.balancer.answersBy(victim.baseUrl);
	const more = await sendInbound(SESSIONS * 2, 'after webhook restart');
	await waitUntilLogged(more, 'the messages sent after the webhook process came back to be logged');
	await waitUntilSettled();
	await expectLoggedExactlyOnce(more);
	expect(q.balancer.answersBy(victim.baseUrl)).toBeGreaterThan(afterRestart);
	expect(q.balancer.answersBy(survivor.baseUrl)).toBeGreaterThan(0);
});
