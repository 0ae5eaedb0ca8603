/**
 * Download Media on a real n8n (2.41.1 on Node 24, this package installed as
 * a community package): an image message the real sidecar (simulator driver)
 * forwarded reaches the WhatsApp CRM Trigger with Download Media on, and the
 * workflow's next node — n8n's own Crypto node, hashing the binary property as
 * n8n stores it (its binary data mode) — sees the file's exact bytes: the
 * SHA-256 the event announced — in n8n's filesystem and database binary data
 * modes. The same file then goes back to the sender through WhatsApp Send
 * Message (Send Media from the binary property, as a reply) and reaches the
 * phone byte for byte — the media round trip. An image over the size
 * limit still starts the workflow, without the file, with mediaError.
 */
import { createHash } from 'node:crypto';
import type { MessageEvent } from '../../core/events/types';
import { simulatedMediaBytes } from '../../sidecar/src/drivers/simulator';
import { API_KEY, isMessage, linkSession, newSessionId, startSidecarUnderTest, stopSidecarUnderTest, type SidecarUnderTest } from '../sidecar/helpers/harness';
import { executionData, nodeOutputItems, PACKAGE_NAME, startN8n, triggerOutputItems, type N8nInstance, type WorkflowJson } from '../support/n8n';
import { signedDelivery } from '../support/sidecar-deliveries';

const SECRET = 'e2e-media-webhook-secret-0123456789';
const HOOK = '7d1e4a2b-3c5f-4e6a-9b8c-1f2e3d4c5b6a';

