/**
 * kill -9 of the whole sidecar process mid-delivery loses nothing: events
 * piled up while n8n is down, delivery resumes, the process is SIGKILLed in
 * the middle, a new process on the same SESSION_DIR and DATA_DIR delivers the
 * rest. Every message arrives (at least once, with a stable event id), and
 * after dropping redeliveries by event id they are complete and in order.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { MessageEvent } from '../../core/events/types';
import { startReceiver, type Receiver } from './helpers/receiver';
import { API_KEY, SECRET, eventually, isSessionState, tempDir } from './helpers/harness';
import { buildSidecar, startListeningSidecar, type Child } from './helpers/spawn';

jest.setTimeout(120000);

const MESSAGES = 120;

let build: { mainJs: string; outDir: string };
let root: string;
let receiver: Receiver;
let child: Child | undefined;

beforeAll(async () => {
	build = buildSidecar();
	root = tempDir();
	receiver = await startReceiver(SECRET);
});

afterAll(async () => {
	if (child && child.process.exitCode === null && child.process.signalCode === null) {
		child.process.kill('SIGKILL');
		await child.exited;
	}
	await receiver?.close();
	if (root) fs.rmSync(root, { recursive: true, force: true });
	if (build) fs.rmSync(build.outDir, { recursive: true, force: true });
});

async function startProcess() {
	const { child: c, api } = await startListeningSidecar(
		build.mainJs,
		{
			PORT: '0',
			SIDECAR_API_KEY: API_KEY,
			WEBHOOK_URL: receiver.url,
			WEBHOOK_SECRET: SECRET,
			SESSION_DIR: path.join(root, 'sessions'),
			DATA_DIR: path.join(root, 'data'),
			WHATSAPP_DRIVER: 'simulator',
			LOG_LEVEL: 'info',
			OUTBOX_BASE_DELAY_MS: '20',
			OUTBOX_MAX_DELAY_MS: '100',
		},
		API_KEY,
	);
	const pending = async () => {
		const metrics = (await api('GET', '/metrics')).body as string;
		return Number(/^whatsapp_sidecar_outbox_pending (\d+)/m.exec(metrics)?.[1] ?? NaN);
	};
	return { child: c, api, pending };
}

test('a sidecar killed with SIGKILL mid-delivery delivers every message after restart, in order', async () => {
	const sessionId = randomUUID();
	let run = await startProcess();
	child = run.child;
	await run.api('POST', `/sessions/${sessionId}`);
	await run.api('POST', `/simulator/sessions/${sessionId}/link`, {});
	await receiver.waitFor(isSessionState(sessionId, 'connected'));

	// n8n goes down; messages keep arriving and pile up in the outbox.
	receiver.respondWith(503);
	const sent: string[] = [];
	for (let i = 0; i < MESSAGES; i++) {
		const from = `+55119${String(87650000 + (i % 4)).padStart(8, '0')}`;
		const { body } = await run.api('POST', `/simulator/sessions/${sessionId}/inbound`, { from, text: `message ${i}` });
		sent.push(body.messageId as string);
	}
	await eventually(async () => ((await run.pending()) >= MESSAGES ? true : undefined), 20000, 'all messages in the outbox');

	// n8n is back; kill -9 as soon as the first message has been delivered.
	receiver.respondWith(200);
	const deliveredMessages = () => receiver.events().filter((e): e is MessageEvent => e.type === 'message' && e.sessionId === sessionId);
	await receiver.waitFor((e) => e.type === 'message' && e.sessionId === sessionId, 20000);
	run.child.process.kill('SIGKILL');
	expect(await run.child.exited).toBe('SIGKILL');
	expect(deliveredMessages().length).toBeLessThan(MESSAGES);

	// A new process on the same folders: the session is restored and the rest is delivered.
	run = await startProcess();
	child = run.child;
	await eventually(() => (new Set(deliveredMessages().map((e) => e.message.messageId)).size >= MESSAGES ? true : undefined), 30000, 'every message');

	const firstSeen: string[] = [];
	const seenEvents = new Set<string>();
	for (const event of deliveredMessages()) {
		if (seenEvents.has(event.eventId)) continue; // a redelivery after the kill: same event id
		seenEvents.add(event.eventId);
		firstSeen.push(event.message.messageId);
	}
	expect(firstSeen).toEqual(sent);
	expect(receiver.rejected()).toEqual([]);
});
