/**
 * Send Media in a real n8n 2.41.1: n8n's Convert to File makes a file as binary
 * data (kept in n8n's default filesystem binary data mode), WhatsApp Send Message sends it
 * through the real sidecar (in process, simulator driver), and the simulated
 * phone got exactly those bytes — once, with the caption, as a reply to a
 * message it received. A second item without a file fails alone (Continue On
 * Fail) with a message that says what to do.
 */
import { createHash, randomUUID } from 'node:crypto';
import { executionData, nodeOutputItems, startN8n, type N8nInstance } from '../support/n8n';
import { startSimulatorSidecar, type RunningSidecar } from './support/sidecar';

const SESSION = randomUUID();
const CONTACT = '+5521987651234';
// A real 1×1 PNG.
const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

let n8n: N8nInstance;
let sidecar: RunningSidecar;

beforeAll(async () => {
	n8n = await startN8n();
	sidecar = await startSimulatorSidecar({ webhookUrl: 'http://127.0.0.1:9/not-listening', webhookSecret: 'e2e-media-webhook-secret-0123456789', apiKey: 'e2e-media-api-key-0123456789' });
	await sidecar.call('POST', `/sessions/${SESSION}`);
	await sidecar.call('POST', `/simulator/sessions/${SESSION}/link`, { phone: '5511900004444' });
	for (const deadline = Date.now() + 20_000; ; ) {
		const { body } = await sidecar.api<{ state: string }>('GET', `/sessions/${SESSION}`);
		if (body.state === 'connected') break;
		if (Date.now() > deadline) throw new Error(`the session never connected (${body.state})`);
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
});

afterAll(async () => {
	await n8n?.stop();
	await sidecar?.stop();
});

test('a file from a binary property reaches the phone byte for byte, as a reply with its caption; an item without one fails alone', async () => {
	const inbound = await sidecar.call<{ messageId: string }>('POST', `/simulator/sessions/${SESSION}/inbound`, { from: CONTACT, text: 'Do you have a photo?' });
	const credential = await n8n.createCredential('whatsAppSidecarApi', 'Sidecar', { baseUrl: sidecar.url, apiKey: sidecar.apiKey, webhookSecret: sidecar.webhookSecret, toleranceSeconds: 300 });
	const workflowId = await n8n.importWorkflow({
		name: 'Send a photo (e2e)',
		nodes: [
			{ id: 'media-run', name: 'Run', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: 'media-items',
				name: 'Items',
				type: 'n8n-nodes-base.code',
				typeVersion: 2,
				position: [220, 0],
				parameters: {
					jsCode: `return [
  { json: { b64: '${PNG_BASE64}', sessionId: '${SESSION}', message: { messageId: '${inbound.messageId}' } } },
  { json: { b64: '${PNG_BASE64}', sessionId: '${SESSION}', message: { messageId: '${inbound.messageId}' } } },
];`,
				},
			},
			{
				// n8n's own "Convert to File" stores the file the way this n8n stores binary data.
				id: 'media-file',
				name: 'Make a file',
				type: 'n8n-nodes-base.convertToFile',
				typeVersion: 1.1,
				position: [440, 0],
				parameters: { operation: 'toBinary', sourceProperty: 'b64', binaryPropertyName: 'data', options: { fileName: 'photo.png', mimeType: 'image/png' } },
			},
			{
				id: 'media-drop',
				name: 'Drop the file of the second item',
				type: 'n8n-nodes-base.code',
				typeVersion: 2,
				position: [660, 0],
				parameters: { jsCode: 'return $input.all().map((item, index) => (index === 0 ? item : { json: item.json }));' },
			},
			{
				id: 'media-send',
				name: 'Send',
				type: 'n8n-nodes-whatsapp-crm.whatsAppCrmSend',
				typeVersion: 1,
				position: [880, 0],
				continueOnFail: true,
				parameters: {
					source: 'sidecar',
					operation: 'sendMedia',
					// Convert to File keeps only the file: the session and the message come from the first node's items.
					sessionId: "={{ $('Items').item.json.sessionId }}",
					to: CONTACT,
					caption: 'Here it is',
					options: { replyToMessageId: "={{ $('Items').item.json.message.messageId }}" },
				},
				credentials: { whatsAppSidecarApi: { id: credential, name: 'Sidecar' } },
			},
		],
		connections: {
			Run: { main: [[{ node: 'Items', type: 'main', index: 0 }]] },
			Items: { main: [[{ node: 'Make a file', type: 'main', index: 0 }]] },
			'Make a file': { main: [[{ node: 'Drop the file of the second item', type: 'main', index: 0 }]] },
			'Drop the file of the second item': { main: [[{ node: 'Send', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	});
	await n8n.rest('POST', `/workflows/${workflowId}/run`, { triggerToStartFrom: { name: 'Run' } });
	const [run] = await n8n.waitForExecutions(workflowId, 1, 60_000);
	expect(run!.status).toBe('success');
	// n8n 2.x keeps binary data in its filesystem mode by default: the node read the file through n8n's helpers, not from the item.
	const made = (executionData(run!).resultData.runData['Make a file'] as any)[0].data.main[0][0].binary.data;
	expect(made).toMatchObject({ mimeType: 'image/png', fileName: 'photo.png', id: expect.stringMatching(/^filesystem/) });
	const [sent, failed] = nodeOutputItems(run!, 'Send');
	expect(sent).toMatchObject({ to: CONTACT, source: 'sidecar', sessionId: SESSION, media: { kind: 'image', fileName: 'photo.png', mimeType: 'image/png', size: 68 } });
	expect(failed).toEqual({ error: expect.stringMatching(/no file in its binary field "data"/), code: 'missing_binary' });

	const { sent: onPhone } = await sidecar.call<{ sent: Array<Record<string, unknown>> }>('GET', `/simulator/sessions/${SESSION}/sent`);
	expect(onPhone).toEqual([
		expect.objectContaining({
			kind: 'media',
			messageId: (sent as { messageId: string }).messageId,
			type: 'image',
			mimeType: 'image/png',
			fileName: 'photo.png',
			size: 68,
			sha256: createHash('sha256').update(Buffer.from(PNG_BASE64, 'base64')).digest('hex'),
			caption: 'Here it is',
			quotedMessageId: inbound.messageId,
		}),
	]);
	expect(sidecar.logs().join('\n')).not.toContain(PNG_BASE64.slice(0, 24));
});