// n8n's binary data modes: where the trigger's prepareBinaryData puts the file (the default for
// one n8n process, and the one queue mode uses); n8n's Crypto node reads it back from there.
describe.each(['filesystem', 'database'])('Download Media on a real n8n (binary data mode %s)', (binaryDataMode) => {
	let n8n: N8nInstance;
	let sidecar: SidecarUnderTest;
	let workflowId: string;
	const sessionId = newSessionId();

	beforeAll(async () => {
		sidecar = await startSidecarUnderTest();
		await linkSession(sidecar.run, sidecar.receiver.waitFor, sessionId);
		n8n = await startN8n({ env: { N8N_DEFAULT_BINARY_DATA_MODE: binaryDataMode } });
		const credential = await n8n.createCredential('whatsAppSidecarApi', 'Sidecar', {
			baseUrl: sidecar.run.sidecar.url,
			apiKey: API_KEY,
			webhookSecret: SECRET,
			toleranceSeconds: 300,
		});
		const workflow: WorkflowJson = {
			name: 'Media download',
			nodes: [
				{
					id: 'trigger',
					name: 'WhatsApp CRM Trigger',
					type: `${PACKAGE_NAME}.whatsAppCrmTrigger`,
					typeVersion: 1,
					position: [0, 0],
					webhookId: HOOK,
					parameters: { source: 'sidecar', events: ['inbound'], options: { downloadMedia: true, maxMediaSizeMb: 1 } },
					credentials: { whatsAppSidecarApi: { id: credential, name: 'Sidecar' } },
				},
				{
					id: 'hash',
					name: 'Hash File',
					type: 'n8n-nodes-base.crypto',
					typeVersion: 1,
					position: [220, 0],
					parameters: { action: 'hash', type: 'SHA256', binaryData: true, binaryPropertyName: 'data', dataPropertyName: 'fileSha256', encoding: 'hex' },
				},
				{
					id: 'send-back',
					name: 'Send It Back',
					type: `${PACKAGE_NAME}.whatsAppCrmSend`,
					typeVersion: 1,
					position: [220, 200],
					// Only items that carry the file (an item over the limit has none: it fails on its own, the run goes on).
					continueOnFail: true,
					parameters: {
						source: 'sidecar',
						operation: 'sendMedia',
						sessionId: '={{ $json.sessionId }}',
						to: '={{ $json.message.remote.phone }}',
						caption: 'Received, thanks',
						options: { replyToMessageId: '={{ $json.message.messageId }}' },
					},
					credentials: { whatsAppSidecarApi: { id: credential, name: 'Sidecar' } },
				},
			],
			connections: {
				'WhatsApp CRM Trigger': {
					main: [
						[
							{ node: 'Hash File', type: 'main', index: 0 },
							{ node: 'Send It Back', type: 'main', index: 0 },
						],
					],
				},
			},
			settings: { executionOrder: 'v1' },
		};
		workflowId = await n8n.importWorkflow(workflow);
		await n8n.activate(workflowId);
		await n8n.waitForWebhook(`${HOOK}/webhook`, 'POST');
	});

	afterAll(async () => {
		await n8n?.stop();
		await stopSidecarUnderTest(sidecar ?? {});
	});

	/** A message the phone receives; the sidecar's event for it, delivered to n8n's trigger. */
	async function arrives(body: Record<string, unknown>): Promise<{ event: MessageEvent; execution: Awaited<ReturnType<N8nInstance['waitForExecutions']>>[number] }> {
		const res = await sidecar.run.api('POST', `/simulator/sessions/${sessionId}/inbound`, { from: '+5521987654321', ...body });
		const event = (await sidecar.receiver.waitFor(isMessage(res.body.messageId))) as MessageEvent;
		const before = await n8n.countExecutions(workflowId);
		const delivery = signedDelivery(event, SECRET);
		const response = await fetch(n8n.webhookUrl(`${HOOK}/webhook`), { method: 'POST', body: delivery.body, headers: delivery.headers });
		expect(response.status).toBe(200);
		const executions = await n8n.waitForExecutions(workflowId, before + 1);
		return { event, execution: executions[before]! };
	}

	/** The binary data of the trigger's first item, as n8n saved it (metadata; the bytes live where n8n's binary data mode puts them). */
	function triggerBinary(execution: Parameters<typeof executionData>[0]): Record<string, Record<string, unknown>> | undefined {
		const runs = executionData(execution).resultData.runData['WhatsApp CRM Trigger'] as unknown as Array<{ data: { main: Array<Array<{ binary?: Record<string, Record<string, unknown>> }>> } }>;
		return runs[0]?.data.main[0]?.[0]?.binary;
	}

	test('an image message arrives: the next node gets the file, with the right bytes and SHA-256', async () => {
		const { event, execution } = await arrives({ type: 'image', caption: 'comprovante', size: 50_000 });
		const expected = createHash('sha256').update(simulatedMediaBytes(event.message.messageId, 50_000)).digest('hex');
		expect(event.message.media?.sha256).toBe(expected);

		const [item] = triggerOutputItems(execution);
		expect(item).toMatchObject({
			eventId: event.eventId,
			message: { kind: 'image', text: 'comprovante', media: { ref: `sidecar:${sessionId}:${event.message.messageId}` } },
			mediaFile: { binaryProperty: 'data', mimeType: 'image/jpeg', size: 50_000, sha256: expected },
		});
		const binary = triggerBinary(execution)?.data;
		expect(binary).toMatchObject({ mimeType: 'image/jpeg', fileName: 'whatsapp-media.jpg' });
		// Stored where the mode says (n8n's binary data id names its mode), not inline in the execution.
		expect(String(binary?.id)).toMatch(new RegExp(`^${binaryDataMode}`));
		expect(binary?.data).not.toEqual(expect.stringMatching(/^[A-Za-z0-9+/]{1000,}/));
		// n8n's Crypto node reads the binary property the way n8n stored it and hashes it.
		expect(nodeOutputItems(execution, 'Hash File')[0]!.fileSha256).toBe(expected);

		// The round trip: Send Media takes the same binary property back to the sender, as a reply, and the phone gets these bytes.
		const [sentBack] = nodeOutputItems(execution, 'Send It Back');
		expect(sentBack).toMatchObject({ source: 'sidecar', sessionId, media: { kind: 'image', mimeType: 'image/jpeg', size: 50_000 } });
		const phone = await sidecar.run.api('GET', `/simulator/sessions/${sessionId}/sent`);
		expect((phone.body.sent as Array<Record<string, unknown>>).find((m) => m.messageId === sentBack!.messageId)).toMatchObject({
			kind: 'media',
			type: 'image',
			mimeType: 'image/jpeg',
			size: 50_000,
			sha256: expected,
			caption: 'Received, thanks',
			quotedMessageId: event.message.messageId,
		});
	});

	test('an image over the size limit still starts the workflow, without the file, with mediaError', async () => {
		const { event, execution } = await arrives({ type: 'image', size: 1024 * 1024 + 1 });
		const [item] = triggerOutputItems(execution);
		expect(item).toMatchObject({ eventId: event.eventId, mediaError: { code: 'media_too_large' } });
		expect(triggerBinary(execution)).toBeUndefined();
	});
});
