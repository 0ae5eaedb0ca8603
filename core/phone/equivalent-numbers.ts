/**
 * The forms one WhatsApp account's number may take in stored data.
 *
 * A few countries changed how mobile numbers are written while WhatsApp kept
 * (or still uses) the old form for accounts, and people's address books and
 * CRMs hold either. Matching a contact must therefore try each known national
 * equivalent — and nothing else: dropping or adding arbitrary leading digits
 * ("match the last 8 digits") makes numbers of different people, even of
 * different countries, collide. Each rule below is anchored on the full
 * country code and the exact length of the national number, and produces
 * exactly one alternative.
 */
import { isE164 } from './e164';

/**
 * Brazil (+55): in 2012–2016 Anatel prefixed every mobile number with a ninth
 * digit `9` (`+55 11 8765-4321` became `+55 11 98765-4321`). Accounts
 * registered before that often still have the 8-digit JID/`wa_id`
 * (`551187654321`), while people store the 9-digit number, or the reverse.
 * Only mobile ranges took the extra 9: old 8-digit mobiles began with 6–9
 * (landlines begin with 2–5 and never got a 9), so `+55 AA 9XXXXXXXX` ↔
 * `+55 AA XXXXXXXX` only when XXXXXXXX starts with 6–9.
 */
function brazilForm(national: string): string | null {
	// national = 2-digit area code (DDD, 11–99, no zero) + subscriber number.
	const ddd = national.slice(0, 2);
	const subscriber = national.slice(2);
	if (!/^[1-9]{2}$/.test(ddd)) return null;
	if (/^9[6-9]\d{7}$/.test(subscriber)) return `+55${ddd}${subscriber.slice(1)}`;
	if (/^[6-9]\d{7}$/.test(subscriber)) return `+55${ddd}9${subscriber}`;
	return null;
}

/**
 * Mexico (+52): mobiles used to be dialled from abroad as `+52 1` + 10 digits.
 * Mexico dropped the `1` in 2019-2020, but WhatsApp JIDs and Meta `wa_id`s of
 * Mexican mobiles still carry it (`5215512345678`), while stored numbers
 * usually do not. Mexican national numbers are 10 digits starting 2–9.
 * The canonical form is the modern one, `+52` + 10 digits (see
 * `canonicalPhoneForm`).
 */
function mexicoForm(national: string): string | null {
	if (/^1[2-9]\d{9}$/.test(national)) return `+52${national.slice(1)}`;
	if (/^[2-9]\d{9}$/.test(national)) return `+521${national}`;
	return null;
}

/**
 * Argentina (+54): mobiles are written internationally with a `9` after the
 * country code (`+54 9 11 2345-6789`), which is the form WhatsApp uses, while
 * a number stored without it (`+54 11 2345-6789`, how it is dialled
 * nationally without the `15`) reaches the same phone. Argentine national
 * numbers are 10 digits and area codes start with 1, 2 or 3.
 *
 * The national `15` mobile prefix (`011 15-2345-6789`) needs no rule here: it
 * is never part of an E.164 number, and libphonenumber already rewrites it to
 * the `9` form while parsing (`011 15 2345 6789` with country AR, and even
 * `+54 11 15 2345 6789`, both give `+5491123456789`), so every number that
 * went through `parseWhatsAppId` is already in one of the two forms above.
 */
function argentinaForm(national: string): string | null {
	if (/^9[1-3]\d{9}$/.test(national)) return `+54${national.slice(1)}`;
	if (/^[1-3]\d{9}$/.test(national)) return `+549${national}`;
	return null;
}

const RULES: Array<{ countryCode: string; form: (national: string) => string | null }> = [
	{ countryCode: '55', form: brazilForm },
	{ countryCode: '52', form: mexicoForm },
	{ countryCode: '54', form: argentinaForm },
];

/**
 * `e164` first, then the other forms the same WhatsApp account's number may
 * be stored as (at most one more, see the rules above). No duplicates. An
 * input that is not E.164 (`+` and 7–15 digits) gives an empty list.
 *
 * equivalentPhoneForms('+5511987654321') → ['+5511987654321', '+551187654321']
 * equivalentPhoneForms('+551133334444')  → ['+551133334444'] (a landline)
 */
export function equivalentPhoneForms(e164: string): string[] {
	if (!isE164(e164)) return [];
	const forms = [e164];
	const digits = e164.slice(1);
	for (const rule of RULES) {
		if (!digits.startsWith(rule.countryCode)) continue;
		const other = rule.form(digits.slice(rule.countryCode.length));
		if (other !== null && !forms.includes(other)) forms.push(other);
	}
	return forms;
}

/**
 * The form a number is stored and shown in (a new contact's whatsapp_phone):
 * the number's current E.164 form under its national plan. Only Mexico's
 * differs from what WhatsApp gives: `+52 1` + 10 digits (WhatsApp's JIDs and
 * Meta's `wa_id`s) becomes `+52` + 10 digits, the form Mexico has dialled
 * since 2020 and libphonenumber validates. Matching still finds either form
 * (`equivalentPhoneForms`), and sending works to either (the sidecar tries
 * the equivalent forms; Meta's Cloud API takes the modern one). Brazil's old
 * 8-digit form is kept as it is: it is the account's own number, not an
 * old way of writing the 9-digit one. Anything else, and anything not E.164,
 * is returned unchanged.
 *
 * canonicalPhoneForm('+5215512345678') → '+525512345678'
 */
export function canonicalPhoneForm(e164: string): string {
	if (!isE164(e164) || !e164.startsWith('+521')) return e164;
	const national = e164.slice(3);
	return /^1[2-9]\d{9}$/.test(national) ? `+52${national.slice(1)}` : e164;
}

/**
 * The form WhatsApp's own ids use for a number, where it differs from the
 * canonical one: Mexico's `+52` + 10 digits → `+52 1` + 10 digits (the inverse
 * of `canonicalPhoneForm`). Anything else is returned unchanged. The sidecar
 * looks this form up when WhatsApp does not know the number as given.
 *
 * whatsAppPhoneForm('+525512345678') → '+5215512345678'
 */
export function whatsAppPhoneForm(e164: string): string {
	if (!isE164(e164) || !e164.startsWith('+52')) return e164;
	const national = e164.slice(3);
	return /^[2-9]\d{9}$/.test(national) ? `+521${national}` : e164;
}
