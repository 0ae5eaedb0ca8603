/**
 * One WhatsApp session per user id. The manager starts, restores, stops and
 * disconnects sessions, turns their driver events into normalized events
 * (through the core builders) and puts them in the outbox, in order per
 * session. It never touches anything but a session's own auth folder.
 */
import fs from 'node:fs';
import type { HealthReport, SendResult, SessionView } from '../../../core/sidecar-api/types';
import path from 'node:path';
import { parseWhatsAppId } from '../../../core/phone';
import {
	buildMessageEvent,
	buildRemoteParty,
	buildSessionStateEvent,
	buildStatusEvent,
	toIsoString,
} from '../../../core/events/builders';
import { cleanText } from '../../../core/events/clean-text';
import { messageStatusFromWebJsAck } from '../../../core/events/message-kinds';
import type { MessageEvent, NormalizedEvent, SessionState } from '../../../core/events/types';
import type { CountryCode } from '../../../core/phone/types';
import { catchUp } from '../capture/catch-up';
import type { CaptureLedger } from '../capture/ledger';
import type { Driver, DriverAck, DriverMessage, DriverSession } from '../drivers/driver';
import { SidecarError, browserGone, conflict, invalid, notFound } from '../errors';
import { chatKindOf, skipReason, toMessagePayload } from '../drivers/to-message-payload';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { errorText, messageRef, redactText, safeError } from '../util/log-safety';
import { TimeoutError, withTimeout } from '../util/timeout';
import { ProfileCache } from './profile-cache';
import { parseSessionId } from './session-id';

/** What the manager needs of the outbox. */
export type { HealthReport, SendResult, SessionView };

export interface EventSink {
	/** Takes the event's place in its session's order at once; resolves once it is durable (with `sameCommit`'s writes). */
	enqueue(event: NormalizedEvent, options?: { sameCommit?: () => void }): Promise<void>;
}

/** What the manager needs of the backfill runner (to start one when a phone is linked). */
export interface BackfillStarter {
	start(sessionId: string, session: DriverSession, overrides?: { days?: number; batchSize?: number }): unknown;
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
	backfill?: BackfillStarter;
	/** Shared with the backfill runner, so a contact's About is fetched once a day across both. */
	profiles?: ProfileCache;
	/** Called (after the connected event is queued) each time a session reports ready. */
	onConnected?: (sessionId: string) => void;
	now?: () => number;
}




interface Managed {
	id: string;
	driverSession: DriverSession;
	state: SessionState;
	qr: string | null;
	reason: string | null;
	linkedPhone: string | null;
	lastEventAt: number | null;
	startedAt: number;
	restored: boolean;
	sawQr: boolean;
	closed: boolean;
	/** Serializes event handling, so events take their place in the outbox in the order the driver emitted them. */
	queue: Promise<void>;
	/** Events handed to the outbox and not yet durable (the chain does not wait for the disk). */
	writes: Set<Promise<void>>;
	/** The running catch-up, and whether another ready asked for one meanwhile. */
	catchUp: Promise<void> | null;
	catchUpAgain: boolean;
	/** Whether this session's capture record was begun afresh (at its first QR in this process). */
	captureBegun: boolean;
	/** Message ids already put in the outbox (the send path and the driver's own event may both see a message). */
	recent: Map<string, MessageEvent>;
	waiters: Set<() => void>;
}

const RECENT_LIMIT = 2000;
/** A session in one of these states is started afresh by `start`. */
const RESTARTABLE_STATES: ReadonlySet<SessionState> = new Set(['disconnected', 'auth_failure', 'logged_out']);
const SETTLED_STATES: ReadonlySet<SessionState> = new Set(['qr', 'connected', 'auth_failure', 'disconnected', 'logged_out']);

export class SessionManager {
	private readonly sessions = new Map<string, Managed>();
	/** Per session id: the tail of its start/disconnect chain (one runs at a time per id). */
	private readonly locks = new Map<string, Promise<void>>();
	private readonly profiles: ProfileCache;
	private readonly now: () => number;
	private readonly log: Logger;

