import { formatForMeta, isE164, parseWhatsAppId, toChatJid, whatsAppLidOf } from '../../../core/phone';
import type { CountryCode } from '../../../core/phone';

/**
 * Real numbers from 14 countries, each written the ways it reaches us: as
 * people write it internationally and nationally, as Meta's `wa_id`, and as
 * whatsapp-web.js / multi-device JIDs.
 */
const NUMBERS: Array<{ country: CountryCode; e164: string; international: string; national: string }> = [
	{ country: 'BR', e164: '+5511987654321', international: '+55 (11) 98765-4321', national: '(11) 98765-4321' },
	{ country: 'MX', e164: '+525512345678', international: '+52 55 1234 5678', national: '55 1234 5678' },
	{ country: 'AR', e164: '+5491123456789', international: '+54 9 11 2345-6789', national: '011 15-2345-6789' },
	{ country: 'US', e164: '+12133734253', international: '+1 (213) 373-4253', national: '(213) 373-4253' },
	{ country: 'GB', e164: '+447400123456', international: '+44 7400 123456', national: '07400 123456' },
	{ country: 'DE', e164: '+4915123456789', international: '+49 1512 3456789', national: '01512 3456789' },
	{ country: 'IN', e164: '+919876543210', international: '+91 98765 43210', national: '098765 43210' },
	{ country: 'NG', e164: '+2348031234567', international: '+234 803 123 4567', national: '0803 123 4567' },
	{ country: 'ID', e164: '+6281234567890', international: '+62 812-3456-7890', national: '0812-3456-7890' },
	{ country: 'FR', e164: '+33612345678', international: '+33 6 12 34 56 78', national: '06 12 34 56 78' },
	{ country: 'ES', e164: '+34612345678', international: '+34 612 34 56 78', national: '612 34 56 78' },
	{ country: 'ZA', e164: '+27821234567', international: '+27 82 123 4567', national: '082 123 4567' },
	{ country: 'JP', e164: '+819012345678', international: '+81 90-1234-5678', national: '090-1234-5678' },
	{ country: 'PT', e164: '+351912345678', international: '+351 912 345 678', national: '912 345 678' },
];

describe('parseWhatsAppId: phone numbers from 14 countries', () => {
	describe.each(NUMBERS)('$country $e164', ({ country, e164, international, national }) => {
		const digits = e164.slice(1);
		const person = { kind: 'person', e164, country, reason: null };

		it('reads the international format people write', () => {
			expect(parseWhatsAppId(international)).toMatchObject({ ...person, user: null, server: null, device: null });
		});
		it('reads the national format with the default country', () => {
			expect(parseWhatsAppId(national, { defaultCountry: country })).toMatchObject(person);
		});
		it('refuses the national format without a default country', () => {
			const parsed = parseWhatsAppId(national);
			expect(parsed.kind).toBe('invalid');
			expect(parsed.e164).toBeNull();
		});
		it('reads the Meta wa_id (digits without +), with or without a default country', () => {
			expect(parseWhatsAppId(digits)).toMatchObject(person);
			expect(parseWhatsAppId(digits, { defaultCountry: 'BR' })).toMatchObject(person);
		});
		it('reads @c.us and @s.whatsapp.net JIDs, with device suffixes', () => {
			expect(parseWhatsAppId(`${digits}@c.us`)).toMatchObject({ ...person, user: digits, server: 'c.us', device: null });
			expect(parseWhatsAppId(`${digits}@s.whatsapp.net`)).toMatchObject({ ...person, server: 's.whatsapp.net', device: null });
			expect(parseWhatsAppId(`${digits}:12@s.whatsapp.net`)).toMatchObject({ ...person, user: digits, device: 12 });
			expect(parseWhatsAppId(`${digits}:0@c.us`)).toMatchObject({ ...person, device: 0 });
		});
		it('round-trips through toChatJid and formatForMeta', () => {
			expect(toChatJid(e164)).toBe(`${digits}@c.us`);
			expect(formatForMeta(e164)).toBe(digits);
			expect(parseWhatsAppId(toChatJid(e164)).e164).toBe(e164);
		});
	});
});

