/**
 * The workflow templates of workflows/ on the whole stack: a real n8n (2.41.1) with this
 * package, the real sidecar on the simulator driver sending signed events to the CRM
 * logging workflow, a real PostgreSQL database migrated with db/migrate.js, and an SMTP
 * sink. The JSON files are imported as shipped; only credential ids are swapped in.
 *
 * One n8n, one sidecar and one database for the whole file: the tests run in order and
 * build on each other (a linked user, then live messages, a re-sync, the nightly health
 * check, notifications, disconnect).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { buildBackfillBatchEvent, buildSessionStateEvent } from '../../core/events';
import type { MessageEvent, NormalizedEvent } from '../../core/events/types';
import { nodeOutputItems, triggerOutputItems, type N8nExecution } from '../support/n8n';
import { rawOutputJson, runN8nCli } from '../support/n8n/cli';
import { metaBody, messagesValue, recentUnix, signedMetaDelivery } from '../support/meta-deliveries';
import { cloudApiCredential, startMetaGraphStandIn } from '../support/meta-graph-stand-in';
import { messageEvent, signedDelivery } from '../support/sidecar-deliveries';
import { formEndingPage, submitForm } from './support/forms';
import { activateWhenPathFree, CLOUD_API, movePath, startWorkflowStack, waitForForm, type WorkflowStack } from './support/stack';
import { waitFor, waitUntilSettled } from './support/wait';
import {
	FORM_TRIGGER_TYPE,
	SHIPPED_FORMS as FORMS,
	nodeOfType,
	TRIGGER_TYPE,
	webhookIdOf,
	WORKFLOW_FILES,
	withCredentialIds,
	type ShippedWorkflow,
} from '../support/workflow-files';

const ANA = randomUUID(); // links through the Connect form; her phone has 30 days of history
const BRUNO = randomUUID(); // links, then removes the device on his phone
const CARLA = randomUUID(); // the CRM has her as connected, the sidecar has never heard of her

interface SeedResult {
	since: number;
	messages: number;
	directTextMessageIds: string[];
	contacts: string[];
}

describe('workflow templates on n8n + sidecar (simulator) + PostgreSQL', () => {
	let stack: WorkflowStack;
	let seeded: SeedResult;
	const counts = { contacts: 0, interactions: 0 };

	beforeAll(async () => {
		stack = await startWorkflowStack({
			activate: ['crm-logging.json', 'crm-logging-cloud-api.json', 'connect-whatsapp.json', 'sync-messages.json', 'disconnect-whatsapp.json'],
		});
	}, 240_000);

	afterAll(async () => {
		await stack?.stop();
	});

	const crmLoggingId = () => stack.workflows['crm-logging.json'].id;
	const settle = () => waitUntilSettled(stack.n8n, stack.sidecar, [crmLoggingId()]);

	/**
	 * The CRM logging run that carried this event (an event expanded from a batch carries `<id>#<n>`).
	 * Found by content, not by position: a late event of an earlier test (a backfill.done, say) may
	 * start a run in between.
	 */
	async function runCarrying(eventId: string): Promise<N8nExecution> {
		return await waitFor(`the run carrying ${eventId}`, async () =>
			(await stack.n8n.listExecutions(crmLoggingId())).find((execution) =>
				triggerOutputItems(execution, TRIGGER_TYPE).some((item) => item.eventId === eventId || String(item.eventId).startsWith(`${eventId}#`)),
			),
		);
	}

	async function interactionsOf(sessionId: string) {
		return await stack.db.query<{ ext_message_id: string; direction: string; body: string; origin: string; contact_id: string }>(
			'SELECT ext_message_id, direction, body, origin, contact_id::text FROM whatsapp_crm.interactions WHERE session_id = $1 ORDER BY id',
			[sessionId],
		);
	}

	async function userRow(id: string) {
		const [row] = await stack.db.query<{
			email: string | null;
			whatsapp_connected: boolean;
			whatsapp_phone: string | null;
			whatsapp_last_state: string | null;
			whatsapp_disconnected_at: Date | null;
		}>('SELECT email, whatsapp_connected, whatsapp_phone, whatsapp_last_state, whatsapp_disconnected_at FROM whatsapp_crm.users WHERE id = $1', [id]);
		return row;
	}

	async function notificationsOf(userId: string) {
		return await stack.db.query<{ id: string; kind: string; title: string; claimed_at: Date | null; sent_at: Date | null; resolved_at: Date | null }>(
			'SELECT id::text, kind, title, claimed_at, sent_at, resolved_at FROM whatsapp_crm.notifications WHERE user_id = $1 ORDER BY id',
			[userId],
		);
	}

	async function tableCounts() {
		const [row] = await stack.db.query<{ contacts: number; interactions: number }>(
			'SELECT (SELECT count(*) FROM whatsapp_crm.contacts)::int AS contacts, (SELECT count(*) FROM whatsapp_crm.interactions)::int AS interactions',
		);
		return row!;
	}

	/** Submits the Connect form and opens the page that follows, as a browser would. */
	async function connectThroughForm(userId: string, email: string) {
		const submission = await submitForm(stack.n8n.baseUrl, stack.formPath('connect-whatsapp.json'), [userId, email]);
		return await formEndingPage(submission);
	}

	test('each form is served at /form/<slug>; a copy with a new webhookId (what the editor\'s "Import from File" gives it) is served at the same URL', async () => {
		for (const [, slug, title] of FORMS) {
			const res = await fetch(`${stack.n8n.baseUrl}/form/${slug}`);
			expect({ slug, status: res.status }).toEqual({ slug, status: 200 });
			expect(await res.text()).toContain(title);
		}
		const connect = stack.workflows['connect-whatsapp.json'];
		const { id: _shippedId, ...copy } = withCredentialIds(connect.json, stack.credentials);
		void _shippedId;
		const newWebhookId = randomUUID();
		nodeOfType(copy as ShippedWorkflow, FORM_TRIGGER_TYPE).webhookId = newWebhookId;
		let copyId: string | undefined;
		try {
			copyId = await stack.n8n.importWorkflow(copy);
			await movePath(stack.n8n, 'connect-whatsapp', connect.id, copyId);
			await waitForForm(stack.n8n, 'connect-whatsapp');
			const res = await fetch(`${stack.n8n.baseUrl}/form/connect-whatsapp`);
			expect(res.status).toBe(200);
			expect(await res.text()).toContain('Connect your WhatsApp');
		} finally {
			if (copyId !== undefined) await movePath(stack.n8n, 'connect-whatsapp', copyId, connect.id);
			else await activateWhenPathFree(stack.n8n, connect.id);
			await waitForForm(stack.n8n, 'connect-whatsapp');
		}
	});

	test('Connect form with a user ID that is not one: an explanation page naming the field as labelled, a failed execution, nothing written', async () => {
		const submission = await submitForm(stack.n8n.baseUrl, stack.formPath('connect-whatsapp.json'), ['not-a-user-id', 'nobody@example.com']);
		const page = await formEndingPage(submission);
		expect(page.html).toContain('WhatsApp could not be started');
		expect(page.html).toContain('“Your user ID” is not a user ID');
		expect(page.html).not.toContain('Session ID');
		const execution = await waitFor('the form run to finish', async () => {
			const found = await stack.n8n.getExecution(submission.executionId).catch(() => undefined);
			return found && found.status !== 'running' && found.status !== 'waiting' && found.stoppedAt ? found : undefined;
		});
		expect(execution.status).toBe('error');
		expect(await stack.db.query('SELECT id FROM whatsapp_crm.users')).toEqual([]);
		expect((await stack.sidecar.call<{ sessions: unknown[] }>('GET', '/sessions')).sessions).toEqual([]);
	});

	test('Connect form: shows the QR code inline; linking the phone marks the user connected and imports 30 days — every 1:1 text once, media, groups and status not', async () => {
		const page = await connectThroughForm(ANA, 'ana@example.com');
		expect(page.status).toBe(200);
		expect(page.html).toMatch(/<img class="qr" src="data:image\/png;base64,[A-Za-z0-9+/]+=*"/);
		expect(page.html).toContain('Settings &gt; Linked Devices &gt; Link a Device');
		// Not connected until the phone is linked: so that linking imports the history.
		expect(await userRow(ANA)).toMatchObject({ email: 'ana@example.com', whatsapp_connected: false, whatsapp_last_state: 'qr' });

		// The phone has 30 days of chats: 1:1 text, media, voice notes, a group, status updates.
		seeded = await stack.sidecar.call<SeedResult>('POST', `/simulator/sessions/${ANA}/history`, {
			days: 30,
			directChats: 4,
			groups: 1,
			messagesPerDay: 3,
			seed: 11,
			media: true,
			status: true,
			lid: false,
		});
		const expected = seeded.directTextMessageIds;
		expect(expected.length).toBeGreaterThan(20);
		expect(seeded.messages).toBeGreaterThan(expected.length); // there are media, group and status messages to leave out

		await stack.sidecar.call('POST', `/simulator/sessions/${ANA}/link`, { phone: '+5511900000001' });

		// Nothing else is done by hand: the "connected" event reaches the CRM logging workflow, which starts the import.
		await waitFor('the 30-day import to be logged', async () => ((await interactionsOf(ANA)).length >= expected.length ? true : undefined), 90_000);
		await settle();

		expect(await userRow(ANA)).toMatchObject({ whatsapp_connected: true, whatsapp_phone: '+5511900000001', whatsapp_last_state: 'connected' });
		const logged = await interactionsOf(ANA);
		expect(logged).toHaveLength(expected.length);
		expect(logged.map((row) => row.ext_message_id).sort()).toEqual([...expected].sort());
		for (const row of logged) {
			expect(row.origin).toBe('backfill');
			expect(row.direction).toBe(row.ext_message_id.startsWith('true_') ? 'outbound' : 'inbound');
		}
		// One contact per 1:1 chat, created from WhatsApp.
		const chats = new Set(expected.map((id) => id.split('_')[1]));
		const contacts = await stack.db.query<{ whatsapp_phone: string; source: string; name: string | null }>(
			'SELECT whatsapp_phone, source, name FROM whatsapp_crm.contacts ORDER BY whatsapp_phone',
		);
		expect(contacts).toHaveLength(chats.size);
		expect(contacts.every((c) => c.source === 'whatsapp')).toBe(true);
		expect(contacts.map((c) => c.whatsapp_phone).sort()).toEqual([...chats].map((jid) => `+${jid.replace('@c.us', '')}`).sort());
		// Each logged event is archived once.
		const [archived] = await stack.db.query<{ n: number }>(
			"SELECT count(*)::int AS n FROM whatsapp_crm.webhook_payloads WHERE session_id = $1 AND event_type = 'message'",
			[ANA],
		);
		expect(archived!.n).toBe(expected.length);
		// The workflow took the "newly linked" path exactly once.
		const executions = await stack.n8n.listExecutions(crmLoggingId());
		const imports = executions.filter((e) => ranNode(e, 'Import last 30 days'));
		expect(imports).toHaveLength(1);
		expect(nodeOutputItems(imports[0]!, 'Import last 30 days')[0]).toMatchObject({ sessionId: ANA, days: 30 });
	});

	test('a live message from a new number: one contact (source whatsapp) and one interaction; redelivered three times and again in a backfill batch: still one; a message typed on the phone: logged as outbound', async () => {
		const before = await tableCounts();
		const text = 'Hallo! Habt ihr am Samstag offen? Preis: 10,50 €, 2 Stück, danke';
		const { messageId } = await stack.sidecar.call<{ messageId: string }>('POST', `/simulator/sessions/${ANA}/inbound`, {
			from: '+4915112345678',
			text,
			notifyName: 'Lena Weber',
		});
		await waitFor('the live message to be logged', async () => ((await interactionsOf(ANA)).some((r) => r.ext_message_id === messageId) ? true : undefined));
		await settle();

		const [contact] = await stack.db.query<{ id: string; source: string; name: string | null }>(
			"SELECT id::text, source, name FROM whatsapp_crm.contacts WHERE whatsapp_phone = '+4915112345678'",
		);
		expect(contact).toMatchObject({ source: 'whatsapp', name: 'Lena Weber' });
		const live = (await interactionsOf(ANA)).filter((r) => r.ext_message_id === messageId);
		expect(live).toEqual([{ ext_message_id: messageId, direction: 'inbound', body: text, origin: 'live', contact_id: contact!.id }]);
		expect(await tableCounts()).toEqual({ contacts: before.contacts + 1, interactions: before.interactions + 1 });

		// The event exactly as the trigger received it, from its execution.
		const executions = await stack.n8n.listExecutions(crmLoggingId());
		const event = executions
			.flatMap((e) => triggerOutputItems(e, TRIGGER_TYPE))
			.find((item) => (item as { message?: { messageId?: string } }).message?.messageId === messageId) as unknown as MessageEvent;
		expect(event).toBeDefined();
		// Archived with its interaction, as the trigger emitted it (nothing the later steps added).
		const archived = await stack.db.query<{ payload: unknown }>('SELECT payload FROM whatsapp_crm.webhook_payloads WHERE event_id = $1', [event.eventId]);
		expect(archived).toEqual([{ payload: event }]);

		// The same signed delivery three more times (a sidecar retry after a lost 200 looks like this) …
		const triggerUrl = stack.n8n.webhookUrl(`${webhookIdOf(stack.workflows['crm-logging.json'].json, TRIGGER_TYPE)}/webhook`);
		const delivery = signedDelivery(event as NormalizedEvent, stack.sidecar.webhookSecret);
		for (let i = 0; i < 3; i++) {
			const res = await fetch(triggerUrl, { method: 'POST', body: delivery.body, headers: delivery.headers });
			await res.arrayBuffer();
			expect(res.status).toBe(200);
		}
		// … and the same message inside a backfill batch: a new event id, so it runs the whole workflow.
		const batch = buildBackfillBatchEvent({
			sessionId: ANA,
			jobId: 'e2e-replay',
			batchIndex: 1,
			chatsTotal: 1,
			chatsDone: 1,
			messagesSent: 1,
			since: new Date(Date.now() - 86_400_000).toISOString(),
			messages: [{ ...event.message, origin: 'backfill' }],
		});
		const batchDelivery = signedDelivery(batch, stack.sidecar.webhookSecret);
		const batchRes = await fetch(triggerUrl, { method: 'POST', body: batchDelivery.body, headers: batchDelivery.headers });
		await batchRes.arrayBuffer();
		expect(batchRes.status).toBe(200);
		const replayRun = await runCarrying(batch.eventId);
		expect(nodeOutputItems(replayRun, 'Log interaction')).toEqual([{ interaction_id: null, inserted: false, archived: true }]);
		await settle();
		expect(await tableCounts()).toEqual({ contacts: before.contacts + 1, interactions: before.interactions + 1 });

		// A location shared in the chat reaches the workflow (only media is held back by the trigger) but is not an interaction.
		const location = messageEvent({ from: '4915112345678@c.us', kind: 'location', rawType: 'location', text: null });
		const locationDelivery = signedDelivery(location, stack.sidecar.webhookSecret);
		const locationRes = await fetch(triggerUrl, { method: 'POST', body: locationDelivery.body, headers: locationDelivery.headers });
		await locationRes.arrayBuffer();
		expect(locationRes.status).toBe(200);
		const locationRun = await runCarrying(location.eventId);
		expect(nodeOutputItems(locationRun, 'Text message?', 1)).toHaveLength(1);
		expect(ranNode(locationRun, 'Find or create contact')).toBe(false);
		expect(await tableCounts()).toEqual({ contacts: before.contacts + 1, interactions: before.interactions + 1 });

		// Typed on the linked phone: an outbound interaction on the same contact.
		const reply = 'Ja, Samstag 9–18 Uhr. Bis dann!';
		const outbound = await stack.sidecar.call<{ messageId: string }>('POST', `/simulator/sessions/${ANA}/outbound-from-phone`, {
			to: '+4915112345678',
			text: reply,
		});
		await waitFor('the outbound message to be logged', async () =>
			(await interactionsOf(ANA)).some((r) => r.ext_message_id === outbound.messageId) ? true : undefined,
		);
		await settle();
		expect((await interactionsOf(ANA)).filter((r) => r.ext_message_id === outbound.messageId)).toEqual([
			{ ext_message_id: outbound.messageId, direction: 'outbound', body: reply, origin: 'live', contact_id: contact!.id },
		]);
		expect(await tableCounts()).toEqual({ contacts: before.contacts + 1, interactions: before.interactions + 2 });
	});

	test('a hidden-number sender (@lid, no phone) is logged against a contact known by the lid; once a message carries the phone too, that contact merges into the phone contact with its interactions', async () => {
		const before = await tableCounts();
		const lid = '118812345678901@lid';
		const phone = '+5531912345678';
		const inbound = async (body: Record<string, unknown>) => {
			const { messageId } = await stack.sidecar.call<{ messageId: string }>('POST', `/simulator/sessions/${ANA}/inbound`, body);
			await waitFor('the message to be logged', async () => ((await interactionsOf(ANA)).some((r) => r.ext_message_id === messageId) ? true : undefined));
			await settle();
			return messageId;
		};
		const contactsWith = async () =>
			await stack.db.query<{ id: string; whatsapp_phone: string | null; whatsapp_lid: string | null; source: string; name: string | null }>(
				'SELECT id::text, whatsapp_phone, whatsapp_lid, source, name FROM whatsapp_crm.contacts WHERE whatsapp_phone = $1 OR whatsapp_lid = $2 ORDER BY created_at',
				[phone, lid],
			);

		// The person already wrote from their number, so the CRM has a contact for it.
		const fromPhone = await inbound({ from: phone, text: 'Oi, sou a Bia', notifyName: 'Bia' });
		const [phoneContact] = await contactsWith();
		expect(phoneContact).toMatchObject({ whatsapp_phone: phone, whatsapp_lid: null });

		// Then WhatsApp hides the number: a lid-only message is logged all the same, on a contact known by the lid.
		const hidden = await inbound({ from: lid, text: 'Mensagem sem número', notifyName: 'Bia' });
		const lidContact = (await contactsWith()).find((c) => c.whatsapp_lid === lid)!;
		expect(lidContact).toMatchObject({ whatsapp_phone: null, source: 'whatsapp', name: 'Bia' });
		expect((await interactionsOf(ANA)).find((r) => r.ext_message_id === hidden)).toMatchObject({ contact_id: lidContact.id, body: 'Mensagem sem número' });
		expect(await tableCounts()).toEqual({ contacts: before.contacts + 2, interactions: before.interactions + 2 });

		// The device maps the lid to the phone: the lid contact merges into the phone contact, every interaction kept.
		const resolved = await inbound({ from: lid, text: 'Agora com número', resolvedPhoneJid: '5531912345678@c.us' });
		expect(await contactsWith()).toEqual([expect.objectContaining({ id: phoneContact!.id, whatsapp_phone: phone, whatsapp_lid: lid })]);
		const logged = (await interactionsOf(ANA)).filter((r) => [fromPhone, hidden, resolved].includes(r.ext_message_id));
		expect(logged.map((r) => [r.ext_message_id, r.contact_id])).toEqual([
			[fromPhone, phoneContact!.id],
			[hidden, phoneContact!.id],
			[resolved, phoneContact!.id],
		]);
		expect(await tableCounts()).toEqual({ contacts: before.contacts + 1, interactions: before.interactions + 3 });

		// A later lid-only message goes straight to the phone contact.
		const later = await inbound({ from: lid, text: 'De novo sem número' });
		expect((await interactionsOf(ANA)).find((r) => r.ext_message_id === later)?.contact_id).toBe(phoneContact!.id);
	});

	test('WhatsApp Send Message in a workflow: sends through the sidecar, and the message comes back through the trigger and is logged as outbound', async () => {
		const before = await tableCounts();
		const text = 'Ihre Bestellung ist fertig, Abholung ab 14 Uhr.';
		const sendWorkflow = await stack.n8n.importWorkflow({
			name: 'Send a WhatsApp message (e2e)',
			nodes: [
				{ id: 'send-e2e-manual', name: 'Run', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
				{
					id: 'send-e2e-send',
					name: 'Send',
					type: 'n8n-nodes-whatsapp-crm.whatsAppCrmSend',
					typeVersion: 1,
					position: [220, 0],
					parameters: { source: 'sidecar', sessionId: ANA, to: '+49 151 12345678', text },
					credentials: { whatsAppSidecarApi: { id: stack.credentials.whatsAppSidecarApi, name: 'WhatsApp Sidecar' } },
				},
			],
			connections: { Run: { main: [[{ node: 'Send', type: 'main', index: 0 }]] } },
			settings: { executionOrder: 'v1' },
		});
		const started = await stack.n8n.rest<{ executionId?: string }>('POST', `/workflows/${sendWorkflow}/run`, {
			triggerToStartFrom: { name: 'Run' },
		});
		const [run] = await stack.n8n.waitForExecutions(sendWorkflow, 1);
		expect(run!.id).toBe(started.executionId);
		const [sent] = nodeOutputItems(run!, 'Send');
		expect(sent).toMatchObject({ to: '+4915112345678', source: 'sidecar', sessionId: ANA, event: { type: 'message', message: { direction: 'outbound', text } } });
		const messageId = (sent as { messageId: string }).messageId;

		await waitFor('the sent message to be logged', async () => ((await interactionsOf(ANA)).some((r) => r.ext_message_id === messageId) ? true : undefined));
		await settle();
		expect((await interactionsOf(ANA)).filter((r) => r.ext_message_id === messageId)).toMatchObject([
			{ ext_message_id: messageId, direction: 'outbound', body: text, origin: 'live' },
		]);
		expect(await tableCounts()).toEqual({ contacts: before.contacts, interactions: before.interactions + 1 });
	});

	test('Sync Messages form runs the same 30-day import again: every message is delivered again, none is logged twice', async () => {
		const before = await tableCounts();
		const submission = await submitForm(stack.n8n.baseUrl, stack.formPath('sync-messages.json'), [ANA, 30]);
		const page = await formEndingPage(submission);
		expect(page.html).toContain('Import started');
		const jobId = /Job (\S+)<\/p>/.exec(page.html)?.[1];
		expect(jobId).toBeDefined();

		const job = await waitFor(
			'the re-import to finish',
			async () => {
				const { body } = await stack.sidecar.api<{ state: string; messagesSent: number }>('GET', `/backfill/${jobId}`);
				return body.state === 'completed' || body.state === 'failed' ? body : undefined;
			},
			90_000,
		);
		await settle();
		expect(job.state).toBe('completed');
		// The history, plus the two live messages, the four of the hidden-number sender's test and the one sent
		// through Send Message (the phone keeps them too).
		expect(job.messagesSent).toBe(seeded.directTextMessageIds.length + 7);
		expect(await tableCounts()).toEqual(before);
		const [{ n: archived }] = (await stack.db.query<{ n: number }>(
			"SELECT count(*)::int AS n FROM whatsapp_crm.webhook_payloads WHERE session_id = $1 AND event_type = 'message'",
			[ANA],
		)) as [{ n: number }];
		// Archived per event: the first import, the live pair, the replayed batch, the hidden-number sender's four, the
		// sent message, and this import.
		expect(archived).toBe(seeded.directTextMessageIds.length + 2 + 1 + 4 + 1 + job.messagesSent);
		counts.contacts = before.contacts;
		counts.interactions = before.interactions;
	});

	test('a "connected" event for a user who is connected already (what a sidecar restart sends) imports nothing', async () => {
		const triggerUrl = stack.n8n.webhookUrl(`${webhookIdOf(stack.workflows['crm-logging.json'].json, TRIGGER_TYPE)}/webhook`);
		const restored = buildSessionStateEvent({ sessionId: ANA, state: 'connected', linkedPhone: '+5511900000001' });
		const delivery = signedDelivery(restored, stack.sidecar.webhookSecret);
		const res = await fetch(triggerUrl, { method: 'POST', body: delivery.body, headers: delivery.headers });
		await res.arrayBuffer();
		expect(res.status).toBe(200);
		const run = await runCarrying(restored.eventId);
		expect(nodeOutputItems(run, 'Mark user connected')).toEqual([{ user_id: ANA, notifications_resolved: 0, newly_linked: false }]);
		expect(ranNode(run, 'Import last 30 days')).toBe(false);
		expect(await userRow(ANA)).toMatchObject({ whatsapp_connected: true, whatsapp_phone: '+5511900000001' });
	});

	test('Connect form for a linked user: the "already linked" page does not show the phone number, and the email given does not replace the stored one', async () => {
		const page = await connectThroughForm(ANA, 'someone-else@example.com');
		expect(page.html).toContain('Your WhatsApp is already linked');
		expect(page.html).not.toMatch(/5511900000001|90000-?0001/);
		expect(await userRow(ANA)).toMatchObject({ email: 'ana@example.com', whatsapp_connected: true, whatsapp_phone: '+5511900000001' });
	});

	test('nightly health check (run on demand): a removed device and a vanished session → not connected, one notification each; a second run adds none; the notifications are emailed once', async () => {
		// Bruno links through the form, then removes the device on his phone.
		await connectThroughForm(BRUNO, 'bruno@example.com');
		await stack.sidecar.call('POST', `/simulator/sessions/${BRUNO}/link`, { phone: '+5511900000002' });
		await waitFor('Bruno to be marked connected', async () => ((await userRow(BRUNO))?.whatsapp_connected ? true : undefined));
		await settle();
		await stack.sidecar.call('POST', `/simulator/sessions/${BRUNO}/drop-link`, {});
		await waitFor('the sidecar to see the device removed', async () => {
			const { body } = await stack.sidecar.api<{ state: string }>('GET', `/sessions/${BRUNO}`);
			return body.state === 'disconnected' ? true : undefined;
		});
		await settle();
		// Carla: connected as far as the CRM knows, unknown to the sidecar.
		await stack.db.query(
			"INSERT INTO whatsapp_crm.users (id, email, name, whatsapp_connected, whatsapp_phone) VALUES ($1, 'carla@example.com', 'Carla', true, '+5511900000003')",
			[CARLA],
		);

		// First run: the n8n CLI on the server (`n8n execute` starts from the workflow's Manual Trigger).
		const health = stack.workflows['session-health-nightly.json'];
		const cli = await runN8nCli(stack.n8n, ['execute', `--id=${health.id}`, '--rawOutput'], { encryptionKey: stack.encryptionKey });
		process.stderr.write(`[workflows e2e] n8n execute (health check): exit ${cli.code} in ${(cli.ms / 1000).toFixed(1)} s\n`);
		expect({ code: cli.code, stderr: cli.code === 0 ? '' : cli.stderr.slice(-2000) }).toEqual({ code: 0, stderr: '' });
		const run = rawOutputJson<{ data: { resultData: { runData: Record<string, unknown[]> } } }>(cli.stdout);
		expect(Object.keys(run.data.resultData.runData)).toEqual(expect.arrayContaining(['Check every session', 'Mark disconnected and notify', 'Mark connected']));

		expect(await userRow(BRUNO)).toMatchObject({ whatsapp_connected: false, whatsapp_last_state: 'disconnected' });
		expect(await userRow(CARLA)).toMatchObject({ whatsapp_connected: false, whatsapp_last_state: 'unknown_session' });
		expect(await userRow(ANA)).toMatchObject({ whatsapp_connected: true, whatsapp_last_state: 'connected' });
		for (const user of [BRUNO, CARLA]) {
			expect(await notificationsOf(user)).toEqual([
				expect.objectContaining({ kind: 'whatsapp_reauth', title: 'Reconnect your WhatsApp', sent_at: null, resolved_at: null }),
			]);
		}
		expect(await notificationsOf(ANA)).toEqual([]);
		const outageStart = (await userRow(BRUNO))!.whatsapp_disconnected_at;
		expect(outageStart).not.toBeNull();

		// Second run of the same outage, from the editor's "Execute workflow" (n8n's REST API): nothing new.
		const again = await stack.runNow('session-health-nightly.json', 'Every night at 01:00 UTC');
		expect(again.status).toBe('success');
		for (const user of [BRUNO, CARLA]) expect(await notificationsOf(user)).toHaveLength(1);
		expect((await userRow(BRUNO))!.whatsapp_disconnected_at).toEqual(outageStart);

		// Notifications: one email each, once — and one whose email fails is not lost.
		stack.smtp.rejectedRecipients.add('bruno@example.com'); // Bruno's mailbox refuses mail for now
		const sendRun = await stack.runNow('notifications.json', 'Send now');
		expect(sendRun.status).toBe('success');
		expect(stack.smtp.messages.map((m) => m.to.join(','))).toEqual(['carla@example.com']);
		expect((await notificationsOf(CARLA))[0]).toMatchObject({ sent_at: expect.any(Date), claimed_at: expect.any(Date) });
		// Bruno's was claimed but not sent: it stays unsent, and is not taken again while its claim is fresh.
		expect((await notificationsOf(BRUNO))[0]).toMatchObject({ sent_at: null, claimed_at: expect.any(Date) });
		stack.smtp.rejectedRecipients.delete('bruno@example.com');
		expect((await stack.runNow('notifications.json', 'Send now')).status).toBe('success');
		expect(stack.smtp.messages).toHaveLength(1);
		// 15 minutes later (the claim moved back in time), the next run sends it.
		await stack.db.query("UPDATE whatsapp_crm.notifications SET claimed_at = claimed_at - interval '16 minutes' WHERE user_id = $1", [BRUNO]);
		expect((await stack.runNow('notifications.json', 'Send now')).status).toBe('success');
		expect(stack.smtp.messages.map((m) => m.to.join(',')).sort()).toEqual(['bruno@example.com', 'carla@example.com']);
		for (const mail of stack.smtp.messages) {
			expect(mail.subject).toBe('Reconnect your WhatsApp');
			expect(mail.body).toContain('Settings > Linked Devices > Link a Device');
		}
		for (const user of [BRUNO, CARLA]) expect((await notificationsOf(user))[0]!.sent_at).not.toBeNull();
		const secondSend = await stack.runNow('notifications.json', 'Send now');
		expect(secondSend.status).toBe('success');
		expect(stack.smtp.messages).toHaveLength(2);

		// Bruno links again: connected, the outage's notification closed, and his history imported again.
		await connectThroughForm(BRUNO, 'bruno@example.com');
		await stack.sidecar.call('POST', `/simulator/sessions/${BRUNO}/link`, { phone: '+5511900000002' });
		await waitFor('Bruno to be marked connected again', async () => ((await userRow(BRUNO))?.whatsapp_connected ? true : undefined));
		await settle();
		expect(await notificationsOf(BRUNO)).toEqual([expect.objectContaining({ resolved_at: expect.any(Date) })]);
		const imports = (await stack.n8n.listExecutions(crmLoggingId())).filter((e) => ranNode(e, 'Import last 30 days'));
		expect(imports.map((e) => nodeOutputItems(e, 'Import last 30 days')[0]!.sessionId)).toEqual([ANA, BRUNO, BRUNO]);
	});

	test('Disconnect form: the session and its auth data are gone, the connection fields cleared; contacts and interactions stay', async () => {
		const authFolder = path.join(stack.sidecar.sessionDir, `session-${ANA}`);
		expect(existsSync(authFolder)).toBe(true);
		const before = await tableCounts();
		expect(before).toEqual(counts);

		const submission = await submitForm(stack.n8n.baseUrl, stack.formPath('disconnect-whatsapp.json'), [ANA]);
		const page = await formEndingPage(submission);
		expect(page.html).toContain('Your WhatsApp is disconnected');

		expect(existsSync(authFolder)).toBe(false);
		expect((await stack.sidecar.api('GET', `/sessions/${ANA}`)).status).toBe(404);
		expect(await userRow(ANA)).toMatchObject({ whatsapp_connected: false, whatsapp_phone: null, whatsapp_last_state: 'unlinked' });
		await settle();
		expect(await tableCounts()).toEqual(before);
		// The history, the two live messages, the hidden-number sender's four and the one sent through Send Message.
		expect(await interactionsOf(ANA)).toHaveLength(seeded.directTextMessageIds.length + 7);
	});

	test("both credential types pass n8n's own credential test against a real sidecar and a Meta stand-in, and fail with a wrong key or token", async () => {
		type TestResult = { status: 'OK' | 'Error'; message: string };
		// As the editor's "Test" button does: a saved credential, tested with the values in the form.
		const credentialTest = async (type: string, data: Record<string, unknown>) => {
			const name = `credential test ${randomUUID()}`;
			const id = await stack.n8n.createCredential(type, name, data);
			return await stack.n8n.rest<TestResult>('POST', '/credentials/test', { credentials: { id, name, type, data } });
		};

		const sidecar = { baseUrl: `${stack.sidecar.url}/`, webhookSecret: stack.sidecar.webhookSecret, toleranceSeconds: 300 };
		expect(await credentialTest('whatsAppSidecarApi', { ...sidecar, apiKey: stack.sidecar.apiKey })).toMatchObject({ status: 'OK' });
		expect(await credentialTest('whatsAppSidecarApi', { ...sidecar, apiKey: 'not-the-key-0123456789' })).toMatchObject({ status: 'Error' });

		const meta = await startMetaGraphStandIn();
		try {
			expect(await credentialTest('whatsAppCloudApi', cloudApiCredential(meta))).toMatchObject({ status: 'OK' });
			expect(meta.requests.at(-1)).toMatchObject({ method: 'GET', path: `/v21.0/${meta.phoneNumberId}` });
			expect(await credentialTest('whatsAppCloudApi', cloudApiCredential(meta, { accessToken: 'EAAGwrong' }))).toMatchObject({ status: 'Error' });
		} finally {
			await meta.close();
		}
	});

	test('Cloud API variant: a signed Meta message is logged once (text with commas intact), even when Meta redelivers it', async () => {
		const cloud = stack.workflows['crm-logging-cloud-api.json'];
		const url = stack.n8n.webhookUrl(`${webhookIdOf(cloud.json, TRIGGER_TYPE)}/webhook`);
		const text = 'Olá! Vocês entregam em Campinas, SP? Preciso de 3, talvez 4.';
		const value = messagesValue([{ from: '5519987654321', id: 'wamid.E2E.CLOUD.1', text, name: 'Rita' }]);
		// A shared location in the same delivery: not a text, not logged.
		(value.messages as unknown[]).push({
			from: '5519987654321',
			id: 'wamid.E2E.CLOUD.2',
			timestamp: String(recentUnix(60)),
			type: 'location',
			location: { latitude: -22.9056, longitude: -47.0608, name: 'Loja Centro' },
		});
		const body = metaBody([[value]]);
		const delivery = signedMetaDelivery(body, CLOUD_API.appSecret);
		for (let i = 0; i < 2; i++) {
			const res = await fetch(url, { method: 'POST', body: delivery.body, headers: delivery.headers });
			await res.arrayBuffer();
			expect(res.status).toBe(200);
		}
		await waitFor('the Cloud API message to be logged', async () =>
			(await interactionsOf(CLOUD_API.phoneNumberId)).length > 0 ? true : undefined,
		);
		await waitUntilSettled(stack.n8n, stack.sidecar, [cloud.id]);
		const runs = await stack.n8n.listExecutions(cloud.id);
		expect(runs.length).toBeGreaterThan(0);
		expect(triggerOutputItems(runs[0]!, TRIGGER_TYPE).map((item) => (item as { message: { kind: string } }).message.kind)).toEqual(['text', 'location']);
		const rows = await interactionsOf(CLOUD_API.phoneNumberId);
		expect(rows).toEqual([expect.objectContaining({ ext_message_id: 'wamid.E2E.CLOUD.1', direction: 'inbound', body: text, origin: 'live' })]);
		const [contact] = await stack.db.query<{ source: string; name: string }>(
			"SELECT source, name FROM whatsapp_crm.contacts WHERE whatsapp_phone = '+5519987654321'",
		);
		expect(contact).toEqual({ source: 'whatsapp', name: 'Rita' });
	});

	test('the schedule workflows activate; `n8n import:workflow` imports every file and binds the credentials by their names', async () => {
		for (const file of ['session-health-nightly.json', 'notifications.json'] as const) {
			await stack.n8n.activate(stack.workflows[file].id);
			await stack.n8n.deactivate(stack.workflows[file].id);
		}
		const cli = await runN8nCli(stack.n8n, ['import:workflow', '--separate', `--input=${path.resolve(__dirname, '../../workflows')}`], {
			encryptionKey: stack.encryptionKey,
		});
		process.stderr.write(`[workflows e2e] n8n import:workflow: exit ${cli.code} in ${(cli.ms / 1000).toFixed(1)} s\n`);
		expect({ code: cli.code, stderr: cli.code === 0 ? '' : cli.stderr.slice(-2000) }).toEqual({ code: 0, stderr: '' });
		for (const file of WORKFLOW_FILES) {
			const shipped = stack.workflows[file].json;
			const imported = await stack.n8n.api<{ name: string; nodes: Array<{ name: string; credentials?: Record<string, { id: string }> }> }>(
				'GET',
				`/workflows/${shipped.id}`,
			);
			expect(imported.name).toBe(shipped.name);
			for (const node of imported.nodes) {
				for (const [type, reference] of Object.entries(node.credentials ?? {})) {
					expect({ file, node: node.name, type, id: reference.id }).toEqual({
						file,
						node: node.name,
						type,
						id: stack.credentials[type as keyof typeof stack.credentials],
					});
				}
			}
		}
	});
});

function ranNode(execution: N8nExecution, nodeName: string): boolean {
	try {
		return nodeOutputItems(execution, nodeName).length > 0;
	} catch {
		return false;
	}
}
