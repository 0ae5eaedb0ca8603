/**
 * Reads a session's 1:1 history in a time window and puts it in backfill
 * order: oldest first across all chats (merged by timestamp; ties broken by
 * chat id, then message id, so the order is the same on every run).
 */
import { parseWhatsAppId } from '../../../core/phone';
import type { MessagePayload } from '../../../core/events/types';
import type { DriverChat, DriverProfile, DriverSession } from '../drivers/driver';
import { withTimeout } from '../util/timeout';
import { compareKeys, type MessageKey } from './checkpoint';
import type { ToMessagePayload } from './types';

export interface HistoryItem {
	key: MessageKey;
	payload: MessagePayload;
}

export interface CollectedHistory {
	/** The 1:1 chats read, by id. */
	chatIds: string[];
	/** Every 1:1 text message in the window, in backfill order, once each. */
	items: HistoryItem[];
	/** Key of each chat's newest message in the window (chats without messages are absent). */
	lastKeyByChat: Map<string, MessageKey>;
	reachedOldestAvailable: boolean;
}

/** A chat the backfill reads: a person (`@c.us`, `@s.whatsapp.net`) or a privacy id (`@lid`); never a group, broadcast, status or channel. */
export function isDirectChat(chat: DriverChat): boolean {
	if (chat.isGroup) return false;
	const kind = parseWhatsAppId(chat.chatId).kind;
	return kind === 'person' || kind === 'lid';
}

export interface CollectInput {
	sessionId: string;
	session: DriverSession;
	sinceUnix: number;
	untilUnix: number;
	toMessagePayload: ToMessagePayload;
	profileFor?: (sessionId: string, session: DriverSession, chatId: string) => Promise<DriverProfile | null>;
	/** Checked between chats: true stops the collection (returns null). */
	shouldStop: () => boolean;
	/** Longest a single driver call (chat list, one chat's history) may take. */
	callTimeoutMs: number;
}

export async function collectHistory(input: CollectInput): Promise<CollectedHistory | null> {
	const { sessionId, session, sinceUnix, untilUnix } = input;
	const chats = (await withTimeout(session.listChats(), input.callTimeoutMs)).filter(isDirectChat);
	const chatIds = [...new Set(chats.map((c) => c.chatId))].sort();
	const items: HistoryItem[] = [];
	const seen = new Set<string>();
	let reachedOldestAvailable = false;

	for (const chatId of chatIds) {
		if (input.shouldStop()) return null;
		const page = await withTimeout(session.fetchHistory(chatId, sinceUnix), input.callTimeoutMs);
		if (page.reachedOldestAvailable) reachedOldestAvailable = true;
		let profile: DriverProfile | null = null;
		if (input.profileFor && page.messages.length > 0) {
			profile = await input.profileFor(sessionId, session, chatId).catch(() => null);
		}
		for (const message of page.messages) {
			if (message.timestamp < sinceUnix || message.timestamp > untilUnix) continue;
			// The driver pages a chat's own history: anything from another chat is not this chat's.
			if (message.chatId !== chatId || seen.has(message.id)) continue;
			const payload = input.toMessagePayload(sessionId, message, profile);
			if (!payload || payload.kind !== 'text' || payload.chatKind !== 'direct') continue;
			seen.add(message.id);
			items.push({ key: [message.timestamp, chatId, message.id], payload: { ...payload, origin: 'backfill' } });
		}
	}

	items.sort((a, b) => compareKeys(a.key, b.key));
	const lastKeyByChat = new Map<string, MessageKey>();
	for (const item of items) lastKeyByChat.set(item.key[1], item.key);
	return { chatIds, items, lastKeyByChat, reachedOldestAvailable };
}

/** Chats whose messages up to `cursor` are all out (a chat with none in the window is done from the start). */
export function chatsDoneAt(history: CollectedHistory, cursor: MessageKey | null): number {
	let done = 0;
	for (const chatId of history.chatIds) {
		const last = history.lastKeyByChat.get(chatId);
		if (!last || (cursor !== null && compareKeys(last, cursor) <= 0)) done++;
	}
	return done;
}
