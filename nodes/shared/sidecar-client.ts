/**
 * The WhatsApp sidecar's HTTP API, as the action nodes call it.
 *
 * Every call goes through n8n's `httpRequestWithAuthentication` with the
 * 'WhatsApp Sidecar API' credential, which adds `Authorization: Bearer
 * <apiKey>`; the credential's `baseUrl` is where the sidecar runs. Answers
 * with status >= 400 become errors that say what to do (./sidecar-errors.ts).
 *
 * Routes (sidecar/src/http/routes): `POST /sessions/:id` (start/connect),
 * `GET /sessions/:id/health`, `GET /health`, `DELETE /sessions/:id`,
 * `POST /sessions/:id/messages`, `POST /sessions/:id/media`, `…/location`,
 * `…/reactions`, `…/read`, `POST /sessions/:id/backfill`,
 * `GET /backfill/:jobId`. Errors are `{ error: { code, message } }`.
 */
import type { IDataObject, IExecuteFunctions, IHttpRequestMethods, IN8nHttpFullResponse } from 'n8n-workflow';
import type { SessionState } from '../../core/events/types';
import type { BackfillJob, BackfillJobState, HealthReport, SendResult, SessionResponse } from '../../core/sidecar-api/types';
import { inputError } from './node-errors';
import { sidecarErrorToNodeError, sidecarUnreachableError, unexpectedSidecarResponse } from './sidecar-errors';
import { SIDECAR_CREDENTIAL_TYPE } from './credential-types';


/** Starting a session waits for its first QR code; sending may wait on a slow browser. */
const REQUEST_TIMEOUT_MS = 120_000;

// The API's answers are defined once, for the sidecar and the nodes (core/sidecar-api). The
// nodes read them tolerantly: they rely on the fields picked here and pass on the rest as given.
type Tolerant<T, K extends keyof T> = Pick<T, K> & { [key: string]: unknown };

export type SidecarSession = Tolerant<SessionResponse, 'sessionId' | 'state' | 'qr' | 'qrDataUrl' | 'reason' | 'linkedPhone' | 'lastEventAt'> & {
	/** Absent from a sidecar older than this package. */
	lastError?: SessionResponse['lastError'];
};
export type SidecarHealthReport = Tolerant<
	HealthReport,
	'sessionId' | 'state' | 'connected' | 'healthy' | 'reason' | 'linkedPhone' | 'lastEventAt' | 'lastEventAgeSeconds'
>;
export type SidecarSendResult = SendResult;
export type SidecarBackfillJob = Tolerant<BackfillJob, 'jobId' | 'sessionId' | 'state'>;

export interface SidecarCall {
	method: IHttpRequestMethods;
	/** The path, with ids already URL-encoded (`/sessions/<id>/health`). */
	path: string;
	body?: IDataObject;
	itemIndex: number;
}

export interface SidecarResponse {
	status: number;
	body: unknown;
}

/** The credential's base URL, without a trailing slash. */
async function baseUrlOf(ctx: IExecuteFunctions, itemIndex: number): Promise<string> {
	const credentials = await ctx.getCredentials(SIDECAR_CREDENTIAL_TYPE, itemIndex);
	const baseUrl = typeof credentials.baseUrl === 'string' ? credentials.baseUrl.trim().replace(/\/+$/, '') : '';
	if (!/^https?:\/\/[^/]/i.test(baseUrl)) {
		throw inputError(
			ctx.getNode(),
			"The Sidecar URL in the 'WhatsApp Sidecar API' credential is not an http(s) address, such as http://127.0.0.1:3100.",
			{ itemIndex, code: 'invalid_sidecar_url' },
		);
	}
	return baseUrl;
}

