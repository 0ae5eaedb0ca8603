/**
 * The contact store in PostgreSQL: core's ContactStore (the matching rule
 * lives in core/contacts/resolve-contact.ts; this only does the I/O) and the
 * profile update that follows a match.
 */
import type { ContactFields, ContactStore, InsertOrGetResult } from '../core/contacts/types';
import { equivalentPhoneForms } from '../core/phone';
import { isoTimestampOf, textOrNull, type Queryable } from './db';
import {
	FILL_MISSING_CONTACT_PROFILE,
	FIND_CONTACT_BY_PHONES_ENTRY,
	FIND_CONTACT_BY_WHATSAPP_PHONE,
	INSERT_CONTACT_IF_ABSENT,
	LOCK_CONTACT_NUMBER,
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

/** A pg Pool: `connect()` checks a client out (to run a transaction on it). */
interface PoolLike extends Queryable {
	connect(): Promise<Queryable & { release(destroy?: boolean | Error): void }>;
	totalCount: number;
}

function isPool(db: Queryable): db is PoolLike {
	return typeof (db as Partial<PoolLike>).connect === 'function' && typeof (db as Partial<PoolLike>).totalCount === 'number';
}

/**
 * Runs `work` in one transaction: on a client checked out of `db` when it is a
 * Pool, else on `db` itself (a Client or PoolClient that is not inside a
 * transaction already).
 */
async function inTransaction<T>(db: Queryable, work: (tx: Queryable) => Promise<T>): Promise<T> {
	const client = isPool(db) ? await db.connect() : null;
	const tx: Queryable = client ?? db;
	let broken: Error | undefined;
	try {
		await tx.query('BEGIN');
		try {
			const result = await work(tx);
			await tx.query('COMMIT');
			return result;
		} catch (error) {
			await tx.query('ROLLBACK').catch((rollbackError: Error) => {
				broken = rollbackError;
			});
			throw error;
		}
	} finally {
		client?.release(broken);
	}
}

/**
 * The number's canonical form: the smallest of its equivalent E.164 forms
 * (core/phone), the same for every form of one number.
 */
export function canonicalPhoneForm(e164: string): string {
	return [e164, ...equivalentPhoneForms(e164)].sort()[0]!;
}

/**
 * core's ContactStore over whatsapp_crm.contacts.
 * - findByWhatsAppPhone / findByPhonesEntry: one query each, the earliest form wins.
 * - insertOrGet: one transaction that takes an advisory lock on the number's
 *   canonical form (LOCK_CONTACT_NUMBER), looks again for a contact with any
 *   equivalent form (whatsapp_phone, then phones), and only then inserts
 *   (ON CONFLICT (whatsapp_phone) DO NOTHING, for writers that bypass the
 *   lock). So concurrent first messages from one number — even in different
 *   equivalent forms, +551187654321 and +5511987654321 — create one contact.
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
		async insertOrGet(fields: ContactFields, forms: string[] = []): Promise<InsertOrGetResult<CrmContact>> {
			const phone = fields.whatsappPhone;
			const searched = [...new Set([phone, ...forms, ...equivalentPhoneForms(phone)])];
			const values = [phone, textOrNull(fields.name), textOrNull(fields.about), fields.source];
			return await inTransaction(db, async (tx) => {
				await tx.query(LOCK_CONTACT_NUMBER, [canonicalPhoneForm(phone)]);
				const byWhatsApp = await first(tx, FIND_CONTACT_BY_WHATSAPP_PHONE, [searched]);
				if (byWhatsApp) return { contact: byWhatsApp, created: false, matchedBy: 'whatsapp_phone' };
				const byPhones = await first(tx, FIND_CONTACT_BY_PHONES_ENTRY, [searched]);
				if (byPhones) return { contact: byPhones, created: false, matchedBy: 'phones' };
				const created = await first(tx, INSERT_CONTACT_IF_ABSENT, values);
				if (created) return { contact: created, created: true };
				// Inserted meanwhile by a writer that did not take the lock (e.g. by hand).
				const existing = await first(tx, SELECT_CONTACT_BY_WHATSAPP_PHONE, [phone]);
				if (existing) return { contact: existing, created: false, matchedBy: 'whatsapp_phone' };
				throw new Error('could not create or read the contact: it was deleted right after a conflicting insert');
			});
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
