/** Interactions: one row per WhatsApp text message, keyed by WhatsApp's message id. */
import type { Queryable } from '../../../crm/db';
import { LOG_INTERACTION } from '../../../crm/sql';

export interface InteractionInput {
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
}

export interface LogInteractionResult {
	/** False when an interaction with this message id was already logged (nothing changed). */
	inserted: boolean;
	/** The new row's id; null for a duplicate. */
	id: string | null;
}

/** Logs the message unless it already is (insert-or-ignore on ext_message_id). */
export async function logInteraction(db: Queryable, input: InteractionInput): Promise<LogInteractionResult> {
	if (input.extMessageId.trim() === '') throw new TypeError('logInteraction: extMessageId must not be empty');
	const occurredAt = input.occurredAt instanceof Date ? input.occurredAt.toISOString() : input.occurredAt;
	const { rows } = await db.query<{ interaction_id: string | null; inserted: boolean }>(LOG_INTERACTION, [
		input.contactId,
		input.direction,
		input.body,
		input.extMessageId,
		occurredAt,
		input.sessionId ?? null,
		input.origin ?? 'live',
	]);
	return { inserted: rows[0].inserted, id: rows[0].interaction_id };
}