/** One call, whatever the status; throws only when the sidecar cannot be reached. */
export async function callSidecar(ctx: IExecuteFunctions, call: SidecarCall): Promise<SidecarResponse> {
	const baseUrl = await baseUrlOf(ctx, call.itemIndex);
	let response: IN8nHttpFullResponse;
	try {
		response = (await ctx.helpers.httpRequestWithAuthentication.call(ctx, SIDECAR_CREDENTIAL_TYPE, {
			method: call.method,
			url: `${baseUrl}${call.path}`,
			...(call.body !== undefined ? { body: call.body } : {}),
			json: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: REQUEST_TIMEOUT_MS,
		})) as IN8nHttpFullResponse;
	} catch (error) {
		throw sidecarUnreachableError(ctx.getNode(), error, baseUrl, call.itemIndex);
	}
	return { status: response.statusCode, body: parseBody(response.body) };
}

/** One call that must succeed: status >= 400 becomes an error that says what to do. */
export async function sidecarRequest(ctx: IExecuteFunctions, call: SidecarCall): Promise<unknown> {
	const response = await callSidecar(ctx, call);
	if (response.status >= 400) {
		throw sidecarErrorToNodeError(ctx.getNode(), { ...response, method: call.method, path: call.path }, call.itemIndex);
	}
	return response.body;
}

/** `/sessions/<id>` for a Session ID parameter; an empty id is refused before any call. */
export function sessionPath(ctx: IExecuteFunctions, sessionId: unknown, itemIndex: number, suffix = ''): string {
	const id = typeof sessionId === 'string' ? sessionId.trim() : typeof sessionId === 'number' ? String(sessionId) : '';
	if (id === '') {
		throw inputError(ctx.getNode(), "Session ID is empty. Set it to the user's id that the WhatsApp session was connected under.", {
			itemIndex,
			code: 'missing_session_id',
		});
	}
	return `/sessions/${encodeURIComponent(id)}${suffix}`;
}

// ---- the API ------------------------------------------------------------------------------------

/** Start (or connect) a session: its state and, while linking, its QR code. */
export async function startSession(ctx: IExecuteFunctions, itemIndex: number, sessionId: unknown): Promise<SidecarSession> {
	const body = await sidecarRequest(ctx, { method: 'POST', path: sessionPath(ctx, sessionId, itemIndex), itemIndex });
	return expectSession(ctx, body, itemIndex);
}

/** One session's health; null when the sidecar has no such session (404 unknown_session). */
export async function getSessionHealth(ctx: IExecuteFunctions, itemIndex: number, sessionId: unknown): Promise<SidecarHealthReport | null> {
	const path = sessionPath(ctx, sessionId, itemIndex, '/health');
	const response = await callSidecar(ctx, { method: 'GET', path, itemIndex });
	if (response.status === 404 && errorCodeIn(response.body) === 'unknown_session') return null;
	if (response.status >= 400) throw sidecarErrorToNodeError(ctx.getNode(), { ...response, method: 'GET', path }, itemIndex);
	return expectHealthReport(ctx, response.body, itemIndex);
}

/** Every session's health (`GET /health` → `{ ok, sessions: [...] }`). */
export async function getAllSessionsHealth(ctx: IExecuteFunctions, itemIndex: number): Promise<SidecarHealthReport[]> {
	const body = await sidecarRequest(ctx, { method: 'GET', path: '/health', itemIndex });
	const sessions = isRecord(body) ? body.sessions : undefined;
	if (!Array.isArray(sessions)) throw unexpectedSidecarResponse(ctx.getNode(), 'no sessions list in GET /health', itemIndex);
	return sessions.map((report) => expectHealthReport(ctx, report, itemIndex));
}

/**
 * Log the session out and delete its auth data on the sidecar. `found` is
 * false when the sidecar had no such session (nothing left to disconnect).
 */
export async function disconnectSession(
	ctx: IExecuteFunctions,
	itemIndex: number,
	sessionId: unknown,
): Promise<{ found: boolean; session: SidecarSession | null }> {
	const path = sessionPath(ctx, sessionId, itemIndex);
	const response = await callSidecar(ctx, { method: 'DELETE', path, itemIndex });
	if (response.status === 404 && errorCodeIn(response.body) === 'unknown_session') return { found: false, session: null };
	if (response.status >= 400) throw sidecarErrorToNodeError(ctx.getNode(), { ...response, method: 'DELETE', path }, itemIndex);
	return { found: true, session: isRecord(response.body) && typeof response.body.sessionId === 'string' ? (response.body as SidecarSession) : null };
}