describe('parseWhatsAppId: ambiguous bare digits', () => {
	it('reads a wa_id as international even when a default country is given', () => {
		// 5511987654321 is also 13 digits a national BR reading could mangle.
		expect(parseWhatsAppId('5511987654321', { defaultCountry: 'BR' }).e164).toBe('+5511987654321');
		expect(parseWhatsAppId('447400123456', { defaultCountry: 'US' }).e164).toBe('+447400123456');
	});
	it('falls back to the national reading when the international one is invalid', () => {
		// "+11987654321" has no valid NANP area code; as a Brazilian national number it is São Paulo.
		expect(parseWhatsAppId('11987654321', { defaultCountry: 'BR' })).toMatchObject({ kind: 'person', e164: '+5511987654321', country: 'BR' });
		expect(parseWhatsAppId('07400123456', { defaultCountry: 'GB' }).e164).toBe('+447400123456');
		expect(parseWhatsAppId('2133734253', { defaultCountry: 'US' }).e164).toBe('+12133734253');
	});
	it('gives the international reading when both are valid, unless told national_first', () => {
		// A German mobile typed without its trunk 0 is also a valid US number (+1 512 …).
		expect(parseWhatsAppId('15123456789', { defaultCountry: 'DE' })).toMatchObject({ e164: '+15123456789', country: 'US' });
		expect(parseWhatsAppId('15123456789', { defaultCountry: 'DE', bareDigits: 'national_first' })).toMatchObject({ e164: '+4915123456789', country: 'DE' });
		// national_first still reads a number that is only valid internationally.
		expect(parseWhatsAppId('5511987654321', { defaultCountry: 'US', bareDigits: 'national_first' }).e164).toBe('+5511987654321');
	});
	it('says why bare digits without a default country fail', () => {
		expect(parseWhatsAppId('11987654321')).toMatchObject({ kind: 'invalid', reason: expect.stringContaining('no default country') });
	});
	it('reads digits with separators but no + as national first', () => {
		expect(parseWhatsAppId('(11) 98765-4321', { defaultCountry: 'BR' }).e164).toBe('+5511987654321');
		expect(parseWhatsAppId('55 11 98765-4321').e164).toBe('+5511987654321');
	});
	it('reads an international call prefix with the default country', () => {
		expect(parseWhatsAppId('0055 11 98765 4321', { defaultCountry: 'DE' }).e164).toBe('+5511987654321');
		expect(parseWhatsAppId('011 55 11 98765 4321', { defaultCountry: 'US' }).e164).toBe('+5511987654321');
	});
});

describe('parseWhatsAppId: the forms WhatsApp itself uses', () => {
	it('accepts an old Brazilian 8-digit mobile wa_id as the person it is', () => {
		expect(parseWhatsAppId('551187654321')).toMatchObject({ kind: 'person', e164: '+551187654321', country: 'BR' });
		expect(parseWhatsAppId('551187654321@c.us')).toMatchObject({ kind: 'person', e164: '+551187654321' });
	});
	it('accepts the Mexican +52 1 mobile form, which libphonenumber alone rejects', () => {
		expect(parseWhatsAppId('5215512345678')).toMatchObject({ kind: 'person', e164: '+5215512345678', country: 'MX' });
		expect(parseWhatsAppId('5215512345678@s.whatsapp.net')).toMatchObject({ kind: 'person', e164: '+5215512345678' });
	});
	it("rewrites Argentina's national 15 mobile prefix to the +54 9 form", () => {
		expect(parseWhatsAppId('0351 15-412-3456', { defaultCountry: 'AR' }).e164).toBe('+5493514123456');
		expect(parseWhatsAppId('+54 11 15 2345-6789').e164).toBe('+5491123456789');
	});
	it('accepts a landline (WhatsApp Business runs on landlines)', () => {
		expect(parseWhatsAppId('551133334444@c.us')).toMatchObject({ kind: 'person', e164: '+551133334444' });
	});
});

describe('parseWhatsAppId: JIDs that are not people', () => {
	it.each([
		['120363041234567890@g.us', 'group', '120363041234567890', 'g.us'],
		['5511987654321-1612345678@g.us', 'group', '5511987654321-1612345678', 'g.us'],
		['status@broadcast', 'status', 'status', 'broadcast'],
		['1612345678@broadcast', 'broadcast', '1612345678', 'broadcast'],
		['120363123456789012@newsletter', 'channel', '120363123456789012', 'newsletter'],
		['123456789012345@lid', 'lid', '123456789012345', 'lid'],
		['123456789012345@hosted.lid', 'lid', '123456789012345', 'hosted.lid'],
	])('%s is a %s with no phone', (input, kind, user, server) => {
		expect(parseWhatsAppId(input)).toEqual({ kind, input, e164: null, country: null, user, server, device: null, reason: null });
	});
	it('keeps the device of a LID', () => {
		expect(parseWhatsAppId('123456789012345:7@lid')).toMatchObject({ kind: 'lid', device: 7, e164: null });
	});
	it("reads Meta's business-scoped user id as a lid", () => {
		expect(parseWhatsAppId('BR.1502576394655843')).toEqual({
			kind: 'lid', input: 'BR.1502576394655843', e164: null, country: null, user: 'BR.1502576394655843', server: null, device: null, reason: null,
		});
		expect(parseWhatsAppId(' US.ENT.11815799212886844830 ')).toMatchObject({ kind: 'lid', user: 'US.ENT.11815799212886844830' });
		expect(parseWhatsAppId('br.1502576394655843').kind).toBe('invalid');
	});
	it('whatsAppLidOf: the key a hidden-number person is known by, the same from every device', () => {
		expect(whatsAppLidOf(parseWhatsAppId('123456789012345@lid'))).toBe('123456789012345@lid');
		expect(whatsAppLidOf(parseWhatsAppId('123456789012345:7@LID'))).toBe('123456789012345@lid');
		expect(whatsAppLidOf(parseWhatsAppId('123456789012345@hosted.lid'))).toBe('123456789012345@hosted.lid');
		expect(whatsAppLidOf(parseWhatsAppId('BR.1502576394655843'))).toBe('BR.1502576394655843');
		expect(whatsAppLidOf(parseWhatsAppId('5511987654321@c.us'))).toBeNull();
		expect(whatsAppLidOf(parseWhatsAppId('120363041234567890@g.us'))).toBeNull();
		expect(whatsAppLidOf(parseWhatsAppId(''))).toBeNull();
	});
	it('reads a hosted (Cloud API) account JID as a person', () => {
		expect(parseWhatsAppId('5511987654321:99@hosted')).toMatchObject({ kind: 'person', e164: '+5511987654321', device: 99 });
	});
	it('is not fooled by upper case or surrounding spaces', () => {
		expect(parseWhatsAppId('  5511987654321@C.US ')).toMatchObject({ kind: 'person', input: '5511987654321@C.US', server: 'c.us' });
	});
});

