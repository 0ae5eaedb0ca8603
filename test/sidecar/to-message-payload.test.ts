import { createHash } from 'node:crypto';
import { NO_MESSAGE_CONTENT, parseMediaRef, validateNormalizedEvent, buildMessageEvent } from '../../core/events';
import { MAX_FIELD_LENGTH, MAX_VCARD_LENGTH } from '../../core/events/limits';
import type { DriverMessage } from '../../sidecar/src/drivers/driver';
import { messagePayloadOf, skipReason, toMessagePayload } from '../../sidecar/src/drivers/to-message-payload';

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
			...NO_MESSAGE_CONTENT,
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
		['not_text', { type: 'revoked', body: '' }],
		['not_text', { type: 'e2e_notification', body: '' }],
		['not_text', { type: 'call_log', body: '' }],
		['not_text', { type: 'something_new', body: '' }],
		['media', { type: 'chat', hasMedia: true }], // as before: a text with a file of no known kind is held back
		['status', { isStatus: true }],
	] as Array<[string, Partial<DriverMessage>]>)('does not forward %s messages', (reason, change) => {
		const message = { ...base, ...change };
		expect(skipReason(message)).toBe(reason);
		expect(toMessagePayload(SID, message)).toBeNull();
	});

	it.each([
		{ type: 'image', hasMedia: true, body: 'caption' },
		{ type: 'ptt', hasMedia: true, body: '' },
		{ type: 'sticker', hasMedia: false, body: '' },
		{ type: 'document', hasMedia: true, body: 'invoice.pdf' },
	] as Array<Partial<DriverMessage>>)('forwards $type messages of a 1:1 chat (their details and reference; the sidecar serves the file)', (change) => {
		const message = { ...base, ...change };
		expect(skipReason(message)).toBeNull();
		expect(toMessagePayload(SID, message)).toMatchObject({ isMedia: true, media: { ref: `sidecar:${SID}:${message.id}` } });
	});

	it('with groups forwarded (FORWARD_GROUP_MESSAGES): a group text has the group as remote and the sender as participant; group media forwarded like a 1:1 chat\'s; status, broadcasts stay out', () => {
		const group = { ...base, id: 'false_120363025246125888@g.us_3EB0AA_5511987654321@c.us', chatId: '120363025246125888@g.us', author: '5511987654321@c.us' };
		expect(skipReason(group, { groups: true })).toBeNull();
		expect(toMessagePayload(SID, group, { name: 'Equipe', about: 'ignored' }, { groups: true })).toMatchObject({
			chatKind: 'group',
			chatId: '120363025246125888@g.us',
			remote: { idKind: 'group', phone: null, rawId: '120363025246125888@g.us', name: 'Equipe', about: null },
			participant: '5511987654321@c.us',
			text: 'Olá, tudo bem?',
		});
		expect(skipReason({ ...group, type: 'image', hasMedia: true }, { groups: true })).toBeNull();
		expect(skipReason({ ...base, chatId: 'status@broadcast', isStatus: true }, { groups: true })).toBe('status');
		expect(skipReason({ ...base, chatId: '1700000000@broadcast' }, { groups: true })).toBe('broadcast');
	});

	it('decides the chat kind from the id suffix, not from a group flag', () => {
		const looksGroupish = { ...base, author: '5511999999999@c.us' } as DriverMessage & { isGroupMsg?: boolean };
		looksGroupish.isGroupMsg = true;
		expect(toMessagePayload(SID, looksGroupish)?.chatKind).toBe('direct');
	});
});

/** A driver message of `type` with `content`, as the webjs driver lifts it from `_data`. */
function withContent(type: string, content: DriverMessage['content'], change: Partial<DriverMessage> = {}): DriverMessage {
	return { ...base, id: `false_5511987654321@c.us_3EB0${type.toUpperCase().replace(/[^A-Z]/g, '')}`, type, body: '', ...change, content };
}

/** Valid as the event the sidecar sends (after the builder's cleaning), with every content field present. */
function expectValidEvent(payload: ReturnType<typeof messagePayloadOf>): void {
	const event = JSON.parse(JSON.stringify(buildMessageEvent({ sessionId: SID, message: payload })));
	expect(validateNormalizedEvent(event)).toEqual({ ok: true, event });
	expect(Object.keys(event.message)).toEqual(expect.arrayContaining(Object.keys(NO_MESSAGE_CONTENT)));
}

