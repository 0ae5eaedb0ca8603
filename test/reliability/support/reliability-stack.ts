/**
 * The whole product as `npm start` runs it (scripts/lib/stack.js): an embedded
 * PostgreSQL cluster of its own (a throwaway one, which the tests stop and
 * start), n8n 2.41.1 with this package and the shipped workflows, and the real
 * sidecar process on the simulator driver — plus what a user adds to the CRM
 * logging workflow at its documented extension point: a notification step
 * after "New message logged", here an HTTP call to a sink that counts the
 * calls per message. Faults are injected into these real processes.
 *
 * What a scenario measures (`tally`): `sent` messages, `logged` = those with
 * an interaction in the CRM, `duplicated` = extra notification calls (a
 * message notified twice) plus extra interactions or contacts, `lost` = sent
 * but never logged.
 */
import { createServer, type Server } from 'node:http';
import { appendFileSync, chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { freePort } from '../../../scripts/lib/ports';
import { startStack, type Stack } from '../../../scripts/lib/stack';
import type { RecordingProxy } from './recording-proxy';

export const REPO_ROOT = path.resolve(__dirname, '../../..');
/** Where each scenario's line is appended (git-ignored), beside the console. */
export const RESULTS_FILE = path.join(REPO_ROOT, 'test-output', 'reliability.md');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The notification step's other end: counts calls per WhatsApp message id. */
export interface NotificationSink {
	readonly url: string;
	readonly calls: Map<string, number>;
	close(): Promise<void>;
}

async function startSink(): Promise<NotificationSink> {
	const calls = new Map<string, number>();
	const server: Server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			try {
				const { messageId } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { messageId: string };
				calls.set(messageId, (calls.get(messageId) ?? 0) + 1);
				res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
			} catch {
				res.writeHead(400).end();
			}
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

/**
 * workflows/ copied, with a notification step added to both logging workflows where their
 * notes say replies and notifications go (after "New message logged").
 */
function workflowsWithNotification(dir: string, sinkUrl: string): void {
	cpSync(path.join(REPO_ROOT, 'workflows'), dir, { recursive: true });
	for (const [file, eventNode] of [
		['crm-logging.json', 'Text message?'],
		['crm-logging-cloud-api.json', 'Text message?'],
	]) {
		const full = path.join(dir, file);
		const workflow = JSON.parse(readFileSync(full, 'utf8')) as { nodes: Array<Record<string, unknown>>; connections: Record<string, unknown> };
		const anchor = workflow.nodes.find((n) => n.name === 'New message logged');
		if (!anchor) throw new Error(`${file} has no "New message logged" node: the documented extension point is gone`);
		const [x, y] = anchor.position as [number, number];
		workflow.nodes.push({
			parameters: {
				method: 'POST',
				url: sinkUrl,
				sendBody: true,
				specifyBody: 'json',
				jsonBody: `={{ JSON.stringify({ messageId: $('${eventNode}').item.json.message.messageId }) }}`,
				options: {},
			},
			id: file === 'crm-logging.json' ? '0f3a9c1e-7b2d-4e8f-9a6c-5d1b3e7f9a20' : '0f3a9c1e-7b2d-4e8f-9a6c-5d1b3e7f9a21',
			name: 'Notify the team',
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.2,
			position: [x + 260, y],
		});
		workflow.connections['New message logged'] = { main: [[{ node: 'Notify the team', type: 'main', index: 0 }]] };
		writeFileSync(full, JSON.stringify(workflow, null, 2));
	}
}

export interface Tally {
	sent: number;
	logged: number;
	duplicated: number;
	lost: number;
}

export interface ReliabilityStack {
	readonly stack: Stack;
	readonly sink: NotificationSink;
	readonly sidecarUrl: string;
	readonly n8nUrl: string;
	/** The sidecar's WEBHOOK_SECRET (the stack's generated secrets). */
	readonly webhookSecret: string;
	/** The CRM database (the embedded cluster). */
	query<T = Record<string, unknown>>(text: string, values?: unknown[]): Promise<T[]>;
	/** A call to the sidecar's API with its key; throws unless 2xx. */
	sidecar<T = any>(method: string, apiPath: string, body?: unknown): Promise<T>;
	/** Starts a session and links its simulated phone; resolves once the CRM has the user as connected. */
	linkSession(sessionId: string, phone: string): Promise<void>;
	/** A text from `from` to the session's phone (the simulator's inbound); returns the WhatsApp message id. */
	inbound(sessionId: string, from: string, text: string, extra?: Record<string, unknown>): Promise<string>;
	/** Waits until every message id has its interaction (the state named), or throws with the tally after `timeoutMs`. */
	waitForLogged(messageIds: string[], timeoutMs: number): Promise<void>;
	/** What happened to these messages (see the header). */
	tally(messageIds: string[]): Promise<Tally>;
	/** Prints and records the scenario's line; returns the tally. */
	report(scenario: string, messageIds: string[]): Promise<Tally>;
	logs(part: 'n8n' | 'sidecar' | 'postgres'): string;
	stop(): Promise<void>;
}

export async function startReliabilityStack(options: { env?: Record<string, string>; proxy?: RecordingProxy } = {}): Promise<ReliabilityStack> {
	const root = mkdtempSync(path.join(os.tmpdir(), 'whatsapp-crm-reliability-'));
	// The embedded PostgreSQL runs as an unprivileged user when the tests run as root: it must be able to enter.
	chmodSync(root, 0o711);
	const sink = await startSink();
	const workflowsDir = path.join(root, 'workflows');
	workflowsWithNotification(workflowsDir, sink.url);
	const lines: string[] = [];
	let stack: Stack;
	try {
		stack = await startStack({
			repoRoot: REPO_ROOT,
			dataDir: path.join(root, 'data'),
			n8nPort: await freePort(),
			sidecarPort: await freePort(),
			// Not npm start's default port: while a scenario has stopped this database, another
			// stack (the start e2e, in the other jest worker) would take the default and answer for it.
			postgresPort: await freePort(),
			driver: 'simulator',
			workflowsDir,
			log: (line) => lines.push(line),
			sidecarWebhookUrl: options.proxy
				? (triggerUrl) => {
						options.proxy!.target = triggerUrl;
						return options.proxy!.url;
					}
				: undefined,
			env: {
				PATH: process.env.PATH ?? '',
				HOME: process.env.HOME ?? '',
				LANG: process.env.LANG ?? 'C.UTF-8',
				LOG_LEVEL: 'info',
				// The outbox retries with backoff up to 5 minutes between attempts by default; a test
				// of "the database was away for a minute" should not then wait up to 5 more minutes.
				OUTBOX_BASE_DELAY_MS: '250',
				OUTBOX_MAX_DELAY_MS: '4000',
				...options.env,
			},
		});
	} catch (error) {
		await sink.close();
		rmSync(root, { recursive: true, force: true });
		throw error;
	}
	const pool = new Pool({ connectionString: stack.info.database.url, max: 4 });
	pool.on('error', () => {});
	const sidecarUrl = stack.info.sidecarUrl;

	const query = async <T>(text: string, values?: unknown[]): Promise<T[]> => (await pool.query(text, values)).rows as T[];
	const sidecar = async <T>(method: string, apiPath: string, body?: unknown): Promise<T> => {
		const res = await fetch(`${sidecarUrl}${apiPath}`, {
			method,
			headers: { authorization: `Bearer ${stack.info.sidecarApiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await res.text();
		if (!res.ok) throw new Error(`${method} ${apiPath} → ${res.status} ${text.slice(0, 300)}`);
		return (text ? JSON.parse(text) : null) as T;
	};

	const tally = async (messageIds: string[]): Promise<Tally> => {
		const logged = await query<{ ext_message_id: string }>('SELECT ext_message_id FROM whatsapp_crm.interactions WHERE ext_message_id = ANY ($1::text[])', [messageIds]);
		const loggedSet = new Set(logged.map((r) => r.ext_message_id));
		const extraNotifications = messageIds.reduce((extra, id) => extra + Math.max(0, (sink.calls.get(id) ?? 0) - 1), 0);
		// Two contacts for one number would be a duplicate too.
		const [contacts] = await query<{ extra: number }>(
			"SELECT (count(*) - count(DISTINCT whatsapp_phone))::int AS extra FROM whatsapp_crm.contacts WHERE whatsapp_phone IS NOT NULL",
		);
		return {
			sent: messageIds.length,
			logged: loggedSet.size,
			duplicated: extraNotifications + logged.length - loggedSet.size + contacts.extra,
			lost: messageIds.filter((id) => !loggedSet.has(id)).length,
		};
	};

	return {
		stack,
		sink,
		sidecarUrl,
		n8nUrl: `http://127.0.0.1:${new URL(stack.info.editorUrl).port}`,
		webhookSecret: (JSON.parse(readFileSync(path.join(root, 'data', 'secrets.json'), 'utf8')) as { webhookSecret: string }).webhookSecret,
		query,
		sidecar,
		async linkSession(sessionId, phone) {
			await sidecar('POST', `/sessions/${sessionId}`);
			await sidecar('POST', `/simulator/sessions/${sessionId}/link`, { phone });
			for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(200)) {
				const [user] = await query<{ whatsapp_connected: boolean }>('SELECT whatsapp_connected FROM whatsapp_crm.users WHERE id = $1', [sessionId]);
				if (user?.whatsapp_connected) return;
			}
			throw new Error(`the CRM never had ${sessionId} as connected`);
		},
		async inbound(sessionId, from, text, extra = {}) {
			const answer = await sidecar<{ messageId: string }>('POST', `/simulator/sessions/${sessionId}/inbound`, { from, text, ...extra });
			return answer.messageId;
		},
		async waitForLogged(messageIds, timeoutMs) {
			const deadline = Date.now() + timeoutMs;
			for (;;) {
				const now = await tally(messageIds);
				if (now.lost === 0) return;
				if (Date.now() > deadline) throw new Error(`not every message was logged within ${timeoutMs / 1000} s: ${JSON.stringify(now)}`);
				await sleep(500);
			}
		},
		tally,
		async report(scenario, messageIds) {
			const result = await tally(messageIds);
			const line = `${scenario}: sent ${result.sent} / logged ${result.logged} / duplicated ${result.duplicated} / lost ${result.lost}`;
			process.stdout.write(`[reliability] ${line}\n`);
			mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
			appendFileSync(RESULTS_FILE, `- ${new Date().toISOString()} ${line}\n`);
			return result;
		},
		logs(part) {
			try {
				return readFileSync(path.join(stack.info.logsDir, `${part}.log`), 'utf8');
			} catch {
				return '';
			}
		},
		async stop() {
			await pool.end().catch(() => {});
			await stack.stop().catch(() => {});
			await sink.close();
			if (process.env.WHATSAPP_CRM_E2E_KEEP !== '1') rmSync(root, { recursive: true, force: true });
			else process.stderr.write(`[reliability] kept ${root}\n`);
			void lines;
		},
	};
}

/** `n` distinct international numbers (Brazilian mobiles), one per sender. */
export function senders(n: number, base = 0): string[] {
	return Array.from({ length: n }, (_, i) => `+55119${String(70000000 + base + i).padStart(8, '0')}`);
}
