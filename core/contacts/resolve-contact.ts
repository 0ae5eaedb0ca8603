/**
 * The contact-matching rule:
 *   1. a contact whose `whatsapp_phone` is the number (or one of its equivalent forms);
 *   2. else a contact listing one of those forms in its `phones`;
 *   3. else, when asked, create one with `source: 'whatsapp'` (atomically: a
 *      concurrent creator that won the race — with the number or an equivalent
 *      form — is returned as a `whatsapp_phone` or `phones` match).
 * The store does the I/O; this module only decides. Errors never echo a phone number.
 */
import { isE164 } from '../phone/e164';
import type { ContactStore, ResolveResult } from './types';

export interface ResolveContactInput {
	/** The number, already normalized to E.164. */
	phone: string;
	name?: string | null;
	about?: string | null;
}

export interface ResolveContactOptions {
	createIfMissing: boolean;
	/**
	 * The number itself and its equivalent E.164 forms (e.g. Brazilian mobiles
	 * with and without the ninth digit); `equivalentPhoneForms` from core/phone
	 * fits. Default: only the number itself.
	 */
	equivalentForms?: (e164: string) => string[];
}

/** `[phone, ...equivalents]` without duplicates, in order. Throws if an equivalent is not E.164. */
export function searchForms(phone: string, equivalentForms?: (e164: string) => string[]): string[] {
	const forms = [phone];
	for (const form of equivalentForms ? equivalentForms(phone) : []) {
		if (!isE164(form)) throw new TypeError('equivalentForms returned a value that is not an E.164 number');
		if (!forms.includes(form)) forms.push(form);
	}
	return forms;
}

/** Finds (or creates) the contact for a WhatsApp number by the rule above. */
export async function resolveContact<C>(
	store: ContactStore<C>,
	input: ResolveContactInput,
	options: ResolveContactOptions,
): Promise<ResolveResult<C>> {
	if (!isE164(input?.phone)) {
		throw new TypeError('phone must be an E.164 number: "+" then 7 to 15 digits, the first not 0 (normalize it first)');
	}
	const { phone } = input;
	const searchedForms = searchForms(phone, options.equivalentForms);

	const byWhatsApp = await store.findByWhatsAppPhone(searchedForms);
	if (byWhatsApp !== null) return { contact: byWhatsApp, matchedBy: 'whatsapp_phone', searchedForms };

	const byPhones = await store.findByPhonesEntry(searchedForms);
	if (byPhones !== null) return { contact: byPhones, matchedBy: 'phones', searchedForms };

	if (!options.createIfMissing) return { contact: null, matchedBy: 'not_found', searchedForms };

	const { contact, created, matchedBy } = await store.insertOrGet(
		{
			whatsappPhone: phone,
			name: input.name ?? null,
			about: input.about ?? null,
			source: 'whatsapp',
		},
		searchedForms,
	);
	return { contact, matchedBy: created ? 'created' : (matchedBy ?? 'whatsapp_phone'), searchedForms };
}
