/**
 * An in-memory ContactStore that behaves like the Postgres one: `whatsapp_phone`
 * is unique, `insertOrGet` is atomic over the equivalent forms it is given,
 * lookups prefer the earlier form, and
 * every read returns a copy (mutating a result does not change the store).
 * Each call yields to the event loop first, so concurrent callers interleave
 * as they would against a database.
 */
import type { ContactFields, ContactStore } from './types';

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

function tick(): Promise<void> {
	return new Promise((resolve) => setImmediate(resolve));
}

export function createMemoryContactStore(seeds: MemoryContactSeed[] = []): MemoryContactStore {
	const contacts: MemoryContact[] = [];
	let nextId = 1;

	function findFirst(forms: string[], matches: (contact: MemoryContact, form: string) => boolean): MemoryContact | null {
		for (const form of forms) {
			const found = contacts.find((contact) => matches(contact, form));
			if (found) return copy(found);
		}
		return null;
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
		async findByWhatsAppPhone(forms) {
			await tick();
			return findFirst(forms, (contact, form) => contact.whatsappPhone === form);
		},
		async findByPhonesEntry(forms) {
			await tick();
			return findFirst(forms, (contact, form) => contact.phones.includes(form));
		},
		async insertOrGet(fields: ContactFields, forms: string[] = []) {
			await tick();
			// No await between the checks and the insert: atomic, like the Postgres store's
			// lock on the number's equivalent forms followed by INSERT … ON CONFLICT.
			const all = [fields.whatsappPhone, ...forms.filter((form) => form !== fields.whatsappPhone)];
			const byWhatsApp = findFirst(all, (contact, form) => contact.whatsappPhone === form);
			if (byWhatsApp) return { contact: byWhatsApp, created: false, matchedBy: 'whatsapp_phone' as const };
			const byPhones = findFirst(all, (contact, form) => contact.phones.includes(form));
			if (byPhones) return { contact: byPhones, created: false, matchedBy: 'phones' as const };
			const contact = add({ ...fields, phones: [] });
			return { contact, created: true };
		},
	};
}
