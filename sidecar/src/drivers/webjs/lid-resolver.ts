/**
 * `@lid` privacy ids → phone JIDs.
 *
 * WhatsApp replaces some contacts' phone JIDs with privacy ids (`…@lid`) whose
 * digits are NOT a phone number. whatsapp-web.js (1.34+) can map them with
 * `client.getContactLidAndPhone([lid])` → `[{ lid, pn }]`. A LID is never
 * passed off as a phone number: when the library cannot say, the answer is null
 * and the service marks the party unresolvable.
 *
 * Found mappings are cached for the session's life (a LID's phone does not
 * change); misses are cached briefly so a busy chat does not query the page on
 * every message.
 */
import { isLidJid, isPhoneJid } from './wid';

export interface LidLookupClient {
	getContactLidAndPhone?: (ids: string[]) => Promise<Array<{ lid?: unknown; pn?: unknown } | null | undefined>>;
}

export interface LidResolver {
	/** The phone JID for a `@lid` id, or null (not a LID, unknown, or the library cannot tell). */
	resolve(jid: string): Promise<string | null>;
	/** Several at once (one page round trip for those not cached). */
	resolveMany(jids: string[]): Promise<Map<string, string | null>>;
}

export interface LidResolverOptions {
	/** How long a miss is remembered, ms (default 10 minutes). */
	missTtlMs?: number;
	now?: () => number;
	/** Called when the lookup itself failed (the error, never an id). */
	onError?: (err: unknown) => void;
}

export function createLidResolver(getClient: () => LidLookupClient | null, options: LidResolverOptions = {}): LidResolver {
	const missTtlMs = options.missTtlMs ?? 10 * 60 * 1000;
	const now = options.now ?? Date.now;
	const found = new Map<string, string>();
	const missedAt = new Map<string, number>();

	async function resolveMany(jids: string[]): Promise<Map<string, string | null>> {
		const result = new Map<string, string | null>();
		const toAsk: string[] = [];
		for (const jid of new Set(jids)) {
			if (!isLidJid(jid)) {
				result.set(jid, null);
				continue;
			}
			const hit = found.get(jid);
			if (hit !== undefined) {
				result.set(jid, hit);
				continue;
			}
			const missed = missedAt.get(jid);
			if (missed !== undefined && now() - missed < missTtlMs) {
				result.set(jid, null);
				continue;
			}
			toAsk.push(jid);
		}
		if (toAsk.length === 0) return result;

		const client = getClient();
		const lookup = client?.getContactLidAndPhone;
		let answers: Array<{ lid?: unknown; pn?: unknown } | null | undefined> = [];
		if (client && typeof lookup === 'function') {
			try {
				const raw = await lookup.call(client, toAsk);
				answers = Array.isArray(raw) ? raw : [];
			} catch (err) {
				options.onError?.(err);
				answers = [];
			}
		}
		const byLid = new Map<string, string>();
		answers.forEach((answer, index) => {
			if (!answer || typeof answer !== 'object') return;
			const pn = typeof answer.pn === 'string' && isPhoneJid(answer.pn) ? answer.pn : null;
			if (pn === null) return;
			// The library answers in the order asked; its `lid` field names the id too.
			const asked = toAsk[index];
			if (asked !== undefined) byLid.set(asked, pn);
			if (typeof answer.lid === 'string') byLid.set(answer.lid, pn);
		});
		for (const jid of toAsk) {
			const pn = byLid.get(jid) ?? null;
			if (pn !== null) {
				found.set(jid, pn);
				missedAt.delete(jid);
			} else {
				missedAt.set(jid, now());
			}
			result.set(jid, pn);
		}
		return result;
	}

	return {
		resolveMany,
		async resolve(jid: string): Promise<string | null> {
			return (await resolveMany([jid])).get(jid) ?? null;
		},
	};
}