	constructor(private readonly options: SessionManagerOptions) {
		this.now = options.now ?? Date.now;
		this.log = options.logger.child({ component: 'sessions' });
		this.profiles = options.profiles ?? new ProfileCache({ timeoutMs: options.healthTimeoutMs, now: this.now });
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
			if (current && (current.closed || RESTARTABLE_STATES.has(current.state))) {
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
				current = this.launch(id, false);
			}
			return current;
		});
		await this.waitForSettled(managed, this.options.startWaitMs);
		return this.view(managed);
	}

	get(rawId: string): SessionView {
		return this.view(this.require(rawId));
	}

	list(): SessionView[] {
		return [...this.sessions.values()].map((m) => this.view(m));
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
		if (await this.browserIsGone(managed)) throw browserGone();
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
			await this.enqueue(buildSessionStateEvent({ sessionId: id, state: 'logged_out', reason: 'disconnect requested' }));
			await this.options.capture.forget(id);
			this.log.info({ sessionId: id }, 'stored session (not running) disconnected and its auth data deleted');
			const at = new Date(this.now()).toISOString();
			return { sessionId: id, state: 'logged_out', qr: null, reason: 'disconnect requested', linkedPhone: null, lastEventAt: null, startedAt: at, restored: false };
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
		await this.enqueue(buildSessionStateEvent({ sessionId: id, state: 'logged_out', reason: 'disconnect requested' }));
		await managed.catchUp;
		await this.options.capture.forget(id);
		this.retire(managed);

		this.log.info({ sessionId: id }, 'session disconnected and its auth data deleted');
		return this.view(managed);
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

	async sendText(rawId: string, to: unknown, rawText: unknown): Promise<SendResult> {
		const managed = this.require(rawId);
		if (typeof rawText !== 'string' || rawText.trim() === '') throw invalid('text', 'text must be a non-empty string');
		// Never send what the CRM could not store (NUL, unpaired surrogates → U+FFFD).
		const text = cleanText(rawText);
		if (text.length > 65536) throw invalid('text', 'text must be at most 65536 characters');
		if (typeof to !== 'string' || to.trim() === '') throw invalid('to', 'to must be a phone number or a WhatsApp JID');
		const parsed = parseWhatsAppId(to, { defaultCountry: this.options.defaultCountry ?? undefined });
		if (parsed.kind !== 'person' || !parsed.e164) {
			const why = parsed.kind === 'invalid' ? (parsed.reason ?? 'not a valid number') : `a ${parsed.kind} id is not a person`;
			throw invalid('to', `to must be a person's phone number or JID (${why})`, parsed.kind === 'invalid' ? 'invalid_input' : 'not_a_person');
		}
		if (managed.state !== 'connected') throw conflict('not_connected', 'The session is not connected.');

		const session = managed.driverSession;
		const chatId = await this.driverCall(managed, () => session.lookupNumber(parsed.e164!.slice(1)));
		if (chatId === null) throw invalid('to', 'This number is not on WhatsApp.', 'not_on_whatsapp');
		const sent = await this.driverCall(managed, () => session.sendText(chatId, text));
		this.log.info({ sessionId: managed.id, msgRef: messageRef(sent.id) }, 'message sent');
		// WhatsApp has accepted the message: from here on the answer is 201, or a retry by
		// the caller would send it twice. A failure to store its event is logged, not thrown
		// (the catch-up at the next ready finds the message in WhatsApp's store).
		const forwarded = await this.serial(managed, () => this.forwardMessage(managed, sent));
		if (!forwarded) throw new SidecarError(502, 'not_forwarded', 'The message was sent but is not a 1:1 text message.');
		try {
			await forwarded.durable;
		} catch (err) {
			this.log.error({ sessionId: managed.id, msgRef: messageRef(sent.id), err: safeError(err) }, 'message sent but its event could not be queued');
		}
		return { messageId: sent.id, timestamp: toIsoString(sent.timestamp), event: forwarded.event };
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

	private launch(id: string, restored: boolean): Managed {
		const driverSession = this.options.driver.createSession(id);
		const managed: Managed = {
			id,
			driverSession,
			state: 'starting',
			qr: null,
			reason: null,
			linkedPhone: null,
			lastEventAt: null,
			startedAt: this.now(),
			restored,
			sawQr: false,
			closed: false,
			queue: Promise.resolve(),
			writes: new Set(),
			catchUp: null,
			catchUpAgain: false,
			captureBegun: false,
			recent: new Map(),
			waiters: new Set(),
		};
		this.sessions.set(id, managed);
		this.wire(managed);
		this.log.info({ sessionId: id, restored }, 'session starting');
		driverSession.start().catch((err: unknown) => {
			if (managed.closed) return;
			this.log.error({ sessionId: id, err: safeError(err) }, 'session failed to start');
			this.serial(managed, async () => {
				this.setState(managed, 'disconnected', { reason: `start failed: ${redactText(errorText(err)).slice(0, 200)}` });
				await this.enqueueState(managed);
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

	private wire(managed: Managed): void {
		const s = managed.driverSession;
		const on = <A extends unknown[]>(name: string, handler: (...args: A) => Promise<void> | void) =>
			(...args: A) => {
				if (managed.closed) return;
				managed.lastEventAt = this.now();
				this.serial(managed, async () => {
					if (managed.closed) return;
					await handler(...args);
				}).catch((err: unknown) => this.log.error({ sessionId: managed.id, event: name, err: safeError(err) }, 'event handling failed'));
			};

		s.on(
			'qr',
			on('qr', async (qr: string) => {
				managed.sawQr = true;
				if (!managed.captureBegun) {
					// A new link: captured from now on, durably before the phone can scan, so a
					// crash at any later moment restarts into a catch-up from here.
					managed.captureBegun = true;
					await this.options.capture.begin(managed.id, Math.floor(this.now() / 1000), true);
				}
				this.setState(managed, 'qr', { qr });
				await this.enqueueState(managed);
			}),
		);
		s.on(
			'authenticated',
			on('authenticated', async () => {
				this.setState(managed, 'authenticated', {});
				await this.enqueueState(managed);
			}),
		);
		s.on(
			'auth_failure',
			on('auth_failure', async (reason: string) => {
				this.setState(managed, 'auth_failure', { reason: redactText(String(reason)).slice(0, 200) });
				await this.enqueueState(managed);
			}),
		);
		s.on(
			'ready',
			on('ready', async (info: { linkedPhoneJid: string | null }) => {
				const linked = info?.linkedPhoneJid ? parseWhatsAppId(info.linkedPhoneJid) : null;
				this.setState(managed, 'connected', { linkedPhone: linked?.kind === 'person' ? linked.e164 : null });
				await this.enqueueState(managed);
				this.startCatchUp(managed);
				try {
					this.options.onConnected?.(managed.id);
				} catch (err) {
					this.log.error({ sessionId: managed.id, err: safeError(err) }, 'onConnected hook failed');
				}
				if (this.options.backfillOnLink && managed.sawQr && this.options.backfill) {
					try {
						this.options.backfill.start(managed.id, managed.driverSession);
						this.log.info({ sessionId: managed.id }, 'backfill started after linking');
					} catch (err) {
						this.log.error({ sessionId: managed.id, err: safeError(err) }, 'could not start the backfill after linking');
					}
				}
			}),
		);
		s.on(
			'change_state',
			on('change_state', (state: string) => {
				this.log.debug({ sessionId: managed.id, clientState: String(state) }, 'client state changed');
			}),
		);
		s.on(
			'disconnected',
			on('disconnected', async (reason: string) => {
				this.setState(managed, 'disconnected', { reason: redactText(String(reason)).slice(0, 200) });
				await this.enqueueState(managed);
			}),
		);
		s.on(
			'message',
			on('message', async (message: DriverMessage) => {
				const forwarded = await this.forwardMessage(managed, message);
				if (forwarded) this.track(managed, forwarded.durable, message.id);
			}),
		);
		s.on(
			'message_ack',
			on('message_ack', async (ack: DriverAck) => {
				this.forwardAck(managed, ack);
			}),
		);
	}

	private serial<T>(managed: Managed, task: () => Promise<T>): Promise<T> {
		const run = managed.queue.then(task, task);
		managed.queue = run.then(
			() => undefined,
			() => undefined,
		);
		return run;
	}

	private setState(managed: Managed, state: SessionState, change: { qr?: string; reason?: string; linkedPhone?: string | null }): void {
		managed.state = state;
		managed.qr = state === 'qr' ? (change.qr ?? null) : null;
		managed.reason = change.reason ?? null;
		if (state === 'connected') managed.linkedPhone = change.linkedPhone ?? null;
		else if (state !== 'authenticated') managed.linkedPhone = null;
		this.log.info({ sessionId: managed.id, state }, 'session state changed');
		if (SETTLED_STATES.has(state)) for (const wake of managed.waiters) wake();
	}

	private async enqueueState(managed: Managed): Promise<void> {
		await this.enqueue(
			buildSessionStateEvent({
				sessionId: managed.id,
				state: managed.state,
				qr: managed.qr,
				reason: managed.reason,
				linkedPhone: managed.linkedPhone,
			}),
		);
	}

	/** Hands an event to the outbox: its place in the session's order is taken now; resolves once it is durable. */
	private async enqueue(event: NormalizedEvent, sameCommit?: () => void): Promise<void> {
		await this.options.outbox.enqueue(event, { sameCommit });
		this.options.metrics?.counter('whatsapp_sidecar_events_enqueued_total', 'Events written to the outbox, by type.', { type: event.type });
	}

	/** Keeps an event's durable write in view (shutdown waits for it) and logs its failure. */
	private track(managed: Managed, durable: Promise<void>, messageId?: string): void {
		managed.writes.add(durable);
		durable.then(
			() => managed.writes.delete(durable),
			(err: unknown) => {
				managed.writes.delete(durable);
				this.log.error(
					{ sessionId: managed.id, ...(messageId ? { msgRef: messageRef(messageId) } : {}), err: safeError(err) },
					messageId ? 'message event could not be stored; the catch-up at the next ready takes it again' : 'event could not be stored',
				);
			},
		);
	}

	/**
	 * Maps one driver message and hands it to the outbox, once per message id
	 * (durably: see capture/ledger.ts). Returns the event and the promise of its
	 * durable write, or null when it is not forwarded (or was captured before).
	 */
	private async forwardMessage(managed: Managed, message: DriverMessage): Promise<{ event: MessageEvent; durable: Promise<void> } | null> {
		const ref = messageRef(message.id);
		const skip = skipReason(message);
		if (skip !== null) {
			this.options.metrics?.counter('whatsapp_sidecar_messages_skipped_total', 'Messages not forwarded (groups, status, media, …), by reason.', { reason: skip });
			this.log.debug({ sessionId: managed.id, msgRef: ref, skip }, 'message not forwarded');
			return null;
		}
		const claim = this.options.capture.claim(managed.id, { chatId: message.chatId, messageId: message.id, timestamp: message.timestamp });
		if (!claim) {
			const already = managed.recent.get(message.id);
			return already ? { event: already, durable: Promise.resolve() } : null;
		}
		let durable: Promise<void>;
		let event: MessageEvent;
		try {
			const profile = await this.profiles.get(managed.id, managed.driverSession, message.chatId);
			const payload = toMessagePayload(managed.id, message, profile, { origin: 'live' });
			if (!payload) {
				claim.release();
				return null;
			}
			event = buildMessageEvent({ sessionId: managed.id, message: payload });
			durable = this.enqueue(event, claim.sameCommit);
		} catch (err) {
			claim.release();
			throw err;
		}
		durable.then(
			() => {
				claim.release();
				this.log.info({ sessionId: managed.id, msgRef: ref, direction: event.message.direction }, 'message event queued');
			},
			() => claim.release(),
		);
		managed.recent.set(message.id, event);
		if (managed.recent.size > RECENT_LIMIT) managed.recent.delete(managed.recent.keys().next().value as string);
		return { event, durable };
	}

	/** After a ready: begins the session's capture record, then catches up with WhatsApp's store (in the background). */
	private startCatchUp(managed: Managed): void {
		if (managed.catchUp) {
			managed.catchUpAgain = true;
			return;
		}
		const nowSeconds = () => Math.floor(this.now() / 1000);
		managed.catchUp = (async () => {
			// Known since its QR (or an earlier ready): catch up. Never seen (linked before the
			// capture ledger existed): captured from now on, nothing to catch up.
			const { known } = await this.options.capture.begin(managed.id, nowSeconds(), false);
			if (!known) return;

			do {
				managed.catchUpAgain = false;
				const report = await catchUp({
					sessionId: managed.id,
					session: managed.driverSession,
					ledger: this.options.capture,
					logger: this.log,
					nowSeconds,
					cancelled: () => managed.closed || managed.state !== 'connected',
					forward: async (message) => {
						const forwarded = await this.serial(managed, () => (managed.closed ? Promise.resolve(null) : this.forwardMessage(managed, message)));
						if (!forwarded) return false;
						await forwarded.durable;
						return true;
					},
				});
				this.log.info({ sessionId: managed.id, ...report }, 'catch-up finished');
			} while (managed.catchUpAgain && !managed.closed);
		})()
			.catch((err: unknown) => {
				this.log.error({ sessionId: managed.id, err: safeError(err) }, 'catch-up failed; it runs again at the next ready');
			})
			.finally(() => {
				managed.catchUp = null;
			});
	}

	private forwardAck(managed: Managed, ack: DriverAck): void {
		if (chatKindOf({ chatId: ack.chatId, isStatus: false }) !== 'direct') return;
		const remote = buildRemoteParty(ack.chatId);
		this.track(
			managed,
			this.enqueue(
			buildStatusEvent({
				sessionId: managed.id,
				status: {
					messageId: ack.messageId,
					status: messageStatusFromWebJsAck(ack.ack),
					rawStatus: String(ack.ack),
					remote,
					timestamp: toIsoString(ack.timestamp),
					errors: [],
				},
			}),
			),
		);
	}


	/** Runs a driver call; when it fails, tells a gone browser (503) from other failures (502). */
	private async driverCall<T>(managed: Managed, call: () => Promise<T>): Promise<T> {
		try {
			return await call();
		} catch (err) {
			if (err instanceof SidecarError) throw err;
			const code = (err as { code?: unknown })?.code;
			if (code === 'not_connected') throw conflict('not_connected', 'The session is not connected.');
			const gone = await this.browserIsGone(managed);
			this.log.warn({ sessionId: managed.id, err: safeError(err), browserGone: gone }, 'driver call failed');
			if (gone) throw browserGone();
			throw new SidecarError(502, 'whatsapp_error', `WhatsApp did not accept the request: ${redactText(errorText(err)).slice(0, 200)}`);
		}
	}

	private async browserIsGone(managed: Managed): Promise<boolean> {
		try {
			await withTimeout(managed.driverSession.getState(), this.options.healthTimeoutMs);
			return false;
		} catch (err) {
			return !(err instanceof TimeoutError);
		}
	}

	private async check(managed: Managed): Promise<HealthReport> {
		const now = this.now();
		const report: HealthReport = {
			sessionId: managed.id,
			state: managed.state,
			connected: false,
			healthy: false,
			reason: null,
			linkedPhone: managed.linkedPhone,
			lastEventAt: managed.lastEventAt === null ? null : new Date(managed.lastEventAt).toISOString(),
			lastEventAgeSeconds: managed.lastEventAt === null ? null : Math.max(0, Math.round((now - managed.lastEventAt) / 1000)),
			clientState: null,
		};
		const starting = managed.state === 'starting' || (managed.restored && managed.state === 'authenticated');
		if (starting && now - managed.startedAt < this.options.startGraceMs) {
			return { ...report, state: 'starting', healthy: null, reason: 'starting' };
		}
		const t = this.options.healthTimeoutMs;
		// Logged out on the phone, or failed: that is the reason, whatever the (possibly destroyed) client says.
		const lost = managed.state === 'disconnected' || managed.state === 'auth_failure' ? managed.state : null;
		let clientState: string | null;
		try {
			clientState = await withTimeout(managed.driverSession.getState(), t);
		} catch (err) {
			return { ...report, reason: lost ?? (err instanceof TimeoutError ? 'state_timeout' : 'browser_gone') };
		}
		report.clientState = clientState;
		if (lost) return { ...report, reason: lost };
		if (clientState !== 'CONNECTED') {
			const reason = managed.state === 'qr' ? 'waiting_for_qr' : starting ? 'start_timeout' : 'not_connected';
			return { ...report, reason };
		}
		try {
			const alive = await withTimeout(managed.driverSession.ping(), t);
			if (!alive) return { ...report, reason: 'page_unresponsive' };
		} catch (err) {
			return { ...report, reason: err instanceof TimeoutError ? 'page_unresponsive' : 'page_error' };
		}
		if (managed.state !== 'connected') return { ...report, connected: true, reason: starting ? 'start_timeout' : 'not_ready' };
		return { ...report, connected: true, healthy: true, reason: null };
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

	private view(managed: Managed): SessionView {
		return {
			sessionId: managed.id,
			state: managed.state,
			qr: managed.qr,
			reason: managed.reason,
			linkedPhone: managed.linkedPhone,
			lastEventAt: managed.lastEventAt === null ? null : new Date(managed.lastEventAt).toISOString(),
			startedAt: new Date(managed.startedAt).toISOString(),
			restored: managed.restored,
		};
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
