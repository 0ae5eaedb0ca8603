/**
 * Runs the real sidecar in-process (createSidecar) with the simulator driver,
 * on loopback, with temporary folders, against a real receiver.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { loadConfig, type SidecarConfig } from '../../../sidecar/src/config';
import { createLogger } from '../../../sidecar/src/logger';
import { createSidecar, type Sidecar } from '../../../sidecar/src/main';
import type { NormalizedEvent, MessageEvent, SessionStateEvent } from '../../../core/events/types';
import { startReceiver, type Receiver } from './receiver';

export const API_KEY = 'test-api-key-0123456789abcdef';
export const SECRET = 'test-webhook-secret-0123456789';

export function tempDir(prefix = 'sidecar-test-'): string {
	return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function testConfig(root: string, webhookUrl: string, env: Record<string, string> = {}): SidecarConfig {
	return loadConfig(
		{
			PORT: '0',
			HOST: '127.0.0.1',
			SIDECAR_API_KEY: API_KEY,
			WEBHOOK_URL: webhookUrl,
			WEBHOOK_SECRET: SECRET,
			SESSION_DIR: path.join(root, 'sessions'),
			DATA_DIR: path.join(root, 'data'),
			WHATSAPP_DRIVER: 'simulator',
			LOG_LEVEL: 'debug',
			HEALTH_TIMEOUT_MS: '500',
			START_WAIT_MS: '3000',
			OUTBOX_BASE_DELAY_MS: '20',
			OUTBOX_MAX_DELAY_MS: '200',
			...env,
		},
		root,
	);
}

export interface Running {
	sidecar: Sidecar;
	logs: string[];
	api: (method: string, p: string, body?: unknown, options?: { key?: string | null; headers?: Record<string, string>; raw?: string }) => Promise<{ status: number; body: any; text: string }>;
}

export async function startSidecar(config: SidecarConfig): Promise<Running> {
	const logs: string[] = [];
	const sink = new Writable({
		write(chunk: Buffer, _enc, cb) {
			logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
			cb();
		},
	});
	const logger = createLogger(config.logLevel, sink);
	const sidecar = await createSidecar(config, { logger });
	const api: Running['api'] = async (method, p, body, options = {}) => {
		const headers: Record<string, string> = { ...(options.headers ?? {}) };
		const key = options.key === undefined ? API_KEY : options.key;
		if (key !== null) headers.authorization = `Bearer ${key}`;
		let payload: string | undefined;
		if (options.raw !== undefined) payload = options.raw;
		else if (body !== undefined) {
			payload = JSON.stringify(body);
			headers['content-type'] ??= 'application/json';
		}
		const res = await fetch(`${sidecar.url}${p}`, { method, headers, body: payload });
		const text = await res.text();
		let parsed: any = null;
		try {
			parsed = JSON.parse(text);
		} catch {
			parsed = null;
		}
		return { status: res.status, body: parsed, text };
	};
	return { sidecar, logs, api };
}

/** The sidecar in-process on a temp folder, delivering to a real receiver that verifies every signature. */
export interface SidecarUnderTest {
	root: string;
	receiver: Receiver;
	run: Running;
}

export async function startSidecarUnderTest(env: Record<string, string> = {}): Promise<SidecarUnderTest> {
	const root = tempDir();
	const receiver = await startReceiver(SECRET);
	const run = await startSidecar(testConfig(root, receiver.url, env));
	return { root, receiver, run };
}

/** Closes what is running now (a test may have restarted the sidecar) and removes the temp folder. */
export async function stopSidecarUnderTest(under: Partial<SidecarUnderTest>): Promise<void> {
	await under.run?.sidecar.close();
	await under.receiver?.close();
	if (under.root) fs.rmSync(under.root, { recursive: true, force: true });
}

export const newSessionId = () => randomUUID();

export const isSessionState =
	(sessionId: string, state: string) =>
	(e: NormalizedEvent): e is SessionStateEvent =>
		e.type === 'session.state' && e.sessionId === sessionId && e.session.state === state;

export const isMessage =
	(messageId: string) =>
	(e: NormalizedEvent): e is MessageEvent =>
		e.type === 'message' && e.message.messageId === messageId;

/** Polls `check` until it returns a value other than undefined (or throws after `timeoutMs`). */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 10000, what = 'condition'): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await check();
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
		await new Promise((r) => setTimeout(r, 25));
	}
}

/** Starts a session and links it through the simulator; returns once the connected event was delivered. */
export async function linkSession(
	run: Running,
	waitFor: (p: (e: NormalizedEvent) => boolean) => Promise<NormalizedEvent>,
	sessionId: string,
	phone = '5511900000001',
): Promise<void> {
	const started = await run.api('POST', `/sessions/${sessionId}`);
	if (started.status !== 200 || started.body.state !== 'qr') throw new Error(`start gave ${started.status} ${started.text}`);
	const linked = await run.api('POST', `/simulator/sessions/${sessionId}/link`, { phone });
	if (linked.status !== 200) throw new Error(`link gave ${linked.status} ${linked.text}`);
	await waitFor(isSessionState(sessionId, 'connected'));
}
