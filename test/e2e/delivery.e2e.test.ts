/**
 * The delivery contract of the WhatsApp CRM Trigger (version 2) on a real n8n,
 * with the delivery ledger in a real CRM database: an event is acknowledged
 * only when its workflow has finished successfully; a delivery seen before —
 * the same captured request, a fresh redelivery, after an n8n restart or a
 * crash — never runs the downstream step twice; a failed run is run again when
 * the event comes back, and an event that keeps failing is set aside in the
 * failed-events list, where an admin sees it.
 *
 * The downstream step is an HTTP Request to a sink in this test (a stand-in
 * for a reply or a notification): what it receives is what a user would see.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PACKAGE_NAME, startN8n, type N8nInstance, type WorkflowJson } from '../support/n8n';
import { messageEvent, signedDelivery, SESSION_ID, type Delivery } from '../support/sidecar-deliveries';
import { createCrmDatabase, type CrmDatabase } from './support/crm-database';

const SECRET = 'e2e-delivery-webhook-secret-0123456789';
const HOOK = '9d4c2e71-5b3a-4f8e-a1c6-3e7b9d2f4a60';
const TRIGGER_NODE_ID = 'trigger-delivery';

/** The downstream step's other end: counts calls per event, fails or stalls on request. */
interface Sink {
	url: string;
	calls: Map<string, number>;
	close(): Promise<void>;
}

