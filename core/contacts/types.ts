/**
 * Contact matching is a pure rule over a store: the store does the I/O
 * (Postgres in the nodes, an in-memory map in tests), the rule decides.
 */
export type MatchedBy = 'whatsapp_phone' | 'phones' | 'created' | 'not_found';

export interface ContactFields {
	/** E.164 number of the contact's WhatsApp account. */
	whatsappPhone: string;
	name: string | null;
	about: string | null;
	source: 'whatsapp';
}

export interface ContactStore<C> {
	/** A contact whose `whatsapp_phone` equals one of these E.164 forms (first form preferred). */
	findByWhatsAppPhone(forms: string[]): Promise<C | null>;
	/** A contact whose `phones` list contains one of these forms (first form preferred). */
	findByPhonesEntry(forms: string[]): Promise<C | null>;
	/**
	 * Create the contact atomically: when another writer created one with the
	 * same `whatsapp_phone` first, return that one with `created: false`
	 * (INSERT … ON CONFLICT, never read-then-write).
	 */
	insertOrGet(fields: ContactFields): Promise<{ contact: C; created: boolean }>;
}

export interface ResolveResult<C> {
	contact: C | null;
	matchedBy: MatchedBy;
	/** The E.164 forms that were searched, in order. */
	searchedForms: string[];
}
