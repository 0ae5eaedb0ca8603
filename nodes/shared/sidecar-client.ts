/**
 * The WhatsApp sidecar's HTTP API, as the action nodes call it.
 *
 * Every call goes through n8n's `httpRequestWithAuthentication` with the
 * 'WhatsApp Sidecar API' credential, which adds `Authorization: Bearer
 * <apiKey>`. The credential names one sidecar (Sidecar URL) or several
 * (Additional Sidecar URLs): a call about a session goes to the session's
 * owner (core/sidecar-api/session-owner.ts), so a workflow never says which
 * sidecar holds which session — or, when the owner has no such session and
 * another sidecar has it (left there when a sidecar was added), to that one. Answers with status >= 400 become errors that
 * say what to do (./sidecar-errors.ts).
 *
 * Routes (sidecar/src/http/routes): `POST /sessions/:id` (start/connect),
 * `GET /sessions/:id/health`, `GET /health`, `DELETE /sessions/:id`,
 * `POST /sessions/:id/messages`, `POST /sessions/:id/media`, `…/location`,
 * `…/reactions`, `…/read`, `POST /sessions/:id/backfill`,
 * `GET /backfill/:jobId`. Errors are `{ error: { code, message } }`.
 */
import type { IDataObject, IExecuteFunctions, IHttpRequestMethods, IN8nHttpFullResponse, NodeApiError } from 'n8n-workflow';
import type { SessionState } from '../../core/events/types';
import { sessionOwner, sidecarUrlList, splitSidecarUrls } from '../../core/sidecar-api/session-owner';
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
	/** The session the call is about: it goes to the session's sidecar. Without it (and without `sidecarUrl`), to the Sidecar URL. */
	sessionId?: string;
	/** This sidecar (one of the credential's URLs), whatever the session. */
	sidecarUrl?: string;
}

export interface SidecarResponse {
	status: number;
	body: unknown;
	/** The sidecar that answered. */
	sidecarUrl: string;
}

/**
 * The credential's sidecars, normalized: the Sidecar URL first, then the
 * Additional Sidecar URLs (one per line, or separated by commas).
 */
async function sidecarUrlsOf(ctx: IExecuteFunctions, itemIndex: number): Promise<string[]> {
	const credentials = await ctx.getCredentials(SIDECAR_CREDENTIAL_TYPE, itemIndex);
	const baseUrl = typeof credentials.baseUrl === 'string' ? credentials.baseUrl : '';
	const first = sidecarUrlList([baseUrl]);
	if (first.urls.length === 0) {
		throw inputError(
			ctx.getNode(),
			"The Sidecar URL in the 'WhatsApp Sidecar API' credential is not an http(s) address, such as http://127.0.0.1:3100.",
			{ itemIndex, code: 'invalid_sidecar_url' },
		);
	}
	const additional = typeof credentials.additionalBaseUrls === 'string' ? splitSidecarUrls(credentials.additionalBaseUrls) : [];
	const list = sidecarUrlList([baseUrl, ...additional]);
	if (list.invalid.length > 0) {
		throw inputError(
			ctx.getNode(),
			`The Additional Sidecar URLs in the 'WhatsApp Sidecar API' credential hold "${list.invalid[0]}", which is not an http(s) address. List one address per line, such as http://sidecar-2:3100.`,
			{ itemIndex, code: 'invalid_sidecar_url' },
		);
	}
	return list.urls;
}

/** The sidecar that holds `sessionId`: its owner among the credential's sidecars. */
async function sidecarOf(ctx: IExecuteFunctions, itemIndex: number, sessionId: string): Promise<string> {
	return sessionOwner(sessionId, await sidecarUrlsOf(ctx, itemIndex));
}

/**
 * The sidecar other than `owner` that holds `sessionId`, if any: a session left
 * where it was when a sidecar was added to the credential (its owner changed,
 * its folder did not move). Asked only after the owner said it has no such
 * session, or before starting one, and only with several sidecars: so adding a
 * sidecar never makes a working session look unknown (the nightly check would
 * ask its user to link the phone again). Sidecars that cannot be reached are
 * skipped.
 */
async function holderElsewhere(ctx: IExecuteFunctions, itemIndex: number, sessionId: string, owner: string): Promise<string | undefined> {
	const others = (await sidecarUrlsOf(ctx, itemIndex)).filter((url) => url !== owner);
	const path = `/sessions/${encodeURIComponent(sessionId)}`;
	for (const sidecarUrl of others) {
		const answer = await tryCallSidecar(ctx, { method: 'GET', path, itemIndex, sessionId, sidecarUrl });
		if (!('unreachable' in answer) && answer.status === 200) return sidecarUrl;
	}
	return undefined;
}

