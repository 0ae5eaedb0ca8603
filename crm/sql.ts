/**
 * Every statement the CRM store runs, in one place: the functions of this
 * module use them, and workflows may paste them into n8n's Postgres node
 * ("Execute Query", with the numbered values as Query Parameters). Each
 * comment lists the parameters in order.
 *
 * The statements that workflows use return exactly one row whatever happens
 * (e.g. `inserted: false` for a duplicate), so the next node always runs.
 */

// ---------------------------------------------------------------------------
// Contacts (core/contacts/resolve-contact.ts computes the forms; the store runs these)
// ---------------------------------------------------------------------------

const CONTACT_COLUMNS = 'id, name, whatsapp_phone, whatsapp_lid, phones, about, source, created_at, updated_at';
const CONTACT_COLUMNS_OF_C = CONTACT_COLUMNS.split(', ')
	.map((column) => `c.${column}`)
	.join(', ');

/**
 * A find-or-create statement: `matched` (a query giving at most one row
 * { id, matched_by }) and `created` (an INSERT … RETURNING the contact and
 * matched_by 'created', run only when nothing matched). The matched contact's
 * profile is updated from $2 name and $3 about as $5 says — the same rule for
 * every way of finding a contact (no write when nothing changes; an unknown
 * value never erases a stored one). One row back, or none (see below).
 */
function findOrCreateStatement(matched: string, created: string): string {
	return `
WITH matched AS (${matched}
), updated AS (
	UPDATE whatsapp_crm.contacts AS c SET
		name = CASE WHEN $2::text IS NULL THEN c.name
			WHEN $5::text = 'overwriteChanged' OR ($5::text = 'fillMissing' AND coalesce(btrim(c.name), '') = '') THEN $2::text
			ELSE c.name END,
		about = CASE WHEN $3::text IS NULL THEN c.about
			WHEN $5::text = 'overwriteChanged' OR ($5::text = 'fillMissing' AND coalesce(btrim(c.about), '') = '') THEN $3::text
			ELSE c.about END
	FROM matched
	WHERE c.id = matched.id
		AND (($5::text = 'overwriteChanged'
				AND (($2::text IS NOT NULL AND c.name IS DISTINCT FROM $2::text) OR ($3::text IS NOT NULL AND c.about IS DISTINCT FROM $3::text)))
			OR ($5::text = 'fillMissing'
				AND ((coalesce(btrim(c.name), '') = '' AND $2::text IS NOT NULL) OR (coalesce(btrim(c.about), '') = '' AND $3::text IS NOT NULL))))
	RETURNING ${CONTACT_COLUMNS_OF_C}, matched.matched_by
), created AS (${created}
)
SELECT * FROM updated
UNION ALL
SELECT ${CONTACT_COLUMNS_OF_C}, matched.matched_by
FROM whatsapp_crm.contacts AS c JOIN matched ON c.id = matched.id
WHERE NOT EXISTS (SELECT 1 FROM updated)
UNION ALL
SELECT * FROM created`;
}

/**
 * $1 text[] — the number's E.164 forms, best first (the number itself, then
 * its equivalent forms); $2 name, $3 about (WhatsApp's profile: trimmed, null
 * when unknown); $4 boolean — create the contact when none matches; $5 how a
 * matched contact's name and About follow $2 and $3: 'fillMissing' (only
 * where the contact has none), 'overwriteChanged' or 'never'.
 *
 * The matching rule in one statement: the contact whose whatsapp_phone is one
 * of the forms (the earliest form wins); else one listing a form in `phones`
 * (GIN index; the earliest form, then the oldest contact); else, with $4, a
 * new contact (whatsapp_phone = the first form, source 'whatsapp'). A matched
 * contact's profile is updated in the same statement (no write when nothing
 * changes; an unknown value never erases a stored one).
 *
 * One row back: the contact and matched_by ('whatsapp_phone', 'phones' or
 * 'created'). No row when nothing matched and $4 is false — or, rarely, when
 * a writer that bypasses LOCK_CONTACT_NUMBER inserted the same whatsapp_phone
 * meanwhile (ON CONFLICT): read it with SELECT_CONTACT_BY_WHATSAPP_PHONE.
 * Creating safely takes LOCK_CONTACT_NUMBER first, in the same transaction.
 */
