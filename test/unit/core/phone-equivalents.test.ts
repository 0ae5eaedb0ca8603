import { canonicalPhoneForm, equivalentPhoneForms, parseWhatsAppId, whatsAppPhoneForm } from '../../../core/phone';

describe('equivalentPhoneForms: the three national mobile-prefix cases, both directions', () => {
	it.each([
		['Brazil, 9-digit → legacy 8-digit', '+5511987654321', '+551187654321'],
		['Brazil, legacy 8-digit → 9-digit', '+551187654321', '+5511987654321'],
		['Brazil, a mobile starting 96 (Salvador)', '+5571967891234', '+557167891234'],
		['Brazil, legacy mobile starting 6', '+556168234567', '+5561968234567'],
		['Mexico, WhatsApp +52 1 form → national form', '+5215512345678', '+525512345678'],
		['Mexico, national form → WhatsApp +52 1 form', '+525512345678', '+5215512345678'],
		['Argentina, +54 9 mobile → without 9', '+5491123456789', '+541123456789'],
		['Argentina, without 9 → +54 9 mobile', '+541123456789', '+5491123456789'],
		['Argentina, Córdoba (3-digit area code)', '+5493514123456', '+543514123456'],
	])('%s', (_case, number, other) => {
		expect(equivalentPhoneForms(number)).toEqual([number, other]);
		// The relation is symmetric: each form leads back to the other.
		expect(equivalentPhoneForms(other)).toEqual([other, number]);
	});
});

describe('equivalentPhoneForms: no false equivalents', () => {
	it('gives a Brazilian landline no ninth-digit form', () => {
		expect(equivalentPhoneForms('+551133334444')).toEqual(['+551133334444']);
		expect(equivalentPhoneForms('+552125551234')).toEqual(['+552125551234']);
	});
	it('gives a Brazilian 9-digit number whose 8-digit rest is not a mobile range no short form', () => {
		// 9 1234-5678 without the 9 would start with 1: never a mobile, so never an old form of this number.
		expect(equivalentPhoneForms('+5511912345678')).toEqual(['+5511912345678']);
	});
	it.each([
		['US', '+12133734253'],
		['GB', '+447400123456'],
		['DE', '+4915123456789'],
		['IN', '+919876543210'],
		['NG', '+2348031234567'],
		['ID', '+6281234567890'],
		['FR', '+33612345678'],
		['ES', '+34612345678'],
		['ZA', '+27821234567'],
		['PT', '+351912345678'],
		['JP', '+819012345678'],
	])('gives a %s number only itself', (_country, number) => {
		expect(equivalentPhoneForms(number)).toEqual([number]);
	});
	it('never makes a number of another country match a Brazilian one', () => {
		// Same trailing digits, different countries: a "last 8 digits" rule would match these.
		const brazil = equivalentPhoneForms('+5511987654321');
		for (const other of ['+4911987654321', '+3511987654321', '+11987654321', '+5411987654321', '+5211987654321']) {
			const forms = equivalentPhoneForms(other);
			expect(forms.filter((form) => brazil.includes(form))).toEqual([]);
		}
	});
	it('does not touch numbers of other countries whose code starts like 55, 52 or 54', () => {
		// 5 is shared by many country codes (+501 Belize, +591 Bolivia, +598 Uruguay…): anchoring on the full code matters.
		for (const number of ['+5016221234', '+59171234567', '+59894231234', '+5511', '+525']) {
			const forms = equivalentPhoneForms(number);
			expect(forms.length).toBeLessThanOrEqual(1);
		}
	});
	it('lists each form once and the input first', () => {
		const forms = equivalentPhoneForms('+5511987654321');
		expect(forms[0]).toBe('+5511987654321');
		expect(new Set(forms).size).toBe(forms.length);
	});
	it('returns nothing for input that is not E.164', () => {
		for (const bad of ['5511987654321', '+55 11 98765-4321', '', '5511987654321@c.us', undefined as unknown as string]) {
			expect(equivalentPhoneForms(bad)).toEqual([]);
		}
	});
});

describe('parse then compare: how contact matching uses the two', () => {
	it.each([
		// What WhatsApp sends vs. what a person typed into the CRM.
		['551187654321@c.us', '+55 11 98765-4321'],
		['5215512345678', '55 1234 5678'],
		['5491123456789@s.whatsapp.net', '011 2345-6789'],
	])('%s matches the stored %s', (fromWhatsApp, stored) => {
		const country = fromWhatsApp.startsWith('55') ? 'BR' : fromWhatsApp.startsWith('52') ? 'MX' : 'AR';
		const incoming = parseWhatsAppId(fromWhatsApp).e164 as string;
		const storedE164 = parseWhatsAppId(stored, { defaultCountry: country }).e164 as string;
		expect(incoming).not.toBe(storedE164);
		expect(equivalentPhoneForms(incoming)).toContain(storedE164);
	});
});

describe("canonicalPhoneForm (how a contact is stored and shown) and whatsAppPhoneForm (the form WhatsApp's ids use)", () => {
	it.each([
		// Mexico: WhatsApp's +52 1 mobile form ↔ the modern +52 + 10 digits.
		['+5215512345678', '+525512345678', '+5215512345678'],
		['+525512345678', '+525512345678', '+5215512345678'],
		// Everything else unchanged, Brazil's old 8-digit accounts included.
		['+551187654321', '+551187654321', '+551187654321'],
		['+5511987654321', '+5511987654321', '+5511987654321'],
		['+5491123456789', '+5491123456789', '+5491123456789'],
		['+14155550100', '+14155550100', '+14155550100'],
		// +521 followed by something that is not a 10-digit Mexican number.
		['+52155123456', '+52155123456', '+52155123456'],
		['not a number', 'not a number', 'not a number'],
	])('%s → stored as %s, looked up on WhatsApp as %s', (input, canonical, whatsApp) => {
		expect(canonicalPhoneForm(input)).toBe(canonical);
		expect(whatsAppPhoneForm(input)).toBe(whatsApp);
	});
	it('the canonical form is one of the equivalent forms, and libphonenumber-valid for Mexico', () => {
		const canonical = canonicalPhoneForm('+5215512345678');
		expect(equivalentPhoneForms('+5215512345678')).toContain(canonical);
		expect(equivalentPhoneForms(canonical)).toContain('+5215512345678');
		expect(parseWhatsAppId(canonical)).toMatchObject({ kind: 'person', e164: canonical, country: 'MX' });
	});
});
