/** The archive of raw webhook payloads, for audit and replay. */
import type { Queryable } from '../../../crm/db';
import { ARCHIVE_PAYLOAD } from '../../../crm/sql';

export interface PayloadInput {
	/** The event's stable id (a redelivery keeps it). */
	eventId: string;
	/** 'sidecar' or 'cloud_api'. */
	source: string;
	sessionId?: string | null;
	/** e.g. 'message', 'session.state'. */
	eventType?: string | null;
	/** Any JSON value: stored as jsonb. */
	payload: unknown;
}

export interface ArchivePayloadResult {
	/** False when this event id was archived before. */
	archived: boolean;
	id: string | null;
}

/** Archives the payload once per event id. */
export async function archivePayload(db: Queryable, input: PayloadInput): Promise<ArchivePayloadResult> {
	if (input.eventId.trim() === '') throw new TypeError('archivePayload: eventId must not be empty');
	// Serialized here: pg would turn a top-level JS array into a PostgreSQL array, not JSON.
	const json = JSON.stringify(input.payload ?? null);
	const { rows } = await db.query<{ payload_id: string | null; archived: boolean }>(ARCHIVE_PAYLOAD, [
		input.eventId,
		input.source,
		input.sessionId ?? null,
		input.eventType ?? null,
		json,
	]);
	return { archived: rows[0].archived, id: rows[0].payload_id };
}
