-- 0004 — contacts known by their WhatsApp lid (hidden-number senders).
--
-- WhatsApp hides some senders' phone numbers: WhatsApp Web names them by a
-- privacy id (`123456789012345@lid`), Meta's Cloud API by a business-scoped
-- user id (`BR.1502576394655843`). Before, such a message matched no contact
-- and was never logged. Now a contact is known by its lid as well as by its
-- phone: a lid-only sender gets (or finds) the contact with that lid, and when
-- the phone becomes known — a message that carries both, or an admin — the
-- lid-only contact merges into the phone's contact (whatsapp_crm.merge_contact
-- below; an admin uses whatsapp_crm.set_contact_phone): its interactions move,
-- the lid is recorded on the phone's contact, and the lid-only contact is
-- deleted, the merge recorded in contact_merges.
-- crm/contacts.ts decides when; this file owns how.

-- The lid as core/phone's whatsAppLidOf gives it: `<digits>@lid` (device suffix
-- dropped) or Meta's business-scoped user id. Unique among contacts: the key
-- that makes "one contact per lid" hold under concurrent first messages
-- (INSERT … ON CONFLICT, after the lid's advisory lock).
ALTER TABLE whatsapp_crm.contacts ADD COLUMN whatsapp_lid text
	CONSTRAINT contacts_whatsapp_lid_not_blank CHECK (btrim(whatsapp_lid) <> '');

CREATE UNIQUE INDEX contacts_whatsapp_lid_unique ON whatsapp_crm.contacts (whatsapp_lid) WHERE whatsapp_lid IS NOT NULL;

-- One row per merge: where a deleted lid-only contact's id went, for anything
-- outside the CRM that kept it. A log, without foreign keys: it never stands
-- in the way of deleting (or truncating) contacts.
CREATE TABLE whatsapp_crm.contact_merges (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	-- The contact that was merged and deleted (no foreign key: it is gone).
	merged_contact_id uuid NOT NULL,
	-- The contact it was merged into.
	into_contact_id uuid NOT NULL,
	whatsapp_lid text,
	interactions_moved integer NOT NULL,
	merged_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX contact_merges_merged ON whatsapp_crm.contact_merges (merged_contact_id);

-- Merges contact `merged_id` into contact `into_id`, in the caller's transaction:
-- both rows are locked (in id order, so two merges cannot deadlock; a
-- transaction still inserting an interaction for `merged_id` is waited for, and
-- one that starts after fails on the foreign key once `merged_id` is gone — the
-- event is delivered again and logged on `into_id`). Every interaction of
-- `merged_id` moves to `into_id` (interactions are unique by WhatsApp message id, so
-- moving never duplicates one); `into_id` keeps its own name and About and takes
-- `merged_id`'s where it has none, gains `merged_id`'s numbers in `phones`, and its
-- whatsapp_lid becomes `merged_id`'s when `merged_id` had one; `merged_id` is deleted
-- and the merge recorded. Returns the number of interactions moved; 0 and no
-- change when either contact does not exist or they are the same.
--
-- For an admin who gives a lid-only contact its phone number while another
-- contact already has that number:
--   SELECT whatsapp_crm.merge_contact('<lid-only contact id>', '<phone contact id>');
CREATE FUNCTION whatsapp_crm.merge_contact(merged_id uuid, into_id uuid) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	m whatsapp_crm.contacts%ROWTYPE;
	moved integer;
BEGIN
	IF merged_id IS NULL OR into_id IS NULL OR merged_id = into_id THEN
		RETURN 0;
	END IF;
	PERFORM 1 FROM whatsapp_crm.contacts WHERE id IN (merged_id, into_id) ORDER BY id FOR UPDATE;
	SELECT * INTO m FROM whatsapp_crm.contacts WHERE id = merged_id;
	IF NOT FOUND OR NOT EXISTS (SELECT 1 FROM whatsapp_crm.contacts WHERE id = into_id) THEN
		RETURN 0;
	END IF;

	UPDATE whatsapp_crm.interactions SET contact_id = into_id WHERE contact_id = merged_id;
	GET DIAGNOSTICS moved = ROW_COUNT;
	DELETE FROM whatsapp_crm.contacts WHERE id = merged_id;

	UPDATE whatsapp_crm.contacts AS c SET
		name = CASE WHEN coalesce(btrim(c.name), '') = '' THEN coalesce(m.name, c.name) ELSE c.name END,
		about = CASE WHEN coalesce(btrim(c.about), '') = '' THEN coalesce(m.about, c.about) ELSE c.about END,
		phones = c.phones || ARRAY(
			SELECT DISTINCT p FROM unnest(m.phones || ARRAY[m.whatsapp_phone]) AS p
			WHERE p IS NOT NULL AND p <> ALL (c.phones) AND p IS DISTINCT FROM c.whatsapp_phone
		),
		whatsapp_lid = coalesce(m.whatsapp_lid, c.whatsapp_lid)
	WHERE c.id = into_id;

	INSERT INTO whatsapp_crm.contact_merges (merged_contact_id, into_contact_id, whatsapp_lid, interactions_moved)
	VALUES (merged_id, into_id, m.whatsapp_lid, moved);
	RETURN moved;
END;
$$;

-- An admin gives a contact (typically one known only by its lid) its WhatsApp
-- number, E.164: when another contact already has that whatsapp_phone, the
-- contact merges into it (merge_contact above: interactions, profile, lid);
-- otherwise the number is set on the contact. Returns the id of the contact
-- that has the number afterwards. The number is compared as written: give it
-- in the form the CRM stores (Mexico: +52 + 10 digits).
--   SELECT whatsapp_crm.set_contact_phone('<contact id>', '+5511987654321');
CREATE FUNCTION whatsapp_crm.set_contact_phone(contact_id uuid, phone text) RETURNS uuid
LANGUAGE plpgsql AS $$
DECLARE
	holder uuid;
BEGIN
	IF NOT EXISTS (SELECT 1 FROM whatsapp_crm.contacts WHERE id = contact_id) THEN
		RAISE EXCEPTION 'no contact with id %', contact_id USING ERRCODE = 'no_data_found';
	END IF;
	SELECT id INTO holder FROM whatsapp_crm.contacts WHERE whatsapp_phone = phone AND id <> contact_id;
	IF holder IS NULL THEN
		UPDATE whatsapp_crm.contacts SET whatsapp_phone = phone WHERE id = contact_id;
		RETURN contact_id;
	END IF;
	PERFORM whatsapp_crm.merge_contact(contact_id, holder);
	RETURN holder;
END;
$$;

-- Mexico: the CRM stores and shows the modern +52 + 10 digits (core/phone's
-- canonicalPhoneForm); contacts created before from WhatsApp's +521 form are
-- moved to it, unless another contact has the modern form already (matching
-- finds either form, so nothing is lost either way).
UPDATE whatsapp_crm.contacts AS c SET whatsapp_phone = '+52' || substr(c.whatsapp_phone, 5)
WHERE c.whatsapp_phone ~ '^\+521[2-9][0-9]{9}$'
	AND NOT EXISTS (SELECT 1 FROM whatsapp_crm.contacts AS o WHERE o.whatsapp_phone = '+52' || substr(c.whatsapp_phone, 5));
