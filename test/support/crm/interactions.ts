/**
 * Interactions and the event archive, written as the CRM logging workflow
 * writes them: one LOG_MESSAGE statement per text message (crm/sql.ts).
 */
import type { Queryable } from '../../../crm/db';
import { LOG_MESSAGE } from '../../../crm/sql';

export interface MessageInput {
	contactId: string;
	direction: 'inbound' | 'outbound';
	/** The message text. */
	body: string | null;
	/** WhatsApp's message id (the normalized event's `message.messageId`). */
	extMessageId: string;
	/** When WhatsApp says it was sent: ISO 8601 or a Date. */
	occurredAt: string | Date;
	/** The sidecar session id or the Cloud API phone-number id. */
	sessionId?: string | null;
	origin?: 'live' | 'backfill';
	/** The event that carried the message, archived once per event id. */
	event: {
		eventId: string;
		/** 'sidecar' or 'cloud_api'. */
		source: string;
		/** e.g. 'message'. */
		type?: string | null;
		/** Any JSON value: stored as jsonb. */
		payload: unknown;
	};
}

export interface LogMessageResult {
	/** False when an interaction with this message id was already logged (nothing changed). */
	inserted: boolean;
	/** The new interaction's id; null for a duplicate. */
	id: string | null;
	/** False when this event id was archived before. */
	archived: boolean;
}

/** Logs the message unless it already is (insert-or-ignore on ext_message_id) and archives its event. */
export async function logMessage(db: Queryable, input: MessageInput): Promise<LogMessageResult> {
	if (input.extMessageId.trim() === '') throw new TypeError('logMessage: extMessageId must not be empty');
	if (input.event.eventId.trim() === '') throw new TypeError('logMessage: eventId must not be empty');
	const occurredAt = input.occurredAt instanceof Date ? input.occurredAt.toISOString() : input.occurredAt;
	const { rows } = await db.query<{ interaction_id: string | null; inserted: boolean; archived: boolean }>(LOG_MESSAGE, [
		input.contactId,
		input.direction,
		input.body,
		input.extMessageId,
		occurredAt,
		input.sessionId ?? null,
		input.origin ?? 'live',
		input.event.eventId,
		input.event.source,
		input.event.type ?? null,
		// Serialized here: pg would turn a top-level JS array into a PostgreSQL array, not JSON.
		JSON.stringify(input.event.payload ?? null),
	]);
	return { inserted: rows[0].inserted, id: rows[0].interaction_id, archived: rows[0].archived };
}
