/**
 * One WhatsApp session per user id: the manager starts, restores, stops and
 * disconnects sessions and sends through them. It never touches anything but a
 * session's own auth folder. Their driver events reach the outbox through
 * forward-events.ts; their health is judged by health-check.ts.
 */
import fs from 'node:fs';
import type { HealthReport, SendResult, SessionStartError, SessionView } from '../../../core/sidecar-api/types';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { parseWhatsAppId, whatsAppPhoneForm } from '../../../core/phone';
import { buildSessionStateEvent, toIsoString } from '../../../core/events/builders';
import { cleanText } from '../../../core/events/clean-text';
import type { MessageEvent, SessionState } from '../../../core/events/types';
import type { CountryCode } from '../../../core/phone/types';
import type { CaptureLedger } from '../capture/ledger';
import type { Driver, DriverMessage, DriverSession } from '../drivers/driver';
import { parseSessionId } from '../drivers/session-id';
import { SidecarError, browserGone, conflict, invalid, notFound } from '../errors';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { errorText, messageRef, redactText, safeError } from '../util/log-safety';
import { withTimeout } from '../util/timeout';
import { EventForwarder, type BackfillStarter, type EventSink } from './forward-events';
import { browserIsGone, checkHealth } from './health-check';
import { SETTLED_STATES, newManaged, serial, setState, viewOf, type Managed } from './managed-session';
import { ProfileCache } from './profile-cache';
import { chatOfMessageId, emojiOf, locationOf, mediaOf, optionalQuotedId, requiredMessageId } from './send-input';
import { describeStartError } from './start-error';

export type { HealthReport, SendResult, SessionView };

/** The answer to a media or location send: the message's event (null for a kind the sidecar does not forward). */
export interface SentNonText {
	messageId: string;
	timestamp: string;
	kind: string;
	event: MessageEvent | null;
}

/** A message's file, as the media route serves it. */
export interface MediaFile {
	mimeType: string;
	fileName: string | null;
	data: Buffer;
	/** Hex SHA-256 of `data`. */
	sha256: string;
}

export interface SessionManagerOptions {
	driver: Driver;
	outbox: EventSink;
	/** What was captured (cursors, message ids): deduplicates messages durably and drives the catch-up after a ready. */
	capture: CaptureLedger;
	logger: Logger;
	metrics?: Metrics;
	maxSessions: number;
	defaultCountry?: CountryCode | null;
	/** Timeout of one health probe (getState, ping) and of a profile lookup. */
	healthTimeoutMs: number;
	/** A restored session is `starting` (not unhealthy) for this long. */
	startGraceMs: number;
	/** How long `start` waits for the first QR or connection. */
	startWaitMs: number;
	/** Start a backfill when a phone is linked by QR in this process. */
	backfillOnLink?: boolean;
	/** Forward live text messages of group chats too (FORWARD_GROUP_MESSAGES). */
	forwardGroups?: boolean;
	backfill?: BackfillStarter;
	/** Shared with the backfill runner, so a contact's About is fetched once a day across both. */
	profiles?: ProfileCache;
	/** Called (after the connected event is queued) each time a session reports ready. */
	onConnected?: (sessionId: string) => void;
	now?: () => number;
}

/** A session in one of these states is started afresh by `start`. */
const RESTARTABLE_STATES: ReadonlySet<SessionState> = new Set(['disconnected', 'auth_failure', 'logged_out']);

export class SessionManager {
	private readonly sessions = new Map<string, Managed>();
	/** Per session id: the tail of its start/disconnect chain (one runs at a time per id). */
	private readonly locks = new Map<string, Promise<void>>();
	private readonly profiles: ProfileCache;
	private readonly now: () => number;
	private readonly log: Logger;
	private readonly events: EventForwarder;

	constructor(private readonly options: SessionManagerOptions) {
		this.now = options.now ?? Date.now;
		this.log = options.logger.child({ component: 'sessions' });
		this.profiles = options.profiles ?? new ProfileCache({ timeoutMs: options.healthTimeoutMs, now: this.now });
		this.events = new EventForwarder({
			outbox: options.outbox,
			capture: options.capture,
			log: this.log,
			metrics: options.metrics,
			profiles: this.profiles,
			now: this.now,
			backfillOnLink: options.backfillOnLink,
			forwardGroups: options.forwardGroups,
			backfill: options.backfill,
			onConnected: options.onConnected,
		});
		options.metrics?.addCollector(() => this.collectMetrics());
	}

