/**
 * A shared contact card (vCard 3.0, what WhatsApp Web sends in `vcard` and
 * `vcardList[].vcard`) → the schema's SharedContact: display name, phones as
 * written, emails, organization, and the card itself when small enough.
 *
 * A small reader, not a full vCard parser: unfolds continuation lines, takes
 * FN (else N), TEL, EMAIL and ORG (grouped properties like `item1.TEL`
 * included), unescapes `\,` `\;` `\n`. Never throws.
 */
import { MAX_CONTACT_ENTRIES, MAX_VCARD_LENGTH, shortText } from './limits';
import type { SharedContact } from './types';

function unescape(value: string): string {
	return value.replace(/\\([\\,;nN])/g, (_, ch: string) => (ch === 'n' || ch === 'N' ? '\n' : ch));
}

/** `displayName` (whatsapp-web.js's `vcardList[].displayName`) is used when the card has no name. */
export function parseVcard(vcard: string, displayName: string | null = null): SharedContact {
	const lines = vcard.replace(/\r\n|\r/g, '\n').replace(/\n[ \t]/g, '').split('\n');
	let fn: string | null = null;
	let n: string | null = null;
	let organization: string | null = null;
	const phones: string[] = [];
	const emails: string[] = [];
	for (const line of lines) {
		const colon = line.indexOf(':');
		if (colon <= 0) continue;
		const name = line.slice(0, colon).split(';')[0].replace(/^[^.]*\./, '').toUpperCase();
		const value = line.slice(colon + 1);
		if (name === 'FN') fn = shortText(unescape(value).trim());
		else if (name === 'N') {
			// Family;Given;Additional;Prefix;Suffix → "Prefix Given Additional Family Suffix".
			const parts = value.split(';').map((part) => unescape(part).trim());
			n = shortText([parts[3], parts[1], parts[2], parts[0], parts[4]].filter(Boolean).join(' '));
		}
		else if (name === 'ORG') organization = shortText(unescape(value.split(';')[0]).trim());
		else if (name === 'TEL' && phones.length < MAX_CONTACT_ENTRIES) {
			const phone = shortText(unescape(value).trim());
			if (phone) phones.push(phone);
		} else if (name === 'EMAIL' && emails.length < MAX_CONTACT_ENTRIES) {
			const email = shortText(unescape(value).trim());
			if (email) emails.push(email);
		}
	}
	return {
		name: fn ?? shortText(displayName) ?? n,
		phones,
		emails,
		organization,
		vcard: vcard.length <= MAX_VCARD_LENGTH ? vcard : null,
	};
}
