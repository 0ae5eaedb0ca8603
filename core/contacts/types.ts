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
	 * Create the contact atomically: when another writer created one first with
	 * the same `whatsapp_phone` — or with one of `forms` (the number's equivalent
	 * E.164 forms, as searched, best first) as its `whatsapp_phone` or in its
	 * `phones` — return that one with `created: false` and how it matched
	 * (never an unguarded read-then-write: concurrent first messages in
	 * equivalent forms create one contact). `forms` defaults to the number itself.
	 */
	insertOrGet(fields: ContactFields, forms?: string[]): Promise<InsertOrGetResult<C>>;
}

export interface InsertOrGetResult<C> {
	contact: C;
	created: boolean;
	/** How an existing contact matched (when `created` is false); 'whatsapp_phone' when absent. */
	matchedBy?: 'whatsapp_phone' | 'phones';
}

export interface ResolveResult<C> {
	contact: C | null;
	matchedBy: MatchedBy;
	/** The E.164 forms that were searched, in order. */
	searchedForms: string[];
}