describe('parseWhatsAppId: a number with an extension is the number without it', () => {
	it.each([
		['+1 (650) 555-1234 ext. 99', '+16505551234'],
		['+1 (650) 555-1234 ext 99', '+16505551234'],
		['+1 (650) 555-1234 extension 99', '+16505551234'],
		['+1 (650) 555-1234 x99', '+16505551234'],
		['+1 (650) 555-1234 X 99', '+16505551234'],
		['+1 (650) 555-1234 #99', '+16505551234'],
		['+1-650-555-1234;ext=99', '+16505551234'],
		['+1 650 555 1234, ext. 99', '+16505551234'],
		['+55 11 3333-4444 ext. 12', '+551133334444'],
		['16505551234 x99', '+16505551234'],
	])('%j → %s', (input, e164) => {
		expect(parseWhatsAppId(input)).toMatchObject({ kind: 'person', input, e164 });
	});
	it('national numbers with an extension, with a default country', () => {
		expect(parseWhatsAppId('(650) 555-1234 ext. 99', { defaultCountry: 'US' })).toMatchObject({ kind: 'person', e164: '+16505551234', country: 'US' });
		expect(parseWhatsAppId('(11) 98765-4321 #12', { defaultCountry: 'BR' })).toMatchObject({ kind: 'person', e164: '+5511987654321' });
		expect(parseWhatsAppId('(650) 555-1234 ext. 99')).toMatchObject({ kind: 'invalid', reason: expect.stringContaining('no default country') });
	});
});

describe('parseWhatsAppId: bad input never throws', () => {
	it.each([
		['', 'empty'],
		['   ', 'empty'],
		['hello', 'not a valid phone number'],
		['+', 'not a valid'],
		['+12345', 'not a valid'],
		['ext. 12', 'not a valid'],
		['+1 650 555 1234 ext. abc', 'not a valid'],
		['5511987654321@', 'no server'],
		['@c.us', 'no user'],
		['abc@c.us', 'not a phone number'],
		['+5511987654321@c.us', 'not a phone number'],
		['12345@c.us', 'not a valid phone number'],
		['11987654321@s.whatsapp.net', 'not a valid phone number'],
		['5511987654321:x@c.us', 'device'],
		['5511987654321:1:2@c.us', 'device'],
		['5511987654321@c.us@c.us', 'more than one @'],
		['5511987654321@example.com', 'unknown JID server'],
		['group@g.us', 'malformed'],
		['120363041234567890:3@g.us', 'device'],
		['abc@lid', 'not numeric'],
		['x'.repeat(300), 'too long'],
	])('%j is invalid (%s)', (input, reason) => {
		const parsed = parseWhatsAppId(input);
		expect(parsed.kind).toBe('invalid');
		expect(parsed.e164).toBeNull();
		expect(parsed.reason).toContain(reason);
	});
	it('handles non-string input from untyped callers', () => {
		for (const value of [undefined, null, 42, {}, ['5511987654321']]) {
			expect(parseWhatsAppId(value as unknown as string)).toMatchObject({ kind: 'invalid', reason: 'not a string' });
		}
	});
});

describe('E.164 helpers', () => {
	it('isE164 accepts only + and 7–15 digits', () => {
		expect(isE164('+5511987654321')).toBe(true);
		for (const bad of ['5511987654321', '+55 11 98765-4321', '+05511987654321', '+1234567890123456', '+123', '', null, 5511987654321]) {
			expect(isE164(bad)).toBe(false);
		}
	});
	it('toChatJid and formatForMeta refuse a number that is not E.164, without echoing it (safe to log)', () => {
		const messageOf = (call: () => unknown): string => {
			try {
				call();
			} catch (error) {
				return (error as Error).message;
			}
			return 'did not throw';
		};
		const toJid = messageOf(() => toChatJid('2133734253'));
		const toMeta = messageOf(() => formatForMeta('+1 213 373 4253'));
		expect(toJid).toMatch(/^toChatJid: expected an E\.164 number/);
		expect(toMeta).toMatch(/^formatForMeta: expected an E\.164 number/);
		expect(toJid + toMeta).not.toMatch(/213/);
	});
});
