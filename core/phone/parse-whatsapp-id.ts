/**
 * One entry point for everything that names a WhatsApp party: a phone number
 * as people write it, a Meta `wa_id`, or a WhatsApp JID. Returns a value
 * object (see ./types) and never throws.
 *
 * Metadata choice: `libphonenumber-js/min`, not `/max`.
 * - Nothing here needs the number's type (mobile or fixed line): WhatsApp
 *   accounts exist on landlines too (WhatsApp Business), and the national
 *   equivalence rules (./equivalent-numbers) are defined on digits, not on
 *   libphonenumber's type patterns. `max` is only needed for `getType()` and
 *   digit-exact validation.
 * - Most ids we parse were issued by WhatsApp itself, so they belong to real
 *   accounts; what we must check is their shape (a country code that exists,
 *   a possible length for it), which `min` does. `max`'s digit patterns reject
 *   numbers WhatsApp really uses — an old Brazilian 8-digit mobile `wa_id`
 *   such as `551187654321` is invalid under `max` and valid under `min` — and
 *   ranges allocated after the installed metadata was built.
 * - `min` is about 80 kB against 145 kB, loaded by both the n8n nodes and the sidecar.
 * Neither set accepts Mexico's `+52 1` mobile form, which WhatsApp still
 * uses: any number is accepted when it, or one of its known national
 * equivalents, is valid (see `acceptCandidate`).
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/min';
import type { CountryCode, ParseOptions, ParsedWhatsAppId, WhatsAppIdKind } from './types';
import { equivalentPhoneForms } from './equivalent-numbers';

export { isE164, toChatJid, formatForMeta } from './e164';

/** libphonenumber itself refuses longer input; nothing legitimate is this long. */
const MAX_INPUT_LENGTH = 250;
/** A device suffix is a small number (0 = the phone, 99 = a hosted Cloud API device). */
const DEVICE_PATTERN = /^\d{1,4}$/;
/** Digits and the separators people put between them. */
const FORMATTED_DIGITS_PATTERN = /^[\d\s\-.()/\u00a0]+$/;
/**
 * An extension after the number, as CRMs store it: `ext. 99`, `ext 99`,
 * `extension 99`, `x99`, `#99`, `;ext=99` (RFC 3966). WhatsApp accounts have
 * no extension, so it is dropped and the number matched without it.
 */
