/**
 * The three sidecar nodes one after the other on one session of the real
 * sidecar (in-process, simulator driver, real HTTP on loopback, signed
 * deliveries to a real receiver), as a user meets them: Connect → link →
 * Check → Send → Backfill → Disconnect.
 */
import fs from 'node:fs';
import { validateNormalizedEvent } from '../../../core/events/validate-event';
import type { MessageEvent, NormalizedEvent } from '../../../core/events/types';
import { WhatsAppCrmBackfill } from '../../../nodes/WhatsAppCrmBackfill/WhatsAppCrmBackfill.node';
import { WhatsAppCrmSend } from '../../../nodes/WhatsAppCrmSend/WhatsAppCrmSend.node';
import { WhatsAppCrmSessionHealth } from '../../../nodes/WhatsAppCrmSessionHealth/WhatsAppCrmSessionHealth.node';
import { API_KEY, SECRET, isSessionState, newSessionId, startSidecar, tempDir, testConfig, type Running } from '../../sidecar/helpers/harness';
import { startReceiver, type Receiver } from '../../sidecar/helpers/receiver';
import { credentialTestRequest, runNode } from './support/run-node';

jest.setTimeout(60_000);

let root: string;
let receiver: Receiver;
let run: Running;

beforeAll(async () => {
	root = tempDir('nodes-real-sidecar-');
	receiver = await startReceiver(SECRET);
	run = await startSidecar(testConfig(root, receiver.url));
});

afterAll(async () => {
	await run?.sidecar.close();
	await receiver?.close();
	fs.rmSync(root, { recursive: true, force: true });
});

const credentials = (apiKey = API_KEY) => ({ whatsAppSidecarApi: { baseUrl: run.sidecar.url, apiKey } });

describe('the action nodes against the real sidecar', () => {
	it('connect (QR as PNG), link, check, send, backfill and disconnect a session', async () => {
		const sessionId = newSessionId();
		const health = new WhatsAppCrmSessionHealth();

		// Connect: a QR code to scan, as text and as a PNG.
		const [connected] = await runNode({ nodeType: health, parameters: { operation: 'connect', sessionId }, credentials: credentials() });
		expect(connected![0]!.json).toMatchObject({ sessionId, state: 'qr', qr: expect.stringMatching(/^2@/), linkedPhone: null });
		const png = Buffer.from(connected![0]!.binary!.qr!.data, 'base64');
		expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

		// The user scans it (the simulator links the phone).
		expect((await run.api('POST', `/simulator/sessions/${sessionId}/link`, { phone: '+5511912345678' })).status).toBe(200);
		await receiver.waitFor(isSessionState(sessionId, 'connected'));

		// Check: connected, healthy, linked number.
		const [checked] = await runNode({ nodeType: health, parameters: { operation: 'check', scope: 'one', sessionId }, credentials: credentials() });
		expect(checked![0]!.json).toMatchObject({ sessionId, state: 'connected', connected: true, healthy: true, reason: null, linkedPhone: '+5511912345678' });
		const [all] = await runNode({ nodeType: health, parameters: { operation: 'check', scope: 'all' }, credentials: credentials() });
		expect(all!.map((item) => item.json.sessionId)).toContain(sessionId);

		// Send: the message id and the same outbound event the trigger receives.
		const [sent] = await runNode({
			nodeType: new WhatsAppCrmSend(),
			parameters: { source: 'sidecar', sessionId, to: '(21) 99876-5432', text: 'Olá, tudo bem?', options: { defaultCountry: 'BR' } },
			credentials: credentials(),
		});
		const item = sent![0]!.json;
		expect(item).toMatchObject({ to: '+5521998765432', source: 'sidecar', sessionId });
		const event = item.event as unknown as MessageEvent;
		expect(validateNormalizedEvent(event)).toEqual({ ok: true, event });
		expect(event.message).toMatchObject({ messageId: item.messageId, direction: 'outbound', text: 'Olá, tudo bem?' });
		const delivered = await receiver.waitFor((e: NormalizedEvent) => e.type === 'message' && e.message.messageId === item.messageId);
		expect(delivered.eventId).toBe(event.eventId);

		// A number that is not on WhatsApp.
		await run.api('POST', `/simulator/sessions/${sessionId}/not-on-whatsapp`, { numbers: ['+5521987654321'] });
		const [refused] = await runNode({
			nodeType: new WhatsAppCrmSend(),
			parameters: { source: 'sidecar', sessionId, to: '+5521987654321', text: 'Hi' },
			credentials: credentials(),
			continueOnFail: true,
		});
		expect(refused![0]!.json).toEqual({ error: expect.stringMatching(/^This number is not on WhatsApp/), code: 'not_on_whatsapp' });

		// Backfill, waiting until it is done.
		await run.api('POST', `/simulator/sessions/${sessionId}/history`, { days: 10, directChats: 2, messagesPerDay: 2, seed: 7 });
		const [job] = await runNode({
			nodeType: new WhatsAppCrmBackfill(),
			parameters: { operation: 'start', sessionId, days: 5, batchSize: 10, waitUntilFinished: true, pollIntervalSeconds: 1 },
			credentials: credentials(),
		});
		expect(job![0]!.json).toMatchObject({ sessionId, state: 'completed', days: 5, batchSize: 10, waitTimedOut: false });
		const [progress] = await runNode({
			nodeType: new WhatsAppCrmBackfill(),
			parameters: { operation: 'getProgress', jobId: job![0]!.json.jobId as string },
			credentials: credentials(),
		});
		expect(progress![0]!.json).toMatchObject({ jobId: job![0]!.json.jobId, state: 'completed' });

		// Disconnect: the session and its auth data are gone.
		const [disconnected] = await runNode({ nodeType: health, parameters: { operation: 'disconnect', sessionId }, credentials: credentials() });
		expect(disconnected![0]!.json).toEqual({ sessionId, disconnected: true, sessionFound: true });
		const [after] = await runNode({ nodeType: health, parameters: { operation: 'check', scope: 'one', sessionId }, credentials: credentials() });
		expect(after![0]!.json).toMatchObject({ sessionId, healthy: false, reason: 'unknown_session' });
	});

	it("explains the sidecar's refusal of a wrong API key", async () => {
		await expect(
			runNode({ nodeType: new WhatsAppCrmSessionHealth(), parameters: { operation: 'check', scope: 'all' }, credentials: credentials('wrong-key') }),
		).rejects.toThrow(/refused n8n's API key/);
	});

	it("the 'WhatsApp Sidecar API' credential test reaches the sidecar with the key, and fails with a wrong one", async () => {
		const good = await credentialTestRequest('whatsAppSidecarApi', { baseUrl: `${run.sidecar.url}/`, apiKey: API_KEY });
		expect(good.url).toBe(`${run.sidecar.url}/health`);
		const ok = await fetch(good.url, { method: good.method, headers: good.headers });
		expect(ok.status).toBe(200);
		const body = (await ok.json()) as { ok: boolean; sessions: unknown };
		expect(body.ok).toBe(true);
		expect(Array.isArray(body.sessions)).toBe(true);

		const bad = await credentialTestRequest('whatsAppSidecarApi', { baseUrl: run.sidecar.url, apiKey: 'wrong-key' });
		expect((await fetch(bad.url, { method: bad.method, headers: bad.headers })).status).toBe(401);
	});
});
