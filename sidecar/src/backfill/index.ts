/** Backfill: a session's recent 1:1 history, oldest first, in batches through the outbox; resumable from checkpoints. */
export { createBackfillRunner, batchEventId, doneEventId, FINISHED_JOBS_KEPT } from './backfill-runner';
export { isDirectChat } from './collect-history';
export type { BackfillJob, BackfillJobState, BackfillRunner, BackfillRunnerOptions, ToMessagePayload } from './types';
