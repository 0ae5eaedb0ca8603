/**
 * One workflow item per message: a `backfill.batch` becomes one `message`
 * event per message it carries, so a CRM workflow handles live and
 * backfilled messages with the same nodes.
 *
 * An expanded item's `eventId` is `<batch eventId>#<index>` (0-based position
 * in the batch): stable when the same batch delivery is retried. A backfill
 * run again (manual "Sync Messages") sends new batches with new ids, so the
 * CRM must deduplicate messages on `message.messageId`, the idempotency key.
 */
import type { MessageEvent, NormalizedEvent } from './types';

export function expandEvent(event: NormalizedEvent): NormalizedEvent[] {
	if (event.type !== 'backfill.batch') return [event];
	const { jobId, batchIndex } = event.backfill;
	return event.backfill.messages.map(
		(message, index): MessageEvent => ({
			schemaVersion: event.schemaVersion,
			eventId: `${event.eventId}#${index}`,
			source: event.source,
			sessionId: event.sessionId,
			occurredAt: event.occurredAt,
			type: 'message',
			message: { ...message, origin: 'backfill' },
			backfill: { jobId, batchIndex },
		}),
	);
}
