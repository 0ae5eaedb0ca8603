/**
 * The outbox on disk: three named databases of the sidecar's durable store
 * (storage/durable-store.ts, LMDB).
 *
 *   outbox-pending  [sessionKey, seq] → record   waiting for delivery
 *   outbox-dead     [sessionKey, seq] → record   dead letters (id `<sessionKey>.<seq, 16 digits>`)
 *   outbox-corrupt  [setAsideAt, id]  → text     unreadable records set aside
 *
 * `seq` is a per-session sequence number, so LMDB's key order is each
 * session's write order. Records are stored as their JSON text and checked
 * when read, so a damaged record is recognised (and set aside) rather than
 * trusted. Every change is one transaction: an event is either pending or a
 * dead letter, never both or neither, whatever moment the process dies at.
 * Writes of one event-loop turn share one commit (one fsync for a burst).
 *
 * An outbox of the earlier one-file-per-event layout (`outbox/pending/`,
 * `outbox/dead/`) is imported once at start-up, in one transaction, and its
 * files removed after the commit.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { openDurableStore, type DurableStore, type StoreDatabase } from '../storage/durable-store';
import type { DeadLetterReason } from './types';

export const RECORD_VERSION = 1;
const SEQ_WIDTH = 16;

/** What an event's record holds. `body` is the exact JSON that is signed and sent. */
export interface OutboxRecord {
	v: typeof RECORD_VERSION;
	eventId: string;
	sessionId: string;
	eventType: string;
	seq: number;
	enqueuedAt: string;
	attempts: number;
	lastError: string | null;
	lastStatus: number | null;
	lastAttemptAt: string | null;
	/** When the current run of failed attempts began (null or absent: not failing). */
	failingSince?: string | null;
	body: string;
}

export interface DeadRecord extends OutboxRecord {
	reason: DeadLetterReason;
	deadAt: string;
}

export interface PendingFile {
	key: string;
	seq: number;
	record: OutboxRecord;
}

export interface DeadFile {
	id: string;
	key: string;
	seq: number;
}

export interface SetAside {
	/** Where the record came from: `pending`, `dead`, or a file of the earlier layout. */
	from: string;
	/** `<sessionKey>.<seq>` of the record set aside. */
	id: string;
	setAsideAt: string;
	text: string;
}

/** A key for a session id: the id itself when it is plain, otherwise a hash of it. */
export function sessionKey(sessionId: string): string {
	if (/^[A-Za-z0-9_-]{1,100}$/.test(sessionId)) return `s-${sessionId}`;
	return `h-${createHash('sha256').update(sessionId, 'utf8').digest('hex').slice(0, 40)}`;
}

export function seqName(seq: number): string {
	return String(seq).padStart(SEQ_WIDTH, '0');
}

const RECORD_ID = /^([sh]-[A-Za-z0-9_-]{1,100})\.([0-9]{16})$/;
const LEGACY_PENDING_FILE = /^([0-9]{16})\.json$/;
const LEGACY_DEAD_FILE = /^([sh]-[A-Za-z0-9_-]{1,100})\.([0-9]{16})\.json$/;

export const PENDING_DB = 'outbox-pending';
export const DEAD_DB = 'outbox-dead';
export const CORRUPT_DB = 'outbox-corrupt';

type RecordKey = [string, number];

export class OutboxStore {
	/** The earlier layout's folder (`<dataDir>/outbox`), imported once. */
	readonly legacyRoot: string;
	private handle: DurableStore | null = null;
	private pendingDb!: StoreDatabase<string>;
	private deadDb!: StoreDatabase<string>;
	private corruptDb!: StoreDatabase<SetAside>;

	constructor(readonly dataDir: string) {
		this.legacyRoot = path.join(path.resolve(dataDir), 'outbox');
	}

	get store(): DurableStore {
		if (!this.handle) throw new Error('the outbox store is not open');
		return this.handle;
	}

	/** Opens the store and imports an outbox of the earlier file layout. */
	async init(onLegacyProblem: (file: string, err: unknown) => void): Promise<{ imported: number }> {
		if (!this.handle) {
			this.handle = openDurableStore(this.dataDir);
			this.pendingDb = this.handle.db<string>(PENDING_DB, 'string');
			this.deadDb = this.handle.db<string>(DEAD_DB, 'string');
			this.corruptDb = this.handle.db<SetAside>(CORRUPT_DB);
		}
		return this.importLegacy(onLegacyProblem);
	}

