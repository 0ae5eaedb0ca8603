/**
 * Driver-event forwarding: each driver session's events (QR, authenticated,
 * ready, disconnected, messages, acks) become normalized events (through the
 * core builders) in the outbox, in the order the driver emitted them, each
 * message once (durably: see capture/ledger.ts). A ready also starts the
 * catch-up with WhatsApp's store, and — for a phone just linked — a backfill.
 */
import { parseWhatsAppId } from '../../../core/phone';
import { buildMessageEvent, buildRemoteParty, buildSessionStateEvent, buildStatusEvent, toIsoString } from '../../../core/events/builders';
import { messageStatusFromWebJsAck } from '../../../core/events/message-kinds';
import type { MessageEvent, NormalizedEvent } from '../../../core/events/types';
import { catchUp } from '../capture/catch-up';
import type { CaptureLedger } from '../capture/ledger';
import type { DriverAck, DriverMessage, DriverSession } from '../drivers/driver';
import { chatKindOf, isStoreMessage, skipReason, toMessagePayload } from '../drivers/to-message-payload';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { messageRef, redactText, safeError } from '../util/log-safety';
import { serial, setState, type Managed } from './managed-session';
import type { ProfileCache } from './profile-cache';

/** What the sessions need of the outbox. */
export interface EventSink {
	/** Takes the event's place in its session's order at once; resolves once it is durable (with `sameCommit`'s writes). */
	enqueue(event: NormalizedEvent, options?: { sameCommit?: () => void }): Promise<void>;
}

/** What the sessions need of the backfill runner (to start one when a phone is linked). */
export interface BackfillStarter {
	start(sessionId: string, session: DriverSession, overrides?: { days?: number; batchSize?: number }): unknown;
}

export interface EventForwarderOptions {
	outbox: EventSink;
	/** What was captured (cursors, message ids): deduplicates messages durably and drives the catch-up after a ready. */
	capture: CaptureLedger;
	/** The sessions' logger. */
	log: Logger;
	metrics?: Metrics;
	profiles: ProfileCache;
	now: () => number;
	/** Start a backfill when a phone is linked by QR in this process. */
	backfillOnLink?: boolean;
	backfill?: BackfillStarter;
	/** Called (after the connected event is queued) each time a session reports ready. */
	onConnected?: (sessionId: string) => void;
	/** Forward live text messages of group chats too (FORWARD_GROUP_MESSAGES). */
	forwardGroups?: boolean;
}

const RECENT_LIMIT = 2000;

export class EventForwarder {
	private readonly log: Logger;

	constructor(private readonly options: EventForwarderOptions) {
		this.log = options.log;
	}

	/** Forwards every event of the session's driver session from now on (until it is closed). */
	wire(managed: Managed): void {
		const s = managed.driverSession;
		const on = <A extends unknown[]>(name: string, handler: (...args: A) => Promise<void> | void) =>
			(...args: A) => {
				if (managed.closed) return;
				managed.lastEventAt = this.options.now();
				serial(managed, async () => {
					if (managed.closed) return;
					await handler(...args);
				}).catch((err: unknown) => this.log.error({ sessionId: managed.id, event: name, err: safeError(err) }, 'event handling failed'));
			};

		// The session is lost (the link failed, the phone went away): the driver's reason goes along, redacted and cut to 200 characters.
		const lost = (state: 'auth_failure' | 'disconnected') =>
			on(state, async (reason: string) => {
				setState(managed, state, { reason: redactText(String(reason)).slice(0, 200) }, this.log);
				await this.enqueueState(managed);
			});

		s.on(
			'qr',
			on('qr', async (qr: string) => {
				managed.sawQr = true;
				if (!managed.captureBegun) {
					// A new link: captured from now on, durably before the phone can scan, so a
					// crash at any later moment restarts into a catch-up from here.
					managed.captureBegun = true;
					await this.options.capture.begin(managed.id, Math.floor(this.options.now() / 1000), true);
				}
				setState(managed, 'qr', { qr }, this.log);
				await this.enqueueState(managed);
			}),
		);
		s.on(
			'authenticated',
			on('authenticated', async () => {
				setState(managed, 'authenticated', {}, this.log);
				await this.enqueueState(managed);
			}),
		);
		s.on('auth_failure', lost('auth_failure'));
		s.on(
			'ready',
			on('ready', async (info: { linkedPhoneJid: string | null }) => {
				const linked = info?.linkedPhoneJid ? parseWhatsAppId(info.linkedPhoneJid) : null;
				setState(managed, 'connected', { linkedPhone: linked?.kind === 'person' ? linked.e164 : null }, this.log);
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
		s.on('disconnected', lost('disconnected'));
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

	/** Queues the session's current state as a session.state event. */
	async enqueueState(managed: Managed): Promise<void> {
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
	async enqueue(event: NormalizedEvent, sameCommit?: () => void): Promise<void> {
		await this.options.outbox.enqueue(event, { sameCommit });
		this.options.metrics?.counter('whatsapp_sidecar_events_enqueued_total', 'Events written to the outbox, by type.', { type: event.type });
	}

	/**
	 * Maps one driver message and hands it to the outbox, once per message id
	 * (durably: see capture/ledger.ts). Returns the event and the promise of its
	 * durable write, or null when it is not forwarded (or was captured before).
	 */
	async forwardMessage(managed: Managed, message: DriverMessage): Promise<{ event: MessageEvent; durable: Promise<void> } | null> {
		const ref = messageRef(message.id);
		const forwarding = { groups: this.options.forwardGroups === true };
		const skip = skipReason(message, forwarding);
		if (skip !== null) {
			this.options.metrics?.counter('whatsapp_sidecar_messages_skipped_total', 'Messages not forwarded (groups, status, media, …), by reason.', { reason: skip });
			this.log.debug({ sessionId: managed.id, msgRef: ref, skip }, 'message not forwarded');
			return null;
		}
		const claim = this.options.capture.claim(managed.id, {
			chatId: message.chatId,
			messageId: message.id,
			timestamp: message.timestamp,
			movesCursor: isStoreMessage(message),
		});
		if (!claim) {
			const already = managed.recent.get(message.id);
			return already ? { event: already, durable: Promise.resolve() } : null;
		}
		let durable: Promise<void>;
		let event: MessageEvent;
		try {
			// A group has no profile to fetch (no About; its name is not the sender's).
			const profile = chatKindOf(message) === 'group' ? null : await this.options.profiles.get(managed.id, managed.driverSession, message.chatId);
			const payload = toMessagePayload(managed.id, message, profile, { origin: 'live', ...forwarding });
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

	/** After a ready: begins the session's capture record, then catches up with WhatsApp's store (in the background). */
	private startCatchUp(managed: Managed): void {
		if (managed.catchUp) {
			managed.catchUpAgain = true;
			return;
		}
		const nowSeconds = () => Math.floor(this.options.now() / 1000);
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
						const forwarded = await serial(managed, () => (managed.closed ? Promise.resolve(null) : this.forwardMessage(managed, message)));
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
}