export const FIND_OR_CREATE_CONTACT = findOrCreateStatement(
	`
	SELECT m.id, m.matched_by FROM (
		SELECT c.id, 'whatsapp_phone'::text AS matched_by, 0 AS kind, array_position($1::text[], c.whatsapp_phone) AS form, c.created_at
		FROM whatsapp_crm.contacts AS c
		WHERE c.whatsapp_phone = ANY ($1::text[])
		UNION ALL
		SELECT c.id, 'phones'::text, 1, (SELECT min(array_position($1::text[], p)) FROM unnest(c.phones) AS p), c.created_at
		FROM whatsapp_crm.contacts AS c
		WHERE c.phones && $1::text[]
	) AS m
	ORDER BY m.kind, m.form, m.created_at, m.id
	LIMIT 1`,
	`
	INSERT INTO whatsapp_crm.contacts AS c (whatsapp_phone, name, about, source)
	SELECT ($1::text[])[1], $2::text, $3::text, 'whatsapp'
	WHERE $4::boolean AND NOT EXISTS (SELECT 1 FROM matched)
	ON CONFLICT (whatsapp_phone) DO NOTHING
	RETURNING ${CONTACT_COLUMNS_OF_C}, 'created'::text AS matched_by`,
);

/**
 * $1 the lid (core/phone's whatsAppLidOf), $2 name, $3 about, $4 create, $5
 * profile mode — as FIND_OR_CREATE_CONTACT, for a sender known only by its
 * lid: the contact whose whatsapp_lid is $1 (matched_by 'whatsapp_lid'), else,
 * with $4, a new contact with that lid and no number (source 'whatsapp').
 * Creating safely takes LOCK_CONTACT_LID first, in the same transaction; no
 * row back when nothing matched and $4 is false, or when a writer that
 * bypasses the lock inserted the lid meanwhile (read it with SELECT_CONTACT_BY_LID).
 */
export const FIND_OR_CREATE_CONTACT_BY_LID = findOrCreateStatement(
	`
	SELECT c.id, 'whatsapp_lid'::text AS matched_by FROM whatsapp_crm.contacts AS c WHERE c.whatsapp_lid = $1::text`,
	`
	INSERT INTO whatsapp_crm.contacts AS c (whatsapp_lid, name, about, source)
	SELECT $1::text, $2::text, $3::text, 'whatsapp'
	WHERE $4::boolean AND NOT EXISTS (SELECT 1 FROM matched)
	ON CONFLICT (whatsapp_lid) WHERE whatsapp_lid IS NOT NULL DO NOTHING
	RETURNING ${CONTACT_COLUMNS_OF_C}, 'created'::text AS matched_by`,
);

/**
 * $1 the smallest of the number's forms searched (FIND_OR_CREATE_CONTACT's
 * $1; every form of one number gives the same). Inside a transaction: waits
 * until no other transaction is creating a contact for any form of this
 * number, and holds that until the transaction ends (a transaction-level
 * advisory lock, keyed in this package's own namespace, 'WC'). Equivalent
 * forms (+551187654321, +5511987654321) take the same lock, so the check that
 * no contact has either form and the insert cannot interleave with another's.
 */
export const LOCK_CONTACT_NUMBER = `
SELECT pg_advisory_xact_lock(${0x5743}, hashtext($1::text))`;

/**
 * $1 the lid. LOCK_CONTACT_NUMBER for a lid, in its own namespace ('WL'). A
 * transaction that takes both takes the lid's first, then the number's: every
 * writer takes them in that order, so none waits for another in a cycle.
 */
export const LOCK_CONTACT_LID = `
SELECT pg_advisory_xact_lock(${0x574c}, hashtext($1::text))`;

/** $1 the lid. The contact known by it (under LOCK_CONTACT_LID, no other writer of this package merges or takes it meanwhile). */
export const SELECT_CONTACT_BY_LID = `
SELECT ${CONTACT_COLUMNS} FROM whatsapp_crm.contacts WHERE whatsapp_lid = $1`;

/**
 * $1 contact id, $2 lid. Records the lid on the contact (a lid the contact
 * had before is replaced: the latest mapping WhatsApp gave wins). The caller
 * holds LOCK_CONTACT_LID and has merged any other contact with this lid first.
 */
