/**
 * Paging back through a chat with whatsapp-web.js's `Chat.fetchMessages`.
 *
 * `fetchMessages({ limit })` returns the chat's latest `limit` messages (it
 * loads earlier ones from the phone until it has that many or nothing more
 * comes). It has no "since" option, so the limit grows until the oldest message
 * is older than the cutoff, or fewer than `limit` come back (the device has
 * nothing older). The limit is always finite: `Infinity` serializes to `null`
 * through puppeteer and means "no loading at all".
 */
import type { WebJsMessageLike } from './to-driver-message';

export interface FetchMessagesChat {
	fetchMessages(options: { limit: number }): Promise<WebJsMessageLike[]>;
}

export interface PageBackOptions {
	/** First limit asked for (default 100). */
	initialLimit?: number;
	/** Never ask for more than this many messages (default 20000). */
	maxMessages?: number;
}

export interface PagedHistory {
	/** Every message fetched, oldest first (including any older than the cutoff). */
	messages: WebJsMessageLike[];
	/** The device had nothing older than the oldest message returned. */
	exhausted: boolean;
	/** Stopped at `maxMessages` before reaching the cutoff. */
	truncated: boolean;
	/** How many fetchMessages calls were made. */
	calls: number;
}

function timestampOf(msg: WebJsMessageLike): number {
	return typeof msg.timestamp === 'number' && Number.isFinite(msg.timestamp) ? msg.timestamp : 0;
}

/** Oldest first; messages with the same timestamp keep the order the library gave. */
export function sortOldestFirst<T extends WebJsMessageLike>(messages: T[]): T[] {
	return messages
		.map((message, index) => ({ message, index }))
		.sort((a, b) => timestampOf(a.message) - timestampOf(b.message) || a.index - b.index)
		.map((entry) => entry.message);
}

export async function pageBackHistory(chat: FetchMessagesChat, sinceUnix: number, options: PageBackOptions = {}): Promise<PagedHistory> {
	const maxMessages = Math.max(1, Math.floor(options.maxMessages ?? 20000));
	let limit = Math.min(Math.max(1, Math.floor(options.initialLimit ?? 100)), maxMessages);
	let previousCount = -1;
	let calls = 0;
	for (;;) {
		const fetched = await chat.fetchMessages({ limit });
		calls++;
		const messages = sortOldestFirst(Array.isArray(fetched) ? fetched : []);
		const oldest = messages[0];
		const exhausted = messages.length < limit || messages.length <= previousCount;
		if (exhausted || (oldest !== undefined && timestampOf(oldest) < sinceUnix)) {
			return { messages, exhausted, truncated: false, calls };
		}
		if (limit >= maxMessages) return { messages, exhausted: false, truncated: true, calls };
		previousCount = messages.length;
		limit = Math.min(limit * 2, maxMessages);
	}
}
