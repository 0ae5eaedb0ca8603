import { parseMediaRef, parseVcard, cloudApiMediaRef, sidecarMediaRef } from '../../../core/events';
import { MAX_CONTACT_ENTRIES, MAX_VCARD_LENGTH, sha256Hex } from '../../../core/events/limits';

describe('parseVcard (a shared contact card from WhatsApp Web)', () => {
	it('reads FN, grouped TELs, EMAILs and ORG; unfolds continuation lines and unescapes', () => {
		const card = 'BEGIN:VCARD\r\nVERSION:3.0\r\nN:Lima;Carlos;;;\r\nFN:Carlos Lima\\, Jr.\r\nORG:Padaria\r\n  Lima;Vendas\r\nitem1.TEL;waid=5521998765432:+55 21 99876-5432\r\nitem1.X-ABLabel:Celular\r\nTEL;type=WORK:+55 21 3333-4444\r\nEMAIL:carlos@example.com\r\nEND:VCARD';
		expect(parseVcard(card)).toEqual({
			name: 'Carlos Lima, Jr.',
			phones: ['+55 21 99876-5432', '+55 21 3333-4444'],
			emails: ['carlos@example.com'],
			organization: 'Padaria Lima',
			vcard: card,
		});
	});

	it('names the card by the display name WhatsApp gives, else by N in reading order', () => {
		expect(parseVcard('BEGIN:VCARD\nN:Rossi;Ana;;Dra.;\nEND:VCARD', 'Ana R.').name).toBe('Ana R.');
		expect(parseVcard('BEGIN:VCARD\nN:Rossi;Ana;;Dra.;\nEND:VCARD').name).toBe('Dra. Ana Rossi');
		expect(parseVcard('not a card at all')).toEqual({ name: null, phones: [], emails: [], organization: null, vcard: 'not a card at all' });
	});

	it('keeps a card small: at most 20 phones, and no vCard text beyond the limit (a photo)', () => {
		const many = ['BEGIN:VCARD', ...Array.from({ length: 30 }, (_, i) => `TEL:+1 555 01${i}`), `PHOTO;ENCODING=b:${'A'.repeat(MAX_VCARD_LENGTH)}`, 'END:VCARD'].join('\n');
		const parsed = parseVcard(many);
		expect(parsed.phones).toHaveLength(MAX_CONTACT_ENTRIES);
		expect(parsed.vcard).toBeNull();
	});
});

describe('media references and hashes', () => {
	it('round-trip through parseMediaRef; anything else is no reference', () => {
		expect(parseMediaRef(cloudApiMediaRef('1479537139650973'))).toEqual({ source: 'cloud_api', mediaId: '1479537139650973' });
		const id = 'false_5511987654321@c.us_3EB0C767D26A1D2B8F4A';
		expect(parseMediaRef(sidecarMediaRef('6f1c2a9e-3b7d-4c1e-9a0f-2d5b8e7c4a11', id))).toEqual({ source: 'sidecar', sessionId: '6f1c2a9e-3b7d-4c1e-9a0f-2d5b8e7c4a11', messageId: id });
		for (const bad of ['', 'cloud_api:', 'sidecar:abc', 'sidecar::x', 'https://lookaside.fbsbx.com/x', 42, null]) expect(parseMediaRef(bad)).toBeNull();
	});

	it('sha256Hex: hex kept (lowercased), base64 and base64url of 32 bytes converted, anything else null', () => {
		const hex = '9bfbe7b81a962ffd5b9b99ba8c04e77a8910f91378720e04048a0958cbb19d95';
		expect(sha256Hex(hex.toUpperCase())).toBe(hex);
		expect(sha256Hex('m/vnuBqWL/1bm5m6jATneokQ+RN4cg4EBIoJWMuxnZU=')).toBe(hex);
		expect(sha256Hex('m_vnuBqWL_1bm5m6jATneokQ-RN4cg4EBIoJWMuxnZU')).toBe(hex);
		for (const bad of ['bm90IGEgaGFzaA==', hex.slice(2), 'IMAGE_HASH', 7, null]) expect(sha256Hex(bad)).toBeNull();
	});
});
