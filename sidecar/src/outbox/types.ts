import type { Logger } from 'pino';
import type { EventType, NormalizedEvent } from '../../../core/events/types';

export interface OutboxOptions {
	/** Root folder; the outbox lives in the sidecar's durable store, `<dataDir>/state/` (an outbox of the earlier `<dataDir>/outbox/` file layout is imported once). */
	dataDir: string;
	/** Where every event is POSTed: one URL, or several tried in turn on a connection failure or a 5xx (outbox/transport.ts). */
	webhookUrl: string | readonly string[];
	/** The sidecar webhook secret (HMAC-SHA256, see core/signatures). */
	secret: string;
	logger: Logger;
	/**
	 * Attempts (including the first) before an event moves to the dead letters.
	 * Default: no limit by count — `maxFailingMs` decides.
	 */
	maxAttempts?: number;
	/**
	 * How long an event may keep failing (network errors, 5xx, 429, 404 while n8n
	 * registers its webhooks) before it moves to the dead letters. Default 72 hours,
	 * so an n8n outage of a weekend loses nothing and keeps each session's order.
	 */
	maxFailingMs?: number;
	/** First backoff ceiling; doubles per failed attempt (full jitter). Default 1000 ms. */
	baseDelayMs?: number;
	/** Largest backoff ceiling. Default 5 minutes. */
	maxDelayMs?: number;
	/** How long one POST may take before it counts as a failed attempt (retried with backoff). Default 60 s. */
	requestTimeoutMs?: number;
	/** Clock in milliseconds (default Date.now). */
	now?: () => number;
	/** Random source in [0, 1) for the jitter (default Math.random). */
	random?: () => number;
}

/** Why an event ended up in the dead letters. */
export type DeadLetterReason = 'permanent_status' | 'max_attempts' | 'failing_too_long';

export interface DeadLetter {
	/** The dead letter's own id (pass it to replayDeadLetters). */
	id: string;
	/** The event's id (X-Webhook-Id): unchanged by a replay. */
	eventId: string;
	sessionId: string;
	eventType: EventType | string;
	/** Delivery attempts made before it was given up. */
	attempts: number;
	/** The last failure: `http 503`, `ECONNREFUSED: …`, `timeout after 10000 ms`. */
	lastError: string | null;
	/** The last HTTP status received, null when the last attempt got none. */
	lastStatus: number | null;
	reason: DeadLetterReason;
	/** ISO 8601 UTC. */
	enqueuedAt: string;
	/** ISO 8601 UTC. */
	deadAt: string;
	event: NormalizedEvent;
}

/** A dead letter whose record could not be read (damaged): skipped, left in place. */
export interface UnreadableDeadLetter {
	id: string;
	/** The error's code (`EACCES`) or name (`SyntaxError`); never the file's content. */
	error: string;
}

export interface DeadLetterList {
	deadLetters: DeadLetter[];
	unreadable: UnreadableDeadLetter[];
}

export interface ReplayReport {
	replayed: number;
	unreadable: UnreadableDeadLetter[];
}

export interface OutboxStats {
	/** Events stored and waiting for delivery (including one in flight). */
	pending: number;
	/** Events in the dead-letter list. */
	deadLetters: number;
	/** Events acknowledged with a 2xx since this outbox was created. */
	delivered: number;
	/** Attempts that failed (network error, timeout, 5xx, 429, other 4xx) since this outbox was created. */
	failedAttempts: number;
}

export interface EnqueueOptions {
	/**
	 * Further writes to the sidecar's durable store (storage/durable-store.ts)
	 * that must be committed together with the event, atomically: called inside
	 * the event's transaction.
	 */
	sameCommit?: () => void;
}

export interface Outbox {
	/**
	 * Takes the event's place in its session's order at once (calls keep their
	 * order) and resolves once it is durably stored (fsynced; events of one
	 * event-loop turn share one commit). Delivery happens in the background while started.
	 */
	enqueue(event: NormalizedEvent, options?: EnqueueOptions): Promise<void>;
	/** Recovers what is on disk and starts delivering. */
	start(): void;
	/** Stops delivering; waits for deliveries and disk writes in flight. Nothing on disk is lost. */
	stop(): Promise<void>;
	/** The readable dead letters, and those that could not be read (skipped and logged). */
	listDeadLetters(): Promise<DeadLetterList>;
	/**
	 * Puts dead letters (all, or those ids) back at the end of their session's queue with
	 * attempts reset: how many, and the dead letters that could not be read (skipped).
	 */
	replayDeadLetters(ids?: string[]): Promise<ReplayReport>;
	stats(): OutboxStats;
	/** Resolves when nothing is pending or in flight (dead letters do not count). Only settles while started. */
	onIdle(): Promise<void>;
}
