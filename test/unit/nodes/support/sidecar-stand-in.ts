/**
 * A local HTTP server that answers as the WhatsApp sidecar's API does
 * (sidecar/src/http: server.ts, routes/sessions.ts, routes/health.ts,
 * routes/backfill.ts), with sessions, numbers and backfill jobs the test sets
 * up, and a record of every request it received.
 *
 * Wire format, as the sidecar's:
 * - every route but `GET /healthz` needs `Authorization: Bearer <apiKey>`,
 *   else 401 `{ error: { code: 'unauthorized', message } }`;
 * - errors are `{ error: { code, message, field? } }`; unknown route → 404 `not_found`;
 * - session ids must be UUIDs (422 `invalid_session_id`); unknown → 404 `unknown_session`;
 * - a request body must be JSON (`Content-Type: application/json`, else 415);
 * - `POST /sessions/:id` → 200 session view + `qrDataUrl` (PNG data URL, made with the same `qrcode` package);
 * - `GET /sessions/:id/health` → 200 one health report; `GET /health` → `{ ok: true, sessions: [...] }`;
 * - `DELETE /sessions/:id` → 200 the view in state `logged_out` (the session is forgotten);
 * - `POST /sessions/:id/messages` `{ to, text }` → 201 `{ messageId, timestamp, event }`
 *   (409 `not_connected`, 422 `not_on_whatsapp` / `not_a_person` / `invalid_input`);
 * - `POST /sessions/:id/backfill` `{ days?, batchSize? }` → 202 the job; `GET /backfill/:jobId` → 200 job / 404 `unknown_job`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import QRCode from 'qrcode';
import { buildMessageEvent, buildRemoteParty } from '../../../../core/events/builders';
import type { SessionState } from '../../../../core/events/types';
import { parseWhatsAppId } from '../../../../core/phone/parse-whatsapp-id';

export interface RecordedRequest {
	method: string;
	path: string;
	headers: http.IncomingHttpHeaders;
	/** The body as text ('' when none). */
	rawBody: string;
	/** The body parsed as JSON, or undefined. */
	body: unknown;
}

export interface StandInSession {
	sessionId: string;
	state: SessionState;
	linkedPhone: string | null;
	qr: string | null;
	reason: string | null;
	/** What the health check reports; defaults follow the state. */
	healthy?: boolean | null;
	healthReason?: string | null;
	lastEventAgeSeconds?: number | null;
}

export interface StandInBackfillPlan {
	/** How many `GET /backfill/:jobId` calls see the job running before it finishes. */
	pollsUntilFinished: number;
	outcome: 'completed' | 'failed';
	/** The job's `error` when it fails. */
	error?: string;
	/** Never finish (for waits that run out). */
	never?: boolean;
}

interface Job {
	public: Record<string, unknown>;
	polls: number;
	plan: StandInBackfillPlan;
}

export interface SidecarStandIn {
	/** `http://127.0.0.1:<port>` */
	url: string;
	apiKey: string;
	requests: RecordedRequest[];
	sessions: Map<string, StandInSession>;
	/** Numbers on WhatsApp, as digits (`5511987654321`). */
	onWhatsApp: Set<string>;
	backfillPlan: StandInBackfillPlan;
	jobs: Map<string, Job>;
	addSession(session: Partial<StandInSession> & { sessionId: string; state: SessionState }): StandInSession;
	/** Requests other than to the stand-in's own liveness route. */
	apiRequests(): RecordedRequest[];
	close(): Promise<void>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

class HttpFailure extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		message: string,
		readonly field?: string,
	) {
		super(message);
	}
}