const isUnknownSession = (response: SidecarResponse) => response.status === 404 && errorCodeIn(response.body) === 'unknown_session';

/**
 * The owner's answer to a session call — or, when the owner has no such
 * session and another sidecar holds it, that sidecar's answer to the same call.
 */
async function fromSessionHolder(ctx: IExecuteFunctions, call: SidecarCall, sessionId: string, answer: SidecarResponse): Promise<SidecarResponse | Unreachable> {
	if (!isUnknownSession(answer)) return answer;
	const holder = await holderElsewhere(ctx, call.itemIndex, sessionId, answer.sidecarUrl);
	return holder === undefined ? answer : await tryCallSidecar(ctx, { ...call, sidecarUrl: holder });
}

/** The error to report (code sidecar_unreachable) when the sidecar could not be reached. */
interface Unreachable {
	unreachable: NodeApiError;
	sidecarUrl: string;
}

/** One call, whatever the status; throws only when the sidecar cannot be reached (code sidecar_unreachable). */
export async function callSidecar(ctx: IExecuteFunctions, call: SidecarCall): Promise<SidecarResponse> {
	let answer = await tryCallSidecar(ctx, call);
	// Routed to the session's owner: a session it does not hold may still be on another sidecar.
	if (!('unreachable' in answer) && call.sessionId !== undefined && call.sidecarUrl === undefined) answer = await fromSessionHolder(ctx, call, call.sessionId, answer);
	if ('unreachable' in answer) throw answer.unreachable;
	return answer;
}

/** One call, whatever the status, or what to report when the sidecar cannot be reached. */
async function tryCallSidecar(ctx: IExecuteFunctions, call: SidecarCall): Promise<SidecarResponse | Unreachable> {
	const sidecarUrl =
		call.sidecarUrl ?? (call.sessionId !== undefined ? await sidecarOf(ctx, call.itemIndex, call.sessionId) : (await sidecarUrlsOf(ctx, call.itemIndex))[0]!);
	let response: IN8nHttpFullResponse;
	try {
		response = (await ctx.helpers.httpRequestWithAuthentication.call(ctx, SIDECAR_CREDENTIAL_TYPE, {
			method: call.method,
			url: `${sidecarUrl}${call.path}`,
			...(call.body !== undefined ? { body: call.body } : {}),
			json: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: REQUEST_TIMEOUT_MS,
		})) as IN8nHttpFullResponse;
	} catch (error) {
		return { unreachable: sidecarUnreachableError(ctx.getNode(), error, sidecarUrl, call.itemIndex, call.sessionId), sidecarUrl };
	}
	return { status: response.statusCode, body: parseBody(response.body), sidecarUrl };
}

/** One call that must succeed: status >= 400 becomes an error that says what to do. */
export async function sidecarRequest(ctx: IExecuteFunctions, call: SidecarCall): Promise<unknown> {
	const response = await callSidecar(ctx, call);
	if (response.status >= 400) throw await failureOf(ctx, call, response);
	return response.body;
}

async function failureOf(ctx: IExecuteFunctions, call: SidecarCall, response: SidecarResponse) {
	const sidecarCount = (await sidecarUrlsOf(ctx, call.itemIndex)).length;
	return sidecarErrorToNodeError(
		ctx.getNode(),
		{ ...response, method: call.method, path: call.path, sessionId: call.sessionId, sidecarCount },
		call.itemIndex,
	);
}

/** The Session ID parameter, trimmed; an empty id is refused before any call. */
function sessionIdOf(ctx: IExecuteFunctions, sessionId: unknown, itemIndex: number): string {
	const id = typeof sessionId === 'string' ? sessionId.trim() : typeof sessionId === 'number' ? String(sessionId) : '';
	if (id === '') {
		throw inputError(ctx.getNode(), "Session ID is empty. Set it to the user's id that the WhatsApp session was connected under.", {
			itemIndex,
			code: 'missing_session_id',
		});
	}
	return id;
}

/** A call about one session (an empty Session ID is refused before any call): to its sidecar, at `/sessions/<id><suffix>`. */
function sessionCall(ctx: IExecuteFunctions, itemIndex: number, sessionId: unknown, method: IHttpRequestMethods, suffix = ''): SidecarCall {
	const id = sessionIdOf(ctx, sessionId, itemIndex);
	return { method, path: `/sessions/${encodeURIComponent(id)}${suffix}`, itemIndex, sessionId: id };
}

// ---- the API ------------------------------------------------------------------------------------