const EXTENSION_SUFFIX = /\s*(?:;\s*ext\s*=|,?\s*(?:ext(?:ension)?\.?|x|#))\s*\d{1,10}\s*$/i;

/**
 * Meta's business-scoped user id (BSUID, from 2026, for users with a WhatsApp
 * username): `BR.1502576394655843`, or a parent id `US.ENT.11815799212886844830`.
 * Like a WhatsApp Web `@lid`, it names a person without their phone number.
 */
export const BSUID_PATTERN = /^[A-Z]{2}\.(?:ENT\.)?[A-Za-z0-9]{1,128}$/;

/** Parse a phone number, `wa_id` or JID. Never throws: bad input gives `kind: 'invalid'` with a `reason`. */
export function parseWhatsAppId(input: string, options: ParseOptions = {}): ParsedWhatsAppId {
	if (typeof input !== 'string') return invalid('', 'not a string');
	const trimmed = input.trim();
	if (trimmed === '') return invalid(trimmed, 'empty');
	if (trimmed.length > MAX_INPUT_LENGTH) return invalid(trimmed, 'too long');
	if (BSUID_PATTERN.test(trimmed)) return { ...base(trimmed, 'lid'), user: trimmed };
	try {
		if (trimmed.includes('@')) return parseJid(trimmed);
		const withoutExtension = trimmed.replace(EXTENSION_SUFFIX, '');
		return { ...parsePhone(withoutExtension === '' ? trimmed : withoutExtension, options), input: trimmed };
	} catch {
		// libphonenumber does not throw from parsePhoneNumberFromString; this is a guarantee, not a path we expect.
		return invalid(trimmed, 'could not be parsed');
	}
}

/**
 * The key a hidden-number person is known by in the CRM (contacts.whatsapp_lid):
 * `<digits>@lid` for a WhatsApp Web privacy id (the device suffix dropped, so
 * every device of the account gives the same key; `@hosted.lid` keeps its
 * server), or Meta's business-scoped user id as it is. Null for anything that
 * is not a lid.
 */
export function whatsAppLidOf(parsed: ParsedWhatsAppId): string | null {
	if (parsed.kind !== 'lid' || parsed.user === null) return null;
	return parsed.server === null ? parsed.user : `${parsed.user}@${parsed.server}`;
}

function base(input: string, kind: WhatsAppIdKind): ParsedWhatsAppId {
	return { kind, input, e164: null, country: null, user: null, server: null, device: null, reason: null };
}

function invalid(input: string, reason: string, jid?: { user: string; server: string; device: number | null }): ParsedWhatsAppId {
	return { ...base(input, 'invalid'), ...(jid ?? {}), reason };
}

/**
 * `user[:device]@server`. The server decides the kind; the user part must
 * have the shape that server uses (digits for people, LIDs, channels;
 * `digits` or `creator-timestamp` for groups).
 */
function parseJid(input: string): ParsedWhatsAppId {
	const at = input.indexOf('@');
	if (at !== input.lastIndexOf('@')) return invalid(input, 'more than one @');
	const server = input.slice(at + 1).toLowerCase();
	const [user = '', deviceText, ...extra] = input.slice(0, at).split(':');
	if (extra.length > 0) return invalid(input, 'more than one device suffix');
	if (deviceText !== undefined && !DEVICE_PATTERN.test(deviceText)) return invalid(input, 'device suffix is not a number');
	const device = deviceText === undefined ? null : Number(deviceText);
	const jid = { user, server, device };
	if (user === '') return invalid(input, 'JID has no user part', jid);
	if (server === '') return invalid(input, 'JID has no server part', jid);

	const hasDevice = device !== null;
	const ofKind = (kind: WhatsAppIdKind): ParsedWhatsAppId => ({ ...base(input, kind), ...jid });
	switch (server) {
		case 'c.us':
		case 's.whatsapp.net':
		case 'hosted': // a Cloud API account seen from WhatsApp Web/multi-device; still a phone number
			if (!/^\d+$/.test(user)) return invalid(input, 'person JID user part is not a phone number', jid);
			return personFromDigits(input, user, jid);
		case 'lid':
		case 'hosted.lid':
			return /^\d+$/.test(user) ? ofKind('lid') : invalid(input, 'LID user part is not numeric', jid);
		case 'g.us':
			if (hasDevice) return invalid(input, 'a group JID has no device suffix', jid);
			// Current groups are `120363…@g.us`; old ones `<creator phone>-<unix time>@g.us`.
			return /^\d+(-\d+)?$/.test(user) ? ofKind('group') : invalid(input, 'group JID user part is malformed', jid);
		case 'broadcast':
			if (hasDevice) return invalid(input, 'a broadcast JID has no device suffix', jid);
			if (user === 'status') return ofKind('status');
			return /^\d+$/.test(user) ? ofKind('broadcast') : invalid(input, 'broadcast JID user part is malformed', jid);
		case 'newsletter':
			if (hasDevice) return invalid(input, 'a channel JID has no device suffix', jid);
			return /^\d+$/.test(user) ? ofKind('channel') : invalid(input, 'channel JID user part is malformed', jid);
		default:
			return invalid(input, 'unknown JID server', jid);
	}
}

/** A person JID's user part is the number in international form without '+'. */
function personFromDigits(input: string, digits: string, jid: { user: string; server: string; device: number | null }): ParsedWhatsAppId {
	const found = acceptCandidate(`+${digits}`, undefined);
	if (!found) return invalid(input, 'JID user part is not a valid phone number', jid);
	return { ...base(input, 'person'), ...jid, e164: found.e164, country: found.country };
}

/**
 * A plain number. Three shapes:
 * - `+…`: international, parsed as written.
 * - bare digits (`5511987654321`): the shape of a Meta `wa_id`, so read as
 *   international first and as national (with `defaultCountry`) only if that
 *   is invalid — unless `bareDigits: 'national_first'`.
 * - digits with separators and no `+` (`(11) 98765-4321`, `020 7946 0018`):
 *   people write national numbers this way, and WhatsApp never formats ids,
 *   so national first (with `defaultCountry`), then international.
 */
function parsePhone(input: string, options: ParseOptions): ParsedWhatsAppId {
	const { defaultCountry } = options;
	const international = (): Accepted | null => acceptCandidate(`+${input}`, undefined);
	const national = (): Accepted | null => (defaultCountry ? acceptCandidate(input, defaultCountry) : null);

	let attempts: Array<() => Accepted | null>;
	if (input.startsWith('+')) {
		attempts = [() => acceptCandidate(input, undefined)];
	} else if (/^\d+$/.test(input)) {
		attempts = options.bareDigits === 'national_first' ? [national, international] : [international, national];
	} else if (FORMATTED_DIGITS_PATTERN.test(input)) {
		attempts = [national, international];
	} else {
		// Letters or other symbols: only libphonenumber's national reading can make sense of it.
		attempts = [national];
	}

	for (const attempt of attempts) {
		const found = attempt();
		if (found) return { ...base(input, 'person'), e164: found.e164, country: found.country };
	}
	const digitsOnly = /^\d+$/.test(input) || FORMATTED_DIGITS_PATTERN.test(input);
	if (digitsOnly && !defaultCountry) return invalid(input, 'not a valid international number, and no default country to read it as national');
	return invalid(input, 'not a valid phone number');
}

interface Accepted {
	e164: string;
	country: CountryCode | null;
}

/**
 * Parse `text` (with `country` for national numbers) and accept it when it is
 * a valid number, or when one of its national equivalents is (Mexico's
 * `+52 1` mobile form, which WhatsApp uses but libphonenumber does not
 * accept). The number is returned as written, not as its equivalent: it is
 * the form the WhatsApp account has. An extension libphonenumber still finds
 * (one EXTENSION_SUFFIX does not know) is dropped too: WhatsApp accounts have none.
 */
function acceptCandidate(text: string, country: CountryCode | undefined): Accepted | null {
	const parsed = parsePhoneNumberFromString(text, { defaultCountry: country, extract: false });
	if (!parsed) return null;
	const e164 = parsed.number;
	if (parsed.isValid()) return { e164, country: parsed.country ?? null };
	for (const form of equivalentPhoneForms(e164).slice(1)) {
		const alternative = parsePhoneNumberFromString(form);
		if (alternative?.isValid()) return { e164, country: parsed.country ?? alternative.country ?? null };
	}
	return null;
}