	async close(): Promise<void> {
		const handle = this.handle;
		this.handle = null;
		await handle?.close();
	}

	deadId(key: string, seq: number): string {
		return `${key}.${seqName(seq)}`;
	}

	/** Stores a new pending event, and whatever `sameCommit` writes, in one durable commit. */
	async append(record: OutboxRecord, sameCommit?: () => void): Promise<void> {
		const key: RecordKey = [sessionKey(record.sessionId), record.seq];
		const text = JSON.stringify(record);
		await this.store.transaction(() => {
			void this.pendingDb.put(key, text);
			sameCommit?.();
		});
	}

	/** Replaces a pending event's record (its attempts, last error). */
	async update(record: OutboxRecord): Promise<void> {
		await this.pendingDb.put([sessionKey(record.sessionId), record.seq], JSON.stringify(record));
	}

	async removePending(key: string, seq: number): Promise<void> {
		await this.pendingDb.remove([key, seq]);
	}

	/** A pending record; null when absent; throws when it cannot be read as one. */
	readPending(key: string, seq: number): OutboxRecord | null {
		const text = this.pendingDb.get([key, seq]);
		if (text === undefined) return null;
		const record = parseRecord(text);
		if (record.seq !== seq || sessionKey(record.sessionId) !== key) throw new Error('record does not match its key');
		return record;
	}

	/** Moves a pending event to the dead letters (one transaction); returns the dead letter id. */
	async moveToDead(record: DeadRecord): Promise<string> {
		const key: RecordKey = [sessionKey(record.sessionId), record.seq];
		const text = JSON.stringify(record);
		await this.store.transaction(() => {
			void this.deadDb.put(key, text);
			void this.pendingDb.remove(key);
		});
		return this.deadId(key[0], key[1]);
	}

	/** A dead letter; null when absent; throws when it cannot be read as one. */
	readDead(id: string): DeadRecord | null {
		const key = parseId(id);
		if (!key) return null;
		const text = this.deadDb.get(key);
		if (text === undefined) return null;
		return parseRecord(text) as DeadRecord;
	}

	/** Puts a dead letter back as a new pending record, in one transaction. */
	async replay(id: string, record: OutboxRecord): Promise<void> {
		const deadKey = parseId(id);
		if (!deadKey) throw new Error('invalid dead letter id');
		const text = JSON.stringify(record);
		await this.store.transaction(() => {
			void this.pendingDb.put([sessionKey(record.sessionId), record.seq], text);
			void this.deadDb.remove(deadKey);
		});
	}

	listDead(): DeadFile[] {
		const out: DeadFile[] = [];
		for (const key of this.deadDb.getKeys()) {
			const [k, seq] = key as RecordKey;
			out.push({ id: this.deadId(k, seq), key: k, seq });
		}
		return out;
	}

	/** Moves an unreadable pending record out of its session's queue, keeping its text for a person to look at. */
	async setAsidePending(key: string, seq: number, now: string): Promise<void> {
		const text = this.pendingDb.get([key, seq]);
		await this.store.transaction(() => {
			if (text !== undefined) void this.corruptDb.put([now, `${this.deadId(key, seq)}.${randomBytes(4).toString('hex')}`], { from: 'pending', id: this.deadId(key, seq), setAsideAt: now, text });
			void this.pendingDb.remove([key, seq]);
		});
	}

	/** What was set aside, oldest first. */
	listSetAside(): SetAside[] {
		return [...this.corruptDb.getRange()].map((entry) => entry.value);
	}

	/**
	 * Everything pending, in write order per session. Unreadable records are
	 * set aside (and reported) instead of blocking their session.
	 */
	async scanPending(now: string, onCorrupt: (id: string, err: unknown) => void): Promise<Map<string, PendingFile[]>> {
		const out = new Map<string, PendingFile[]>();
		const corrupt: RecordKey[] = [];
		for (const { key, value } of this.pendingDb.getRange()) {
			const [k, seq] = key as RecordKey;
			try {
				const record = parseRecord(value);
				if (record.seq !== seq || sessionKey(record.sessionId) !== k) throw new Error('record does not match its key');
				let files = out.get(k);
				if (!files) out.set(k, (files = []));
				files.push({ key: k, seq, record });
			} catch (err) {
				onCorrupt(this.deadId(k, seq), err);
				corrupt.push([k, seq]);
			}
		}
		for (const [k, seq] of corrupt) await this.setAsidePending(k, seq, now);
		return out;
	}

