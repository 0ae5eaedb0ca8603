import type { Logger } from 'pino';
import type { MessagePayload } from '../../../core/events/types';
import type { DriverMessage, DriverProfile, DriverSession } from '../drivers/driver';
import type { BackfillJob } from '../../../core/sidecar-api/types';
import type { Outbox } from '../outbox';

export type { BackfillJob, BackfillJobState } from '../../../core/sidecar-api/types';

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