	// ---- lifecycle -----------------------------------------------------------

	/** Restores every session that has auth data on disk. Sessions keep starting in the background. */
	async restoreAll(): Promise<string[]> {
		let stored: string[];
		try {
			stored = await this.options.driver.listStoredSessions();
		} catch (err) {
			this.log.error({ err: safeError(err) }, 'could not list stored sessions');
			return [];
		}
		const restored: string[] = [];
		for (const raw of stored) {
			const id = parseSessionId(raw);
			if (id === null || this.sessions.has(id)) continue;
			if (this.sessions.size >= this.options.maxSessions) {
				this.log.warn({ sessionId: id }, 'MAX_SESSIONS reached; stored session not restored');
				continue;
			}
			this.launch(id, true);
			restored.push(id);
		}
		this.log.info({ sessions: restored.length }, 'restoring stored sessions');
		return restored;
	}

	/**
	 * Starts (or connects) a session. A running session is left as it is; one
	 * that was disconnected or failed is started afresh. Waits up to
	 * `startWaitMs` for the first QR or the connection.
	 */
	async start(rawId: string): Promise<SessionView> {
		const id = this.requireId(rawId);
		// Serialized with other starts and disconnects of this id: two concurrent starts
		// launch one browser, and a start during a disconnect waits for the deletion.
		const managed = await this.exclusive(id, async () => {
			let current = this.sessions.get(id);
			let lastError: SessionStartError | null = null;
			if (current && (current.closed || RESTARTABLE_STATES.has(current.state))) {
				// Its start error stays visible while the new attempt is still starting.
				lastError = current.lastError;
				this.retire(current);
				await current.driverSession.stop().catch((err: unknown) => {
					this.log.warn({ sessionId: id, err: safeError(err) }, 'could not stop the previous client; starting a new one');
				});
				current = undefined;
			}
			if (!current) {
				if (this.sessions.size >= this.options.maxSessions) {
					throw new SidecarError(429, 'max_sessions', `This sidecar already holds MAX_SESSIONS (${this.options.maxSessions}) sessions.`);
				}
				current = this.launch(id, false, lastError);
			}
			return current;
		});
		await this.waitForSettled(managed, this.options.startWaitMs);
		return viewOf(managed);
	}

	get(rawId: string): SessionView {
		return viewOf(this.require(rawId));
	}

	list(): SessionView[] {
		return [...this.sessions.values()].map(viewOf);
	}

	/** The driver session for a connected session (backfill); throws 404 / 409. */
	connectedDriverSession(rawId: string): DriverSession {
		const managed = this.require(rawId);
		if (managed.state !== 'connected') throw conflict('not_connected', 'The session is not connected.');
		return managed.driverSession;
	}

	/** Throws 503 when the session's browser is gone (getState throws). */
	async assertBrowser(rawId: string): Promise<void> {
		const managed = this.require(rawId);
		if (await browserIsGone(managed.driverSession, this.options.healthTimeoutMs)) throw browserGone();
	}

	/** The driver session of a known session, whatever its state (backfill resume after restart). */
	driverSession(id: string): DriverSession | undefined {
		return this.sessions.get(id)?.driverSession;
	}

	/**
	 * Logs the session out, deletes its auth data (checking that it is really
	 * gone) and forgets it. Emits a `logged_out` session event. Safe to retry:
	 * the session is forgotten only once its auth folder is gone and the event
	 * is queued, so a failed attempt (500) leaves it for the next DELETE. A
	 * session not held in memory (never restored, e.g. beyond MAX_SESSIONS) but
	 * with auth data on disk has that data deleted too, so no later restart
	 * reconnects it.
	 */
	async disconnect(rawId: string): Promise<SessionView> {
		const id = this.requireId(rawId);
		return this.exclusive(id, () => this.disconnectNow(id));
	}

