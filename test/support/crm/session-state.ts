/**
 * Users' WhatsApp connection state, as the session-health, connect and
 * disconnect workflows keep it. Each function is one statement (see crm/sql.ts),
 * safe to run again: re-running a check changes nothing more.
 */
import { profileText } from '../../../core/contacts/resolve-contact';
import { isoTimestamp, isoTimestampOf, type Queryable } from '../../../crm/db';
import { CLEAR_WHATSAPP_CONNECTION, MARK_SESSION_CONNECTED, MARK_SESSION_DISCONNECTED } from '../../../crm/sql';
import { SELECT_USER, UPSERT_USER } from './statements';

/** The notification kind that asks a user to link WhatsApp again. */
export const REAUTH_NOTIFICATION_KIND = 'whatsapp_reauth';

export const DEFAULT_REAUTH_TITLE = 'Your WhatsApp is disconnected';
export const DEFAULT_REAUTH_BODY =
	'WhatsApp messages are no longer logged to the CRM because your WhatsApp session ended. Link it again: open the Connect WhatsApp form and scan the QR code from your phone (Settings > Linked Devices > Link a Device).';

export interface CrmUser {
	/** The sidecar session id (the user's UUID). */
	id: string;
	email: string | null;
	name: string | null;
	whatsapp_connected: boolean;
	whatsapp_phone: string | null;
	whatsapp_last_check_at: string | null;
	whatsapp_last_state: string | null;
	whatsapp_disconnected_at: string | null;
	created_at: string;
	updated_at: string;
}

interface UserRow extends Omit<CrmUser, 'whatsapp_last_check_at' | 'whatsapp_disconnected_at' | 'created_at' | 'updated_at'> {
	whatsapp_last_check_at: Date | null;
	whatsapp_disconnected_at: Date | null;
	created_at: Date;
	updated_at: Date;
}

function toUser(row: UserRow): CrmUser {
	return {
		...row,
		whatsapp_last_check_at: isoTimestamp(row.whatsapp_last_check_at),
		whatsapp_disconnected_at: isoTimestamp(row.whatsapp_disconnected_at),
		created_at: isoTimestampOf(row.created_at),
		updated_at: isoTimestampOf(row.updated_at),
	};
}

/** Creates or updates a user's row; a null email or name keeps the stored one. */
export async function upsertUser(db: Queryable, user: { id: string; email?: string | null; name?: string | null }): Promise<CrmUser> {
	const { rows } = await db.query<UserRow>(UPSERT_USER, [user.id, profileText(user.email), profileText(user.name)]);
	return toUser(rows[0]);
}

/** The user's row, or null. */
export async function getUser(db: Queryable, userId: string): Promise<CrmUser | null> {
	const { rows } = await db.query<UserRow>(SELECT_USER, [userId]);
	return rows.length > 0 ? toUser(rows[0]) : null;
}

export interface ConnectedCheck {
	/** The linked phone's number (E.164), when the sidecar says; null keeps the known one. */
	linkedPhone?: string | null;
	/** The sidecar's state; default 'connected'. */
	state?: string;
	/** The notification kind to resolve; default REAUTH_NOTIFICATION_KIND. */
	kind?: string;
}

/**
 * The session is healthy (or was just linked): `whatsapp_connected` true,
 * outage over, its open re-link notification resolved.
 */
export async function markSessionConnected(
	db: Queryable,
	userId: string,
	check: ConnectedCheck = {},
): Promise<{ notificationsResolved: number; newlyLinked: boolean }> {
	const { rows } = await db.query<{ user_id: string; notifications_resolved: number; newly_linked: boolean }>(MARK_SESSION_CONNECTED, [
		userId,
		profileText(check.linkedPhone),
		check.state ?? 'connected',
		check.kind ?? REAUTH_NOTIFICATION_KIND,
	]);
	return { notificationsResolved: rows[0].notifications_resolved, newlyLinked: rows[0].newly_linked };
}

export interface DisconnectedCheck {
	/** The sidecar's state or reason, e.g. 'disconnected', 'logged_out', 'not_found'. */
	state: string;
	kind?: string;
	title?: string;
	body?: string;
}

/**
 * The session is dead: `whatsapp_connected` false and one notification per
 * outage (`notificationCreated` is true only on the first check of an outage).
 */
export async function markSessionDisconnected(
	db: Queryable,
	userId: string,
	check: DisconnectedCheck,
): Promise<{ notificationCreated: boolean; notificationId: string | null }> {
	const { rows } = await db.query<{ user_id: string; notification_id: string | null; notification_created: boolean }>(
		MARK_SESSION_DISCONNECTED,
		[userId, check.state, check.kind ?? REAUTH_NOTIFICATION_KIND, check.title ?? DEFAULT_REAUTH_TITLE, check.body ?? DEFAULT_REAUTH_BODY],
	);
	return { notificationCreated: rows[0].notification_created, notificationId: rows[0].notification_id };
}

/**
 * The user disconnected WhatsApp on purpose: connection fields cleared, the
 * open re-link notification resolved. Contacts and interactions stay.
 * `found` is false when there is no such user (nothing changed).
 */
export async function clearWhatsAppConnection(
	db: Queryable,
	userId: string,
	kind: string = REAUTH_NOTIFICATION_KIND,
): Promise<{ found: boolean; notificationsResolved: number }> {
	const { rows } = await db.query<{ found: boolean; notifications_resolved: number }>(CLEAR_WHATSAPP_CONNECTION, [userId, kind]);
	return { found: rows[0].found, notificationsResolved: rows[0].notifications_resolved };
}
