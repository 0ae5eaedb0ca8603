/** The durable, signed webhook outbox (see outbox.ts for the guarantees and store.ts for the disk layout). */
export { createOutbox } from './outbox';
export type { DeadLetter, DeadLetterList, DeadLetterReason, EnqueueOptions, Outbox, OutboxOptions, OutboxStats, ReplayReport, UnreadableDeadLetter } from './types';
export { backoffDelayMs, parseRetryAfterMs, verdictForStatus, MAX_RETRY_AFTER_MS } from './retry-policy';