	private async disconnectNow(id: string): Promise<SessionView> {
		const managed = this.sessions.get(id);
		const authPath = this.options.driver.authDataPath(id);
		// Only ever this session's own folder: its name carries the (validated) session id.
		const ownFolder = path.basename(authPath).includes(id);
		if (!managed) {
			if (!ownFolder || !fs.existsSync(authPath)) throw notFound('unknown_session', 'No such session.');
			await this.deleteAuthData(id, authPath);
			this.profiles.forgetSession(id);
			await this.events.enqueue(buildSessionStateEvent({ sessionId: id, state: 'logged_out', reason: 'disconnect requested' }));
			await this.options.capture.forget(id);
			this.log.info({ sessionId: id }, 'stored session (not running) disconnected and its auth data deleted');
			const at = new Date(this.now()).toISOString();
			return { sessionId: id, state: 'logged_out', qr: null, reason: 'disconnect requested', linkedPhone: null, lastEventAt: null, startedAt: at, restored: false, lastError: null };
		}

		// Stop handling its events, but keep it known until its auth data is gone.
		const firstAttempt = !managed.closed;
		managed.closed = true;
		for (const wake of managed.waiters) wake();
		if (firstAttempt) {
			try {
				await withTimeout(managed.driverSession.logout(), Math.max(this.options.healthTimeoutMs * 4, 20000));
			} catch (err) {
				this.log.warn({ sessionId: id, err: safeError(err) }, 'logout failed; stopping the client and deleting its auth data');
				await managed.driverSession.stop().catch(() => undefined);
			}
		} else {
			// A retry after a failed deletion: the client was already logged out or stopped.
			await managed.driverSession.stop().catch(() => undefined);
		}
		if (ownFolder && fs.existsSync(authPath)) {
			try {
				await this.deleteAuthData(id, authPath);
			} catch (err) {
				managed.state = 'disconnected';
				managed.qr = null;
				managed.reason = 'disconnect failed: auth data not deleted';
				throw err;
			}
			this.log.info({ sessionId: id }, 'auth folder was still there after logout; deleted');
		}
		this.profiles.forgetSession(id);
		managed.state = 'logged_out';
		managed.qr = null;
		managed.linkedPhone = null;
		managed.reason = 'disconnect requested';
		managed.lastError = null;
		await this.events.enqueue(buildSessionStateEvent({ sessionId: id, state: 'logged_out', reason: 'disconnect requested' }));
		await managed.catchUp;
		await this.options.capture.forget(id);
		this.retire(managed);

		this.log.info({ sessionId: id }, 'session disconnected and its auth data deleted');
		return viewOf(managed);
	}

