/**
 * Catch-up: once a session is ready again (after a restart, a crash or a
 * reconnect), read WhatsApp's own store for every 1:1 chat from a little
 * before the chat's cursor (the newest message captured there) and hand every
 * message not captured yet to the live path, as a live message. What a crash
 * or an outage kept from the live events arrives this way; what was captured
 * already is skipped (the ledger's durable ids, claimed atomically, so a live
 * event racing with the catch-up is enqueued once).
 *
 * A chat without a cursor is read from the last complete catch-up (or from
 * when the session began to be captured, its QR): nothing older than that is
 * taken, since importing history is the backfill's job.
 */
import type { DriverMessage, DriverSession } from '../drivers/driver';
import { chatKindOf } from '../drivers/to-message-payload';
import type { Logger } from '../logger';
import { safeError } from '../util/log-safety';
import { CATCH_UP_LOOKBACK_SECONDS, type CaptureLedger } from './ledger';

export interface CatchUpOptions {
	sessionId: string;
	session: DriverSession;
	ledger: CaptureLedger;
	/** The live path: maps, deduplicates and enqueues one message; true when it was enqueued. */
	forward: (message: DriverMessage) => Promise<boolean>;
	logger: Logger;
	/** Unix seconds. */
	nowSeconds: () => number;
	/** True once the session is being stopped or replaced: the catch-up ends early (and runs again at the next ready). */
	cancelled: () => boolean;
}

export interface CatchUpReport {
	chats: number;
	/** Messages read from the store in the windows looked at. */
	scanned: number;
	/** Messages handed to the outbox by this catch-up. */
	enqueued: number;
	/** False when it ended early (cancelled, or a chat could not be read): the next ready tries again. */
	complete: boolean;
}

export async function catchUp(options: CatchUpOptions): Promise<CatchUpReport> {
	const { sessionId, session, ledger, logger } = options;
	const startedAt = options.nowSeconds();
	const record = ledger.session(sessionId);
	const report: CatchUpReport = { chats: 0, scanned: 0, enqueued: 0, complete: false };
	if (!record) return report;
	const chats = (await session.listChats()).filter((c) => !c.isGroup && chatKindOf({ chatId: c.chatId, isStatus: false }) === 'direct');
	let failedChats = 0;
	for (const chat of chats) {
		if (options.cancelled()) return report;
		report.chats++;
		const cursor = ledger.cursor(sessionId, chat.chatId);
		const from = Math.max(record.since, (cursor?.ts ?? record.caughtUpTo) - CATCH_UP_LOOKBACK_SECONDS);
		let messages: DriverMessage[];
		try {
			messages = (await session.fetchHistory(chat.chatId, from)).messages;
		} catch (err) {
			if (options.cancelled()) return report;
			failedChats++;
			logger.warn({ sessionId, err: safeError(err) }, 'catch-up: a chat could not be read; it is read again at the next ready');
			continue;
		}
		for (const message of messages) {
			if (options.cancelled()) return report;
			if (message.timestamp < record.since) continue;
			report.scanned++;
			if (ledger.isCaptured(sessionId, message.id)) continue;
			if (await options.forward(message)) report.enqueued++;
		}
	}
	if (failedChats === 0 && !options.cancelled()) {
		await ledger.caughtUp(sessionId, startedAt);
		report.complete = true;
	}
	return report;
}
