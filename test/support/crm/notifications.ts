/**
 * Notifications: opened once per condition (e.g. one per WhatsApp outage),
 * resolved when the condition ends, claimed for sending, marked sent once
 * delivered (a claim whose delivery failed expires after 15 minutes).
 */
import { isoTimestamp, isoTimestampOf, type Queryable } from '../../../crm/db';
import { CLAIM_UNSENT_NOTIFICATIONS, MARK_NOTIFICATION_SENT } from '../../../crm/sql';
import { OPEN_NOTIFICATION, RESOLVE_NOTIFICATIONS, SELECT_OPEN_NOTIFICATION } from './statements';

export interface CrmNotification {
	id: string;
	user_id: string;
	kind: string;
	title: string;
	body: string;
	created_at: string;
	/** When a sender last claimed it (ISO 8601); null until then. */
	claimed_at: string | null;
	/** When it was delivered; null until markNotificationSent. */
	sent_at: string | null;
	resolved_at: string | null;
}

export interface ClaimedNotification extends CrmNotification {
	user_email: string | null;
	user_name: string | null;
}

interface NotificationRow {
	id: string | number;
	user_id: string;
	kind: string;
	title: string;
	body: string;
	created_at: Date;
	claimed_at: Date | null;
	sent_at: Date | null;
	resolved_at: Date | null;
}

function toNotification(row: NotificationRow): CrmNotification {
	return {
		id: String(row.id),
		user_id: row.user_id,
		kind: row.kind,
		title: row.title,
		body: row.body,
		created_at: isoTimestampOf(row.created_at),
		claimed_at: isoTimestamp(row.claimed_at),
		sent_at: isoTimestamp(row.sent_at),
		resolved_at: isoTimestamp(row.resolved_at),
	};
}

/**
 * Opens a notification unless one of this kind is already open for the user
 * (then returns that one with `created: false`). The user's row must exist.
 */
export async function openNotification(
	db: Queryable,
	input: { userId: string; kind: string; title: string; body: string },
): Promise<{ notification: CrmNotification; created: boolean }> {
	for (let attempt = 0; attempt < 3; attempt++) {
		const inserted = await db.query<NotificationRow>(OPEN_NOTIFICATION, [input.userId, input.kind, input.title, input.body]);
		if (inserted.rows.length > 0) return { notification: toNotification(inserted.rows[0]), created: true };
		const open = await db.query<NotificationRow>(SELECT_OPEN_NOTIFICATION, [input.userId, input.kind]);
		if (open.rows.length > 0) return { notification: toNotification(open.rows[0]), created: false };
		// Resolved between the two statements: try again.
	}
	throw new Error('could not open the notification: the open one was resolved each time right after a conflicting insert');
}

/** Resolves the user's open notification of this kind; returns how many were resolved (0 or 1). */
export async function resolveNotifications(db: Queryable, userId: string, kind: string): Promise<number> {
	const { rowCount } = await db.query(RESOLVE_NOTIFICATIONS, [userId, kind]);
	return rowCount ?? 0;
}

/**
 * Claims up to `limit` open, unsent notifications for 15 minutes and returns
 * them (with the user's email and name) for the caller to deliver; call
 * markNotificationSent for each one delivered. Overlapping callers never get
 * the same one; one whose delivery failed (not marked sent) is handed out
 * again once its claim is 15 minutes old.
 */
export async function claimUnsentNotifications(db: Queryable, limit = 50): Promise<ClaimedNotification[]> {
	const { rows } = await db.query<NotificationRow & { user_email: string | null; user_name: string | null }>(
		CLAIM_UNSENT_NOTIFICATIONS,
		[limit],
	);
	return rows.map((row) => ({ ...toNotification(row), user_email: row.user_email, user_name: row.user_name }));
}

/** Records that the notification was delivered: it is never claimed again. False when there is no such notification. */
export async function markNotificationSent(db: Queryable, notificationId: string): Promise<boolean> {
	const { rows } = await db.query<{ notification_id: string; marked: boolean }>(MARK_NOTIFICATION_SENT, [notificationId]);
	return rows[0]?.marked === true;
}
