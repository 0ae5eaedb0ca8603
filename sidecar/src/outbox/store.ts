/**
 * The outbox on disk: one file per event.
 *
 *   <dataDir>/outbox/pending/<sessionKey>/<seq>.json   waiting for delivery
 *   <dataDir>/outbox/dead/<sessionKey>.<seq>.json      dead letters
 *   <dataDir>/outbox/tmp/                              files being written
 *   <dataDir>/outbox/corrupt/                          unreadable files set aside
 *
 * `seq` is a per-session sequence number, zero-padded to 16 digits, so the
 * write order of a session is the order of its file names and is recovered by
 * listing the folder. A file is written to tmp/, fsynced, renamed into place
 * and the folder fsynced: a file is either absent or complete, never torn,
 * whatever moment the process dies at. One file per event (rather than an
 * append-only log) makes acknowledging an event a single unlink, needs no
 * compaction, and lets one session's blocked head sit beside other sessions'
 * progress without rewriting anything.
 */
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { DeadLetterReason } from './types';

export const RECORD_VERSION = 1;
const SEQ_WIDTH = 16;

/** What an event's file holds. `body` is the exact JSON that is signed and sent. */
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

/** A folder name for a session id: the id itself when it is plain, otherwise a hash of it. */
export function sessionKey(sessionId: string): string {
	if (/^[A-Za-z0-9_-]{1,100}$/.test(sessionId)) return `s-${sessionId}`;
	return `h-${createHash('sha256').update(sessionId, 'utf8').digest('hex').slice(0, 40)}`;
}

export function seqName(seq: number): string {
	return String(seq).padStart(SEQ_WIDTH, '0');
}

const PENDING_FILE = /^([0-9]{16})\.json$/;
const DEAD_FILE = /^([sh]-[A-Za-z0-9_-]{1,100})\.([0-9]{16})\.json$/;

