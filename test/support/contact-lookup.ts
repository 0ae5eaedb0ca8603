import type { ContactLookup } from '../../core/contacts/types';

/** A ContactStore lookup of `forms` that creates nothing and leaves profiles alone, unless told otherwise. */
export const lookup = (forms: string[], extra: Partial<ContactLookup> = {}): ContactLookup => ({
	forms,
	createIfMissing: false,
	profile: { name: null, about: null },
	profileUpdate: 'never',
	...extra,
});
