/**
 * What the sidecar has captured, durably, per session: the newest message it
 * handed to the outbox in each chat (timestamp + id, the catch-up's cursor),
 * the ids of the messages it handed over (bounded: pruned once well behind
 * their chat's cursor), and since when the session has been captured.
 *
 * A message's cursor and id are written in the same LMDB transaction as its
 * event (through the outbox's `sameCommit`), so after any crash "captured"
 * and "in the outbox" agree. Claims make the check-and-capture atomic in this
 * process: a live event and the catch-up racing on one message never enqueue
 * it twice.
 */
import type { DurableStore, StoreDatabase } from '../storage/durable-store';

/** How far behind a chat's cursor the catch-up looks again (messages can arrive slightly out of order). */
export const CATCH_UP_LOOKBACK_SECONDS = 60 * 60;
/** Captured ids are kept this far behind their chat's cursor (twice the look-back), then pruned. */
export const SEEN_RETENTION_SECONDS = 2 * CATCH_UP_LOOKBACK_SECONDS;
/** Captures between two prunes of a session's ids. */
const PRUNE_EVERY = 1000;

export interface CaptureMark {
	chatId: string;
	messageId: string;
	/** The message's timestamp, unix seconds. */
	timestamp: number;
	/**
	 * False for what WhatsApp Web's message store does not keep (reactions,
	 * edits): captured by id, but it never moves its chat's cursor, which must
	 * only say how far the store's messages were captured.
	 */
	movesCursor?: boolean;
}

export interface ChatCursor {
	ts: number;
	id: string;
}

export interface SessionCapture {
	/** Unix seconds: since when the session is captured (its QR; for a session linked before the ledger, its first ready). Older messages are the backfill's job. */
	since: number;
	/** Unix seconds: when the last complete catch-up began (everything before it was captured). */
	caughtUpTo: number;
}

interface SeenRecord {
	chatId: string;
	ts: number;
}

export interface Claim {
	/** Writes the message's id and its chat's cursor; call inside the event's transaction. */
	sameCommit: () => void;
	/** Ends the claim (after the commit, or after a failure, which frees the message for a later try). */
	release: () => void;
}

export class CaptureLedger {
	private readonly sessions: StoreDatabase<SessionCapture>;
	private readonly cursors: StoreDatabase<ChatCursor>;
	private readonly seen: StoreDatabase<SeenRecord>;
	/** Per session: message ids being captured right now (claimed, not yet committed). */
	private readonly claims = new Map<string, Set<string>>();
	private readonly capturesSincePrune = new Map<string, number>();

	constructor(private readonly store: DurableStore) {
		this.sessions = store.db<SessionCapture>('capture-sessions');
		this.cursors = store.db<ChatCursor>('capture-cursors');
		this.seen = store.db<SeenRecord>('capture-seen');
	}

	session(sessionId: string): SessionCapture | undefined {
		return this.sessions.get(sessionId);
	}

	/**
	 * `fresh` (a new link, at its first QR): the session is captured from now
	 * on, with no cursor. Otherwise (at a ready): a known session keeps its
	 * record and cursors; one never seen starts being captured now.
	 */
	async begin(sessionId: string, nowSeconds: number, fresh: boolean): Promise<{ record: SessionCapture; known: boolean }> {
		const existing = this.sessions.get(sessionId);
		if (existing && !fresh) return { record: existing, known: true };
		const record: SessionCapture = { since: nowSeconds, caughtUpTo: nowSeconds };
		await this.store.transaction(() => {
			if (existing) this.dropSessionData(sessionId);
			void this.sessions.put(sessionId, record);
		});
		return { record, known: false };
	}

	/** Forgets a session (its login data was deleted): a later link starts afresh. */
	async forget(sessionId: string): Promise<void> {
		await this.store.transaction(() => {
			this.dropSessionData(sessionId);
			void this.sessions.remove(sessionId);
		});
	}

	cursor(sessionId: string, chatId: string): ChatCursor | undefined {
		return this.cursors.get([sessionId, chatId]);
	}

	isCaptured(sessionId: string, messageId: string): boolean {
		return this.claims.get(sessionId)?.has(messageId) === true || this.seen.get([sessionId, messageId]) !== undefined;
	}

	/** Claims a message for capture; null when it is captured already or being captured. */
	claim(sessionId: string, mark: CaptureMark): Claim | null {
		if (this.isCaptured(sessionId, mark.messageId)) return null;
		let claimed = this.claims.get(sessionId);
		if (!claimed) this.claims.set(sessionId, (claimed = new Set()));
		claimed.add(mark.messageId);
		let released = false;
		return {
			sameCommit: () => {
				void this.seen.put([sessionId, mark.messageId], { chatId: mark.chatId, ts: mark.timestamp });
				if (mark.movesCursor === false) return;
				const current = this.cursors.get([sessionId, mark.chatId]);
				if (!current || mark.timestamp > current.ts || (mark.timestamp === current.ts && mark.messageId > current.id)) {
					void this.cursors.put([sessionId, mark.chatId], { ts: mark.timestamp, id: mark.messageId });
				}
			},
			release: () => {
				if (released) return;
				released = true;
				claimed.delete(mark.messageId);
				if (claimed.size === 0 && this.claims.get(sessionId) === claimed) this.claims.delete(sessionId);
				const n = (this.capturesSincePrune.get(sessionId) ?? 0) + 1;
				this.capturesSincePrune.set(sessionId, n);
				if (n >= PRUNE_EVERY) void this.prune(sessionId).catch(() => undefined);
			},
		};
	}

	/** Records that a catch-up which began at `startedAt` went through every chat. */
	async caughtUp(sessionId: string, startedAt: number): Promise<void> {
		await this.store.transaction(() => {
			const record = this.sessions.get(sessionId);
			if (record && startedAt > record.caughtUpTo) void this.sessions.put(sessionId, { ...record, caughtUpTo: startedAt });
		});
	}

	/** Drops captured ids far behind their chat's cursor (no catch-up looks there again). Returns how many. */
	async prune(sessionId: string): Promise<number> {
		this.capturesSincePrune.set(sessionId, 0);
		const record = this.sessions.get(sessionId);
		if (!record) return 0;
		const stale: Array<[string, string]> = [];
		for (const { key, value } of this.seen.getRange({ start: [sessionId], end: [sessionId, '\uffff'] })) {
			const floor = (this.cursors.get([sessionId, value.chatId])?.ts ?? record.caughtUpTo) - SEEN_RETENTION_SECONDS;
			if (value.ts < floor) stale.push(key as [string, string]);
		}
		if (stale.length === 0) return 0;
		await this.store.transaction(() => {
			for (const key of stale) void this.seen.remove(key);
		});
		return stale.length;
	}

	/** How many message ids are kept for a session (for tests and metrics). */
	seenCount(sessionId: string): number {
		let n = 0;
		for (const _ of this.seen.getKeys({ start: [sessionId], end: [sessionId, '\uffff'] })) n++;
		return n;
	}

	private dropSessionData(sessionId: string): void {
		const range = { start: [sessionId], end: [sessionId, '\uffff'] };
		for (const key of [...this.seen.getKeys(range)]) void this.seen.remove(key);
		for (const key of [...this.cursors.getKeys(range)]) void this.cursors.remove(key);
	}
}
