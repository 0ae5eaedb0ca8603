/** Backfill: start one for a connected session, read a job's progress. */
import { SidecarError, invalid } from '../../errors';
import type { DriverSession } from '../../drivers/driver';
import type { SessionManager } from '../../sessions/session-manager';
import { asObject } from '../body';
import type { Router } from '../router';

/** What the routes need of the backfill runner. */
export interface BackfillService {
	start(sessionId: string, session: DriverSession, overrides?: { days?: number; batchSize?: number }): unknown;
	get(jobId: string): unknown;
}

function optionalInteger(input: Record<string, unknown>, field: string, min: number, max: number): number | undefined {
	const value = input[field];
	if (value === undefined || value === null) return undefined;
	if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
		throw invalid(field, `${field} must be a whole number from ${min} to ${max}`);
	}
	return value;
}

export function registerBackfillRoutes(router: Router, manager: SessionManager, backfill: BackfillService): void {
	router.add('POST', '/sessions/:id/backfill', async ({ params, body }) => {
		const id = params.id as string;
		manager.get(id); // 422 / 404 first
		const input = asObject(await body());
		const days = optionalInteger(input, 'days', 1, 3650);
		const batchSize = optionalInteger(input, 'batchSize', 1, 500);
		const session = manager.connectedDriverSession(id);
		await manager.assertBrowser(id);
		const job = backfill.start(manager.get(id).sessionId, session, { ...(days ? { days } : {}), ...(batchSize ? { batchSize } : {}) });
		return { status: 202, body: job };
	});

	router.add('GET', '/backfill/:jobId', async ({ params }) => {
		const job = backfill.get(params.jobId as string);
		if (!job) throw new SidecarError(404, 'unknown_job', 'No such backfill job.');
		return { status: 200, body: job };
	});
}