/** Send a text to a person (`to`: an E.164 number or a person's JID). */
export async function sendTextMessage(
	ctx: IExecuteFunctions,
	itemIndex: number,
	sessionId: unknown,
	message: { to: string; text: string; quotedMessageId?: string },
): Promise<SidecarSendResult> {
	const body = await sidecarRequest(ctx, {
		method: 'POST',
		path: sessionPath(ctx, sessionId, itemIndex, '/messages'),
		body: { to: message.to, text: message.text, ...(message.quotedMessageId ? { quotedMessageId: message.quotedMessageId } : {}) },
		itemIndex,
	});
	if (!isRecord(body) || typeof body.messageId !== 'string' || !isRecord(body.event)) {
		throw unexpectedSidecarResponse(ctx.getNode(), 'no messageId or event in the send answer', itemIndex);
	}
	return body as unknown as SidecarSendResult;
}

// ---- sending beyond text (POST /sessions/:id/media|location|reactions|read) ---------------------

/** A media or location send: `event` is null while the event schema does not carry the kind. */
export interface SidecarSentMessage {
	messageId: string;
	timestamp: string;
	kind: string;
	event: Record<string, unknown> | null;
}

/** Send a file (base64) with an optional caption; `to` is a person's JID. Files over the sidecar's MAX_MEDIA_MB answer 413. */
export async function sendMediaMessage(
	ctx: IExecuteFunctions,
	itemIndex: number,
	sessionId: unknown,
	media: { to: string; data: string; mimeType: string; fileName?: string; caption?: string; asDocument?: boolean; quotedMessageId?: string },
): Promise<SidecarSentMessage> {
	return expectSent(ctx, await sidecarRequest(ctx, { method: 'POST', path: sessionPath(ctx, sessionId, itemIndex, '/media'), body: media, itemIndex }), itemIndex);
}

export async function sendLocationMessage(
	ctx: IExecuteFunctions,
	itemIndex: number,
	sessionId: unknown,
	location: { to: string; latitude: number; longitude: number; name?: string; address?: string; quotedMessageId?: string },
): Promise<SidecarSentMessage> {
	return expectSent(ctx, await sidecarRequest(ctx, { method: 'POST', path: sessionPath(ctx, sessionId, itemIndex, '/location'), body: location, itemIndex }), itemIndex);
}

/** React to a message the session knows (404 unknown_message otherwise); an empty emoji removes the reaction. */
export async function reactToMessage(ctx: IExecuteFunctions, itemIndex: number, sessionId: unknown, reaction: { messageId: string; emoji: string }): Promise<void> {
	await sidecarRequest(ctx, { method: 'POST', path: sessionPath(ctx, sessionId, itemIndex, '/reactions'), body: reaction, itemIndex });
}

/** Mark the chat of a message as read (blue ticks for the sender). */
export async function markMessageRead(ctx: IExecuteFunctions, itemIndex: number, sessionId: unknown, messageId: string): Promise<void> {
	await sidecarRequest(ctx, { method: 'POST', path: sessionPath(ctx, sessionId, itemIndex, '/read'), body: { messageId }, itemIndex });
}

function expectSent(ctx: IExecuteFunctions, body: unknown, itemIndex: number): SidecarSentMessage {
	if (!isRecord(body) || typeof body.messageId !== 'string') throw unexpectedSidecarResponse(ctx.getNode(), 'no messageId in the send answer', itemIndex);
	return {
		messageId: body.messageId,
		timestamp: typeof body.timestamp === 'string' ? body.timestamp : '',
		kind: typeof body.kind === 'string' ? body.kind : '',
		event: isRecord(body.event) ? body.event : null,
	};
}

