/**
 * A backfill job's checkpoint: one JSON file per job under
 * `<dataDir>/backfill/`, replaced durably (util/durable-file.ts) after every
 * step; a temp file a crash left behind is removed at start-up.
 *
 * Besides the progress it holds a journal entry: the next event, exactly as it
 * will be enqueued, with the progress it leads to. It is written before the
 * event goes into the outbox and cleared after; a job resumed with a journal
 * entry enqueues that same event again (same id, same bytes — deduplicated
 * downstream) instead of rebuilding a batch from a history that may have changed.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { NormalizedEvent } from '../../../core/events/types';
import { ensurePrivateDir } from '../storage/private-files';
import { fsyncDir, writeFileDurably } from '../util/durable-file';
import type { BackfillJobState } from './types';

export const CHECKPOINT_VERSION = 1;

/** The sort key of a message: (timestamp, chat id, message id). Messages go out in this order. */
export type MessageKey = [number, string, string];

export interface JobProgress {
	state: BackfillJobState;
	chatsTotal: number;
	chatsDone: number;
	messagesSent: number;
	batchesSent: number;
	reachedOldestAvailable: boolean;
	/** Key of the last message put in the outbox; null before the first batch. */
	cursor: MessageKey | null;
	finishedAt: string | null;
	error: string | null;
}

export interface Checkpoint extends JobProgress {
	v: typeof CHECKPOINT_VERSION;
	jobId: string;
	sessionId: string;
	days: number;
	batchSize: number;
	sinceUnix: number;
	untilUnix: number;
	startedAt: string;
	updatedAt: string;
	journal: { event: NormalizedEvent; after: Partial<JobProgress> } | null;
}

const JOB_FILE = /^(bf-[0-9a-f-]{36})\.json$/;

export function isJobId(value: string): boolean {
	return JOB_FILE.test(`${value}.json`);
}

export class CheckpointStore {
	readonly dir: string;
	private ready = false;

	constructor(dataDir: string) {
		this.dir = path.join(path.resolve(dataDir), 'backfill');
	}

	/** Every checkpoint on disk (read once at start-up). Unreadable files are reported and skipped. */
	loadAll(onError: (file: string, err: unknown) => void): Checkpoint[] {
		if (!fs.existsSync(this.dir)) return [];
		const out: Checkpoint[] = [];
		for (const name of fs.readdirSync(this.dir)) {
			if (name.endsWith('.tmp')) {
				fs.rmSync(path.join(this.dir, name), { force: true });
				continue;
			}
			if (!JOB_FILE.test(name)) continue;
			try {
				const value = JSON.parse(fs.readFileSync(path.join(this.dir, name), 'utf8')) as Checkpoint;
				if (value.v !== CHECKPOINT_VERSION || `${value.jobId}.json` !== name) throw new Error('not a backfill checkpoint');
				out.push(value);
			} catch (err) {
				onError(name, err);
			}
		}
		return out;
	}

	async write(checkpoint: Checkpoint): Promise<void> {
		if (!this.ready) {
			ensurePrivateDir(this.dir);
			await fsyncDir(path.dirname(this.dir));
			this.ready = true;
		}
		await writeFileDurably(path.join(this.dir, `${checkpoint.jobId}.json`), JSON.stringify(checkpoint));
	}

	remove(jobId: string): void {
		if (!isJobId(jobId)) return;
		fs.rmSync(path.join(this.dir, `${jobId}.json`), { force: true });
	}
}

export function compareKeys(a: MessageKey, b: MessageKey): number {
	if (a[0] !== b[0]) return a[0] - b[0];
	if (a[1] !== b[1]) return a[1] < b[1] ? -1 : 1;
	if (a[2] !== b[2]) return a[2] < b[2] ? -1 : 1;
	return 0;
}
