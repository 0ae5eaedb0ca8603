/**
 * Two sidecars behind one credential, on a real n8n with the workflow templates
 * imported as shipped: the Connect form and the CRM logging workflow's 30-day
 * import reach each user's session on its own sidecar, and with one sidecar
 * down the nightly health check leaves that sidecar's user alone — still
 * connected, no "reconnect your WhatsApp" notification — while it checks the other.
 * (Routing, 421 and a killed sidecar process in detail: test/unit/nodes/several-sidecars.test.ts.)
 */
import { randomUUID } from 'node:crypto';
import { sessionOwner } from '../../core/sidecar-api/session-owner';
import { executionData, nodeOutputItems } from '../support/n8n';
import { formEndingPage, submitForm } from './support/forms';
import { startWorkflowStack, type WorkflowStack } from './support/stack';
import { waitFor, waitUntilSettled } from './support/wait';

describe('two sidecars sharing the sessions, on n8n with the workflow templates', () => {
	let stack: WorkflowStack;
	/** One user per sidecar: USERS[i] is owned by stack.sidecars[i]. */
	const USERS: string[] = [];

	beforeAll(async () => {
		stack = await startWorkflowStack({ activate: ['crm-logging.json', 'connect-whatsapp.json'], sidecars: 2 });
		const urls = stack.sidecars.map((s) => s.url);
		for (const url of urls) {
			let id = randomUUID();
			while (sessionOwner(id, urls) !== url) id = randomUUID();
			USERS.push(id);
		}
	}, 240_000);

	afterAll(async () => {
		await stack?.stop();
	});

	const settle = async () => {
		for (const sidecar of stack.sidecars) await waitUntilSettled(stack.n8n, sidecar, [stack.workflows['crm-logging.json'].id]);
	};

	async function userRow(id: string) {
		const [row] = await stack.db.query<{ whatsapp_connected: boolean; whatsapp_last_state: string | null }>(
			'SELECT whatsapp_connected, whatsapp_last_state FROM whatsapp_crm.users WHERE id = $1',
			[id],
		);
		return row;
	}

	const notificationsOf = async (userId: string) => await stack.db.query('SELECT id FROM whatsapp_crm.notifications WHERE user_id = $1', [userId]);

	test("the Connect form starts each user's session on its own sidecar; once linked, the import runs there", async () => {
		for (const [index, userId] of USERS.entries()) {
			const owner = stack.sidecars[index]!;
			const other = stack.sidecars[1 - index]!;
			const page = await formEndingPage(await submitForm(stack.n8n.baseUrl, stack.formPath('connect-whatsapp.json'), [userId, `user${index}@example.com`]));
			expect(page.html).toContain('data:image/png;base64,');
			expect((await owner.api('GET', `/sessions/${userId}`)).status).toBe(200);
			expect((await other.api('GET', `/sessions/${userId}`)).status).toBe(404);

			await owner.call('POST', `/simulator/sessions/${userId}/link`, { phone: `+55119000000${index + 1}0` });
			await waitFor(`user ${index + 1} to be marked connected`, async () => ((await userRow(userId))?.whatsapp_connected ? true : undefined));
			// The CRM logging workflow's "Import last 30 days" (WhatsApp Backfill) ran before "Mark user connected": on the owner.
			const started = (sidecar: typeof owner) => sidecar.logs().some((line) => line.includes('"backfill: started"') && line.includes(userId));
			expect(started(owner)).toBe(true);
			expect(started(other)).toBe(false);
		}
		await settle();
	});

	test('one sidecar down: the nightly check leaves its user alone (connected, no notification) and checks the other', async () => {
		await stack.sidecars[1]!.stop();
		const run = await stack.runNow('session-health-nightly.json', 'Every night at 01:00 UTC');
		expect(run.status).toBe('success');

		const [reachable, unreachable] = USERS;
		expect(nodeOutputItems(run, "Check the user's session")).toEqual(
			expect.arrayContaining([
				expect.objectContaining({ sessionId: reachable, state: 'connected', healthy: true }),
				expect.objectContaining({ sessionId: unreachable, state: 'sidecar_unreachable', healthy: null, sidecarUrl: stack.sidecars[1]!.url }),
			]),
		);
		expect(nodeOutputItems(run, 'Check every session')).toEqual(
			expect.arrayContaining([
				expect.objectContaining({ sessionId: reachable, healthy: true }),
				expect.objectContaining({ sessionId: null, state: 'sidecar_unreachable', sidecarUrl: stack.sidecars[1]!.url }),
			]),
		);
		expect(executionData(run).resultData.runData['Mark disconnected and notify']).toBeUndefined();
		for (const userId of USERS) {
			expect(await userRow(userId)).toMatchObject({ whatsapp_connected: true });
			expect(await notificationsOf(userId)).toEqual([]);
		}
	});
});
