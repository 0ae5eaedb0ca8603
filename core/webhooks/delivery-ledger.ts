/**
 * The delivery ledger: what the trigger remembers of every event it has let
 * start a workflow, so that a delivery seen before — a sidecar retry, Meta's
 * redelivery, a captured request sent again, after an n8n restart or at
 * another webhook process of n8n's queue mode — starts nothing twice, while a
 * delivery whose run failed is run again when it comes back.
 *
 * One row per (scope, delivery key), in one of four states:
 *
 *   processing  a run holds it; the claim lasts `leaseSeconds` and is renewed
 *               while the run goes on (a crashed n8n stops renewing it)
 *   done        a run succeeded (or, when answering at once, was accepted):
 *               any later delivery is a duplicate
 *   failed      a run failed: the next delivery claims it again
 *   parked      it failed `giveUpAfter` runs: set aside in the failed-events
 *               list for an admin, acknowledged so the sender moves on
 *
 * Claiming is atomic per key (PostgreSQL: INSERT … ON CONFLICT DO UPDATE …
 * WHERE; memory: one process), so two webhook processes can never both claim
 * one key. This module holds the decision and the in-memory ledger (one n8n
 * process, best effort); crm/delivery-ledger.ts is the durable one.
 */
import type { NormalizedEvent } from '../events/types';

export type ClaimOutcome =
	/** This delivery may run (the first time, or again after a failed run). */
	| 'claimed'
	/** A run already succeeded: a duplicate. */
	| 'done'
	/** Another run holds it right now: the sender should try again later. */
	| 'processing'
	/** Given up earlier: it waits in the failed-events list. */
	| 'parked';

export interface DeliveryClaim {
	key: string;
	outcome: ClaimOutcome;
	/** Runs claimed so far, this one included (0 when unknown). */
	attempts: number;
	/** For `processing`: seconds until its claim expires unless renewed. */
	retryAfterSeconds: number | null;
}

/** A claimed delivery given up after too many failed runs, with the event it carried. */
export interface ParkedDelivery {
	key: string;
	event: NormalizedEvent;
	attempts: number;
}

export interface DeliveryLedger {
	/** True when it outlives the process and is shared by every n8n process. */
	readonly durable: boolean;
	/** Claims each key (duplicates in `keys` are claimed once); answers in the order of `keys`. */
	claim(scope: string, keys: string[], leaseSeconds: number): Promise<DeliveryClaim[]>;
	/** Extends the claim of keys still `processing` (a run is still going on). */
	renew(scope: string, keys: string[], leaseSeconds: number): Promise<void>;
	/** Ends the claims: `done` after a success, `failed` after a failure (claimable again). */
	complete(scope: string, keys: string[], outcome: 'done' | 'failed'): Promise<void>;
	/** Sets given-up deliveries aside where an admin sees them (failed-events list) and marks them `parked`. */
	park(scope: string, deliveries: ParkedDelivery[]): Promise<void>;
}

/** How long a run's claim lasts before it must be renewed; a crashed process's claims expire this soon. */
export const DEFAULT_LEASE_SECONDS = 30;

/**
 * The ledger key of an event: its event id, which a retried delivery keeps
 * (docs/events.md, "Event ids"). Messages are keyed by the event, not by the
 * WhatsApp message id: the same message in a later backfill is a new delivery
 * (the CRM deduplicates messages on their id).
 */
export function deliveryKeyOf(event: NormalizedEvent): string {
	return event.eventId;
}

/** What the trigger does with one request's events once the ledger has answered. */
export interface DeliveryPlan {
	/** Events to emit (their claim is held by this request's run). */
	run: NormalizedEvent[];
	/** Events to set aside (failed too often). */
	park: ParkedDelivery[];
	duplicates: number;
	/** Events another run is processing right now. */
	inProgress: number;
	/** The longest wait among those (seconds), for a Retry-After. */
	retryAfterSeconds: number | null;
}

/**
 * Splits events by their claims. `giveUpAfter`: how many failed runs an event
 * may have before it is parked instead of run again (null: never; only a
 * durable ledger can park, since parking acknowledges the delivery).
 */
