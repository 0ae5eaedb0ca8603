/**
 * Sixteen signed sidecar deliveries at once, on a real n8n with the settings
 * `npm start` ships (scripts/lib/n8n-server.js): every one is answered 200 and
 * becomes exactly one successful execution carrying its own event — in both
 * acknowledge modes of the trigger (version 2): "as soon as they arrive"
 * (n8n answers with the trigger's summary once it has created the execution)
 * and "when the workflow has finished" (n8n answers once the run is through).
 *
 * Before the trigger left the answer to n8n in 'at once' mode, and before the
 * expression engine acquired isolates only when an expression runs, a burst
 * like this one left executions failed (SQLite lock timeouts) or unfinished.
 * Nothing here is timed: the test waits for the state it names.
 */
import { PACKAGE_NAME, startN8n, nodeOutputItems, thenNoOp, triggerOutputItems, type N8nInstance, type WorkflowJson } from '../support/n8n';
import { messageEvent, signedDelivery, SESSION_ID } from '../support/sidecar-deliveries';
import type { NormalizedEvent } from '../../core/events/types';

const SECRET = 'e2e-parallel-webhook-secret-0123456789';
const PARALLEL = 16;

const MODES = [
	{ acknowledge: 'onReceived', webhookId: '5a1e7c3b-2d4f-4e6a-9b8c-0f1e2d3c4b5a' },
	{ acknowledge: 'lastNode', webhookId: '6b2f8d4c-3e5a-4f7b-8c9d-1a2b3c4d5e6f' },
] as const;

function triggerToNoOp(acknowledge: string, webhookId: string, credentialId: string): WorkflowJson {
	return thenNoOp(
		`Parallel deliveries (${acknowledge})`,
		{
			id: `trigger-${acknowledge}`,
			name: 'WhatsApp events',
			type: `${PACKAGE_NAME}.whatsAppCrmTrigger`,
			typeVersion: 2,
			position: [0, 0],
			webhookId,
			parameters: { source: 'sidecar', events: ['inbound'], acknowledge, options: {} },
			credentials: { whatsAppSidecarApi: { id: credentialId, name: 'Sidecar' } },
		},
		'Done',
	);
}

describe(`${PARALLEL} parallel sidecar deliveries on a real n8n`, () => {
	let n8n: N8nInstance;
	const workflows = new Map<string, string>();

	beforeAll(async () => {
		n8n = await startN8n();
		const credential = await n8n.createCredential('whatsAppSidecarApi', 'Sidecar', {
			baseUrl: 'http://127.0.0.1:9',
			apiKey: 'unused-in-this-test',
			webhookSecret: SECRET,
			toleranceSeconds: 300,
		});
		for (const { acknowledge, webhookId } of MODES) {
			const id = await n8n.importWorkflow(triggerToNoOp(acknowledge, webhookId, credential));
			await n8n.activate(id);
			await n8n.waitForWebhook(`${webhookId}/webhook`, 'POST');
			workflows.set(acknowledge, id);
		}
	});

	afterAll(async () => {
		await n8n?.stop();
	});

	test.each(MODES)('acknowledge $acknowledge: every delivery is answered 200 and runs once, successfully, with its own event', async ({ acknowledge, webhookId }) => {
		const workflowId = workflows.get(acknowledge)!;
		expect(await n8n.countExecutions(workflowId)).toBe(0);
		// Sixteen contacts, one message each: distinct numbers, texts and event ids.
		const events: NormalizedEvent[] = Array.from({ length: PARALLEL }, (_, i) =>
			messageEvent({ from: `55119876500${String(i).padStart(2, '0')}@c.us`, text: `parallel message ${i} (${acknowledge})` }),
		);
		const deliveries = events.map((event) => signedDelivery(event, SECRET));

		const answers = await Promise.all(
			deliveries.map(async (delivery) => {
				const res = await fetch(n8n.webhookUrl(`${webhookId}/webhook`), { method: 'POST', headers: delivery.headers, body: delivery.body });
				return { status: res.status, text: await res.text() };
			}),
		);

		expect(answers.map((a) => a.status)).toEqual(events.map(() => 200));
		if (acknowledge === 'onReceived') {
			// The trigger's summary, sent by n8n once the execution exists.
			expect(answers.map((a) => JSON.parse(a.text))).toEqual(
				events.map((event) => ({ ok: true, deliveryId: event.eventId, received: 1, emitted: 1, duplicates: 0 })),
			);
		} else {
			// n8n answers only after the successful run, without a body.
			expect(answers.map((a) => a.text)).toEqual(events.map(() => ''));
		}

		const executions = await n8n.waitForExecutions(workflowId, PARALLEL, 120_000);
		expect(executions).toHaveLength(PARALLEL);
		expect(executions.map((e) => e.status)).toEqual(events.map(() => 'success'));
		expect(await n8n.listRunningExecutions(workflowId)).toEqual([]);

		// Each execution carries exactly one event, each event is in exactly one execution, unchanged.
		const byEventId = new Map(events.map((event) => [event.eventId, JSON.parse(JSON.stringify(event)) as Record<string, unknown>]));
		const seen = executions.map((execution) => {
			const items = triggerOutputItems(execution);
			expect(items).toHaveLength(1);
			expect(nodeOutputItems(execution, 'Done')).toEqual(items);
			return items[0];
		});
		expect(seen.map((item) => item.eventId).sort()).toEqual([...byEventId.keys()].sort());
		for (const item of seen) {
			expect(item).toEqual(byEventId.get(item.eventId as string));
			expect(item).toMatchObject({ type: 'message', sessionId: SESSION_ID, message: { direction: 'inbound', kind: 'text' } });
		}

		// The same deliveries again (what a sender's retry sends): duplicates, nothing runs twice.
		const again = await Promise.all(
			deliveries.map(async (delivery) => {
				const res = await fetch(n8n.webhookUrl(`${webhookId}/webhook`), { method: 'POST', headers: delivery.headers, body: delivery.body });
				return { status: res.status, body: JSON.parse(await res.text()) as Record<string, unknown> };
			}),
		);
		expect(again.map((a) => [a.status, a.body.emitted, a.body.duplicates])).toEqual(events.map(() => [200, 0, 1]));
		await n8n.expectNoNewExecutions(workflowId, PARALLEL);
	});
});