/** Start (or connect) a session: its state and, while linking, its QR code. */
export async function startSession(ctx: IExecuteFunctions, itemIndex: number, sessionId: unknown): Promise<SidecarSession> {
	const call = sessionCall(ctx, itemIndex, sessionId, 'POST');
	// Starting creates the session at its owner, unless another sidecar holds it already (never two sessions for one user).
	if ((await sidecarUrlsOf(ctx, itemIndex)).length > 1) {
		const holder = await holderElsewhere(ctx, itemIndex, call.sessionId!, await sidecarOf(ctx, itemIndex, call.sessionId!));
		if (holder !== undefined) call.sidecarUrl = holder;
	}
	const body = await sidecarRequest(ctx, call);
	return expectSession(ctx, body, itemIndex);
}

/**
 * One session's health, from its sidecar: its report; `unknown` when that
 * sidecar has no such session (404 unknown_session); `unreachable` when that
 * sidecar cannot be reached — which says nothing about the phone. A sidecar
 * found unreachable is not asked again for the other items of the same run,
 * so one that does not answer at all costs one request timeout per run.
 */
export type SessionHealthOutcome =
	| { outcome: 'report'; report: SidecarHealthReport; sidecarUrl: string }
	| { outcome: 'unknown'; sidecarUrl: string }
	| { outcome: 'unreachable'; sidecarUrl: string };

const unreachableInRun = new WeakMap<IExecuteFunctions, Set<string>>();

export async function getSessionHealth(ctx: IExecuteFunctions, itemIndex: number, sessionId: unknown): Promise<SessionHealthOutcome> {
	const call = sessionCall(ctx, itemIndex, sessionId, 'GET', '/health');
	const sidecarUrl = await sidecarOf(ctx, itemIndex, call.sessionId!);
	const unreachable = unreachableInRun.get(ctx) ?? new Set<string>();
	unreachableInRun.set(ctx, unreachable);
	if (unreachable.has(sidecarUrl)) return { outcome: 'unreachable', sidecarUrl };
	const response = await tryCallSidecar(ctx, { ...call, sidecarUrl });
	if ('unreachable' in response) {
		unreachable.add(sidecarUrl);
		return { outcome: 'unreachable', sidecarUrl };
	}
	const found = await fromSessionHolder(ctx, call, call.sessionId!, response);
	if ('unreachable' in found) return { outcome: 'unreachable', sidecarUrl: found.sidecarUrl };
	// The owner's own unknown_session, no other sidecar holding the session.
	if (found === response && isUnknownSession(response)) return { outcome: 'unknown', sidecarUrl };
	if (found.status >= 400) throw await failureOf(ctx, call, found);
	return { outcome: 'report', report: expectHealthReport(ctx, found.body, itemIndex), sidecarUrl: found.sidecarUrl };
}

/**
 * Every session's health (`GET /health` → `{ ok, sessions: [...] }` on each
 * sidecar, at once), and the sidecars that could not be reached. Throws when
 * none can be reached.
 */
export async function getAllSessionsHealth(
	ctx: IExecuteFunctions,
	itemIndex: number,
): Promise<{ reports: Array<{ report: SidecarHealthReport; sidecarUrl: string }>; unreachable: string[] }> {
	const urls = await sidecarUrlsOf(ctx, itemIndex);
	const answers = await Promise.all(
		urls.map(async (sidecarUrl) => await tryCallSidecar(ctx, { method: 'GET', path: '/health', itemIndex, sidecarUrl })),
	);
	const reports: Array<{ report: SidecarHealthReport; sidecarUrl: string }> = [];
	const unreachable: Unreachable[] = [];
	for (const answer of answers) {
		if ('unreachable' in answer) {
			unreachable.push(answer);
			continue;
		}
		if (answer.status >= 400) throw await failureOf(ctx, { method: 'GET', path: '/health', itemIndex }, answer);
		const sessions = isRecord(answer.body) ? answer.body.sessions : undefined;
		if (!Array.isArray(sessions)) throw unexpectedSidecarResponse(ctx.getNode(), 'no sessions list in GET /health', itemIndex);
		for (const report of sessions) reports.push({ report: expectHealthReport(ctx, report, itemIndex), sidecarUrl: answer.sidecarUrl });
	}
	if (unreachable.length === urls.length) throw unreachable[0]!.unreachable;
	return { reports, unreachable: unreachable.map((u) => u.sidecarUrl) };
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
	const call = sessionCall(ctx, itemIndex, sessionId, 'DELETE');
	const response = await callSidecar(ctx, call);
	if (isUnknownSession(response)) return { found: false, session: null };
	if (response.status >= 400) throw await failureOf(ctx, call, response);
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
		...sessionCall(ctx, itemIndex, sessionId, 'POST', '/messages'),
		body: { to: message.to, text: message.text, ...(message.quotedMessageId ? { quotedMessageId: message.quotedMessageId } : {}) },
	});
	if (!isRecord(body) || typeof body.messageId !== 'string' || !isRecord(body.event)) {
		throw unexpectedSidecarResponse(ctx.getNode(), 'no messageId or event in the send answer', itemIndex);
	}
	return body as unknown as SidecarSendResult;
}

