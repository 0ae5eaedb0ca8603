import type { CountryCode } from 'libphonenumber-js';

/**
 * What a phone number, a Meta `wa_id` or a WhatsApp JID turned out to be.
 * - `person`: a person's WhatsApp account; `e164` is set.
 * - `group` (`…@g.us`), `broadcast` (`…@broadcast`), `status` (`status@broadcast`),
 *   `channel` (`…@newsletter`): not contacts.
 * - `lid`: a privacy id with no phone number in it: WhatsApp Web's `…@lid`, or
 *   Meta's business-scoped user id (`BR.1502576394655843`; `user` holds it, `server` is null).
 * - `invalid`: not a usable number or id; `reason` says why.
 */
export type WhatsAppIdKind = 'person' | 'group' | 'broadcast' | 'status' | 'channel' | 'lid' | 'invalid';

export interface ParsedWhatsAppId {
	kind: WhatsAppIdKind;
	/** The input as given, trimmed. */
	input: string;
	/**
	 * E.164 (`+5511987654321`) for `person`; null otherwise. For ids WhatsApp
	 * itself issued (JIDs, `wa_id`s) this is the form WhatsApp uses, which for
	 * Mexico (`+521…`) and old Brazilian mobiles (8-digit subscriber) is not
	 * libphonenumber's canonical form: compare numbers with
	 * `equivalentPhoneForms`, never with `===` alone.
	 */
	e164: string | null;
	/** The ISO country of the number, when known. */
	country: CountryCode | null;
	/** The user part of a JID (`5511987654321`, `120363…` for a group, the LID digits); null for plain numbers. */
	user: string | null;
	/** The JID server (`c.us`, `s.whatsapp.net`, `g.us`, `broadcast`, `newsletter`, `lid`); null for plain numbers. */
	server: string | null;
	/** The device suffix of a JID (`:12` → 12), when present. */
	device: number | null;
	/** For `invalid`: a short, human reason. */
	reason: string | null;
}

export interface ParseOptions {
	/** Country used for numbers written without a country code (e.g. `'BR'`). Without it such numbers are invalid. */
	defaultCountry?: CountryCode;
	/**
	 * How to read a string of bare digits (no `+`, no formatting), which is
	 * ambiguous: `5511987654321` is a Meta `wa_id`, `2015550123` is a US
	 * national number that also reads as a valid Egyptian one.
	 * - `international_first` (default): as a `wa_id` (international) first,
	 *   as a national number of `defaultCountry` only if that is invalid. Right
	 *   for anything that came from WhatsApp or Meta.
	 * - `national_first`: the other way round. Right for numbers typed by
	 *   people of one country (a CRM's own phone column) when `defaultCountry` is set.
	 */
	bareDigits?: 'international_first' | 'national_first';
}

export type { CountryCode };