export function planDelivery(events: NormalizedEvent[], claims: DeliveryClaim[], giveUpAfter: number | null): DeliveryPlan {
	const byKey = new Map(claims.map((claim) => [claim.key, claim]));
	const plan: DeliveryPlan = { run: [], park: [], duplicates: 0, inProgress: 0, retryAfterSeconds: null };
	const planned = new Set<string>();
	for (const event of events) {
		const key = deliveryKeyOf(event);
		const claim = byKey.get(key);
		if (!claim || planned.has(key)) {
			plan.duplicates++;
			continue;
		}
		planned.add(key);
		switch (claim.outcome) {
			case 'claimed':
				// attempts counts this run too: `giveUpAfter` failed runs before it.
				if (giveUpAfter !== null && claim.attempts > giveUpAfter) plan.park.push({ key, event, attempts: claim.attempts - 1 });
				else plan.run.push(event);
				break;
			case 'processing':
				plan.inProgress++;
				plan.retryAfterSeconds = Math.max(plan.retryAfterSeconds ?? 0, claim.retryAfterSeconds ?? 0);
				break;
			default:
				plan.duplicates++;
		}
	}
	return plan;
}

interface MemoryRow {
	state: 'processing' | 'done' | 'failed' | 'parked';
	attempts: number;
	claimedAt: number;
	/** When the row may be forgotten. */
	expiresAt: number;
}

export interface MemoryLedgerOptions {
	/** How long a finished delivery is remembered (ms). */
	retentionMs: number;
	/** Rows kept at most (oldest forgotten first). */
	maxEntries?: number;
	now?: () => number;
}

/**
 * The ledger in this process's memory: right within one n8n process while it
 * runs; forgotten by a restart and not shared with other processes (n8n's
 * queue mode). It cannot park (that would acknowledge an event nobody can
 * see again): failed deliveries are simply claimable again.
 */
export function createMemoryLedger(options: MemoryLedgerOptions): DeliveryLedger {
	const rows = new Map<string, MemoryRow>();
	const maxEntries = options.maxEntries ?? 50_000;
	const now = options.now ?? Date.now;
	const id = (scope: string, key: string) => `${scope}\u0000${key}`;

	const evict = (at: number) => {
		// Insertion order is refresh order (rows are re-inserted when touched): the head is the oldest.
		for (const [rowId, row] of rows) {
			if (row.expiresAt > at && rows.size <= maxEntries) break;
			if (row.state === 'processing' && row.expiresAt > at) break;
			rows.delete(rowId);
		}
	};
	const put = (rowId: string, row: MemoryRow) => {
		rows.delete(rowId);
		rows.set(rowId, row);
	};

	return {
		durable: false,
		async claim(scope, keys, leaseSeconds) {
			const at = now();
			evict(at);
			const leaseMs = leaseSeconds * 1000;
			const answers = new Map<string, DeliveryClaim>();
			for (const key of keys) {
				if (answers.has(key)) continue;
				const rowId = id(scope, key);
				const row = rows.get(rowId);
				const expired = row?.state === 'processing' && row.claimedAt + leaseMs <= at;
				if (!row || row.state === 'failed' || expired) {
					const attempts = (row?.attempts ?? 0) + 1;
					put(rowId, { state: 'processing', attempts, claimedAt: at, expiresAt: at + Math.max(options.retentionMs, leaseMs) });
					answers.set(key, { key, outcome: 'claimed', attempts, retryAfterSeconds: null });
				} else if (row.state === 'processing') {
					answers.set(key, { key, outcome: 'processing', attempts: row.attempts, retryAfterSeconds: Math.max(1, Math.ceil((row.claimedAt + leaseMs - at) / 1000)) });
				} else {
					answers.set(key, { key, outcome: row.state, attempts: row.attempts, retryAfterSeconds: null });
				}
			}
			return keys.filter((key, i) => keys.indexOf(key) === i).map((key) => answers.get(key) as DeliveryClaim);
		},
		async renew(scope, keys) {
			const at = now();
			for (const key of keys) {
				const row = rows.get(id(scope, key));
				if (row?.state === 'processing') row.claimedAt = at;
			}
		},
		async complete(scope, keys, outcome) {
			const at = now();
			for (const key of keys) {
				const rowId = id(scope, key);
				const row = rows.get(rowId);
				if (row?.state !== 'processing') continue;
				put(rowId, { ...row, state: outcome, expiresAt: at + options.retentionMs });
			}
			evict(at);
		},
		async park() {
			throw new Error('The in-memory delivery ledger cannot park deliveries (nothing would keep them).');
		},
	};
}