export async function startSidecarStandIn(options: { apiKey?: string } = {}): Promise<SidecarStandIn> {
	const apiKey = options.apiKey ?? `key-${randomBytes(8).toString('hex')}`;
	const requests: RecordedRequest[] = [];
	const sessions = new Map<string, StandInSession>();
	const onWhatsApp = new Set<string>();
	const jobs = new Map<string, Job>();
	const startedAt = new Date().toISOString();
	const standIn = {
		apiKey,
		requests,
		sessions,
		onWhatsApp,
		jobs,
		backfillPlan: { pollsUntilFinished: 2, outcome: 'completed' } as StandInBackfillPlan,
	} as SidecarStandIn;

	standIn.addSession = (input) => {
		const session: StandInSession = { linkedPhone: null, qr: null, reason: null, ...input, sessionId: input.sessionId.toLowerCase() };
		sessions.set(session.sessionId, session);
		return session;
	};
	standIn.apiRequests = () => requests.filter((request) => request.path !== '/healthz');

	const requireId = (raw: string): string => {
		const id = raw.trim().toLowerCase();
		if (!UUID.test(id)) throw new HttpFailure(422, 'invalid_session_id', 'The session id must be a UUID.', 'id');
		return id;
	};
	const requireSession = (raw: string): StandInSession => {
		const session = sessions.get(requireId(raw));
		if (!session) throw new HttpFailure(404, 'unknown_session', 'No such session.');
		return session;
	};
	const view = async (session: StandInSession) => ({
		sessionId: session.sessionId,
		state: session.state,
		qr: session.qr,
		reason: session.reason,
		linkedPhone: session.linkedPhone,
		lastEventAt: new Date(Date.now() - 60_000).toISOString(),
		startedAt,
		restored: false,
		qrDataUrl: session.qr ? await QRCode.toDataURL(session.qr, { errorCorrectionLevel: 'L', margin: 2, width: 264 }) : null,
	});
	const health = (session: StandInSession) => {
		const connected = session.state === 'connected';
		const age = session.lastEventAgeSeconds === undefined ? 42 : session.lastEventAgeSeconds;
		return {
			sessionId: session.sessionId,
			state: session.state,
			connected,
			healthy: session.healthy === undefined ? connected : session.healthy,
			reason: session.healthReason === undefined ? (connected ? null : 'not_connected') : session.healthReason,
			linkedPhone: session.linkedPhone,
			lastEventAt: age === null ? null : new Date(Date.now() - age * 1000).toISOString(),
			lastEventAgeSeconds: age,
			clientState: connected ? 'CONNECTED' : null,
		};
	};
	const integerField = (input: Record<string, unknown>, field: string, min: number, max: number): number | undefined => {
		const value = input[field];
		if (value === undefined || value === null) return undefined;
		if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
			throw new HttpFailure(422, 'invalid_input', `${field} must be a whole number from ${min} to ${max}`, field);
		}
		return value;
	};
	const asObject = (body: unknown): Record<string, unknown> => {
		if (body === null || typeof body !== 'object' || Array.isArray(body)) {
			throw new HttpFailure(422, 'invalid_input', 'The request body must be a JSON object.', 'body');
		}
		return body as Record<string, unknown>;
	};

	async function route(method: string, segments: string[], body: () => unknown): Promise<{ status: number; body: unknown }> {
		const [first, second, third] = segments;
		if (method === 'GET' && segments.length === 1 && first === 'health') {
			return { status: 200, body: { ok: true, sessions: [...sessions.values()].map(health) } };
		}
		if (first === 'sessions' && segments.length === 2) {
			const raw = second as string;
			if (method === 'POST') {
				const id = requireId(raw);
				let session = sessions.get(id);
				if (!session || session.state === 'disconnected' || session.state === 'logged_out') {
					session = standIn.addSession({ sessionId: id, state: 'qr', qr: `2@${randomBytes(24).toString('base64')},${randomBytes(16).toString('base64')},1` });
				}
				return { status: 200, body: await view(session) };
			}
			if (method === 'GET') return { status: 200, body: await view(requireSession(raw)) };
			if (method === 'DELETE') {
				const session = requireSession(raw);
				sessions.delete(session.sessionId);
				return {
					status: 200,
					body: await view({ ...session, state: 'logged_out', qr: null, linkedPhone: null, reason: 'disconnect requested' }),
				};
			}
		}
		if (first === 'sessions' && segments.length === 3 && third === 'health' && method === 'GET') {
			return { status: 200, body: health(requireSession(second as string)) };
		}
		if (first === 'sessions' && segments.length === 3 && third === 'messages' && method === 'POST') {
			const session = requireSession(second as string);
			const input = asObject(body());
			const { to, text } = input;
			if (typeof text !== 'string' || text.trim() === '') throw new HttpFailure(422, 'invalid_input', 'text must be a non-empty string', 'text');
			if (typeof to !== 'string' || to.trim() === '') throw new HttpFailure(422, 'invalid_input', 'to must be a phone number or a WhatsApp JID', 'to');
			const parsed = parseWhatsAppId(to);
			if (parsed.kind !== 'person' || !parsed.e164) {
				const why = parsed.kind === 'invalid' ? (parsed.reason ?? 'not a valid number') : `a ${parsed.kind} id is not a person`;
				throw new HttpFailure(422, parsed.kind === 'invalid' ? 'invalid_input' : 'not_a_person', `to must be a person's phone number or JID (${why})`, 'to');
			}
			if (session.state !== 'connected') throw new HttpFailure(409, 'not_connected', 'The session is not connected.');
			const digits = parsed.e164.slice(1);
			if (!onWhatsApp.has(digits)) throw new HttpFailure(422, 'not_on_whatsapp', 'This number is not on WhatsApp.', 'to');
			const chatId = `${digits}@c.us`;
			const messageId = `true_${chatId}_3EB0${randomBytes(8).toString('hex').toUpperCase()}`;
			const timestamp = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
			const event = buildMessageEvent({
				sessionId: session.sessionId,
				occurredAt: timestamp,
				message: {
					messageId,
					direction: 'outbound',
					chatKind: 'direct',
					chatId,
					remote: buildRemoteParty(chatId),
					kind: 'text',
					isMedia: false,
					rawType: 'chat',
					text,
					timestamp,
					origin: 'live',
					participant: null,
					contextMessageId: null,
				},
			});
			return { status: 201, body: { messageId, timestamp, event } };
		}
		if (first === 'sessions' && segments.length === 3 && third === 'backfill' && method === 'POST') {
			const session = requireSession(second as string);
			const input = asObject(body());
			const days = integerField(input, 'days', 1, 3650) ?? 30;
			const batchSize = integerField(input, 'batchSize', 1, 500) ?? 50;
			if (session.state !== 'connected') throw new HttpFailure(409, 'not_connected', 'The session is not connected.');
			const running = [...jobs.values()].find((job) => job.public.sessionId === session.sessionId && job.public.state === 'running');
			if (running) return { status: 202, body: running.public };
			const now = new Date();
			const job: Job = {
				polls: 0,
				plan: { ...standIn.backfillPlan },
				public: {
					jobId: randomUUID(),
					sessionId: session.sessionId,
					state: 'running',
					order: 'oldest_first',
					days,
					batchSize,
					since: new Date(now.getTime() - days * 86_400_000).toISOString(),
					until: now.toISOString(),
					startedAt: now.toISOString(),
					updatedAt: now.toISOString(),
					finishedAt: null,
					chatsTotal: 0,
					chatsDone: 0,
					messagesSent: 0,
					batchesSent: 0,
					reachedOldestAvailable: false,
					error: null,
				},
			};
			jobs.set(job.public.jobId as string, job);
			return { status: 202, body: job.public };
		}
		if (first === 'backfill' && segments.length === 2 && method === 'GET') {
			const job = jobs.get(second as string);
			if (!job) throw new HttpFailure(404, 'unknown_job', 'No such backfill job.');
			if (job.public.state === 'running') advance(job);
			return { status: 200, body: job.public };
		}
		throw new HttpFailure(404, 'not_found', 'No such route.');
	}

	/** Each progress read moves a running job on by one batch. */
	function advance(job: Job): void {
		job.polls += 1;
		const p = job.public;
		const batchSize = p.batchSize as number;
		p.chatsTotal = 4;
		p.updatedAt = new Date().toISOString();
		if (job.plan.never || job.polls < job.plan.pollsUntilFinished) {
			p.batchesSent = job.polls;
			p.messagesSent = job.polls * batchSize;
			p.chatsDone = Math.min(3, job.polls);
			return;
		}
		p.finishedAt = new Date().toISOString();
		if (job.plan.outcome === 'failed') {
			p.state = 'failed';
			p.error = job.plan.error ?? 'the session disconnected during the backfill';
			return;
		}
		p.state = 'completed';
		p.chatsDone = 4;
		p.batchesSent = job.polls;
		p.messagesSent = (job.polls - 1) * batchSize + 7;
		p.reachedOldestAvailable = true;
	}

	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const rawBody = Buffer.concat(chunks).toString('utf8');
			const method = req.method ?? 'GET';
			const path = (req.url ?? '/').split('?')[0] as string;
			let parsed: unknown;
			try {
				parsed = rawBody === '' ? undefined : (JSON.parse(rawBody) as unknown);
			} catch {
				parsed = undefined;
			}
			requests.push({ method, path, headers: req.headers, rawBody, body: parsed });
			const reply = (status: number, body: unknown) => {
				res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
				res.end(JSON.stringify(body));
			};
			const failure = (error: HttpFailure) =>
				reply(error.status, { error: { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) } });

			if (method === 'GET' && path === '/healthz') return reply(200, { ok: true });
			const auth = /^Bearer[ \t]+(.+)$/i.exec(String(req.headers.authorization ?? '').trim());
			if (!auth || (auth[1] as string).trim() !== apiKey) {
				return failure(new HttpFailure(401, 'unauthorized', 'Missing or wrong API key (Authorization: Bearer <SIDECAR_API_KEY>).'));
			}
			const body = () => {
				if (rawBody === '') return {};
				const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
				if (type !== 'application/json') throw new HttpFailure(415, 'unsupported_media_type', 'Send the body as JSON (Content-Type: application/json).');
				if (parsed === undefined) throw new HttpFailure(422, 'invalid_json', 'The request body is not valid JSON.', 'body');
				return parsed;
			};
			const segments = path.split('/').filter((segment) => segment !== '').map((segment) => decodeURIComponent(segment));
			route(method, segments, body).then(
				(answer) => reply(answer.status, answer.body),
				(error: unknown) => {
					if (error instanceof HttpFailure) return failure(error);
					reply(500, { error: { code: 'internal_error', message: 'Internal error.' } });
				},
			);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	standIn.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	standIn.close = () =>
		new Promise<void>((resolve) => {
			server.closeAllConnections();
			server.close(() => resolve());
		});
	return standIn;
}

/** Credential data for the stand-in, as a user would save it in n8n. */
export function sidecarCredential(standIn: SidecarStandIn, overrides: Record<string, string> = {}): Record<string, string> {
	return { baseUrl: standIn.url, apiKey: standIn.apiKey, webhookSecret: 'not-used-by-action-nodes', ...overrides };
}