describe('toMessagePayload: the content of schema version 2', () => {
	const HASH_B64 = 'm/vnuBqWL/1bm5m6jATneokQ+RN4cg4EBIoJWMuxnZU=';
	const HASH_HEX = Buffer.from(HASH_B64, 'base64').toString('hex');

	it('forwards a reaction with its emoji and the message it reacts to (also its contextMessageId); a removal has no emoji', () => {
		const target = 'true_5511987654321@c.us_3EB0TARGET';
		const reaction = withContent('reaction', { reaction: { emoji: '❤️', messageId: target } });
		expect(skipReason(reaction)).toBeNull();
		const payload = toMessagePayload(SID, reaction);
		expect(payload).toMatchObject({
			kind: 'reaction',
			isMedia: false,
			text: null,
			contextMessageId: target,
			reaction: { emoji: '❤️', messageId: target, removed: false },
			media: null,
			interactive: null,
		});
		expectValidEvent(payload!);
		const removed = toMessagePayload(SID, withContent('reaction', { reaction: { emoji: '', messageId: target } }));
		expect(removed?.reaction).toEqual({ emoji: null, messageId: target, removed: true });
		// The simulator marks every non-text type hasMedia: a reaction still is no file.
		expect(skipReason({ ...reaction, hasMedia: true })).toBeNull();
	});

	it('forwards button and list replies and template button replies with the id and title chosen; text stays null', () => {
		const button = toMessagePayload(SID, withContent('buttons_response', { selected: { id: 'confirm-yes', title: 'Confirmar', description: null } }, { body: 'Confirmar' }));
		expect(button).toMatchObject({ kind: 'interactive', text: null, interactive: { type: 'button_reply', id: 'confirm-yes', title: 'Confirmar', description: null } });
		const list = toMessagePayload(SID, withContent('list_response', { selected: { id: 'slot-14h', title: '14:00', description: 'Terça-feira' } }));
		expect(list?.interactive).toEqual({ type: 'list_reply', id: 'slot-14h', title: '14:00', description: 'Terça-feira', response: null });
		const template = toMessagePayload(SID, withContent('template_button_reply', { selected: { id: 'STOP', title: 'Parar', description: null } }));
		expect(template?.interactive).toEqual({ type: 'button', id: 'STOP', title: 'Parar', description: null, response: null });
		const poll = toMessagePayload(SID, withContent('poll_creation', { pollName: 'Qual horário?' }));
		expect(poll?.interactive).toEqual({ type: 'poll', id: null, title: 'Qual horário?', description: null, response: null });
		[button, list, template, poll].forEach((p) => expectValidEvent(p!));
	});

	it('forwards a location with its coordinates, name, address and URL; its body (a thumbnail) is never text', () => {
		const payload = toMessagePayload(
			SID,
			withContent('location', { location: { latitude: -23.561414, longitude: -46.655881, name: 'MASP', address: 'Av. Paulista, 1578', url: 'https://masp.org.br' } }, { body: '/9j/4AAQSkZJRgABAQ' }),
		);
		expect(payload).toMatchObject({ kind: 'location', text: null, location: { latitude: -23.561414, longitude: -46.655881, name: 'MASP', address: 'Av. Paulista, 1578', url: 'https://masp.org.br' } });
		expectValidEvent(payload!);
		// Coordinates out of range are no location.
		expect(toMessagePayload(SID, withContent('location', { location: { latitude: 123, longitude: 0, name: null, address: null, url: null } }))?.location).toBeNull();
	});

	it('forwards shared contacts: name, phones, emails and organization read from each vCard, the card kept when small', () => {
		const card = 'BEGIN:VCARD\nVERSION:3.0\nN:Lima;Carlos;;;\nFN:Carlos Lima\nORG:Padaria Lima;\nitem1.TEL;waid=5521998765432:+55 21 99876-5432\nitem1.X-ABLabel:Celular\nEMAIL;type=INTERNET:carlos@example.com\nEND:VCARD';
		const single = toMessagePayload(SID, withContent('vcard', { vcards: [{ displayName: 'Carlos Lima', vcard: card }] }, { body: card }));
		expect(single).toMatchObject({ kind: 'contacts', text: null });
		expect(single?.contacts).toEqual([{ name: 'Carlos Lima', phones: ['+55 21 99876-5432'], emails: ['carlos@example.com'], organization: 'Padaria Lima', vcard: card }]);
		const photo = `BEGIN:VCARD\nVERSION:3.0\nFN:Ana\nPHOTO;BASE64:${'A'.repeat(MAX_VCARD_LENGTH)}\nEND:VCARD`;
		const multi = toMessagePayload(SID, withContent('multi_vcard', { vcards: [{ displayName: 'Carlos Lima', vcard: card }, { displayName: 'Ana', vcard: photo }] }));
		expect(multi?.contacts?.map((c) => [c.name, c.vcard === null])).toEqual([['Carlos Lima', false], ['Ana', true]]);
		[single, multi].forEach((p) => expectValidEvent(p!));
	});

	it('gives a reply the quoted message id in contextMessageId', () => {
		const quoted = 'true_5511987654321@c.us_3EB0QUOTED';
		const payload = toMessagePayload(SID, { ...base, content: { quotedMessageId: quoted } });
		expect(payload).toMatchObject({ kind: 'text', text: base.body, contextMessageId: quoted, ...NO_MESSAGE_CONTENT });
	});

	it.each([
		['image', 'image', 'image/jpeg', 'Foto do contrato', null],
		['video', 'video', 'video/mp4', 'Unboxing', null],
		['audio', 'audio', 'audio/mpeg', '', null],
		['ptt', 'voice', 'audio/ogg; codecs=opus', '', null],
		['document', 'document', 'application/pdf', 'Nota fiscal', 'NF-4471.pdf'],
		['sticker', 'sticker', 'image/webp', '', null],
	])('maps %s media (forwarded) with MIME type, size, SHA-256, file name, caption and a sidecar ref', (type, kind, mimeType, caption, fileName) => {
		const message = withContent(type, { mimeType, size: 39418, fileHash: HASH_B64, fileName }, { hasMedia: true, body: caption });
		expect(skipReason(message)).toBeNull();
		const payload = messagePayloadOf(SID, message);
		expect(payload).toMatchObject({ kind, isMedia: true, text: caption === '' ? null : caption });
		expect(payload.media).toEqual({ kind, mimeType, size: 39418, sha256: HASH_HEX, fileName, caption: caption === '' ? null : caption, ref: `sidecar:${SID}:${message.id}` });
		expect(parseMediaRef(payload.media?.ref)).toEqual({ source: 'sidecar', sessionId: SID, messageId: message.id });
		expectValidEvent(payload);
	});

	it('leaves out a hash that is no SHA-256 and a size that is no byte count, and clips an over-long file name', () => {
		const payload = messagePayloadOf(SID, withContent('document', { mimeType: 'application/pdf', size: -1, fileHash: 'bm90IGEgaGFzaA==', fileName: 'x'.repeat(MAX_FIELD_LENGTH + 10) }, { hasMedia: true }));
		expect(payload.media).toMatchObject({ size: null, sha256: null });
		expect(payload.media?.fileName).toHaveLength(MAX_FIELD_LENGTH);
		expectValidEvent(payload);
		// A media message whose driver knew nothing still has its reference.
		expect(messagePayloadOf(SID, withContent('image', null, { hasMedia: true })).media).toEqual({
			kind: 'image', mimeType: null, size: null, sha256: null, fileName: null, caption: null, ref: `sidecar:${SID}:false_5511987654321@c.us_3EB0IMAGE`,
		});
	});

	it('forwards a deletion for everyone naming the message it deleted; holds back one that does not say (or names itself)', () => {
		const revoked = withContent('revoked', { revokedMessageId: 'false_5511987654321@c.us_3EB0ORIGINAL' });
		expect(skipReason(revoked)).toBeNull();
		expect(toMessagePayload(SID, revoked)).toMatchObject({ messageId: revoked.id, kind: 'revoked', text: null, revoked: { messageId: 'false_5511987654321@c.us_3EB0ORIGINAL' } });
		const unnamed = withContent('revoked', null);
		expect(skipReason(unnamed)).toBe('not_text');
		expect(messagePayloadOf(SID, unnamed).revoked).toEqual({ messageId: unnamed.id });
		expect(skipReason(withContent('revoked', { revokedMessageId: unnamed.id }))).toBe('not_text');
	});

	it('cleans hostile strings in the content like any other (NUL, lone surrogates)', () => {
		const hostile = toMessagePayload(SID, withContent('buttons_response', { selected: { id: 'a\u0000b', title: 'x\uD800', description: null } }));
		const event = buildMessageEvent({ sessionId: SID, message: hostile! });
		expect(event.message.interactive).toEqual({ type: 'button_reply', id: 'a\uFFFDb', title: 'x\uFFFD', description: null, response: null });
	});

	it('keeps the hash digest check honest: the hex is the SHA-256 of the bytes the base64 names', () => {
		const bytes = Buffer.from('the file');
		const b64 = createHash('sha256').update(bytes).digest('base64');
		const payload = messagePayloadOf(SID, withContent('image', { fileHash: b64 }, { hasMedia: true }));
		expect(payload.media?.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
	});
});

describe('toMessagePayload: edits from WhatsApp Web', () => {
	it('forwards an edit of a 1:1 message as kind system with the edited message and its new text; never in a group', () => {
		const edit: DriverMessage = { ...base, id: 'false_5511987654321@c.us_3EB0ED17', type: 'protocol', body: '', content: { edit: { messageId: base.id, text: 'Olá, tudo certo?' } } };
		expect(skipReason(edit)).toBeNull();
		const payload = toMessagePayload(SID, edit);
		expect(payload).toMatchObject({ messageId: 'false_5511987654321@c.us_3EB0ED17', kind: 'system', text: null, edit: { messageId: base.id, text: 'Olá, tudo certo?' }, reaction: null });
		expectValidEvent(payload!);
		expect(skipReason({ ...edit, chatId: '120363025246125888@g.us' })).toBe('group');
		// A protocol message without an edit stays a system notice.
		expect(skipReason({ ...edit, content: null })).toBe('not_text');
	});
});
