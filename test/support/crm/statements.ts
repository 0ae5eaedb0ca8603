/**
 * Statements the CRM tests use to set up and read users and notifications
 * (no workflow or node runs them, so they are not part of crm/sql.ts).
 */

const USER_COLUMNS =
	'id, email, name, whatsapp_connected, whatsapp_phone, whatsapp_last_check_at, whatsapp_last_state, whatsapp_disconnected_at, created_at, updated_at';

/** $1 user id, $2 email, $3 name (null keeps the stored value). Creates or updates the user's row. */
export const UPSERT_USER = `
INSERT INTO whatsapp_crm.users AS users (id, email, name)
VALUES ($1::uuid, $2::text, $3::text)
ON CONFLICT (id) DO UPDATE SET
	email = coalesce(EXCLUDED.email, users.email),
	name = coalesce(EXCLUDED.name, users.name)
RETURNING ${USER_COLUMNS}`;

/** $1 user id. */
export const SELECT_USER = `SELECT ${USER_COLUMNS} FROM whatsapp_crm.users WHERE id = $1::uuid`;

const NOTIFICATION_COLUMNS = 'id, user_id, kind, title, body, created_at, claimed_at, sent_at, resolved_at';

/** $1 user id, $2 kind, $3 title, $4 body. Opens the notification unless one of that kind is open; no row back then. */
export const OPEN_NOTIFICATION = `
INSERT INTO whatsapp_crm.notifications (user_id, kind, title, body)
VALUES ($1::uuid, $2::text, $3::text, $4::text)
ON CONFLICT (user_id, kind) WHERE resolved_at IS NULL DO NOTHING
RETURNING ${NOTIFICATION_COLUMNS}`;

/** $1 user id, $2 kind. The open notification of that kind, if any. */
export const SELECT_OPEN_NOTIFICATION = `
SELECT ${NOTIFICATION_COLUMNS} FROM whatsapp_crm.notifications
WHERE user_id = $1::uuid AND kind = $2::text AND resolved_at IS NULL`;

/** $1 user id, $2 kind. Resolves the open notification of that kind; returns the resolved rows' ids. */
export const RESOLVE_NOTIFICATIONS = `
UPDATE whatsapp_crm.notifications SET resolved_at = now()
WHERE user_id = $1::uuid AND kind = $2::text AND resolved_at IS NULL
RETURNING id::text`;