// ---- sending beyond text (POST /sessions/:id/media|location|reactions|read) ---------------------

/** A media or location send: `event` is the sent message's event (null from a sidecar older than this package). */
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
	media: { to: string; data: string; mimeType: string; fileName?: string; caption?: string; asDocument?: boolean; asVoice?: boolean; asSticker?: boolean; quotedMessageId?: string },
): Promise<SidecarSentMessage> {
	return expectSent(ctx, await sidecarRequest(ctx, { ...sessionCall(ctx, itemIndex, sessionId, 'POST', '/media'), body: media }), itemIndex);
}

export async function sendLocationMessage(
	ctx: IExecuteFunctions,
	itemIndex: number,
	sessionId: unknown,
	location: { to: string; latitude: number; longitude: number; name?: string; address?: string; quotedMessageId?: string },
): Promise<SidecarSentMessage> {
	return expectSent(ctx, await sidecarRequest(ctx, { ...sessionCall(ctx, itemIndex, sessionId, 'POST', '/location'), body: location }), itemIndex);
}

/** React to a message the session knows (404 unknown_message otherwise); an empty emoji removes the reaction. */
export async function reactToMessage(ctx: IExecuteFunctions, itemIndex: number, sessionId: unknown, reaction: { messageId: string; emoji: string }): Promise<void> {
	await sidecarRequest(ctx, { ...sessionCall(ctx, itemIndex, sessionId, 'POST', '/reactions'), body: reaction });
}

/** Mark the chat of a message as read (blue ticks for the sender). */
export async function markMessageRead(ctx: IExecuteFunctions, itemIndex: number, sessionId: unknown, messageId: string): Promise<void> {
	await sidecarRequest(ctx, { ...sessionCall(ctx, itemIndex, sessionId, 'POST', '/read'), body: { messageId } });
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
		...sessionCall(ctx, itemIndex, sessionId, 'POST', '/backfill'),
		body: {
			...(options.days !== undefined ? { days: options.days } : {}),
			...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
		},
	});
	return expectJob(ctx, body, itemIndex);
}

/**
 * A backfill job's progress. With the job's session, from that session's
 * sidecar; without, from the sidecar that knows the job (each is asked in
 * turn; one that cannot be reached is skipped while another may know it).
 */
export async function getBackfillJob(ctx: IExecuteFunctions, itemIndex: number, jobId: unknown, sessionId?: string): Promise<SidecarBackfillJob> {
	const id = typeof jobId === 'string' ? jobId.trim() : '';
	if (id === '') {
		throw inputError(ctx.getNode(), 'Job ID is empty. Use the jobId that WhatsApp Backfill with Operation "Start" returned.', {
			itemIndex,
			code: 'missing_job_id',
		});
	}
	const call: SidecarCall = { method: 'GET', path: `/backfill/${encodeURIComponent(id)}`, itemIndex, ...(sessionId !== undefined ? { sessionId } : {}) };
	const urls = sessionId !== undefined ? [await sidecarOf(ctx, itemIndex, sessionId)] : await sidecarUrlsOf(ctx, itemIndex);
	// What to report when no sidecar gives the job: a refusal, else an unreachable sidecar (it may hold the job), else unknown_job.
	let refused: SidecarResponse | null = null;
	let unreachable: NodeApiError | null = null;
	let unknown: SidecarResponse | null = null;
	for (const sidecarUrl of urls) {
		const response = await tryCallSidecar(ctx, { ...call, sidecarUrl });
		if ('unreachable' in response) {
			unreachable ??= response.unreachable;
			continue;
		}
		if (response.status < 400) return expectJob(ctx, response.body, itemIndex);
		if (response.status === 404 && errorCodeIn(response.body) === 'unknown_job') unknown ??= response;
		else refused ??= response;
	}
	if (refused) throw await failureOf(ctx, call, refused);
	if (unreachable !== null) throw unreachable;
	throw await failureOf(ctx, call, unknown as SidecarResponse);
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