export const SET_CONTACT_LID = `
UPDATE whatsapp_crm.contacts SET whatsapp_lid = $2::text WHERE id = $1::uuid AND whatsapp_lid IS DISTINCT FROM $2::text`;

/**
 * $1 contact id, $2 E.164 number. A contact known by its lid learns its
 * number: it becomes the contact's whatsapp_phone when it has none (a number
 * it has already is kept). The caller holds LOCK_CONTACT_NUMBER and found no
 * contact with the number.
 */
export const SET_CONTACT_PHONE_IF_NONE = `
UPDATE whatsapp_crm.contacts SET whatsapp_phone = $2::text WHERE id = $1::uuid AND whatsapp_phone IS NULL`;

/**
 * $1 the contact to merge (and delete), $2 the contact it merges into.
 * whatsapp_crm.merge_contact (db/migrations/0004): interactions moved, profile
 * and numbers kept, the lid carried over, the merge recorded in
 * contact_merges. One row back: { interactions_moved }.
 */
export const MERGE_CONTACT = `
SELECT whatsapp_crm.merge_contact($1::uuid, $2::uuid) AS interactions_moved`;

/** $1 contact id. */
export const SELECT_CONTACT_BY_ID = `
SELECT ${CONTACT_COLUMNS} FROM whatsapp_crm.contacts WHERE id = $1::uuid`;

/** $1 whatsapp_phone. */
export const SELECT_CONTACT_BY_WHATSAPP_PHONE = `
SELECT ${CONTACT_COLUMNS} FROM whatsapp_crm.contacts WHERE whatsapp_phone = $1`;

// ---------------------------------------------------------------------------
// Interactions and the payload archive (the CRM logging workflow)
// ---------------------------------------------------------------------------

/**
 * Logs one text message and archives its event, in one statement (so one
 * transaction: an event is archived exactly when its message is logged or
 * was logged before, never one without the other).
 * $1 contact_id, $2 direction ('inbound'|'outbound'), $3 body,
 * $4 ext_message_id (the WhatsApp message id), $5 occurred_at (ISO 8601),
 * $6 session_id, $7 origin ('live'|'backfill'),
 * $8 event_id, $9 source, $10 event_type, $11 the event (JSON text).
 * Insert-or-ignore keyed by the message id (interactions) and by the event id
 * (archive); one row back: { interaction_id, inserted, archived }
 * (interaction_id null and inserted false for a message already logged).
 */
export const LOG_MESSAGE = `
WITH inserted AS (
	INSERT INTO whatsapp_crm.interactions (contact_id, channel, direction, body, ext_message_id, occurred_at, session_id, origin)
	VALUES ($1::uuid, 'whatsapp', $2, $3, $4, $5::timestamptz, $6, coalesce($7, 'live'))
	ON CONFLICT (ext_message_id) DO NOTHING
	RETURNING id
), archived AS (
	INSERT INTO whatsapp_crm.webhook_payloads (event_id, source, session_id, event_type, payload)
	VALUES ($8, $9, $6, $10, $11::jsonb)
	ON CONFLICT (event_id) DO NOTHING
	RETURNING id
)
SELECT (SELECT id::text FROM inserted) AS interaction_id, EXISTS (SELECT 1 FROM inserted) AS inserted, EXISTS (SELECT 1 FROM archived) AS archived`;

// ---------------------------------------------------------------------------
// Users' WhatsApp connection state and notifications (the session-health,
// notifications, connect and disconnect workflows)
// ---------------------------------------------------------------------------

/**
 * $1 user id (the session id), $2 linked phone (E.164, or null to keep the
 * known one), $3 state (e.g. 'connected'), $4 notification kind (e.g.
 * 'whatsapp_reauth').
 * The session is healthy: marks the user connected (creating the row if
 * needed) and resolves the open notification of that kind, so the next
 * outage gets a new one. One row back: { user_id, notifications_resolved,
 * newly_linked } — newly_linked is true when the CRM did not have the user as
 * connected before (a first link, a re-link after an outage or a disconnect),
 * false for a user already connected (what a sidecar restart reports).
 */
