import type { CountryCode } from 'libphonenumber-js';

/**
 * What a phone number, a Meta `wa_id` or a WhatsApp JID turned out to be.
 * - `person`: a person's WhatsApp account; `e164` is set.
 * - `group` (`…@g.us`), `broadcast` (`…@broadcast`), `status` (`status@broadcast`),
 *   `channel` (`…@newsletter`): not contacts.
 * - `lid`: a privacy id (`…@lid`) with no phone number in it.
 * - `invalid`: not a usable number or id; `reason` says why.
 */
export type WhatsAppIdKind = 'person' | 'group' | 'broadcast' | 'status' | 'channel' | 'lid' | 'invalid';

export interface ParsedWhatsAppId {
	kind: WhatsAppIdKind;
	/** The input as given, trimmed. */
	input: string;
	/** E.164 (`+5511987654321`) for `person`; null otherwise. */
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
}

export type { CountryCode };