async function startSink(): Promise<Sink> {
	const calls = new Map<string, number>();
	const server: Server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const { eventId, text } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { eventId: string; text: string };
			calls.set(eventId, (calls.get(eventId) ?? 0) + 1);
			if (text === 'fail') {
				res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"the notification service is down"}');
				return;
			}
			const answer = () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
			if (text.startsWith('slow')) setTimeout(answer, 4000);
			else answer();
		});
	});
	server.listen(0, '127.0.0.1');
	await new Promise((resolve) => server.once('listening', resolve));
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify`,
		calls,
		close: () => new Promise((resolve) => server.close(() => resolve())),
	};
}

function deliveryWorkflow(sinkUrl: string, credentials: { sidecar: string; postgres: string }): WorkflowJson {
	return {
		name: 'Delivery contract',
		nodes: [
			{
				id: TRIGGER_NODE_ID,
				name: 'WhatsApp events',
				type: `${PACKAGE_NAME}.whatsAppCrmTrigger`,
				typeVersion: 2,
				position: [0, 0],
				webhookId: HOOK,
				parameters: { source: 'sidecar', events: ['inbound'], options: { giveUpAfterFailedRuns: 2 } },
				credentials: {
					whatsAppSidecarApi: { id: credentials.sidecar, name: 'Sidecar' },
					postgres: { id: credentials.postgres, name: 'CRM' },
				},
			},
			{
				id: 'notify',
				name: 'Notify',
				type: 'n8n-nodes-base.httpRequest',
				typeVersion: 4.2,
				position: [260, 0],
				parameters: {
					method: 'POST',
					url: sinkUrl,
					sendBody: true,
					specifyBody: 'json',
					jsonBody: '={{ JSON.stringify({ eventId: $json.eventId, text: $json.message.text }) }}',
					options: {},
				},
			},
		],
		connections: { 'WhatsApp events': { main: [[{ node: 'Notify', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

describe('the delivery contract on a real n8n (trigger version 2, ledger in the CRM database)', () => {
	let n8n: N8nInstance;
	let db: CrmDatabase;
	let sink: Sink;
	let workflowId: string;
	let scope: string;

	const post = async (delivery: Delivery, timeoutMs = 60_000) => {
		const res = await fetch(n8n.webhookUrl(`${HOOK}/webhook`), {
			method: 'POST',
			headers: delivery.headers,
			body: delivery.body,
			signal: AbortSignal.timeout(timeoutMs),
		});
		const text = await res.text();
		return { status: res.status, retryAfter: res.headers.get('retry-after'), body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
	};
	const ledgerRow = async (eventId: string) =>
		(await db.query<{ state: string; attempts: number }>('SELECT state, attempts FROM whatsapp_crm.webhook_deliveries WHERE scope = $1 AND delivery_key = $2', [scope, eventId]))[0];
	const waitForLedgerState = async (eventId: string, state: string) => {
		for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
			if ((await ledgerRow(eventId))?.state === state) return;
			await new Promise((resolve) => setTimeout(resolve, 200));
		}
		throw new Error(`the ledger never recorded ${eventId} as ${state} (now: ${JSON.stringify(await ledgerRow(eventId))})`);
	};

	beforeAll(async () => {
		db = await createCrmDatabase();
		sink = await startSink();
		n8n = await startN8n();
		const sidecar = await n8n.createCredential('whatsAppSidecarApi', 'Sidecar', {
			baseUrl: 'http://127.0.0.1:9',
			apiKey: 'unused-in-this-test',
			webhookSecret: SECRET,
			toleranceSeconds: 300,
		});
		const postgres = await n8n.createCredential('postgres', 'CRM', { ...db.settings, ssl: 'disable', sshTunnel: false });
		workflowId = await n8n.importWorkflow(deliveryWorkflow(sink.url, { sidecar, postgres }));
		scope = `${workflowId}:${TRIGGER_NODE_ID}`;
		await n8n.activate(workflowId);
		await n8n.waitForWebhook(`${HOOK}/webhook`, 'POST');
	});

	afterAll(async () => {
		await n8n?.stop();
		await sink?.close();
		await db?.drop();
	});

	it('answers 200 only once the workflow has run, and never runs the step again for the same event', async () => {
		const event = messageEvent({ text: 'Olá' });
		const captured = signedDelivery(event, SECRET);
		const first = await post(captured);
		expect(first.status).toBe(200);
		// The answer came after the run: the step has already been called.
		expect(sink.calls.get(event.eventId)).toBe(1);
		expect(await ledgerRow(event.eventId)).toMatchObject({ state: 'done', attempts: 1 });

		const executions = await n8n.countExecutions(workflowId);
		// The captured request re-sent, and a fresh redelivery (as the sidecar's outbox sends one).
		const replay = await post(captured);
		expect(replay).toMatchObject({ status: 200, body: { ok: true, emitted: 0, duplicates: 1 } });
		const redelivery = await post(signedDelivery(event, SECRET));
		expect(redelivery).toMatchObject({ status: 200, body: { emitted: 0, duplicates: 1 } });
		await n8n.expectNoNewExecutions(workflowId, executions);
		expect(sink.calls.get(event.eventId)).toBe(1);
	});

	it('answers 500 when the run fails, runs the event again when it comes back, and sets it aside after too many failures', async () => {
		await db.query("INSERT INTO whatsapp_crm.users (id, email) VALUES ($1, 'maria@example.com') ON CONFLICT DO NOTHING", [SESSION_ID]);
		const event = messageEvent({ text: 'fail' });
		for (const attempt of [1, 2]) {
			const answer = await post(signedDelivery(event, SECRET));
			expect(answer.status).toBe(500);
			expect(await ledgerRow(event.eventId)).toMatchObject({ state: 'failed', attempts: attempt });
			expect(sink.calls.get(event.eventId)).toBe(attempt);
		}
		// Two failed runs (the node's "Give Up After" option): the third delivery is set aside and acknowledged.
		const third = await post(signedDelivery(event, SECRET));
		expect(third).toMatchObject({ status: 200, body: { emitted: 0, setAside: 1 } });
		expect(sink.calls.get(event.eventId)).toBe(2);
		const [failed] = await db.query<{ event_id: string; attempts: number; payload: { message: { text: string } }; resolved_at: Date | null }>(
			'SELECT event_id, attempts, payload, resolved_at FROM whatsapp_crm.failed_events WHERE delivery_key = $1',
			[event.eventId],
		);
		expect(failed).toMatchObject({ event_id: event.eventId, attempts: 2, resolved_at: null });
		expect(failed.payload.message.text).toBe('fail');
		const notifications = await db.query('SELECT kind FROM whatsapp_crm.notifications WHERE user_id = $1 AND resolved_at IS NULL', [SESSION_ID]);
		expect(notifications).toEqual([{ kind: 'whatsapp_failed_events' }]);
		// A later delivery of the set-aside event starts nothing.
		const later = await post(signedDelivery(event, SECRET));
		expect(later).toMatchObject({ status: 200, body: { emitted: 0, duplicates: 1 } });
	});

	it('keeps the claim while a run is slow: a second delivery meanwhile is asked to retry, and a sender that gave up finds the event done', async () => {
		const event = messageEvent({ text: 'slow 1' });
		// The first delivery's sender gives up after 1 s (its request times out); the run goes on.
		await expect(post(signedDelivery(event, SECRET), 1000)).rejects.toThrow();
		const meanwhile = await post(signedDelivery(event, SECRET));
		expect(meanwhile.status).toBe(503);
		expect(meanwhile.body).toMatchObject({ error: { code: 'in_progress' } });
		expect(Number(meanwhile.retryAfter)).toBeGreaterThanOrEqual(1);
		await waitForLedgerState(event.eventId, 'done');
		const after = await post(signedDelivery(event, SECRET));
		expect(after).toMatchObject({ status: 200, body: { duplicates: 1 } });
		expect(sink.calls.get(event.eventId)).toBe(1);
	});

	it('remembers across a restart and a crash of n8n', async () => {
		const event = messageEvent({ text: 'before the restart' });
		const captured = signedDelivery(event, SECRET);
		expect((await post(captured)).status).toBe(200);

		await n8n.restart();
		await n8n.waitForWebhook(`${HOOK}/webhook`, 'POST');
		expect(await post(captured)).toMatchObject({ status: 200, body: { duplicates: 1 } });

		await n8n.restart({ signal: 'SIGKILL' });
		await n8n.waitForWebhook(`${HOOK}/webhook`, 'POST');
		expect(await post(signedDelivery(event, SECRET))).toMatchObject({ status: 200, body: { duplicates: 1 } });
		expect(sink.calls.get(event.eventId)).toBe(1);
	});

	it('a run cut short by an n8n crash is run again once its claim has expired', async () => {
		const event = messageEvent({ text: 'slow 2' });
		const pending = post(signedDelivery(event, SECRET)).then(
			(answer) => `answered ${answer.status}`,
			() => 'connection lost',
		);
		await waitForLedgerState(event.eventId, 'processing');
		await n8n.halt({ signal: 'SIGKILL' });
		expect(await pending).toBe('connection lost');
		await n8n.restart();
		await n8n.waitForWebhook(`${HOOK}/webhook`, 'POST');
		// Until the dead run's claim expires the sender is asked to wait; then the event runs again.
		let answer = await post(signedDelivery(event, SECRET));
		while (answer.status === 503) {
			await new Promise((resolve) => setTimeout(resolve, Number(answer.retryAfter) * 1000));
			answer = await post(signedDelivery(event, SECRET));
		}
		expect(answer.status).toBe(200);
		expect(await ledgerRow(event.eventId)).toMatchObject({ state: 'done', attempts: 2 });
	});
});