export const MARK_SESSION_CONNECTED = `
WITH before AS (
	SELECT whatsapp_connected FROM whatsapp_crm.users WHERE id = $1::uuid
), u AS (
	INSERT INTO whatsapp_crm.users AS users (id, whatsapp_connected, whatsapp_phone, whatsapp_last_check_at, whatsapp_last_state, whatsapp_disconnected_at)
	VALUES ($1::uuid, true, $2::text, now(), $3::text, NULL)
	ON CONFLICT (id) DO UPDATE SET
		whatsapp_connected = true,
		whatsapp_phone = coalesce(EXCLUDED.whatsapp_phone, users.whatsapp_phone),
		whatsapp_last_check_at = EXCLUDED.whatsapp_last_check_at,
		whatsapp_last_state = EXCLUDED.whatsapp_last_state,
		whatsapp_disconnected_at = NULL
	RETURNING id
), resolved AS (
	UPDATE whatsapp_crm.notifications SET resolved_at = now()
	WHERE user_id = $1::uuid AND kind = $4::text AND resolved_at IS NULL
	RETURNING id
)
SELECT u.id::text AS user_id,
	(SELECT count(*) FROM resolved)::int AS notifications_resolved,
	NOT coalesce((SELECT whatsapp_connected FROM before), false) AS newly_linked
FROM u`;

/**
 * $1 user id (the session id), $2 state (e.g. 'disconnected', 'logged_out',
 * 'not_found'), $3 notification kind (e.g. 'whatsapp_reauth'), $4 title, $5 body.
 * The session is dead: marks the user disconnected (creating the row if
 * needed; the outage's start is kept from its first check) and opens one
 * notification for the outage — later checks of the same outage find it open
 * and add nothing. One row back: { user_id, notification_id, notification_created }.
 */
export const MARK_SESSION_DISCONNECTED = `
WITH u AS (
	INSERT INTO whatsapp_crm.users AS users (id, whatsapp_connected, whatsapp_last_check_at, whatsapp_last_state, whatsapp_disconnected_at)
	VALUES ($1::uuid, false, now(), $2::text, now())
	ON CONFLICT (id) DO UPDATE SET
		whatsapp_connected = false,
		whatsapp_last_check_at = EXCLUDED.whatsapp_last_check_at,
		whatsapp_last_state = EXCLUDED.whatsapp_last_state,
		whatsapp_disconnected_at = coalesce(users.whatsapp_disconnected_at, EXCLUDED.whatsapp_disconnected_at)
	RETURNING id
), opened AS (
	INSERT INTO whatsapp_crm.notifications (user_id, kind, title, body)
	SELECT u.id, $3::text, $4::text, $5::text FROM u
	ON CONFLICT (user_id, kind) WHERE resolved_at IS NULL DO NOTHING
	RETURNING id
)
SELECT u.id::text AS user_id, (SELECT id::text FROM opened) AS notification_id, EXISTS (SELECT 1 FROM opened) AS notification_created
FROM u`;

/**
 * $1 user id, $2 notification kind (e.g. 'whatsapp_reauth').
 * The user disconnected WhatsApp on purpose: clears the connection fields and
 * resolves the open notification of that kind (nothing to re-link). Contacts
 * and interactions are not touched. One row back: { user_id, found }.
 */
export const CLEAR_WHATSAPP_CONNECTION = `
WITH u AS (
	UPDATE whatsapp_crm.users SET
		whatsapp_connected = false,
		whatsapp_phone = NULL,
		whatsapp_last_state = 'unlinked',
		whatsapp_disconnected_at = NULL
	WHERE id = $1::uuid
	RETURNING id
), resolved AS (
	UPDATE whatsapp_crm.notifications SET resolved_at = now()
	WHERE user_id = $1::uuid AND kind = $2::text AND resolved_at IS NULL
	RETURNING id
)
SELECT $1::uuid::text AS user_id, EXISTS (SELECT 1 FROM u) AS found, (SELECT count(*) FROM resolved)::int AS notifications_resolved`;

/**
 * $1 user id, $2 email (null: none given), $3 the session's state while
 * linking (e.g. 'qr', 'connected'). The Connect form saves the user and where
 * linking stands: not connected until the phone is linked, so that linking
 * imports the history. The email only fills in a user who has none yet: the
 * form is open to whoever has its link, so it never replaces an email the CRM
 * already has (where notifications go). One row back: { user_id, whatsapp_connected }.
 */
