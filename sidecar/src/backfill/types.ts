import type { Logger } from 'pino';
import type { MessagePayload } from '../../../core/events/types';
import type { DriverMessage, DriverProfile, DriverSession } from '../drivers/driver';
import type { Outbox } from '../outbox';

export type BackfillJobState = 'running' | 'completed' | 'failed';

/**
 * A backfill job as the API shows it. Messages go out oldest first across the
 * whole backfill (all chats merged by time), never chat by chat.
 */
export interface BackfillJob {
	jobId: string;
	sessionId: string;
	state: BackfillJobState;
	/** Always `oldest_first`: every batch is older than the next, across all chats. */
	order: 'oldest_first';
	days: number;
	batchSize: number;
	/** Start of the window, ISO 8601 UTC. */
	since: string;
	/** End of the window (when the job was started), ISO 8601 UTC: later messages arrive live. */
	until: string;
	startedAt: string;
	updatedAt: string;
	finishedAt: string | null;
	/** 1:1 chats considered (0 until the chat list has been read). */
	chatsTotal: number;
	/** 1:1 chats whose messages in the window have all been put in the outbox. */
	chatsDone: number;
	/** Messages put in the outbox so far. */
	messagesSent: number;
	/** Batches put in the outbox so far (the last batch's index). */
	batchesSent: number;
	/** True when WhatsApp had no older messages on the linked device for some chat. */
	reachedOldestAvailable: boolean;
	/** Why the job failed, or null. */
	error: string | null;
}

export type ToMessagePayload = (sessionId: string, message: DriverMessage, profile?: DriverProfile | null) => MessagePayload | null;

export interface BackfillRunnerOptions {
	/** Checkpoints live in `<dataDir>/backfill/<jobId>.json`. */
	dataDir: string;
	outbox: Pick<Outbox, 'enqueue'>;
	/** Default window in days (BACKFILL_DAYS). */
	days: number;
	/** Default messages per batch (BACKFILL_BATCH_SIZE). */
	batchSize: number;
	logger: Logger;
	/** The shared driver-message mapping; null for anything that is not a 1:1 text. */
	toMessagePayload: ToMessagePayload;
	/** A contact's profile (name, About) for a 1:1 chat, e.g. the service's cached lookup. Optional; failures are ignored. */
	profileFor?: (sessionId: string, session: DriverSession, chatId: string) => Promise<DriverProfile | null>;
	/** How long a job waits for its session to report CONNECTED before reading history (default 2 min). */
	connectWaitMs?: number;
	/** How often it asks meanwhile (default 1 s). */
	connectPollMs?: number;
	/** Longest one driver call (chat list, one chat's history) may take before the job fails (default 5 min). */
	driverCallTimeoutMs?: number;
	/** Longest stop() waits for running jobs to reach a safe point (default 15 s); they stay resumable either way. */
	stopWaitMs?: number;
	/** Clock in milliseconds (default Date.now). */
	now?: () => number;
}

export interface BackfillRunner {
	/** Starts a backfill of a session, or returns the one already running for it. */
	start(sessionId: string, session: DriverSession, overrides?: { days?: number; batchSize?: number }): BackfillJob;
	get(jobId: string): BackfillJob | undefined;
	/** The session's jobs, newest first. */
	listForSession(sessionId: string): BackfillJob[];
	/**
	 * Continues every unfinished job (from its checkpoint) whose session
	 * `getSession` returns; jobs of sessions it does not know yet stay pending
	 * for a later call (e.g. once that session is connected again).
	 */
	resumePending(getSession: (sessionId: string) => DriverSession | undefined): void;
	/** Stops running jobs after their current step; they stay resumable. */
	stop(): Promise<void>;
}
