/**
 * The contact store in PostgreSQL: core's ContactStore over
 * whatsapp_crm.contacts. The matching order is one statement
 * (crm/sql.ts FIND_OR_CREATE_CONTACT); this module runs it, under the
 * number's lock when it may create.
 */
import type { ContactLookup, ContactMatch, ContactStore, MatchedBy } from '../core/contacts/types';
import { isoTimestampOf, type Queryable } from './db';
import { FIND_OR_CREATE_CONTACT, LOCK_CONTACT_NUMBER, SELECT_CONTACT_BY_WHATSAPP_PHONE } from './sql';

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

/**
 * core's ContactStore over whatsapp_crm.contacts. `findOrCreate` runs
 * FIND_OR_CREATE_CONTACT once without creating (a known contact — the usual
 * case — costs one statement); only when nothing matched and creating is
 * asked does it run again with creation on, in a transaction that first takes
 * the number's advisory lock (LOCK_CONTACT_NUMBER on the smallest form). The
 * statement sees what committed before the lock was granted, so concurrent
 * first messages from one number — even in different equivalent forms,
 * +551187654321 and +5511987654321 — create one contact.
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
			if (lookup.forms.length === 0) return { contact: null, matchedBy: 'not_found' };
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