export const SAVE_LINKING_USER = `
INSERT INTO whatsapp_crm.users AS users (id, email, whatsapp_connected, whatsapp_last_state)
VALUES ($1::uuid, $2::text, $3::text = 'connected', $3::text)
ON CONFLICT (id) DO UPDATE SET
	email = CASE WHEN coalesce(btrim(users.email), '') = '' THEN EXCLUDED.email ELSE users.email END,
	whatsapp_connected = EXCLUDED.whatsapp_connected,
	whatsapp_last_state = EXCLUDED.whatsapp_last_state
RETURNING id::text AS user_id, whatsapp_connected`;

/** No parameters. The users the CRM has as connected (the nightly check asks the sidecar about each). */
export const SELECT_CONNECTED_USERS = `
SELECT id::text AS user_id FROM whatsapp_crm.users WHERE whatsapp_connected ORDER BY id`;

/** How long a claimed notification is left to its sender before another run may claim it again. */
export const NOTIFICATION_CLAIM_TIMEOUT = '15 minutes';

/**
 * $1 how many at most. Claims open, unsent notifications for sending: sets
 * `claimed_at` and returns them with the user's email and name. A claim lasts
 * 15 minutes: a notification whose sender failed (the email was not sent, so
 * MARK_NOTIFICATION_SENT never ran) is claimed again after that. Within a claim
 * each one goes to exactly one caller, even when runs overlap (SKIP LOCKED).
 * Zero or more rows back.
 */
export const CLAIM_UNSENT_NOTIFICATIONS = `
WITH due AS (
	SELECT id FROM whatsapp_crm.notifications
	WHERE sent_at IS NULL AND resolved_at IS NULL
		AND (claimed_at IS NULL OR claimed_at < now() - interval '${NOTIFICATION_CLAIM_TIMEOUT}')
	ORDER BY created_at, id
	LIMIT $1
	FOR UPDATE SKIP LOCKED
)
UPDATE whatsapp_crm.notifications AS n SET claimed_at = now()
FROM due, whatsapp_crm.users AS u
WHERE n.id = due.id AND u.id = n.user_id
RETURNING n.id::text AS id, n.user_id::text AS user_id, n.kind, n.title, n.body, n.created_at, n.claimed_at, n.sent_at, n.resolved_at,
	u.email AS user_email, u.name AS user_name`;

/**
 * $1 notification id. The notification was delivered (the Send Email node
 * succeeded): sets `sent_at`, so it is never claimed again. Marking it twice
 * keeps the first time. One row back: { notification_id, marked }.
 */
export const MARK_NOTIFICATION_SENT = `
WITH marked AS (
	UPDATE whatsapp_crm.notifications SET sent_at = coalesce(sent_at, now())
	WHERE id = $1::bigint
	RETURNING id
)
SELECT $1::bigint::text AS notification_id, EXISTS (SELECT 1 FROM marked) AS marked`;

// ---------------------------------------------------------------------------
// The delivery ledger and the failed-events list (the WhatsApp CRM Trigger;
// core/webhooks/delivery-ledger.ts explains the states)
// ---------------------------------------------------------------------------

/**
 * $1 scope ('<workflow id>:<node id>'), $2 text[] delivery keys, $3 lease
 * (seconds). Claims each key for a run: a key never seen, or whose last run
 * failed, or whose run stopped renewing its claim for longer than the lease,
 * is claimed (attempts + 1); any other is answered with its state. Atomic per
 * key — two processes never both claim one key — and keys are locked in one
 * order, so concurrent claims of overlapping keys cannot deadlock. One row
 * per distinct key: { key, outcome ('claimed'|'processing'|'done'|'parked'),
 * attempts, retry_after_seconds (for 'processing') }.
 */
