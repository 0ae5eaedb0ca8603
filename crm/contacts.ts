/**
 * The contact store in PostgreSQL: core's ContactStore over
 * whatsapp_crm.contacts. The matching order is one statement
 * (crm/sql.ts FIND_OR_CREATE_CONTACT, or FIND_OR_CREATE_CONTACT_BY_LID for a
 * sender known only by its lid); this module runs it, under the number's (and
 * the lid's) lock when it may create, and decides when a lid-only contact
 * merges into a number's (whatsapp_crm.merge_contact does the merge).
 */
import type { ContactLookup, ContactMatch, ContactStore, MatchedBy } from '../core/contacts/types';
import { isoTimestampOf, type Queryable } from './db';
import {
	FIND_OR_CREATE_CONTACT,
	FIND_OR_CREATE_CONTACT_BY_LID,
	LOCK_CONTACT_LID,
	LOCK_CONTACT_NUMBER,
	MERGE_CONTACT,
	SELECT_CONTACT_BY_ID,
	SELECT_CONTACT_BY_LID,
	SELECT_CONTACT_BY_WHATSAPP_PHONE,
	SET_CONTACT_LID,
	SET_CONTACT_PHONE_IF_NONE,
} from './sql';

/** A row of whatsapp_crm.contacts, as the nodes output it. */
export interface CrmContact {
	id: string;
	name: string | null;
	/** E.164; null for contacts known only by `phones`. */
	whatsapp_phone: string | null;
	/** The WhatsApp lid (`<digits>@lid`, or Meta's business-scoped user id) the contact is known by; null when none. */
	whatsapp_lid: string | null;
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
	whatsapp_lid: string | null;
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
		whatsapp_lid: row.whatsapp_lid ?? null,
		phones: row.phones ?? [],
		about: row.about,
		source: row.source,
		created_at: isoTimestampOf(row.created_at),
		updated_at: isoTimestampOf(row.updated_at),
	};
}