	/** Deletes a session's auth folder, retrying while a browser still writes into it; logs and rethrows a failure. */
	private async deleteAuthData(id: string, authPath: string): Promise<void> {
		try {
			await fs.promises.rm(authPath, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
		} catch (err) {
			this.log.error({ sessionId: id, err: safeError(err) }, 'could not delete the auth folder; the session is kept so the disconnect can be retried');
			throw err;
		}
	}

	/** Runs `task` after every earlier start/disconnect of this session id has finished. */
	private exclusive<T>(id: string, task: () => Promise<T>): Promise<T> {
		const previous = this.locks.get(id) ?? Promise.resolve();
		const run = previous.then(task);
		const tail = run.then(
			() => undefined,
			() => undefined,
		);
		this.locks.set(id, tail);
		void tail.then(() => {
			if (this.locks.get(id) === tail) this.locks.delete(id);
		});
		return run;
	}

	/** Stops every session, keeping auth data (shutdown), and waits for queued events to reach the outbox. */
	async stopAll(): Promise<void> {
		const all = [...this.sessions.values()];
		await Promise.all(
			all.map(async (m) => {
				m.closed = true;
				await m.driverSession.stop().catch(() => undefined);
				await m.queue.catch(() => undefined);
				await m.catchUp;
				await Promise.allSettled([...m.writes]);
			}),
		);
		this.sessions.clear();
	}

	// ---- sending -------------------------------------------------------------

	async sendText(rawId: string, to: unknown, rawText: unknown, rawQuoted?: unknown): Promise<SendResult> {
		const managed = this.require(rawId);
		if (typeof rawText !== 'string' || rawText.trim() === '') throw invalid('text', 'text must be a non-empty string');
		// Never send what the CRM could not store (NUL, unpaired surrogates → U+FFFD).
		const text = cleanText(rawText);
		if (text.length > 65536) throw invalid('text', 'text must be at most 65536 characters');
		const quotedMessageId = optionalQuotedId(rawQuoted);
		const e164 = this.recipient(to);
		const { chatId, session } = await this.prepareSend(managed, e164, quotedMessageId);
		const sent = await this.driverCall(managed, () => session.sendText(chatId, text, quotedMessageId ? { quotedMessageId } : {}));
		const result = await this.afterSend(managed, sent);
		if (!result.event) throw new SidecarError(502, 'not_forwarded', 'The message was sent but is not a 1:1 text message.');
		return result as SendResult;
	}

	/** `POST /sessions/:id/media`: a file with an optional caption, checked (size included) before anything is sent. */
	async sendMedia(rawId: string, input: Record<string, unknown>, maxMediaBytes: number): Promise<SentNonText> {
		const managed = this.require(rawId);
		const file = mediaOf(input, maxMediaBytes);
		const quotedMessageId = optionalQuotedId(input.quotedMessageId);
		const e164 = this.recipient(input.to);
		const { chatId, session } = await this.prepareSend(managed, e164, quotedMessageId);
		const sent = await this.driverCall(managed, () =>
			session.sendMedia(chatId, file.media, {
				...(quotedMessageId ? { quotedMessageId } : {}),
				...(file.caption ? { caption: file.caption } : {}),
				...(file.as ? { as: file.as } : {}),
			}),
		);
		this.options.metrics?.counter('whatsapp_sidecar_media_sent_total', 'Files sent through the API.', {});
		return { ...(await this.afterSend(managed, sent)), kind: sent.type };
	}

	/** `POST /sessions/:id/location`. */
	async sendLocation(rawId: string, input: Record<string, unknown>): Promise<SentNonText> {
		const managed = this.require(rawId);
		const location = locationOf(input);
		const quotedMessageId = optionalQuotedId(input.quotedMessageId);
		const e164 = this.recipient(input.to);
		const { chatId, session } = await this.prepareSend(managed, e164, quotedMessageId);
		const sent = await this.driverCall(managed, () => session.sendLocation(chatId, location, quotedMessageId ? { quotedMessageId } : {}));
		return { ...(await this.afterSend(managed, sent)), kind: 'location' };
	}

	/** `POST /sessions/:id/reactions`: `{ messageId, emoji }`; an empty emoji removes the reaction. */
	async react(rawId: string, input: Record<string, unknown>): Promise<{ messageId: string; emoji: string; removed: boolean }> {
		const managed = this.require(rawId);
		const messageId = requiredMessageId(input.messageId);
		const emoji = emojiOf(input.emoji);
		const session = await this.knownMessage(managed, messageId, 'messageId');
		await this.driverCall(managed, () => session.react(messageId, emoji));
		this.log.info({ sessionId: managed.id, msgRef: messageRef(messageId) }, emoji === '' ? 'reaction removed' : 'reaction sent');
		return { messageId, emoji, removed: emoji === '' };
	}

	/** `POST /sessions/:id/read`: `{ messageId }` — marks that message's chat as read (WhatsApp Web reads whole chats). */
	async markRead(rawId: string, input: Record<string, unknown>): Promise<{ messageId: string; chatId: string; read: true }> {
		const managed = this.require(rawId);
		const messageId = requiredMessageId(input.messageId);
		const chatId = chatOfMessageId(messageId);
		const session = await this.knownMessage(managed, messageId, 'messageId');
		await this.driverCall(managed, () => session.markChatRead(chatId));
		this.log.info({ sessionId: managed.id, msgRef: messageRef(messageId) }, 'chat marked read');
		return { messageId, chatId, read: true };
	}

	/** A person's number (E.164) from `to`, or 422 naming `to`. */
	private recipient(to: unknown): string {
		if (typeof to !== 'string' || to.trim() === '') throw invalid('to', 'to must be a phone number or a WhatsApp JID');
		const parsed = parseWhatsAppId(to, { defaultCountry: this.options.defaultCountry ?? undefined });
		if (parsed.kind !== 'person' || !parsed.e164) {
			const why = parsed.kind === 'invalid' ? (parsed.reason ?? 'not a valid number') : `a ${parsed.kind} id is not a person`;
			throw invalid('to', `to must be a person's phone number or JID (${why})`, parsed.kind === 'invalid' ? 'invalid_input' : 'not_a_person');
		}
		return parsed.e164;
	}

	/** Connected, the number on WhatsApp, the quoted message known: checked in that order, before anything is sent. */
	private async prepareSend(managed: Managed, e164: string, quotedMessageId: string | undefined): Promise<{ chatId: string; session: DriverSession }> {
		if (managed.state !== 'connected') throw conflict('not_connected', 'The session is not connected.');
		const session = managed.driverSession;
		// The number, then the form WhatsApp's ids use for it (a contact stored as Mexico's modern +52… has its account under +521…).
		let found: string | null = null;
		for (const form of new Set([e164, whatsAppPhoneForm(e164)])) {
			found = await this.driverCall(managed, () => session.lookupNumber(form.slice(1)));
			if (found !== null) break;
		}
		const chatId = found;
		if (chatId === null) throw invalid('to', 'This number is not on WhatsApp.', 'not_on_whatsapp');
		if (quotedMessageId) await this.knownMessage(managed, quotedMessageId, 'quotedMessageId');
		return { chatId, session };
	}

	/** 404 `unknown_message` when the linked device does not know the message. */
	private async knownMessage(managed: Managed, messageId: string, field: string): Promise<DriverSession> {
		if (managed.state !== 'connected') throw conflict('not_connected', 'The session is not connected.');
		const session = managed.driverSession;
		const known = await this.driverCall(managed, () => session.hasMessage(messageId));
		if (!known) {
			throw new SidecarError(404, 'unknown_message', 'The linked phone does not know this message (wrong id, another session, or deleted).', field);
		}
		return session;
	}

	/**
	 * WhatsApp has accepted the message: from here on the answer is 201, or a
	 * retry by the caller would send it twice. A failure to store its event is
	 * logged, not thrown (the catch-up at the next ready finds the message in
	 * WhatsApp's store). `event` is null for what the sidecar does not forward
	 * (a message it leaves out, such as a revoked one).
	 */
	private async afterSend(managed: Managed, sent: DriverMessage): Promise<{ messageId: string; timestamp: string; event: MessageEvent | null }> {
		this.log.info({ sessionId: managed.id, msgRef: messageRef(sent.id) }, 'message sent');
		const forwarded = await serial(managed, () => this.events.forwardMessage(managed, sent));
		if (forwarded) {
			try {
				await forwarded.durable;
			} catch (err) {
				this.log.error({ sessionId: managed.id, msgRef: messageRef(sent.id), err: safeError(err) }, 'message sent but its event could not be queued');
			}
		}
		return { messageId: sent.id, timestamp: toIsoString(sent.timestamp), event: forwarded ? forwarded.event : null };
	}

	// ---- media ---------------------------------------------------------------

	/**
	 * `GET /sessions/:id/messages/:messageId/media`: a message's file, at most
	 * `maxBytes`. 404 `unknown_message` (the linked device does not know it),
	 * 404 `media_unavailable` (no file, or WhatsApp no longer has it), 413
	 * `media_too_large`. The bytes are never logged.
	 */
	async downloadMedia(rawId: string, rawMessageId: string, maxBytes: number): Promise<MediaFile> {
		const managed = this.require(rawId);
		const messageId = rawMessageId.trim();
		if (!/^(true|false)_[^\s]{3,}$/.test(messageId) || messageId.length > 512) {
			throw invalid('messageId', 'messageId must be a serialized WhatsApp message id (true_… or false_…), as in the media reference.');
		}
		if (managed.state !== 'connected') throw conflict('not_connected', 'The session is not connected.');
		const session = managed.driverSession;
		const result = await this.driverCall(managed, () => session.downloadMedia(messageId, maxBytes));
		const ref = messageRef(messageId);
		switch (result.status) {
			case 'unknown_message':
				throw notFound('unknown_message', 'The linked phone does not know this message (deleted, or from another session).');
			case 'not_media':
				throw notFound('media_unavailable', 'This message has no file.');
			case 'unavailable':
				this.log.info({ sessionId: managed.id, msgRef: ref }, 'media no longer available');
				throw notFound('media_unavailable', 'WhatsApp no longer has this file (expired or deleted from the phone); ask the sender to send it again.');
			case 'too_large':
				throw new SidecarError(413, 'media_too_large', `The file is ${result.size} bytes, over the limit of ${maxBytes} bytes.`);
			case 'ok': {
				const sha256 = createHash('sha256').update(result.data).digest('hex');
				this.log.info({ sessionId: managed.id, msgRef: ref, bytes: result.data.length }, 'media downloaded');
				return { mimeType: result.mimeType, fileName: result.fileName, data: result.data, sha256 };
			}
		}
	}

	// ---- health --------------------------------------------------------------

	async health(rawId: string): Promise<HealthReport> {
		return this.check(this.require(rawId));
	}

	async healthAll(): Promise<HealthReport[]> {
		return Promise.all([...this.sessions.values()].map((m) => this.check(m)));
	}

	// ---- internals -----------------------------------------------------------

	private requireId(rawId: string): string {
		const id = parseSessionId(rawId);
		if (id === null) throw invalid('id', 'The session id must be a UUID.', 'invalid_session_id');
		return id;
	}

	private require(rawId: string): Managed {
		const id = this.requireId(rawId);
		const managed = this.sessions.get(id);
		if (!managed) throw notFound('unknown_session', 'No such session.');
		return managed;
	}

	private launch(id: string, restored: boolean, lastError: SessionStartError | null = null): Managed {
		const driverSession = this.options.driver.createSession(id);
		const managed = newManaged(id, driverSession, restored, this.now(), lastError);
		this.sessions.set(id, managed);
		this.events.wire(managed);
		this.log.info({ sessionId: id, restored }, 'session starting');
		driverSession.start().catch((err: unknown) => {
			if (managed.closed) return;
			const startError = describeStartError(err, new Date(this.now()));
			this.log.error({ sessionId: id, err: safeError(err), code: startError.code }, 'session failed to start');
			serial(managed, async () => {
				managed.lastError = startError;
				setState(managed, 'disconnected', { reason: `start failed: ${redactText(errorText(err)).slice(0, 200)}` }, this.log);
				await this.events.enqueueState(managed);
			}).catch((queueErr: unknown) => {
				this.log.error({ sessionId: id, err: safeError(queueErr) }, 'could not queue the state event of a session that failed to start');
			});
		});
		return managed;
	}

	/** Stops handling a session's events (it is being replaced or removed). */
	private retire(managed: Managed): void {
		managed.closed = true;
		for (const wake of managed.waiters) wake();
		if (this.sessions.get(managed.id) === managed) this.sessions.delete(managed.id);
	}

	/** Runs a driver call; when it fails, tells a gone browser (503) from other failures (502). */
	private async driverCall<T>(managed: Managed, call: () => Promise<T>): Promise<T> {
		try {
			return await call();
		} catch (err) {
			if (err instanceof SidecarError) throw err;
			const code = (err as { code?: unknown })?.code;
			if (code === 'not_connected') throw conflict('not_connected', 'The session is not connected.');
			const gone = await browserIsGone(managed.driverSession, this.options.healthTimeoutMs);
			this.log.warn({ sessionId: managed.id, err: safeError(err), browserGone: gone }, 'driver call failed');
			if (gone) throw browserGone();
			throw new SidecarError(502, 'whatsapp_error', `WhatsApp did not accept the request: ${redactText(errorText(err)).slice(0, 200)}`);
		}
	}

	private check(managed: Managed): Promise<HealthReport> {
		return checkHealth(managed, { timeoutMs: this.options.healthTimeoutMs, startGraceMs: this.options.startGraceMs, now: this.now() });
	}

	private async waitForSettled(managed: Managed, ms: number): Promise<void> {
		if (SETTLED_STATES.has(managed.state) || ms <= 0) return;
		await new Promise<void>((resolve) => {
			const done = () => {
				clearTimeout(timer);
				managed.waiters.delete(done);
				resolve();
			};
			const timer = setTimeout(done, ms);
			managed.waiters.add(done);
		});
		// Let the state event reach the outbox before answering.
		await managed.queue;
	}

	private collectMetrics(): void {
		const metrics = this.options.metrics;
		if (!metrics) return;
		const name = 'whatsapp_sidecar_sessions';
		metrics.resetGauge(name, 'Sessions held, by state.');
		const counts = new Map<string, number>();
		for (const m of this.sessions.values()) counts.set(m.state, (counts.get(m.state) ?? 0) + 1);
		for (const [state, n] of counts) metrics.gauge(name, 'Sessions held, by state.', n, { state });
	}
}