	/** The highest sequence number a session has used, pending or dead (0 when none). */
	lastSeq(key: string): number {
		let last = 0;
		for (const db of [this.pendingDb, this.deadDb]) {
			for (const k of db.getKeys({ start: [key, Number.MAX_SAFE_INTEGER], end: [key], reverse: true, limit: 1 })) {
				last = Math.max(last, (k as RecordKey)[1]);
			}
		}
		return last;
	}

	// ---- the earlier one-file-per-event layout --------------------------------

	private async importLegacy(onProblem: (file: string, err: unknown) => void): Promise<{ imported: number }> {
		const pendingDir = path.join(this.legacyRoot, 'pending');
		const deadDir = path.join(this.legacyRoot, 'dead');
		const found: Array<{ file: string; db: StoreDatabase<string>; key: RecordKey; text: string }> = [];
		const read = (file: string): string | null => {
			try {
				return fs.readFileSync(file, 'utf8');
			} catch (err) {
				onProblem(path.relative(this.legacyRoot, file), err);
				return null;
			}
		};
		for (const key of listDir(pendingDir)) {
			for (const name of listDir(path.join(pendingDir, key))) {
				const m = LEGACY_PENDING_FILE.exec(name);
				if (!m || !/^[sh]-[A-Za-z0-9_-]{1,100}$/.test(key)) continue;
				const file = path.join(pendingDir, key, name);
				const text = read(file);
				if (text !== null) found.push({ file, db: this.pendingDb, key: [key, Number(m[1])], text });
			}
		}
		for (const name of listDir(deadDir)) {
			const m = LEGACY_DEAD_FILE.exec(name);
			if (!m) continue;
			const file = path.join(deadDir, name);
			const text = read(file);
			if (text !== null) found.push({ file, db: this.deadDb, key: [m[1], Number(m[2])], text });
		}
		if (found.length === 0) {
			removeEmptyLegacyFolders(this.legacyRoot);
			return { imported: 0 };
		}
		const deadKeys = new Set(found.filter((f) => f.db === this.deadDb).map((f) => f.key.join('.')));
		await this.store.transaction(() => {
			for (const f of found) {
				// Killed between the two steps of a move: it is a dead letter.
				if (f.db === this.pendingDb && deadKeys.has(f.key.join('.'))) continue;
				// Damaged files are imported as they are: the outbox sets them aside (pending) or reports them (dead).
				void f.db.put(f.key, f.text);
			}
		});
		for (const f of found) fs.rmSync(f.file, { force: true });
		removeEmptyLegacyFolders(this.legacyRoot);
		return { imported: found.length };
	}
}

function listDir(dir: string): string[] {
	try {
		return fs.readdirSync(dir).sort();
	} catch {
		return [];
	}
}

/** Removes the earlier layout's folders once they are empty (a `corrupt/` folder with files is left for a person). */
function removeEmptyLegacyFolders(root: string): void {
	const tryRemove = (dir: string) => {
		try {
			fs.rmdirSync(dir);
		} catch {
			// not empty or not there
		}
	};
	for (const key of listDir(path.join(root, 'pending'))) tryRemove(path.join(root, 'pending', key));
	fs.rmSync(path.join(root, 'tmp'), { recursive: true, force: true });
	for (const sub of ['pending', 'dead', 'corrupt']) tryRemove(path.join(root, sub));
	tryRemove(root);
}

function parseId(id: string): RecordKey | null {
	const m = RECORD_ID.exec(id);
	return m ? [m[1], Number(m[2])] : null;
}

function parseRecord(text: string): OutboxRecord {
	const value = JSON.parse(text) as Partial<OutboxRecord>;
	if (
		value === null ||
		typeof value !== 'object' ||
		value.v !== RECORD_VERSION ||
		typeof value.eventId !== 'string' ||
		typeof value.sessionId !== 'string' ||
		typeof value.seq !== 'number' ||
		typeof value.body !== 'string' ||
		typeof value.attempts !== 'number'
	) {
		throw new Error('not an outbox record');
	}
	return value as OutboxRecord;
}
