/**
 * The health check of one session (GET /sessions/:id/health, /health): what
 * the manager knows of it, then the driver's own answer — getState, then a
 * ping of the page — each bounded by HEALTH_TIMEOUT_MS. A call that does not
 * answer in time (util/timeout.ts's TimeoutError, whichever bound fired) is a
 * slow page; any other failure means the browser is gone.
 */
import type { HealthReport } from '../../../core/sidecar-api/types';
import type { DriverSession } from '../drivers/driver';
import { TimeoutError, withTimeout } from '../util/timeout';
import type { Managed } from './managed-session';

export interface HealthCheckOptions {
	/** Bound of each probe (getState, ping). */
	timeoutMs: number;
	/** A restored session is `starting` (not unhealthy) for this long. */
	startGraceMs: number;
	now: number;
}

/** True when the session's browser is gone: getState fails (a timeout is a slow page, not a gone browser). */
export async function browserIsGone(session: DriverSession, timeoutMs: number): Promise<boolean> {
	try {
		await withTimeout(session.getState(), timeoutMs);
		return false;
	} catch (err) {
		return !(err instanceof TimeoutError);
	}
}

export async function checkHealth(managed: Managed, options: HealthCheckOptions): Promise<HealthReport> {
	const { now } = options;
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
	if (starting && now - managed.startedAt < options.startGraceMs) {
		return { ...report, state: 'starting', healthy: null, reason: 'starting' };
	}
	const t = options.timeoutMs;
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
