/**
 * normalizeMetaWebhook and the content of schema version 2, on a body made of
 * Meta's documented webhook examples for every message type
 * (developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/…):
 * test/fixtures/meta/message-contents.json.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NO_MESSAGE_CONTENT, normalizeMetaWebhook, parseMediaRef, validateNormalizedEvent } from '../../../core/events';
import { MAX_FIELD_LENGTH } from '../../../core/events/limits';
import type { MessageEvent, MessagePayload } from '../../../core/events';

const body = JSON.parse(readFileSync(join(__dirname, '../../fixtures/meta/message-contents.json'), 'utf8'));
const { events, errors } = normalizeMetaWebhook(body, { receivedAt: new Date('2025-11-22T12:00:30.000Z') });
const byId = new Map(events.filter((e): e is MessageEvent => e.type === 'message').map((e) => [e.message.messageId.replace('wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYF', '').replace('wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYF', ''), e.message]));
const msg = (id: string): MessagePayload => {
	const found = byId.get(id);
	if (!found) throw new Error(`no message ${id}`);
	return found;
};
const b64hex = (b64: string) => Buffer.from(b64, 'base64').toString('hex');
const sha = (seed: string) => createHash('sha256').update(seed).digest('hex');
const QUOTED = 'wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEjRBQjY0MUI3QkZBNjM0RjlCNwA=';

describe('normalizeMetaWebhook: every message type in schema version 2', () => {
	it('takes every message, each valid, version 2, with every content field present', () => {
		expect(errors).toEqual([]);
		expect(events).toHaveLength(22);
		for (const event of events) {
			expect(event.schemaVersion).toBe(2);
			expect(validateNormalizedEvent(JSON.parse(JSON.stringify(event)))).toMatchObject({ ok: true });
			if (event.type === 'message') expect(Object.keys(event.message)).toEqual(expect.arrayContaining(Object.keys(NO_MESSAGE_CONTENT)));
		}
	});

	it('text: content all null, the reply context in contextMessageId as before', () => {
		expect(msg('C01TEXT')).toMatchObject({ kind: 'text', text: 'Sim, pode enviar', contextMessageId: QUOTED, ...NO_MESSAGE_CONTENT });
	});

	it.each([
		['C02IMAGE', 'image', 'image/jpeg', b64hex('m/vnuBqWL/1bm5m6jATneokQ+RN4cg4EBIoJWMuxnZU='), null, 'Foto do produto', '1479537139650973'],
		['C03VIDEO', 'video', 'video/mp4', '3fc2a6b1d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f', null, 'Unboxing', '1036417604852371'],
		['C04VOICE', 'voice', 'audio/ogg; codecs=opus', sha('voice'), null, null, '1265329318055342'],
		['C05AUDIO', 'audio', 'audio/mpeg', sha('audio'), null, null, '1265329318055343'],
		['C06DOCUMENT', 'document', 'application/pdf', sha('document'), 'NF-4471.pdf', 'Nota fiscal', '880331124520197'],
		['C07STICKER', 'sticker', 'image/webp', sha('sticker'), null, null, '527423433271582'],
	])('%s: media with MIME type, SHA-256 in hex, file name, caption and the media id as its ref (never the URL)', (id, kind, mimeType, sha256, fileName, caption, mediaId) => {
		const message = msg(id);
		expect(message).toMatchObject({ kind, isMedia: true, text: caption });
		expect(message.media).toEqual({ kind, mimeType, size: null, sha256, fileName, caption, ref: `cloud_api:${mediaId}` });
		expect(parseMediaRef(message.media?.ref)).toEqual({ source: 'cloud_api', mediaId });
		expect(JSON.stringify(message)).not.toContain('lookaside');
	});

	it('location: coordinates, name, address and URL', () => {
		expect(msg('C08LOCATION')).toMatchObject({
			kind: 'location',
			text: null,
			location: { latitude: -23.561414, longitude: -46.655881, name: 'MASP', address: 'Av. Paulista, 1578 - Bela Vista, São Paulo - SP', url: 'https://masp.org.br' },
			media: null,
		});
	});

	it('contacts: each card with its formatted name (else first and last), phones (else wa_id), emails and company; no vCard', () => {
		expect(msg('C09CONTACTS')).toMatchObject({ kind: 'contacts', text: null });
		expect(msg('C09CONTACTS').contacts).toEqual([
			{ name: 'Carlos Lima', phones: ['+55 21 99876-5432', '+55 21 3333-4444'], emails: ['carlos@example.com'], organization: 'Padaria Lima', vcard: null },
			{ name: 'Ana Rossi', phones: ['5491123456789'], emails: [], organization: null, vcard: null },
		]);
	});

	it('reaction: the emoji and the message reacted to; an empty emoji is a removal', () => {
		expect(msg('C10REACTION')).toMatchObject({ kind: 'reaction', text: null, contextMessageId: QUOTED, reaction: { emoji: '👍', messageId: QUOTED, removed: false } });
		expect(msg('C11UNREACT')).toMatchObject({ kind: 'reaction', contextMessageId: QUOTED, reaction: { emoji: null, messageId: QUOTED, removed: true } });
	});

	it('interactive button_reply, list_reply and a Flow (nfm_reply); template quick-reply button', () => {
		expect(msg('C12BUTTONREPLY')).toMatchObject({
			kind: 'interactive',
			text: null,
			contextMessageId: 'wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEkE1QkU3QjlCMkQ0RDI0QkE1NgA=',
			interactive: { type: 'button_reply', id: 'confirm-yes', title: 'Confirmar', description: null, response: null },
		});
		expect(msg('C13LISTREPLY').interactive).toEqual({ type: 'list_reply', id: 'slot-14h', title: '14:00', description: 'Terça-feira', response: null });
		// A Flow's answers: its response_json, parsed, so a workflow reads them as fields.
		expect(msg('C14FLOW').interactive).toEqual({
			type: 'nfm_reply',
			id: 'flow',
			title: 'Sent',
			description: null,
			response: { flow_token: 'AQAAAAACS5FpgQ_cAAAAAD0QI3s.', appointment_date: '2025-11-25' },
		});
		expect(msg('C15BUTTON')).toMatchObject({ kind: 'button', text: null, interactive: { type: 'button', id: 'STOP_PROMOTIONS', title: 'Parar promoções', description: null, response: null } });
	});

	it('order: the catalog, the note and each product with its quantity and price', () => {
		expect(msg('C16ORDER')).toMatchObject({
			kind: 'order',
			text: null,
			order: { catalogId: '798624651256452', text: 'Quero estes', items: [{ productId: 'SKU-991', quantity: 2, itemPrice: 49.9, currency: 'BRL' }] },
			media: null,
			interactive: null,
		});
	});

	it('system and unsupported keep their kinds, with no content', () => {
		expect(msg('C17SYSTEM')).toMatchObject({ kind: 'system', text: null, ...NO_MESSAGE_CONTENT });
		expect(msg('C18UNSUPPORTED')).toMatchObject({ kind: 'unsupported', text: null, ...NO_MESSAGE_CONTENT });
	});

	it('edit (coexistence): kind system — never a new text to log — with the edited message and its new text or caption', () => {
		expect(msg('C19EDIT')).toMatchObject({ kind: 'system', rawType: 'edit', text: null, edit: { messageId: 'wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFC01TEXT', text: 'Sim, pode enviar amanhã' }, media: null });
		expect(msg('C20EDITIMAGE').edit).toEqual({ messageId: 'wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFC02IMAGE', text: 'Foto do produto (nova)' });
	});

	it('revoke (coexistence): kind revoked, with the message deleted', () => {
		expect(msg('C21REVOKE')).toMatchObject({ kind: 'revoked', rawType: 'revoke', text: null, revoked: { messageId: 'wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFC03VIDEO' } });
	});

	it('an echo of a media message the business sent from the app: outbound, with its media', () => {
		const echo = msg('C22ECHOIMAGE');
		expect(echo).toMatchObject({ direction: 'outbound', kind: 'image', media: { mimeType: 'image/png', ref: 'cloud_api:2213894457712345', caption: 'Segue o catálogo' } });
	});
});

describe('normalizeMetaWebhook: content that does not fit', () => {
	const one = (message: Record<string, unknown>) => {
		const result = normalizeMetaWebhook({
			object: 'whatsapp_business_account',
			entry: [{ id: '1', changes: [{ field: 'messages', value: { metadata: { phone_number_id: '106540352242922' }, messages: [{ from: '5511987654321', id: 'wamid.X', timestamp: '1763812800', ...message }] } }] }],
		});
		expect(result.errors).toEqual([]);
		const event = result.events[0] as MessageEvent;
		expect(validateNormalizedEvent(JSON.parse(JSON.stringify(event)))).toMatchObject({ ok: true });
		return event.message;
	};

	it('a text from a Click to WhatsApp ad carries the ad it came from (referral); other messages have none', () => {
		const text = one({
			type: 'text',
			text: { body: 'Olá! Vi o anúncio do plano anual.' },
			referral: {
				source_url: 'https://fb.me/2ZzTq7nQ1',
				source_id: '120212345678900123',
				source_type: 'ad',
				body: 'Plano anual com 20% de desconto',
				headline: 'Fale conosco no WhatsApp',
				media_type: 'image',
				image_url: 'https://scontent.xx.fbcdn.net/v/t45.1600-4/ad.jpg',
				ctwa_clid: 'ARAkLkA8rmlFeiCktEJQ-QTwRiyYHAFDLMNDBH0CD3qpjd0HR4irJ6LEkR7JwFF4XvnO2E4Nx0-eM-GABDLOPaOdRMv-_zfUQ2a',
				welcome_message: { text: 'Olá! Como podemos ajudar?' },
			},
		});
		expect(text).toMatchObject({ kind: 'text', text: 'Olá! Vi o anúncio do plano anual.' });
		expect(text.referral).toEqual({
			sourceType: 'ad',
			sourceId: '120212345678900123',
			sourceUrl: 'https://fb.me/2ZzTq7nQ1',
			headline: 'Fale conosco no WhatsApp',
			body: 'Plano anual com 20% de desconto',
			mediaType: 'image',
			mediaUrl: 'https://scontent.xx.fbcdn.net/v/t45.1600-4/ad.jpg',
			thumbnailUrl: null,
			clickId: 'ARAkLkA8rmlFeiCktEJQ-QTwRiyYHAFDLMNDBH0CD3qpjd0HR4irJ6LEkR7JwFF4XvnO2E4Nx0-eM-GABDLOPaOdRMv-_zfUQ2a',
		});
		expect(one({ type: 'text', text: { body: 'hi' } }).referral).toBeNull();
		const video = one({
			type: 'text',
			text: { body: 'Quero saber mais' },
			referral: { source_type: 'ad', source_id: '1', media_type: 'video', video_url: 'https://video.xx.fbcdn.net/ad.mp4', thumbnail_url: 'https://scontent.xx.fbcdn.net/thumb.jpg' },
		});
		expect(video.referral).toMatchObject({ mediaType: 'video', mediaUrl: 'https://video.xx.fbcdn.net/ad.mp4', thumbnailUrl: 'https://scontent.xx.fbcdn.net/thumb.jpg', headline: null });
	});

	it('an order with quantities and prices as strings (as Meta\'s reference writes them) is read; one without a usable item has no order', () => {
		expect(one({ type: 'order', order: { catalog_id: '1', product_items: [{ product_retailer_id: 'A', quantity: '3', item_price: '10.5', currency: 'USD' }] } }).order).toEqual({
			catalogId: '1',
			text: null,
			items: [{ productId: 'A', quantity: 3, itemPrice: 10.5, currency: 'USD' }],
		});
		expect(one({ type: 'order', order: { catalog_id: '1', product_items: [{ quantity: 1 }] } }).order).toBeNull();
	});

	it('a Flow answer whose response_json is not a JSON object keeps its name, without answers', () => {
		const flow = one({ type: 'interactive', interactive: { type: 'nfm_reply', nfm_reply: { name: 'flow', body: 'Sent', response_json: '[1,2' } } });
		expect(flow.interactive).toEqual({ type: 'nfm_reply', id: 'flow', title: 'Sent', description: null, response: null });
	});

	it('hostile Flow answers and orders: deep nesting, growth when re-written, huge amounts, a __proto__ key — valid events, nothing else in the body lost', () => {
		const deep = `${'{"":'.repeat(3000)}1${'}'.repeat(3000)}`;
		expect(deep.length).toBeLessThan(16384);
		expect(one({ type: 'interactive', interactive: { type: 'nfm_reply', nfm_reply: { name: 'flow', response_json: deep } } }).interactive?.response).toBeNull();
		// 1E5 is written back as 100000: measured as the validator measures it.
		const growing = `{"v":[${Array.from({ length: 2700 }, () => '1E5').join(',')}]}`;
		expect(growing.length).toBeLessThan(16384);
		expect(one({ type: 'interactive', interactive: { type: 'nfm_reply', nfm_reply: { name: 'flow', response_json: growing } } }).interactive?.response).toBeNull();
		const order = one({ type: 'order', order: { product_items: [{ product_retailer_id: 'A', quantity: 1, item_price: 1e300 }, { product_retailer_id: 'B', quantity: 1e300 }] } }).order;
		expect(order?.items).toEqual([{ productId: 'A', quantity: 1, itemPrice: null, currency: null }]);
		const proto = one({ type: 'interactive', interactive: { type: 'nfm_reply', nfm_reply: { name: 'flow', response_json: '{"__proto__":{"isAdmin":true},"ok":1}' } } }).interactive?.response;
		expect(Object.keys(proto!)).toEqual(['__proto__', 'ok']);
		expect((proto as Record<string, unknown>).isAdmin).toBeUndefined();
	});

	it('a message that cannot be read at all is reported alone: the other messages of the body are still emitted', () => {
		const broken: Record<string, unknown> = { from: '5511987654321', id: 'wamid.BROKEN', timestamp: '1763812800', type: 'text' };
		Object.defineProperty(broken, 'text', { enumerable: true, get: () => { throw new RangeError('Maximum call stack size exceeded'); } });
		const good = { from: '5511987654321', id: 'wamid.GOOD', timestamp: '1763812801', type: 'text', text: { body: 'still here' } };
		const result = normalizeMetaWebhook({
			object: 'whatsapp_business_account',
			entry: [{ id: '1', changes: [{ field: 'messages', value: { metadata: { phone_number_id: '106540352242922' }, messages: [broken, good] } }] }],
		});
		expect(result.events.map((event) => (event as MessageEvent).message.messageId)).toEqual(['wamid.GOOD']);
		expect(result.errors).toEqual([{ path: expect.stringMatching(/messages\[0\]$/), reason: 'could not be read (RangeError)' }]);
	});

	it('a media message without an id has no media (nothing to fetch); a hash that is no SHA-256 is left out', () => {
		expect(one({ type: 'image', image: { mime_type: 'image/jpeg' } })).toMatchObject({ kind: 'image', isMedia: true, media: null });
		expect(one({ type: 'image', image: { id: '1', sha256: 'bm90IGEgaGFzaA==' } }).media?.sha256).toBeNull();
	});

	it('clips over-long strings, drops coordinates out of range, caps the cards', () => {
		const long = 'x'.repeat(MAX_FIELD_LENGTH * 3);
		expect(one({ type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: long, title: '😀'.repeat(MAX_FIELD_LENGTH) } } }).interactive).toMatchObject({
			id: 'x'.repeat(MAX_FIELD_LENGTH),
			title: '😀'.repeat(MAX_FIELD_LENGTH / 2),
		});
		expect(one({ type: 'location', location: { latitude: 91, longitude: 0 } }).location).toBeNull();
		expect(one({ type: 'location', location: { latitude: '-23.5', longitude: -46.6 } }).location).toBeNull();
		const cards = Array.from({ length: 80 }, (_, i) => ({ name: { formatted_name: `C${i}` }, phones: Array.from({ length: 40 }, () => ({ phone: '+1' })) }));
		const contacts = one({ type: 'contacts', contacts: cards }).contacts!;
		expect(contacts).toHaveLength(50);
		expect(contacts[0].phones).toHaveLength(20);
		expect(one({ type: 'contacts', contacts: [] }).contacts).toBeNull();
	});

	it('an unknown interactive type is kept as unknown; a reaction without its message id has no reaction', () => {
		expect(one({ type: 'interactive', interactive: { type: 'call_permission_reply', call_permission_reply: { response: 'accept' } } }).interactive).toEqual({ type: 'unknown', id: null, title: null, description: null, response: null });
		expect(one({ type: 'reaction', reaction: { emoji: '👍' } }).reaction).toBeNull();
	});

	it('cleans NUL and lone surrogates in the new strings', () => {
		expect(one({ type: 'location', location: { latitude: 1, longitude: 2, name: 'a\u0000b', address: 'c\uDC00' } }).location).toMatchObject({ name: 'a\uFFFDb', address: 'c\uFFFD' });
	});
});