async function first(db: Queryable, sql: string, values: unknown[]): Promise<(ContactRow & { matched_by?: string }) | null> {
	const { rows } = await db.query<ContactRow & { matched_by?: string }>(sql, values);
	return rows[0] ?? null;
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

function matchOf(row: (ContactRow & { matched_by?: string }) | null): ContactMatch<CrmContact> {
	if (row === null) return { contact: null, matchedBy: 'not_found' };
	return { contact: toContact(row), matchedBy: row.matched_by as MatchedBy };
}

type Lookup = ContactLookup & { lid: string };

const runByLid = async (tx: Queryable, lookup: Lookup, create: boolean) =>
	await first(tx, FIND_OR_CREATE_CONTACT_BY_LID, [lookup.lid, lookup.profile.name, lookup.profile.about, create, lookup.profileUpdate]);

/** A sender known only by its lid: the contact with it, else (when asked) a new one, under the lid's lock. */
async function findOrCreateByLid(db: Queryable, lookup: Lookup): Promise<ContactMatch<CrmContact>> {
	const found = await runByLid(db, lookup, false);
	if (found !== null || !lookup.createIfMissing) return matchOf(found);
	return await inTransaction(db, async (tx) => {
		await tx.query(LOCK_CONTACT_LID, [lookup.lid]);
		const row = (await runByLid(tx, lookup, true)) ?? (await first(tx, SELECT_CONTACT_BY_LID, [lookup.lid]));
		if (row === null) throw new Error('could not create or read the contact: it was deleted right after a conflicting insert');
		return { contact: toContact(row), matchedBy: (row.matched_by as MatchedBy | undefined) ?? 'whatsapp_lid' };
	});
}

/**
 * A sender whose number and lid are both known. The usual case — the number's
 * contact already has the lid — is one statement. Otherwise, in one
 * transaction under the lid's lock and then the number's: the contact known by
 * the lid merges into the number's contact (whatsapp_crm.merge_contact), or,
 * when no contact has the number, is the contact and gets the number; else the
 * number's contact is found or created as usual. The lid is then recorded on
 * the contact.
 */
async function findOrCreateByPhoneAndLid(
	db: Queryable,
	lookup: Lookup,
	run: (tx: Queryable, create: boolean) => Promise<(ContactRow & { matched_by?: string }) | null>,
): Promise<ContactMatch<CrmContact>> {
	const found = await run(db, false);
	if (found !== null && found.whatsapp_lid === lookup.lid) return matchOf(found);
	return await inTransaction(db, async (tx) => {
		await tx.query(LOCK_CONTACT_LID, [lookup.lid]);
		await tx.query(LOCK_CONTACT_NUMBER, [[...lookup.forms].sort()[0]]);
		const byLid = await first(tx, SELECT_CONTACT_BY_LID, [lookup.lid]);
		const byPhone = await run(tx, false);
		let match: ContactMatch<CrmContact>;
		if (byPhone !== null) {
			match = matchOf(byPhone);
			if (byLid !== null && byLid.id !== byPhone.id) {
				await tx.query(MERGE_CONTACT, [byLid.id, byPhone.id]);
				match.mergedContactId = byLid.id;
			}
		} else if (byLid !== null) {
			await tx.query(SET_CONTACT_PHONE_IF_NONE, [byLid.id, lookup.forms[0]]);
			match = matchOf(await runByLid(tx, lookup, false));
		} else {
			if (!lookup.createIfMissing) return { contact: null, matchedBy: 'not_found' };
			const created = (await run(tx, true)) ?? (await first(tx, SELECT_CONTACT_BY_WHATSAPP_PHONE, [lookup.forms[0]]));
			if (created === null) throw new Error('could not create or read the contact: it was deleted right after a conflicting insert');
			match = { contact: toContact(created), matchedBy: (created.matched_by as MatchedBy | undefined) ?? 'whatsapp_phone' };
		}
		const id = match.contact!.id;
		await tx.query(SET_CONTACT_LID, [id, lookup.lid]);
		const { rows } = await tx.query<ContactRow>(SELECT_CONTACT_BY_ID, [id]);
		return { ...match, contact: toContact(rows[0]!) };
	});
}

/**
 * core's ContactStore over whatsapp_crm.contacts. `findOrCreate` runs
 * FIND_OR_CREATE_CONTACT once without creating (a known contact — the usual
 * case — costs one statement); only when nothing matched and creating is
 * asked does it run again with creation on, in a transaction that first takes
 * the number's advisory lock (LOCK_CONTACT_NUMBER on the smallest form). The
 * statement sees what committed before the lock was granted, so concurrent
 * first messages from one number — even in different equivalent forms,
 * +551187654321 and +5511987654321 — create one contact. With a lid
 * (ContactLookup.lid), the same under the lid's lock: one contact per lid,
 * and a lid-only contact merges into the number's once both are known.
 */
export function createPostgresContactStore(db: Queryable): ContactStore<CrmContact> {
	const run = async (tx: Queryable, lookup: ContactLookup, create: boolean) =>
		await first(tx, FIND_OR_CREATE_CONTACT, [
			lookup.forms,
			lookup.profile.name,
			lookup.profile.about,
			create,
			lookup.profileUpdate,
		]);
	return {
		async findOrCreate(lookup: ContactLookup): Promise<ContactMatch<CrmContact>> {
			const lid = lookup.lid ?? null;
			if (lid !== null && lookup.forms.length === 0) return await findOrCreateByLid(db, { ...lookup, lid });
			if (lookup.forms.length === 0) return { contact: null, matchedBy: 'not_found' };
			if (lid !== null) return await findOrCreateByPhoneAndLid(db, { ...lookup, lid }, async (tx, create) => await run(tx, lookup, create));
			const found = await run(db, lookup, false);
			if (found !== null || !lookup.createIfMissing) return matchOf(found);
			return await inTransaction(db, async (tx) => {
				await tx.query(LOCK_CONTACT_NUMBER, [[...lookup.forms].sort()[0]]);
				const row = await run(tx, lookup, true);
				if (row !== null) return matchOf(row);
				// Inserted meanwhile by a writer that did not take the lock (e.g. by hand).
				const existing = await first(tx, SELECT_CONTACT_BY_WHATSAPP_PHONE, [lookup.forms[0]]);
				if (existing !== null) return { contact: toContact(existing), matchedBy: 'whatsapp_phone' };
				throw new Error('could not create or read the contact: it was deleted right after a conflicting insert');
			});
		},
	};
}
