/**
 * What the sidecar holds of one running session, shared by the manager
 * (lifecycle), the event forwarding and the health check: its driver session,
 * its state as the webhook receiver last heard it, and the chain that keeps its
 * events in the order the driver emitted them.
 */
import type { SessionStartError, SessionView } from '../../../core/sidecar-api/types';
import type { MessageEvent, SessionState } from '../../../core/events/types';
import type { DriverSession } from '../drivers/driver';
import type { Logger } from '../logger';

export interface Managed {
	id: string;
	driverSession: DriverSession;
	state: SessionState;
	qr: string | null;
	reason: string | null;
	/** Why the last start failed (carried over when the session is started afresh); cleared by a QR or a connection. */
	lastError: SessionStartError | null;
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

/** States `start` waits for (or stops waiting at). */
export const SETTLED_STATES: ReadonlySet<SessionState> = new Set(['qr', 'connected', 'auth_failure', 'disconnected', 'logged_out']);

export function newManaged(id: string, driverSession: DriverSession, restored: boolean, now: number, lastError: SessionStartError | null = null): Managed {
	return {
		id,
		driverSession,
		state: 'starting',
		qr: null,
		reason: null,
		lastError,
		linkedPhone: null,
		lastEventAt: null,
		startedAt: now,
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
}

/** Runs `task` after everything queued before it for this session (whether that succeeded or not). */
export function serial<T>(managed: Managed, task: () => Promise<T>): Promise<T> {
	const run = managed.queue.then(task, task);
	managed.queue = run.then(
		() => undefined,
		() => undefined,
	);
	return run;
}

export function setState(
	managed: Managed,
	state: SessionState,
	change: { qr?: string; reason?: string; linkedPhone?: string | null },
	log: Logger,
): void {
	managed.state = state;
	managed.qr = state === 'qr' ? (change.qr ?? null) : null;
	managed.reason = change.reason ?? null;
	if (state === 'qr' || state === 'authenticated' || state === 'connected') managed.lastError = null;
	if (state === 'connected') managed.linkedPhone = change.linkedPhone ?? null;
	else if (state !== 'authenticated') managed.linkedPhone = null;
	log.info({ sessionId: managed.id, state }, 'session state changed');
	if (SETTLED_STATES.has(state)) for (const wake of managed.waiters) wake();
}

export function viewOf(managed: Managed): SessionView {
	return {
		sessionId: managed.id,
		state: managed.state,
		qr: managed.qr,
		reason: managed.reason,
		linkedPhone: managed.linkedPhone,
		lastEventAt: managed.lastEventAt === null ? null : new Date(managed.lastEventAt).toISOString(),
		startedAt: new Date(managed.startedAt).toISOString(),
		restored: managed.restored,
		lastError: managed.lastError,
	};
}
