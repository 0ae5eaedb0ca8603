/**
 * The contact store in PostgreSQL: core's ContactStore (the matching rule
 * lives in core/contacts/resolve-contact.ts; this only does the I/O) and the
 * profile update that follows a match.
 */
import type { ContactFields, ContactStore } from '../core/contacts/types';
import { isoTimestampOf, textOrNull, type Queryable } from './db';
import {
	FILL_MISSING_CONTACT_PROFILE,
	FIND_CONTACT_BY_PHONES_ENTRY,
	FIND_CONTACT_BY_WHATSAPP_PHONE,
	INSERT_CONTACT_IF_ABSENT,
	OVERWRITE_CHANGED_CONTACT_PROFILE,
	SELECT_CONTACT_BY_ID,
	SELECT_CONTACT_BY_WHATSAPP_PHONE,
} from './sql';

/** A row of whatsapp_crm.contacts, as the nodes output it. */
export interface CrmContact {
	id: string;
	name: string | null;
	/** E.164; null for contacts known only by `phones`. */
	whatsapp_phone: string | null;
	phones: string[];
	about: string | null;
	source: string;
	/** ISO 8601 UTC. */
	created_at: string;
	updated_at: string;
}

interface ContactRow {
	id: string;
	name: string | null;
	whatsapp_phone: string | null;
	phones: string[] | null;
	about: string | null;
	source: string;
	created_at: Date | string;
	updated_at: Date | string;
}

function toContact(row: ContactRow): CrmContact {
	return {
		id: row.id,
		name: row.name,
		whatsapp_phone: row.whatsapp_phone,
		phones: row.phones ?? [],
		about: row.about,
		source: row.source,
		created_at: isoTimestampOf(row.created_at),
		updated_at: isoTimestampOf(row.updated_at),
	};
}

async function first(db: Queryable, sql: string, values: unknown[]): Promise<CrmContact | null> {
	const { rows } = await db.query<ContactRow>(sql, values);
	return rows.length > 0 ? toContact(rows[0]) : null;
}

/** How many times insertOrGet tries when the conflicting row vanishes before it can be read (deleted meanwhile). */
const INSERT_OR_GET_ATTEMPTS = 3;

/**
 * core's ContactStore over whatsapp_crm.contacts.
 * - findByWhatsAppPhone / findByPhonesEntry: one query each, the earliest form wins.
 * - insertOrGet: INSERT … ON CONFLICT (whatsapp_phone) DO NOTHING, then a read
 *   of the row that won — never read-then-write, so concurrent first messages
 *   from one number create one contact.
 */
export function createPostgresContactStore(db: Queryable): ContactStore<CrmContact> {
	return {
		async findByWhatsAppPhone(forms) {
			if (forms.length === 0) return null;
			return await first(db, FIND_CONTACT_BY_WHATSAPP_PHONE, [forms]);
		},
		async findByPhonesEntry(forms) {
			if (forms.length === 0) return null;
			return await first(db, FIND_CONTACT_BY_PHONES_ENTRY, [forms]);
		},
		async insertOrGet(fields: ContactFields) {
			const values = [fields.whatsappPhone, textOrNull(fields.name), textOrNull(fields.about), fields.source];
			for (let attempt = 0; attempt < INSERT_OR_GET_ATTEMPTS; attempt++) {
				const created = await first(db, INSERT_CONTACT_IF_ABSENT, values);
				if (created) return { contact: created, created: true };
				const existing = await first(db, SELECT_CONTACT_BY_WHATSAPP_PHONE, [fields.whatsappPhone]);
				if (existing) return { contact: existing, created: false };
			}
			throw new Error('could not create or read the contact: it was deleted each time right after a conflicting insert');
		},
	};
}

/**
 * When a matched contact's name and About text are updated from WhatsApp:
 * - fillMissing: only when the contact has none yet (keeps what people typed in the CRM);
 * - overwriteChanged: whenever WhatsApp shows something different;
 * - never.
 * An unknown value (null, or blank: a hidden About) never erases a stored one.
 */
export type ProfileUpdateMode = 'fillMissing' | 'overwriteChanged' | 'never';

export interface ContactProfile {
	name?: string | null;
	about?: string | null;
}

/** The contact after the update, or null when nothing changed (or there is no such contact). */
export async function updateContactProfile(
	db: Queryable,
	contactId: string,
	profile: ContactProfile,
	mode: ProfileUpdateMode,
): Promise<CrmContact | null> {
	const name = textOrNull(profile.name);
	const about = textOrNull(profile.about);
	if (mode === 'never' || (name === null && about === null)) return null;
	const sql = mode === 'overwriteChanged' ? OVERWRITE_CHANGED_CONTACT_PROFILE : FILL_MISSING_CONTACT_PROFILE;
	return await first(db, sql, [contactId, name, about]);
}

/** The contact with this id, or null. */
export async function getContactById(db: Queryable, contactId: string): Promise<CrmContact | null> {
	return await first(db, SELECT_CONTACT_BY_ID, [contactId]);
}