export const CLAIM_DELIVERIES = `
WITH input AS (
	SELECT DISTINCT k AS delivery_key FROM unnest($2::text[]) AS k
), before AS (
	SELECT d.delivery_key, d.state, d.attempts, d.claimed_at
	FROM whatsapp_crm.webhook_deliveries AS d
	WHERE d.scope = $1::text AND d.delivery_key IN (SELECT delivery_key FROM input)
), claimed AS (
	INSERT INTO whatsapp_crm.webhook_deliveries AS d (scope, delivery_key, state, attempts, first_seen_at, claimed_at)
	SELECT $1::text, delivery_key, 'processing', 1, now(), now() FROM input ORDER BY delivery_key
	ON CONFLICT (scope, delivery_key) DO UPDATE SET state = 'processing', attempts = d.attempts + 1, claimed_at = now(), finished_at = NULL
	WHERE d.state = 'failed' OR (d.state = 'processing' AND d.claimed_at <= now() - make_interval(secs => $3::double precision))
	RETURNING d.delivery_key, d.attempts
)
SELECT i.delivery_key AS key,
	CASE WHEN c.delivery_key IS NOT NULL THEN 'claimed' WHEN b.state IN ('done', 'parked') THEN b.state ELSE 'processing' END AS outcome,
	coalesce(c.attempts, b.attempts, 0)::int AS attempts,
	CASE WHEN c.delivery_key IS NULL
		THEN greatest(1, ceil(extract(epoch FROM coalesce(b.claimed_at, now()) + make_interval(secs => $3::double precision) - now())))::int
	END AS retry_after_seconds
FROM input AS i LEFT JOIN claimed AS c USING (delivery_key) LEFT JOIN before AS b USING (delivery_key)`;

/** No parameters. One row: { ledger } — the delivery ledger's table name, or null when the migrations have not created it. */
export const LEDGER_TABLE_EXISTS = `SELECT to_regclass('whatsapp_crm.webhook_deliveries')::text AS ledger`;

/** $1 scope, $2 text[] keys. A run is still going on: its claims start again from now. */
export const RENEW_DELIVERIES = `
UPDATE whatsapp_crm.webhook_deliveries SET claimed_at = now()
WHERE scope = $1::text AND delivery_key = ANY ($2::text[]) AND state = 'processing'`;

/** $1 scope, $2 text[] keys, $3 'done' | 'failed'. A run ended: its claims are released with its outcome. */
export const COMPLETE_DELIVERIES = `
UPDATE whatsapp_crm.webhook_deliveries SET state = $3::text, finished_at = now()
WHERE scope = $1::text AND delivery_key = ANY ($2::text[]) AND state = 'processing'`;

/**
 * $1 scope, $2 jsonb array of { key, event_id, source, session_id,
 * event_type, message_id, payload, attempts }, $3 reason, $4 notification
 * kind, $5 title, $6 body. Gives up claimed deliveries: each is marked
 * 'parked' and listed in failed_events with its event (a delivery parked
 * before and replayed in vain is listed again), and the user whose session it
 * came from gets one open notification of that kind. One row back:
 * { parked, notified }.
 */
export const PARK_DELIVERIES = `
WITH input AS (
	SELECT * FROM jsonb_to_recordset($2::jsonb)
		AS x(key text, event_id text, source text, session_id text, event_type text, message_id text, payload jsonb, attempts int)
), parked AS (
	UPDATE whatsapp_crm.webhook_deliveries AS d SET state = 'parked', finished_at = now()
	FROM input WHERE d.scope = $1::text AND d.delivery_key = input.key AND d.state = 'processing'
	RETURNING d.delivery_key, d.first_seen_at
), listed AS (
	INSERT INTO whatsapp_crm.failed_events AS f
		(scope, delivery_key, event_id, source, session_id, event_type, message_id, payload, attempts, reason, first_seen_at)
	SELECT $1::text, i.key, i.event_id, i.source, i.session_id, i.event_type, i.message_id, i.payload, i.attempts, $3::text, p.first_seen_at
	FROM input AS i JOIN parked AS p ON p.delivery_key = i.key
	ON CONFLICT (scope, delivery_key) DO UPDATE SET
		payload = EXCLUDED.payload, attempts = EXCLUDED.attempts, reason = EXCLUDED.reason,
		failed_at = now(), replayed_at = NULL, resolved_at = NULL
	RETURNING f.session_id
), notified AS (
	INSERT INTO whatsapp_crm.notifications (user_id, kind, title, body)
	SELECT DISTINCT u.id, $4::text, $5::text, $6::text
	FROM listed AS l JOIN whatsapp_crm.users AS u ON u.id::text = lower(l.session_id)
	ON CONFLICT (user_id, kind) WHERE resolved_at IS NULL DO NOTHING
	RETURNING id
)
SELECT (SELECT count(*) FROM listed)::int AS parked, (SELECT count(*) FROM notified)::int AS notified`;

