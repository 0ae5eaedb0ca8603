/**
 * Contact profiles (name and About) per session, fetched from the driver at
 * most once a day per contact and kept in memory. A failed lookup never blocks
 * an event: the event goes out without the About text, and the lookup is not
 * retried for an hour.
 */
import type { DriverProfile, DriverSession } from '../drivers/driver';
import { withTimeout } from '../util/timeout';

export const PROFILE_TTL_MS = 24 * 60 * 60 * 1000;
export const PROFILE_FAILURE_TTL_MS = 60 * 60 * 1000;

interface Entry {
	profile: DriverProfile | null;
	expiresAt: number;
	pending: Promise<DriverProfile | null> | null;
}

export class ProfileCache {
	private readonly entries = new Map<string, Entry>();

	constructor(
		private readonly options: { timeoutMs: number; now?: () => number; maxEntries?: number } = { timeoutMs: 5000 },
	) {}

	/** The contact's profile (cached), or null when it could not be fetched. Never throws. */
	async get(sessionId: string, session: DriverSession, jid: string): Promise<DriverProfile | null> {
		const now = (this.options.now ?? Date.now)();
		const key = `${sessionId}|${jid}`;
		const entry = this.entries.get(key);
		if (entry?.pending) return entry.pending;
		if (entry && entry.expiresAt > now) return entry.profile;

		const pending = withTimeout(session.getProfile(jid), this.options.timeoutMs).then(
			(profile) => {
				this.set(key, { profile, expiresAt: now + PROFILE_TTL_MS, pending: null });
				return profile;
			},
			() => {
				this.set(key, { profile: entry?.profile ?? null, expiresAt: now + PROFILE_FAILURE_TTL_MS, pending: null });
				return entry?.profile ?? null;
			},
		);
		this.entries.set(key, { profile: entry?.profile ?? null, expiresAt: 0, pending });
		return pending;
	}

	/** Forget a session's contacts (on disconnect). */
	forgetSession(sessionId: string): void {
		for (const key of [...this.entries.keys()]) if (key.startsWith(`${sessionId}|`)) this.entries.delete(key);
	}

	private set(key: string, entry: Entry): void {
		this.entries.delete(key);
		this.entries.set(key, entry);
		const max = this.options.maxEntries ?? 100000;
		while (this.entries.size > max) {
			const oldest = this.entries.keys().next().value;
			if (oldest === undefined) break;
			this.entries.delete(oldest);
		}
	}
}
