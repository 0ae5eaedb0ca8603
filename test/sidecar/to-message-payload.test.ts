import type { DriverMessage } from '../../sidecar/src/drivers/driver';
import { skipReason, toMessagePayload } from '../../sidecar/src/drivers/to-message-payload';

const base: DriverMessage = {
	id: 'false_5511987654321@c.us_3EB0C767D26A1D8C8E1A',
	fromMe: false,
	chatId: '5511987654321@c.us',
	author: null,
	type: 'chat',
	body: 'Olá, tudo bem?',
	timestamp: 1763820000,
	hasMedia: false,
	isStatus: false,
	resolvedPhoneJid: null,
	notifyName: 'Ana',
};

const SID = '0f8fad5b-d9cb-469f-a165-70867728950e';

describe('toMessagePayload (driver message → normalized payload)', () => {
	it('maps an inbound 1:1 text with the profile name and About', () => {
		const payload = toMessagePayload(SID, base, { name: 'Ana Souza', about: 'Available' });
		expect(payload).toEqual({
			messageId: base.id,
			direction: 'inbound',
			chatKind: 'direct',
			chatId: '5511987654321@c.us',
			remote: { idKind: 'person', phone: '+5511987654321', rawId: '5511987654321@c.us', name: 'Ana Souza', about: 'Available' },
			kind: 'text',
			isMedia: false,
			rawType: 'chat',
			text: 'Olá, tudo bem?',
			timestamp: '2025-11-22T14:00:00.000Z',
			origin: 'live',
			participant: null,
			contextMessageId: null,
		});
	});

	it('falls back to the push name, and marks outbound and backfill', () => {
		expect(toMessagePayload(SID, base)?.remote.name).toBe('Ana');
		const out = toMessagePayload(SID, { ...base, fromMe: true, id: 'true_5511987654321@c.us_3EB0AA', notifyName: null }, null, { origin: 'backfill' });
		expect(out).toMatchObject({ direction: 'outbound', origin: 'backfill', remote: { phone: '+5511987654321', name: null } });
	});

	it('accepts @s.whatsapp.net chats as people', () => {
		expect(toMessagePayload(SID, { ...base, chatId: '4915123456789@s.whatsapp.net' })?.remote.phone).toBe('+4915123456789');
	});

	it('uses the resolved phone of a @lid chat, and marks an unresolved one without inventing a number', () => {
		const lid = { ...base, chatId: '123456789012345@lid', id: 'false_123456789012345@lid_3EB0AB' };
		expect(toMessagePayload(SID, { ...lid, resolvedPhoneJid: '5511987654321@c.us' })?.remote).toMatchObject({ idKind: 'lid', phone: '+5511987654321' });
		expect(toMessagePayload(SID, lid)?.remote).toMatchObject({ idKind: 'lid', phone: null, rawId: '123456789012345@lid' });
	});

	it.each([
		['group', { chatId: '120363025246125888@g.us', author: '5511987654321@c.us' }],
		['status', { chatId: 'status@broadcast', isStatus: true, author: '5511987654321@c.us' }],
		['broadcast', { chatId: '1700000000@broadcast' }],
		['channel', { chatId: '120363142282542999@newsletter' }],
		['media', { type: 'image', hasMedia: true, body: 'caption' }],
		['media', { type: 'ptt', hasMedia: true, body: '' }],
		['media', { type: 'sticker', hasMedia: false, body: '' }],
		['not_text', { type: 'revoked', body: '' }],
		['not_text', { type: 'location', body: '' }],
		['status', { isStatus: true }],
	] as Array<[string, Partial<DriverMessage>]>)('does not forward %s messages', (reason, change) => {
		const message = { ...base, ...change };
		expect(skipReason(message)).toBe(reason);
		expect(toMessagePayload(SID, message)).toBeNull();
	});

	it('decides the chat kind from the id suffix, not from a group flag', () => {
		const looksGroupish = { ...base, author: '5511999999999@c.us' } as DriverMessage & { isGroupMsg?: boolean };
		looksGroupish.isGroupMsg = true;
		expect(toMessagePayload(SID, looksGroupish)?.chatKind).toBe('direct');
	});
});
