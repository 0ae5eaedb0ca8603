/**
 * The real sidecar, in-process (createSidecar from sidecar/src, compiled by ts-jest from
 * source, so it never runs a stale build), on the simulator driver, with its webhooks
 * going to the URL given — n8n's WhatsApp CRM Trigger in these tests. Its JSON logs are
 * kept in memory (they never hold phone numbers or texts) and printed when a test asks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../../../sidecar/src/config';
import { createLogger } from '../../../sidecar/src/logger';
import { createSidecar, type Sidecar } from '../../../sidecar/src/main';

export interface SidecarApiResponse<T = any> {
	status: number;
	body: T;
}

export interface RunningSidecar {
	readonly url: string;
	readonly apiKey: string;
	readonly webhookSecret: string;
	/** SESSION_DIR: one `session-<id>` folder of auth data per linked user. */
	readonly sessionDir: string;
	readonly sidecar: Sidecar;
	/** A call to the sidecar's HTTP API with the API key. */
	api<T = any>(method: string, apiPath: string, body?: unknown): Promise<SidecarApiResponse<T>>;
	/** Like api(), but throws unless the answer is 2xx. */
	call<T = any>(method: string, apiPath: string, body?: unknown): Promise<T>;
	logs(): string[];
	stop(): Promise<void>;
}

export interface StartSidecarOptions {
	webhookUrl: string;
	webhookSecret: string;
	apiKey: string;
	env?: Record<string, string>;
}

export async function startSimulatorSidecar(options: StartSidecarOptions): Promise<RunningSidecar> {
	const root = mkdtempSync(path.join(os.tmpdir(), 'whatsapp-crm-e2e-sidecar-'));
	const sessionDir = path.join(root, 'sessions');
	const config = loadConfig(
		{
			PORT: '0',
			HOST: '127.0.0.1',
			SIDECAR_API_KEY: options.apiKey,
			WEBHOOK_URL: options.webhookUrl,
			WEBHOOK_SECRET: options.webhookSecret,
			SESSION_DIR: sessionDir,
			DATA_DIR: path.join(root, 'data'),
			WHATSAPP_DRIVER: 'simulator',
			LOG_LEVEL: 'info',
			START_WAIT_MS: '5000',
			OUTBOX_BASE_DELAY_MS: '200',
			OUTBOX_MAX_DELAY_MS: '2000',
			...options.env,
		},
		root,
	);
	const lines: string[] = [];
	const sink = new Writable({
		write(chunk: Buffer, _encoding, done) {
			lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
			done();
		},
	});
	const sidecar = await createSidecar(config, { logger: createLogger(config.logLevel, sink) });

	const api = async <T>(method: string, apiPath: string, body?: unknown): Promise<SidecarApiResponse<T>> => {
		const res = await fetch(`${sidecar.url}${apiPath}`, {
			method,
			headers: {
				authorization: `Bearer ${options.apiKey}`,
				...(body === undefined ? {} : { 'content-type': 'application/json' }),
			},
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await res.text();
		return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
	};

	let stopped: Promise<void> | undefined;
	return {
		url: sidecar.url,
		apiKey: options.apiKey,
		webhookSecret: options.webhookSecret,
		sessionDir,
		sidecar,
		api,
		async call<T>(method: string, apiPath: string, body?: unknown): Promise<T> {
			const res = await api<T>(method, apiPath, body);
			if (res.status < 200 || res.status > 299) {
				throw new Error(`${method} ${apiPath} → ${res.status} ${JSON.stringify(res.body)}`);
			}
			return res.body;
		},
		logs: () => [...lines],
		stop() {
			stopped ??= (async () => {
				await sidecar.close();
				rmSync(root, { recursive: true, force: true });
			})();
			return stopped;
		},
	};
}
