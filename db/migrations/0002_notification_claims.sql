-- 0002 — notifications are claimed for sending, and marked sent only once sent.
--
-- Before: claiming a notification set `sent_at`, so a notification whose email
-- failed to send was never sent. Now the claim sets `claimed_at`, the sender
-- sets `sent_at` after the email went out (MARK_NOTIFICATION_SENT in
-- crm/sql.ts), and a claim older than 15 minutes without `sent_at` is taken
-- again by the next run.

-- When the notification was last handed to a sender; null until then.
ALTER TABLE whatsapp_crm.notifications ADD COLUMN claimed_at timestamptz;
