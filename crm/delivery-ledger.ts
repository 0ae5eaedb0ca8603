/**
 * The durable delivery ledger, in the CRM database (tables
 * webhook_deliveries and failed_events, migration 0003): shared by every n8n
 * process that uses the same database, kept over restarts. The states and
 * the decision are core/webhooks/delivery-ledger.ts's; the statements are
 * crm/sql.ts's.
 */
import type { DeliveryClaim, DeliveryLedger, ParkedDelivery } from '../core/webhooks/delivery-ledger';
import type { Queryable } from './db';
import {
	CLAIM_DELIVERIES,
	COMPLETE_DELIVERIES,
	FAILED_EVENTS_NOTIFICATION_KIND,
	PARK_DELIVERIES,
	PRUNE_DELIVERIES,
	RENEW_DELIVERIES,
} from './sql';

export { FAILED_EVENTS_NOTIFICATION_KIND };

const FAILED_EVENTS_NOTIFICATION = {
	title: 'Some WhatsApp messages could not be logged',
	body:
		'The CRM logging workflow failed several times for some of your WhatsApp events, so they were set aside. ' +
		'Nothing is lost: an admin can see them in the failed-events list and replay them once the cause is fixed.',
};

export interface PostgresLedgerOptions {
	/** Finished deliveries are forgotten after this long (seconds). */
	retentionSeconds: number;
	/** Prune at most this often (ms), from whichever call comes first. */
	pruneEveryMs?: number;
	now?: () => number;
}

interface ClaimRow {
	key: string;
	outcome: DeliveryClaim['outcome'];
	attempts: number;
	retry_after_seconds: number | null;
}

export function createPostgresLedger(db: Queryable, options: PostgresLedgerOptions): DeliveryLedger {
	const pruneEveryMs = options.pruneEveryMs ?? 60 * 60 * 1000;
	const now = options.now ?? Date.now;
	let lastPrune = 0;

	const pruneNow = () => {
		if (now() - lastPrune < pruneEveryMs) return;
		lastPrune = now();
		// Housekeeping: off the request's path, and a failure only means it is tried again later.
		void db.query(PRUNE_DELIVERIES, [options.retentionSeconds]).catch(() => {
			lastPrune = 0;
		});
	};

	return {
		durable: true,
		async claim(scope, keys, leaseSeconds) {
			if (keys.length === 0) return [];
			const { rows } = await db.query<ClaimRow>(CLAIM_DELIVERIES, [scope, keys, leaseSeconds]);
			pruneNow();
			const byKey = new Map(rows.map((row) => [row.key, row]));
			const distinct = keys.filter((key, i) => keys.indexOf(key) === i);
			return distinct.map((key): DeliveryClaim => {
				const row = byKey.get(key);
				if (!row) return { key, outcome: 'processing', attempts: 0, retryAfterSeconds: leaseSeconds };
				return {
					key,
					outcome: row.outcome,
					attempts: row.attempts,
					retryAfterSeconds: row.outcome === 'processing' ? row.retry_after_seconds : null,
				};
			});
		},
		async renew(scope, keys) {
			if (keys.length > 0) await db.query(RENEW_DELIVERIES, [scope, keys]);
		},
		async complete(scope, keys, outcome) {
			if (keys.length > 0) await db.query(COMPLETE_DELIVERIES, [scope, keys, outcome]);
		},
		async park(scope, deliveries: ParkedDelivery[]) {
			if (deliveries.length === 0) return;
			const input = deliveries.map(({ key, event, attempts }) => ({
				key,
				event_id: event.eventId,
				source: event.source,
				session_id: event.sessionId,
				event_type: event.type,
				message_id: event.type === 'message' ? event.message.messageId : null,
				payload: event,
				attempts,
			}));
			const reason = 'The workflow failed every time this event was delivered (see attempts); it was set aside so that later events go on.';
			await db.query(PARK_DELIVERIES, [
				scope,
				JSON.stringify(input),
				reason,
				FAILED_EVENTS_NOTIFICATION_KIND,
				FAILED_EVENTS_NOTIFICATION.title,
				FAILED_EVENTS_NOTIFICATION.body,
			]);
		},
	};
}
