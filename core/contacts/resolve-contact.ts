/**
 * Resolving a WhatsApp number (or a hidden-number sender's lid) to a contact:
 * the input is checked and the number's forms are computed here, once; the
 * store decides the match in one atomic step (ContactStore.findOrCreate:
 * `whatsapp_phone`, then `phones`, then create with source "whatsapp"; a lid
 * alone: `whatsapp_lid`, then create; both: the lid's contact merges into the
 * number's). Errors never echo a phone number or a lid.
 */
import { isE164 } from '../phone/e164';
import type { ContactProfile, ContactStore, ProfileUpdateMode, ResolveResult } from './types';

export interface ResolveContactInput {
	/** The number, already normalized to E.164; null for a sender known only by its lid. */
	phone: string | null;
	/** The sender's WhatsApp lid (core/phone's `whatsAppLidOf`), when known. */
	lid?: string | null;
	name?: string | null;
	about?: string | null;
}

export interface ResolveContactOptions {
	createIfMissing: boolean;
	/** How a matched contact's name and About text follow the input's (default: never). */
	profileUpdate?: ProfileUpdateMode;
	/**
	 * The number itself and its equivalent E.164 forms (e.g. Brazilian mobiles
	 * with and without the ninth digit); `equivalentPhoneForms` from core/phone
	 * fits. Default: only the number itself.
	 */
	equivalentForms?: (e164: string) => string[];
	/**
	 * The form the number is searched first in and a new contact is created
	 * with (e.g. Mexico's modern `+52` + 10 digits for WhatsApp's `+521…`);
	 * `canonicalPhoneForm` from core/phone fits. Default: the number as given.
	 */
	canonicalForm?: (e164: string) => string;
}

/** `[phone, ...equivalents]` without duplicates, in order. Throws if an equivalent is not E.164. */
export function contactSearchForms(phone: string, equivalentForms?: (e164: string) => string[]): string[] {
	const forms = [phone];
	for (const form of equivalentForms ? equivalentForms(phone) : []) {
		if (!isE164(form)) throw new TypeError('equivalentForms returned a value that is not an E.164 number');
		if (!forms.includes(form)) forms.push(form);
	}
	return forms;
}

/** Trimmed text, or null when absent or blank: "unknown" is never stored as ''. */
export function profileText(value: unknown): string | null {
	if (typeof value !== 'string') return null;
	const trimmed = value.trim();
	return trimmed === '' ? null : trimmed;
}

function profileOf(input: ResolveContactInput): ContactProfile {
	return { name: profileText(input.name), about: profileText(input.about) };
}

/** The lid of the input: a non-blank string without spaces, or null when absent. */
function lidOf(input: ResolveContactInput): string | null {
	const lid = input?.lid;
	if (lid === undefined || lid === null) return null;
	if (typeof lid !== 'string' || !/^\S{1,200}$/.test(lid)) throw new TypeError('lid must be a WhatsApp lid (whatsAppLidOf from core/phone)');
	return lid;
}

/** Finds (or creates) the contact for a WhatsApp number and/or lid, in one call to the store. */
export async function resolveContact<C>(
	store: ContactStore<C>,
	input: ResolveContactInput,
	options: ResolveContactOptions,
): Promise<ResolveResult<C>> {
	const lid = lidOf(input);
	const phone = input?.phone ?? null;
	if (phone === null ? lid === null : !isE164(phone)) {
		throw new TypeError('phone must be an E.164 number: "+" then 7 to 15 digits, the first not 0 (normalize it first)');
	}
	const canonical = phone === null ? null : (options.canonicalForm?.(phone) ?? phone);
	if (canonical !== null && !isE164(canonical)) throw new TypeError('canonicalForm returned a value that is not an E.164 number');
	const searchedForms = canonical === null ? [] : contactSearchForms(canonical, options.equivalentForms);
	// The number as given is always searched, even when the canonical form's equivalents do not list it.
	if (phone !== null && !searchedForms.includes(phone)) searchedForms.push(phone);
	const match = await store.findOrCreate({
		forms: searchedForms,
		lid,
		createIfMissing: options.createIfMissing,
		profile: profileOf(input),
		profileUpdate: options.profileUpdate ?? 'never',
	});
	return { ...match, searchedForms };
}
