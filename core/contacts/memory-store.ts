/**
 * An in-memory ContactStore that behaves like the PostgreSQL one
 * (crm/contacts.ts): `whatsapp_phone` is unique, `findOrCreate` decides in
 * the same order and is atomic, the profile is updated by the same rule, a
 * lid-only contact merges into the number's the same way (without
 * interactions: this store has none), and
 * every read returns a copy (mutating a result does not change the store).
 * Each call yields first, so concurrent callers interleave as they would
 * against a database.
 */
import type { ContactLookup, ContactMatch, ContactProfile, ContactStore, MatchedBy, ProfileUpdateMode } from './types';

export interface MemoryContact {
	id: string;
	/** E.164, unique among contacts; null for contacts known only by `phones`. */
	whatsappPhone: string | null;
	/** The WhatsApp lid the contact is known by, unique among contacts; null when none. */
	whatsappLid: string | null;
	/** Other numbers of the contact (E.164). */
	phones: string[];
	name: string | null;
	about: string | null;
	source: string;
}

/** A contact to seed the store with; the id is generated when omitted. */
export type MemoryContactSeed = Partial<MemoryContact> & Pick<MemoryContact, 'whatsappPhone'>;

/** A lid-only contact merged into another (the memory store's whatsapp_crm.contact_merges). */
export interface MemoryContactMerge {
	mergedContactId: string;
	intoContactId: string;
	whatsappLid: string | null;
}

export interface MemoryContactStore extends ContactStore<MemoryContact> {
	/** Adds a contact (e.g. one created by hand in the CRM). Throws on a duplicate `whatsappPhone`, `whatsappLid` or id. */
	add(seed: MemoryContactSeed): MemoryContact;
	/** Copies of every contact, in insertion order. */
	all(): MemoryContact[];
	/** The merges so far, oldest first. */
	merges(): MemoryContactMerge[];
}

function copy(contact: MemoryContact): MemoryContact {
	return { ...contact, phones: [...contact.phones] };
}

/** Lets every concurrent caller start before any finishes, as round trips to a database would. */
function tick(): Promise<void> {
	return Promise.resolve();
}

const isBlank = (value: string | null): boolean => value === null || value.trim() === '';

/** The profile update rule of crm/sql.ts's FIND_OR_CREATE_CONTACT, on one contact in place. */
function updateProfile(contact: MemoryContact, profile: ContactProfile, mode: ProfileUpdateMode): void {
	for (const field of ['name', 'about'] as const) {
		const incoming = profile[field];
		if (incoming === null || mode === 'never') continue;
		if (mode === 'fillMissing' ? isBlank(contact[field]) : contact[field] !== incoming) contact[field] = incoming;
	}
}

export function createMemoryContactStore(seeds: MemoryContactSeed[] = []): MemoryContactStore {
	// Insertion order stands for the database's creation order (the oldest contact first).
	const contacts: MemoryContact[] = [];
	const merges: MemoryContactMerge[] = [];
	let nextId = 1;

	/** whatsapp_crm.merge_contact: `into` keeps its profile and takes what it lacks, gains the numbers and the lid; `merged` goes. */
	function merge(merged: MemoryContact, into: MemoryContact): void {
		contacts.splice(contacts.indexOf(merged), 1);
		if (isBlank(into.name)) into.name = merged.name ?? into.name;
		if (isBlank(into.about)) into.about = merged.about ?? into.about;
		for (const phone of [...merged.phones, merged.whatsappPhone]) {
			if (phone !== null && phone !== into.whatsappPhone && !into.phones.includes(phone)) into.phones.push(phone);
		}
		into.whatsappLid = merged.whatsappLid ?? into.whatsappLid;
		merges.push({ mergedContactId: merged.id, intoContactId: into.id, whatsappLid: merged.whatsappLid });
	}

	/** The contact of `forms` (whatsapp_phone, then phones), as FIND_OR_CREATE_CONTACT matches. */
	function byNumber(forms: string[]): { contact: MemoryContact; matchedBy: MatchedBy } | undefined {
		const byWhatsApp = firstFor(forms, (contact, form) => contact.whatsappPhone === form);
		if (byWhatsApp) return { contact: byWhatsApp, matchedBy: 'whatsapp_phone' };
		const byPhones = firstFor(forms, (contact, form) => contact.phones.includes(form));
		return byPhones ? { contact: byPhones, matchedBy: 'phones' } : undefined;
	}

	function firstFor(forms: string[], matches: (contact: MemoryContact, form: string) => boolean): MemoryContact | undefined {
		for (const form of forms) {
			const found = contacts.find((contact) => matches(contact, form));
			if (found) return found;
		}
		return undefined;
	}

	function freshId(): string {
		let id: string;
		do id = `contact-${nextId++}`;
		while (contacts.some((c) => c.id === id));
		return id;
	}

	function add(seed: MemoryContactSeed): MemoryContact {
		const contact: MemoryContact = {
			id: seed.id ?? freshId(),
			whatsappPhone: seed.whatsappPhone,
			whatsappLid: seed.whatsappLid ?? null,
			phones: [...(seed.phones ?? [])],
			name: seed.name ?? null,
			about: seed.about ?? null,
			source: seed.source ?? 'manual',
		};
		if (contacts.some((c) => c.id === contact.id)) throw new Error(`duplicate contact id ${contact.id}`);
		if (contact.whatsappPhone !== null && contacts.some((c) => c.whatsappPhone === contact.whatsappPhone)) {
			throw new Error(`duplicate whatsappPhone for contact ${contact.id}`);
		}
		if (contact.whatsappLid !== null && contacts.some((c) => c.whatsappLid === contact.whatsappLid)) {
			throw new Error(`duplicate whatsappLid for contact ${contact.id}`);
		}
		contacts.push(contact);
		return copy(contact);
	}

	for (const seed of seeds) add(seed);

	return {
		add,
		all: () => contacts.map(copy),
		merges: () => merges.map((m) => ({ ...m })),
		async findOrCreate({ forms, lid = null, createIfMissing, profile, profileUpdate }: ContactLookup): Promise<ContactMatch<MemoryContact>> {
			await tick();
			// No await from here on: atomic, like the PostgreSQL store's transaction under the number's (and lid's) lock.
			const byLid = lid === null ? undefined : contacts.find((contact) => contact.whatsappLid === lid);
			const found = forms.length === 0 ? undefined : byNumber(forms);
			let result: ContactMatch<MemoryContact> & { contact: MemoryContact };
			if (found) {
				result = { ...found };
				// The profile first, then the merge fills in what is still missing (as FIND_OR_CREATE_CONTACT, then merge_contact).
				updateProfile(found.contact, profile, profileUpdate);
				if (byLid && byLid !== found.contact) {
					merge(byLid, found.contact);
					result.mergedContactId = byLid.id;
				}
			} else if (byLid) {
				if (forms.length > 0 && byLid.whatsappPhone === null) byLid.whatsappPhone = forms[0]!;
				result = { contact: byLid, matchedBy: 'whatsapp_lid' };
				updateProfile(byLid, profile, profileUpdate);
			} else {
				if (!createIfMissing || (forms.length === 0 && lid === null)) return { contact: null, matchedBy: 'not_found' };
				const created = add({ whatsappPhone: forms[0] ?? null, whatsappLid: lid, ...profile, source: 'whatsapp' });
				return { contact: created, matchedBy: 'created' };
			}
			if (lid !== null) result.contact.whatsappLid = lid;
			return { ...result, contact: copy(result.contact) };
		},
	};
}