/** $1 age (seconds). Forgets finished deliveries first seen longer ago than that. */
export const PRUNE_DELIVERIES = `
DELETE FROM whatsapp_crm.webhook_deliveries
WHERE first_seen_at < now() - make_interval(secs => $1::double precision) AND state <> 'processing'`;

/** The kind of the notification a user gets when events of their session were set aside. */
export const FAILED_EVENTS_NOTIFICATION_KIND = 'whatsapp_failed_events';

/** How long a replay's claim on a failed event lasts before another replay may take it. */
export const FAILED_EVENT_REPLAY_TIMEOUT = '15 minutes';

/**
 * $1 how many at most, $2 source ('sidecar' | 'cloud_api'; null: both).
 * Takes open failed events for a replay (sets `replayed_at`; one whose replay
 * did not report back within 15 minutes is taken again), oldest first; each
 * goes to one replay even when replays overlap (SKIP LOCKED). Zero or more
 * rows back: { failed_event_id, event_id, event } — `event` is the normalized
 * event exactly as the trigger emitted it.
 */
export const TAKE_FAILED_EVENTS = `
WITH due AS (
	SELECT id FROM whatsapp_crm.failed_events
	WHERE resolved_at IS NULL AND ($2::text IS NULL OR source = $2::text)
		AND (replayed_at IS NULL OR replayed_at < now() - interval '${FAILED_EVENT_REPLAY_TIMEOUT}')
	ORDER BY failed_at, id
	LIMIT $1
	FOR UPDATE SKIP LOCKED
)
UPDATE whatsapp_crm.failed_events AS f SET replayed_at = now()
FROM due WHERE f.id = due.id
RETURNING f.id::text AS failed_event_id, f.event_id, f.payload AS event`;

/**
 * $1 event id, $2 whether the replay went through (boolean), $3 its error
 * (null when it went through). Records a replay's outcome: the failed event
 * is resolved, or back in the list with one more attempt and the new reason.
 * When a user has no open failed event left, their "could not be logged"
 * notification is resolved too. One row back: { event_id, resolved, recorded }
 * (recorded false: the event was not in the list).
 */
export const RECORD_REPLAY_OUTCOME = `
WITH updated AS (
	UPDATE whatsapp_crm.failed_events SET
		resolved_at = CASE WHEN $2::boolean THEN now() END,
		replayed_at = CASE WHEN $2::boolean THEN replayed_at END,
		attempts = attempts + CASE WHEN $2::boolean THEN 0 ELSE 1 END,
		reason = CASE WHEN $2::boolean THEN reason ELSE coalesce(left($3::text, 1000), reason) END,
		failed_at = CASE WHEN $2::boolean THEN failed_at ELSE now() END
	WHERE event_id = $1::text AND resolved_at IS NULL
	RETURNING session_id
), settled AS (
	UPDATE whatsapp_crm.notifications AS n SET resolved_at = now()
	FROM updated AS u
	WHERE $2::boolean AND n.kind = '${FAILED_EVENTS_NOTIFICATION_KIND}' AND n.resolved_at IS NULL AND n.user_id::text = lower(u.session_id)
		AND NOT EXISTS (
			SELECT 1 FROM whatsapp_crm.failed_events AS f
			WHERE f.resolved_at IS NULL AND lower(f.session_id) = lower(u.session_id) AND f.event_id <> $1::text
		)
	RETURNING n.id
)
SELECT $1::text AS event_id, $2::boolean AS resolved, EXISTS (SELECT 1 FROM updated) AS recorded`;

/**
 * $1 user id (the session id). Whether the CRM has the user as connected
 * already — read before the history import of a newly linked phone, so that
 * a failed import is tried again when the event is delivered again. One row
 * back: { user_id, was_connected }.
 */
export const SESSION_WAS_CONNECTED = `
SELECT $1::uuid::text AS user_id, coalesce((SELECT whatsapp_connected FROM whatsapp_crm.users WHERE id = $1::uuid), false) AS was_connected`;
