-- 0003 — the delivery ledger and the failed-events list.
--
-- webhook_deliveries: what the WhatsApp CRM Trigger remembers of each event it
-- let start a workflow (core/webhooks/delivery-ledger.ts explains the states).
-- Shared by every n8n process and kept over restarts, so a delivery seen
-- before starts nothing twice, even when it arrives at another webhook process
-- of n8n's queue mode; a delivery whose run failed is claimable again.
--
-- failed_events: deliveries the trigger gave up on after repeated failed runs.
-- Each keeps the event as received, so an admin can see what failed and replay
-- it (the CRM logging workflow's "Replay failed events" form).

CREATE TABLE whatsapp_crm.webhook_deliveries (
	-- The trigger node the delivery was for: '<workflow id>:<node id>'.
	scope text NOT NULL,
	-- The event's id (a redelivery keeps it).
	delivery_key text NOT NULL,
	state text NOT NULL CHECK (state IN ('processing', 'done', 'failed', 'parked')),
	-- Runs claimed so far.
	attempts integer NOT NULL DEFAULT 1 CHECK (attempts >= 0),
	first_seen_at timestamptz NOT NULL DEFAULT now(),
	-- When the current run claimed it (renewed while the run goes on).
	claimed_at timestamptz NOT NULL DEFAULT now(),
	finished_at timestamptz,
	PRIMARY KEY (scope, delivery_key)
);

-- Old rows are pruned by age.
CREATE INDEX webhook_deliveries_first_seen ON whatsapp_crm.webhook_deliveries (first_seen_at);

CREATE TABLE whatsapp_crm.failed_events (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	scope text NOT NULL,
	delivery_key text NOT NULL,
	event_id text NOT NULL,
	-- 'sidecar' or 'cloud_api'.
	source text NOT NULL,
	session_id text,
	event_type text NOT NULL,
	-- The WhatsApp message id of a message event.
	message_id text,
	-- The normalized event exactly as the trigger emitted it.
	payload jsonb NOT NULL,
	-- Failed runs before it was set aside.
	attempts integer NOT NULL,
	reason text NOT NULL,
	first_seen_at timestamptz NOT NULL DEFAULT now(),
	failed_at timestamptz NOT NULL DEFAULT now(),
	-- Set when a replay took it; cleared if that replay failed too.
	replayed_at timestamptz,
	-- Set when a replay ran it through successfully.
	resolved_at timestamptz,
	UNIQUE (scope, delivery_key)
);

CREATE INDEX failed_events_open ON whatsapp_crm.failed_events (failed_at) WHERE resolved_at IS NULL;
