/**
 * Remembers ids seen within a time window, so a redelivered webhook is
 * acknowledged without being emitted twice. Best effort by design (memory of
 * one process, bounded size); the durable guarantee is the CRM's unique key on
 * the WhatsApp message id.
 */
export interface DedupWindow {
	/** True when `id` was already seen within the window; records it otherwise. */
	seen(id: string, now?: number): boolean;
	/** Forget `id` (a delivery whose processing failed must be able to come again). */
	forget(id: string): void;
	readonly size: number;
}

export function createDedupWindow(options: { ttlMs: number; maxEntries: number }): DedupWindow {
	// A Map keeps insertion order: the oldest entries come first, so expiry and
	// eviction only ever look at the head.
	const expiries = new Map<string, number>();

	const evict = (now: number) => {
		for (const [id, expiresAt] of expiries) {
			if (expiresAt > now && expiries.size <= options.maxEntries) break;
			expiries.delete(id);
		}
	};

	return {
		seen(id, now = Date.now()) {
			evict(now);
			const expiresAt = expiries.get(id);
			if (expiresAt !== undefined && expiresAt > now) return true;
			expiries.delete(id);
			expiries.set(id, now + options.ttlMs);
			evict(now);
			return false;
		},
		forget(id) {
			expiries.delete(id);
		},
		get size() {
			return expiries.size;
		},
	};
}
