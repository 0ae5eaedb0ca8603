/**
 * Contact matching: core/contacts/resolve-contact.ts checks the input and
 * computes the number's forms once; the store (PostgreSQL in crm/contacts.ts,
 * an in-memory one in ./memory-store.ts) finds or creates the contact in one
 * atomic step that owns the order: `whatsapp_phone` → `phones` → create, and
 * for a hidden-number sender (a WhatsApp lid) `whatsapp_lid` → create; when
 * both the phone and the lid are known, the lid's contact merges into the
 * phone's.
 */
export type MatchedBy = 'whatsapp_phone' | 'phones' | 'whatsapp_lid' | 'created' | 'not_found';

/**
 * When a matched contact's name and About text are updated from WhatsApp:
 * - fillMissing: only when the contact has none yet (keeps what people typed in the CRM);
 * - overwriteChanged: whenever WhatsApp shows something different;
 * - never.
 * An unknown value (null) never erases a stored one. A contact created by the
 * lookup gets the profile as it is, whatever the mode.
 */
export type ProfileUpdateMode = 'fillMissing' | 'overwriteChanged' | 'never';

export const PROFILE_UPDATE_MODES: readonly ProfileUpdateMode[] = ['fillMissing', 'overwriteChanged', 'never'];

/** WhatsApp's profile of the number: trimmed text, null when unknown or blank. */
export interface ContactProfile {
	name: string | null;
	about: string | null;
}

/** What a store's `findOrCreate` is asked. */
export interface ContactLookup {
	/**
	 * The E.164 forms to search, best first: the number itself, then its
	 * equivalent forms (see `contactSearchForms`). A new contact gets the
	 * first one as its `whatsapp_phone`. Empty for a lid-only sender.
	 */
	forms: string[];
	/**
	 * The person's WhatsApp lid (core/phone's `whatsAppLidOf`: `<digits>@lid` or
	 * Meta's business-scoped user id), when known; absent or null otherwise.
	 * - Without `forms`: the contact with this lid, else (when asked) a new one with it.
	 * - With `forms`: the phone decides the contact as usual; a contact known
	 *   only by this lid merges into it (interactions moved), or — when no
	 *   contact has the number — is the contact and gets the number; the lid
	 *   is recorded on the contact.
	 */
	lid?: string | null;
	/** Create the contact (source "whatsapp") when none matches. */
	createIfMissing: boolean;
	profile: ContactProfile;
	/** How a matched contact's name and About text follow `profile`. */
	profileUpdate: ProfileUpdateMode;
}

export interface ContactMatch<C> {
	/** The contact (after any profile update), or null when none matched and none was created. */
	contact: C | null;
	matchedBy: MatchedBy;
	/** The id of the lid-only contact that was merged into `contact` by this lookup, if one was. */
	mergedContactId?: string;
}

export interface ContactStore<C> {
	/**
	 * In one atomic step: the contact whose `whatsapp_phone` is one of `forms`
	 * (earliest form first); else one listing one of `forms` in its `phones`
	 * (earliest form, then the oldest contact); else, when asked, a new one —
	 * never two contacts for one number, whatever runs concurrently, and
	 * whichever form each writer was given. A matched contact's profile is
	 * updated as `profileUpdate` says, in the same step. With a `lid`, see
	 * ContactLookup.lid: never two contacts for one lid either.
	 */
	findOrCreate(lookup: ContactLookup): Promise<ContactMatch<C>>;
}

export interface ResolveResult<C> extends ContactMatch<C> {
	/** The E.164 forms that were searched, in order. */
	searchedForms: string[];
}