function isMissing(err: unknown): boolean {
	return (err as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

export class OutboxStore {
	readonly root: string;
	readonly pendingDir: string;
	readonly deadDir: string;
	readonly tmpDir: string;
	readonly corruptDir: string;
	private readonly knownDirs = new Set<string>();

	constructor(dataDir: string) {
		this.root = path.join(path.resolve(dataDir), 'outbox');
		this.pendingDir = path.join(this.root, 'pending');
		this.deadDir = path.join(this.root, 'dead');
		this.tmpDir = path.join(this.root, 'tmp');
		this.corruptDir = path.join(this.root, 'corrupt');
	}

	/** Creates the folders and clears files a killed process left half-written. */
	async init(): Promise<void> {
		for (const dir of [this.pendingDir, this.deadDir, this.tmpDir]) await this.ensureDir(dir);
		for (const name of await fs.readdir(this.tmpDir)) {
			await fs.rm(path.join(this.tmpDir, name), { force: true, recursive: true });
		}
	}

	pendingPath(key: string, seq: number): string {
		return path.join(this.pendingDir, key, `${seqName(seq)}.json`);
	}

	deadId(key: string, seq: number): string {
		return `${key}.${seqName(seq)}`;
	}

	deadPath(id: string): string {
		if (!DEAD_FILE.test(`${id}.json`)) throw new Error('invalid dead letter id');
		return path.join(this.deadDir, `${id}.json`);
	}

	/** Durably writes a pending event (temp file, fsync, rename, fsync folder). */
	async writePending(record: OutboxRecord): Promise<void> {
		const key = sessionKey(record.sessionId);
		const dir = path.join(this.pendingDir, key);
		await this.ensureDir(dir);
		await this.writeAtomic(path.join(dir, `${seqName(record.seq)}.json`), JSON.stringify(record));
	}

	/** Durably moves a pending event to the dead letters; returns the dead letter id. */
	async moveToDead(record: DeadRecord): Promise<string> {
		const key = sessionKey(record.sessionId);
		const id = this.deadId(key, record.seq);
		await this.writeAtomic(this.deadPath(id), JSON.stringify(record));
		await this.removePending(key, record.seq);
		return id;
	}

	async removePending(key: string, seq: number): Promise<void> {
		try {
			await fs.unlink(this.pendingPath(key, seq));
		} catch (err) {
			if (!isMissing(err)) throw err;
		}
	}

	async removeDead(id: string): Promise<void> {
		try {
			await fs.unlink(this.deadPath(id));
		} catch (err) {
			if (!isMissing(err)) throw err;
		}
		await fsyncDir(this.deadDir);
	}

	async readPending(key: string, seq: number): Promise<OutboxRecord | null> {
		try {
			return parseRecord(await fs.readFile(this.pendingPath(key, seq), 'utf8'));
		} catch (err) {
			if (isMissing(err)) return null;
			throw err;
		}
	}

	async readDead(id: string): Promise<DeadRecord | null> {
		try {
			const record = parseRecord(await fs.readFile(this.deadPath(id), 'utf8')) as DeadRecord;
			return record;
		} catch (err) {
			if (isMissing(err)) return null;
			throw err;
		}
	}

	/** Moves an unreadable pending file out of its session's queue into corrupt/. */
	async setAsidePending(key: string, seq: number): Promise<void> {
		await this.ensureDir(this.corruptDir);
		const name = `${seqName(seq)}.json`;
		try {
			await fs.rename(this.pendingPath(key, seq), path.join(this.corruptDir, `${key}.${name}.${randomBytes(4).toString('hex')}`));
		} catch (err) {
			if (!isMissing(err)) throw err;
		}
		await fsyncDir(path.join(this.pendingDir, key));
	}

	async listDead(): Promise<DeadFile[]> {
		const out: DeadFile[] = [];
		for (const name of await fs.readdir(this.deadDir)) {
			const m = DEAD_FILE.exec(name);
			if (m) out.push({ id: `${m[1]}.${m[2]}`, key: m[1], seq: Number(m[2]) });
		}
		return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
	}

	/**
	 * Everything pending on disk, in write order per session. A pending file
	 * whose dead letter already exists (killed between the two steps of a move)
	 * is removed; an unreadable file is set aside in corrupt/ and reported.
	 */
	async scanPending(onCorrupt: (file: string, err: unknown) => void): Promise<Map<string, PendingFile[]>> {
		const deadIds = new Set((await this.listDead()).map((d) => d.id));
		const out = new Map<string, PendingFile[]>();
		for (const key of await fs.readdir(this.pendingDir)) {
			const dir = path.join(this.pendingDir, key);
			const stat = await fs.stat(dir);
			if (!stat.isDirectory()) continue;
			this.knownDirs.add(dir);
			const files: PendingFile[] = [];
			for (const name of await fs.readdir(dir)) {
				const m = PENDING_FILE.exec(name);
				if (!m) continue;
				const seq = Number(m[1]);
				if (deadIds.has(this.deadId(key, seq))) {
					await this.removePending(key, seq);
					continue;
				}
				const file = path.join(dir, name);
				try {
					const record = parseRecord(await fs.readFile(file, 'utf8'));
					if (record.seq !== seq || sessionKey(record.sessionId) !== key) throw new Error('record does not match its file name');
					files.push({ key, seq, record });
				} catch (err) {
					onCorrupt(file, err);
					await this.ensureDir(this.corruptDir);
					await fs.rename(file, path.join(this.corruptDir, `${key}.${name}.${randomBytes(4).toString('hex')}`));
				}
			}
			files.sort((a, b) => a.seq - b.seq);
			out.set(key, files);
		}
		return out;
	}

	private async ensureDir(dir: string): Promise<void> {
		if (this.knownDirs.has(dir)) return;
		let created = false;
		try {
			await fs.mkdir(dir);
			created = true;
		} catch (err) {
			const code = (err as NodeJS.ErrnoException).code;
			if (code === 'ENOENT') {
				await this.ensureDir(path.dirname(dir));
				return this.ensureDir(dir);
			}
			if (code !== 'EEXIST') throw err;
		}
		// A new folder only survives a crash once its parent's entry is on disk.
		if (created) await fsyncDir(path.dirname(dir));
		this.knownDirs.add(dir);
	}

	private async writeAtomic(target: string, content: string): Promise<void> {
		await this.ensureDir(this.tmpDir);
		const tmp = path.join(this.tmpDir, `${path.basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
		const handle = await fs.open(tmp, 'w', 0o600);
		try {
			await handle.writeFile(content, 'utf8');
			await handle.sync();
		} finally {
			await handle.close();
		}
		try {
			await fs.rename(tmp, target);
		} catch (err) {
			await fs.rm(tmp, { force: true });
			throw err;
		}
		await fsyncDir(path.dirname(target));
	}
}

export async function fsyncDir(dir: string): Promise<void> {
	const handle = await fs.open(dir, 'r');
	try {
		await handle.sync();
	} catch (err) {
		// Some file systems refuse fsync on a directory; the rename is still atomic there.
		const code = (err as NodeJS.ErrnoException).code;
		if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EPERM') throw err;
	} finally {
		await handle.close();
	}
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
