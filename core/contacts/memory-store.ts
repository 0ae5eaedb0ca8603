/**
 * An in-memory ContactStore that behaves like the PostgreSQL one
 * (crm/contacts.ts): `whatsapp_phone` is unique, `findOrCreate` decides in
 * the same order and is atomic, the profile is updated by the same rule, and
 * every read returns a copy (mutating a result does not change the store).
 * Each call yields first, so concurrent callers interleave as they would
 * against a database.
 */
import type { ContactLookup, ContactMatch, ContactProfile, ContactStore, ProfileUpdateMode } from './types';

export interface MemoryContact {
	id: string;
	/** E.164, unique among contacts; null for contacts known only by `phones`. */
	whatsappPhone: string | null;
	/** Other numbers of the contact (E.164). */
	phones: string[];
	name: string | null;
	about: string | null;
	source: string;
}

/** A contact to seed the store with; the id is generated when omitted. */
export type MemoryContactSeed = Partial<MemoryContact> & Pick<MemoryContact, 'whatsappPhone'>;

export interface MemoryContactStore extends ContactStore<MemoryContact> {
	/** Adds a contact (e.g. one created by hand in the CRM). Throws on a duplicate `whatsappPhone` or id. */
	add(seed: MemoryContactSeed): MemoryContact;
	/** Copies of every contact, in insertion order. */
	all(): MemoryContact[];
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
	let nextId = 1;

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
			phones: [...(seed.phones ?? [])],
			name: seed.name ?? null,
			about: seed.about ?? null,
			source: seed.source ?? 'manual',
		};
		if (contacts.some((c) => c.id === contact.id)) throw new Error(`duplicate contact id ${contact.id}`);
		if (contact.whatsappPhone !== null && contacts.some((c) => c.whatsappPhone === contact.whatsappPhone)) {
			throw new Error(`duplicate whatsappPhone for contact ${contact.id}`);
		}
		contacts.push(contact);
		return copy(contact);
	}

	for (const seed of seeds) add(seed);

	return {
		add,
		all: () => contacts.map(copy),
		async findOrCreate({ forms, createIfMissing, profile, profileUpdate }: ContactLookup): Promise<ContactMatch<MemoryContact>> {
			await tick();
			// No await from here on: atomic, like the PostgreSQL store's transaction under the number's lock.
			const byWhatsApp = firstFor(forms, (contact, form) => contact.whatsappPhone === form);
			const byPhones = byWhatsApp ? undefined : firstFor(forms, (contact, form) => contact.phones.includes(form));
			const matched = byWhatsApp ?? byPhones;
			if (matched) {
				updateProfile(matched, profile, profileUpdate);
				return { contact: copy(matched), matchedBy: byWhatsApp ? 'whatsapp_phone' : 'phones' };
			}
			if (!createIfMissing || forms.length === 0) return { contact: null, matchedBy: 'not_found' };
			return { contact: add({ whatsappPhone: forms[0]!, ...profile, source: 'whatsapp' }), matchedBy: 'created' };
		},
	};
}
