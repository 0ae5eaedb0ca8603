/**
 * The sidecar's HTTP API as both sides see it: the sidecar answers with these
 * shapes (sidecar/src/http) and the action nodes read them
 * (nodes/shared/sidecar-client.ts). One definition, so the two cannot drift.
 */
import type { MessageEvent, SessionState } from '../events/types';

/** A session: `GET /sessions/:id`, and each entry of `GET /sessions`. */
export interface SessionView {
	sessionId: string;
	state: SessionState;
	/** The QR code's text while linking. */
	qr: string | null;
	reason: string | null;
	/** The linked phone's number, E.164, once connected. */
	linkedPhone: string | null;
	lastEventAt: string | null;
	startedAt: string;
	/** Restored from stored auth data at start-up. */
	restored: boolean;
	/**
	 * Why the last start of this session failed, kept across restarts until it
	 * shows a QR code or connects (null when it did not fail). The driver's
	 * error itself is only in the sidecar's log; this is its log-safe summary.
	 */
	lastError: SessionStartError | null;
}

/**
 * `whatsapp_web_unreachable`: the browser could not load https://web.whatsapp.com
 * (offline, DNS, proxy); `whatsapp_web_timeout`: it did not load in time;
 * `browser_launch_failed`: Chromium did not start; `start_failed`: anything else.
 */
export type SessionStartErrorCode = 'whatsapp_web_unreachable' | 'whatsapp_web_timeout' | 'browser_launch_failed' | 'start_failed';

export interface SessionStartError {
	code: SessionStartErrorCode;
	/** What happened and what to check, in words; no phone number. */
	message: string;
	/** When the start failed, ISO 8601 UTC. */
	at: string;
}

/** What `POST /sessions/:id` and `GET /sessions/:id` answer: the session, and the QR code as a PNG data URL while linking. */
export interface SessionResponse extends SessionView {
	qrDataUrl: string | null;
}

/** One session's health: `GET /sessions/:id/health`, and each entry of `GET /health`. */
export interface HealthReport {
	sessionId: string;
	state: SessionState;
	connected: boolean;
	/** true: working; false: needs attention (re-link or restart); null: not known yet (still starting after a restart). */
	healthy: boolean | null;
	/** Why it is not healthy (`browser_gone`, `page_unresponsive`, `page_error`, `state_timeout`, `disconnected`, `auth_failure`, `not_connected`, `waiting_for_qr`, `start_timeout`, `starting`), null when healthy. */
	reason: string | null;
	linkedPhone: string | null;
	lastEventAt: string | null;
	lastEventAgeSeconds: number | null;
	/** What the client said (`CONNECTED`, `UNPAIRED`, …), null when it could not be asked. */
	clientState: string | null;
}

/** `POST /sessions/:id/messages` → 201. */
export interface SendResult {
	messageId: string;
	timestamp: string;
	/** The normalized outbound message event: the same event (same eventId) the webhook receives. */
	event: MessageEvent;
}

export type BackfillJobState = 'running' | 'completed' | 'failed';

/**
 * A backfill job: `POST /sessions/:id/backfill` and `GET /backfill/:jobId`.
 * Messages go out oldest first across the whole backfill (all chats merged by
 * time), never chat by chat.
 */
export interface BackfillJob {
	jobId: string;
	sessionId: string;
	state: BackfillJobState;
	/** Always `oldest_first`: every batch is older than the next, across all chats. */
	order: 'oldest_first';
	days: number;
	batchSize: number;
	/** Start of the window, ISO 8601 UTC. */
	since: string;
	/** End of the window (when the job was started), ISO 8601 UTC: later messages arrive live. */
	until: string;
	startedAt: string;
	updatedAt: string;
	finishedAt: string | null;
	/** 1:1 chats considered (0 until the chat list has been read). */
	chatsTotal: number;
	/** 1:1 chats whose messages in the window have all been put in the outbox. */
	chatsDone: number;
	/** Messages put in the outbox so far. */
	messagesSent: number;
	/** Batches put in the outbox so far (the last batch's index). */
	batchesSent: number;
	/** True when WhatsApp had no older messages on the linked device for some chat. */
	reachedOldestAvailable: boolean;
	/** Why the job failed, or null. */
	error: string | null;
}

/** Every error answer: `{ error: { code, message, field? } }`. */
export interface ErrorBody {
	error: { code: string; message: string; field?: string };
}
