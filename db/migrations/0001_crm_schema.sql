-- 0001 — the CRM store of n8n-nodes-whatsapp-crm.
--
-- Everything lives in its own schema, `whatsapp_crm`, so the store can share an
-- existing database (even one with its own `contacts` or `users` tables).
-- Applied by `node db/migrate.js`, inside one transaction, exactly once
-- (recorded in whatsapp_crm.schema_migrations). Never edit this file after a
-- release: add 0002_….sql instead.
--
-- Phone numbers are stored in E.164 (`+5511987654321`), the form core/phone's
-- parseWhatsAppId produces; matching compares E.164 strings and their known
-- national equivalents (core/phone's equivalentPhoneForms), never suffixes.

CREATE SCHEMA IF NOT EXISTS whatsapp_crm;

-- Keeps `updated_at` honest for every writer, including hand-written SQL in
-- workflows and people editing rows in a database tool.
CREATE OR REPLACE FUNCTION whatsapp_crm.touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	NEW.updated_at := now();
	RETURN NEW;
END;
$$;

-- ---------------------------------------------------------------------------
-- contacts: the people WhatsApp messages are logged against.
-- ---------------------------------------------------------------------------
CREATE TABLE whatsapp_crm.contacts (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	name text,
	-- The number of the contact's WhatsApp account, E.164. Unique: it is the
	-- key that makes "twenty first messages at once create one contact" hold
	-- (INSERT … ON CONFLICT (whatsapp_phone) DO NOTHING). Null for contacts
	-- known only by their `phones` (e.g. imported from another CRM).
	whatsapp_phone text UNIQUE
		CONSTRAINT contacts_whatsapp_phone_e164 CHECK (whatsapp_phone ~ '^\+[1-9][0-9]{6,14}$'),
	-- Other numbers of the contact. An entry matches only when written in
	-- E.164, like whatsapp_phone; several contacts may list the same number.
	phones text[] NOT NULL DEFAULT '{}',
	-- The contact's WhatsApp About text, when they share it.
	about text,
	-- Where the contact came from: 'whatsapp' when created from a message,
	-- 'manual' for rows entered by people, anything else for imports.
	source text NOT NULL DEFAULT 'manual',
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);

-- `phones && ARRAY[…]` (the second matching step) uses this index.
CREATE INDEX contacts_phones_gin ON whatsapp_crm.contacts USING gin (phones);

CREATE TRIGGER contacts_touch_updated_at
	BEFORE UPDATE ON whatsapp_crm.contacts
	FOR EACH ROW EXECUTE FUNCTION whatsapp_crm.touch_updated_at();

-- ---------------------------------------------------------------------------
-- interactions: one row per WhatsApp text message, in or out.
-- ---------------------------------------------------------------------------
CREATE TABLE whatsapp_crm.interactions (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	-- RESTRICT: deleting a contact must not silently delete its history.
	contact_id uuid NOT NULL REFERENCES whatsapp_crm.contacts (id) ON DELETE RESTRICT,
	channel text NOT NULL DEFAULT 'whatsapp' CHECK (channel IN ('whatsapp')),
	direction text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
	body text,
	-- WhatsApp's own message id (whatsapp-web.js's serialized id or Meta's
	-- wamid). Unique: a redelivered, retried or backfilled message is inserted
	-- with ON CONFLICT (ext_message_id) DO NOTHING and never logged twice.
	ext_message_id text NOT NULL UNIQUE,
	-- When WhatsApp says the message was sent.
	occurred_at timestamptz NOT NULL,
	-- The sidecar session (the user's UUID) or the Cloud API phone-number id.
	session_id text,
	-- 'live' for real-time delivery, 'backfill' for history.
	origin text NOT NULL DEFAULT 'live' CHECK (origin IN ('live', 'backfill')),
	created_at timestamptz NOT NULL DEFAULT now()
);

-- A contact's timeline.
CREATE INDEX interactions_contact_timeline ON whatsapp_crm.interactions (contact_id, occurred_at DESC);

-- ---------------------------------------------------------------------------
-- users: the people whose WhatsApp is linked through the sidecar, and the
-- state of that link as the nightly health check last saw it.
-- ---------------------------------------------------------------------------
CREATE TABLE whatsapp_crm.users (
	-- The sidecar's session id is the user's UUID.
	id uuid PRIMARY KEY,
	email text,
	name text,
	whatsapp_connected boolean NOT NULL DEFAULT false,
	-- The linked phone's number, E.164; cleared on disconnect.
	whatsapp_phone text
		CONSTRAINT users_whatsapp_phone_e164 CHECK (whatsapp_phone ~ '^\+[1-9][0-9]{6,14}$'),
	-- When the session was last checked, and the sidecar's state then
	-- (e.g. 'connected', 'disconnected', 'logged_out', 'not_found').
	whatsapp_last_check_at timestamptz,
	whatsapp_last_state text,
	-- When the current outage began; null while connected.
	whatsapp_disconnected_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TRIGGER users_touch_updated_at
	BEFORE UPDATE ON whatsapp_crm.users
	FOR EACH ROW EXECUTE FUNCTION whatsapp_crm.touch_updated_at();

-- ---------------------------------------------------------------------------
-- notifications: messages for people (e.g. "re-link your WhatsApp").
-- ---------------------------------------------------------------------------
CREATE TABLE whatsapp_crm.notifications (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id uuid NOT NULL REFERENCES whatsapp_crm.users (id) ON DELETE CASCADE,
	-- What it is about, e.g. 'whatsapp_reauth'.
	kind text NOT NULL,
	title text NOT NULL,
	body text NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	-- Set when the notification is handed to email/chat; null until then.
	sent_at timestamptz,
	-- Set when the condition is over (e.g. the session is connected again).
	resolved_at timestamptz
);

-- One open notification per user and kind: the health check opens it with
-- ON CONFLICT DO NOTHING on every run of the same outage, so the user is told
-- once; resolving it (reconnected) lets the next outage open a new one.
CREATE UNIQUE INDEX notifications_one_open_per_kind
	ON whatsapp_crm.notifications (user_id, kind)
	WHERE resolved_at IS NULL;

-- The notifications workflow's queue: open and not yet sent.
CREATE INDEX notifications_unsent ON whatsapp_crm.notifications (created_at)
	WHERE sent_at IS NULL AND resolved_at IS NULL;

-- ---------------------------------------------------------------------------
-- webhook_payloads: the raw events as received, for audit and replay.
-- ---------------------------------------------------------------------------
CREATE TABLE whatsapp_crm.webhook_payloads (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	-- The event's stable id (a redelivery keeps it): archived once.
	event_id text NOT NULL UNIQUE,
	-- 'sidecar' or 'cloud_api'.
	source text NOT NULL,
	session_id text,
	-- The normalized event's type, e.g. 'message', 'session.state'.
	event_type text,
	payload jsonb NOT NULL,
	received_at timestamptz NOT NULL DEFAULT now()
);

-- Retention jobs delete by age.
CREATE INDEX webhook_payloads_received_at ON whatsapp_crm.webhook_payloads (received_at);