/** Start a backfill (or get the one already running for this session). */
export async function startBackfill(
	ctx: IExecuteFunctions,
	itemIndex: number,
	sessionId: unknown,
	options: { days?: number; batchSize?: number },
): Promise<SidecarBackfillJob> {
	const body = await sidecarRequest(ctx, {
		method: 'POST',
		path: sessionPath(ctx, sessionId, itemIndex, '/backfill'),
		body: {
			...(options.days !== undefined ? { days: options.days } : {}),
			...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
		},
		itemIndex,
	});
	return expectJob(ctx, body, itemIndex);
}

/** A backfill job's progress. */
export async function getBackfillJob(ctx: IExecuteFunctions, itemIndex: number, jobId: unknown): Promise<SidecarBackfillJob> {
	const id = typeof jobId === 'string' ? jobId.trim() : '';
	if (id === '') {
		throw inputError(ctx.getNode(), 'Job ID is empty. Use the jobId that WhatsApp Backfill with Operation "Start" returned.', {
			itemIndex,
			code: 'missing_job_id',
		});
	}
	const body = await sidecarRequest(ctx, { method: 'GET', path: `/backfill/${encodeURIComponent(id)}`, itemIndex });
	return expectJob(ctx, body, itemIndex);
}

// ---- answers ----------------------------------------------------------------------------------

function expectSession(ctx: IExecuteFunctions, body: unknown, itemIndex: number): SidecarSession {
	if (!isRecord(body) || typeof body.sessionId !== 'string' || typeof body.state !== 'string') {
		throw unexpectedSidecarResponse(ctx.getNode(), 'no sessionId or state in the session', itemIndex);
	}
	return {
		...body,
		sessionId: body.sessionId,
		state: body.state as SessionState,
		qr: stringOrNull(body.qr),
		qrDataUrl: stringOrNull(body.qrDataUrl),
		reason: stringOrNull(body.reason),
		linkedPhone: stringOrNull(body.linkedPhone),
		lastEventAt: stringOrNull(body.lastEventAt),
	};
}

function expectHealthReport(ctx: IExecuteFunctions, body: unknown, itemIndex: number): SidecarHealthReport {
	if (!isRecord(body) || typeof body.sessionId !== 'string' || typeof body.state !== 'string') {
		throw unexpectedSidecarResponse(ctx.getNode(), 'no sessionId or state in a health report', itemIndex);
	}
	return {
		...body,
		sessionId: body.sessionId,
		state: body.state as SessionState,
		connected: body.connected === true,
		healthy: typeof body.healthy === 'boolean' ? body.healthy : null,
		reason: stringOrNull(body.reason),
		linkedPhone: stringOrNull(body.linkedPhone),
		lastEventAt: stringOrNull(body.lastEventAt),
		lastEventAgeSeconds: typeof body.lastEventAgeSeconds === 'number' ? body.lastEventAgeSeconds : null,
	};
}

const JOB_STATES = new Set<unknown>(['running', 'completed', 'failed'] satisfies BackfillJobState[]);

function expectJob(ctx: IExecuteFunctions, body: unknown, itemIndex: number): SidecarBackfillJob {
	if (!isRecord(body) || typeof body.jobId !== 'string' || typeof body.sessionId !== 'string' || !JOB_STATES.has(body.state)) {
		throw unexpectedSidecarResponse(ctx.getNode(), 'no jobId, sessionId or known state in the backfill job', itemIndex);
	}
	return body as SidecarBackfillJob;
}

function parseBody(body: unknown): unknown {
	if (typeof body !== 'string') return body;
	try {
		return JSON.parse(body) as unknown;
	} catch {
		return body;
	}
}

function errorCodeIn(body: unknown): string | null {
	const error = isRecord(body) ? body.error : undefined;
	return isRecord(error) && typeof error.code === 'string' ? error.code : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringOrNull(value: unknown): string | null {
	return typeof value === 'string' && value !== '' ? value : null;
}
