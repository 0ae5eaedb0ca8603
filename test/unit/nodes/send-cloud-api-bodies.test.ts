/**
 * The Cloud API request bodies beyond text (core/cloud-api/message-bodies.ts)
 * against the examples of Meta's "messages" reference
 * (developers.facebook.com/docs/whatsapp/cloud-api/reference/messages and
 * …/guides/send-message-templates, …/guides/mark-message-as-read): media by
 * link and by id, replies (`context.message_id`), reactions, read receipts,
 * locations, and templates with header, body and button parameters.
 */
import {
	buildLocationMessageBody,
	buildMarkReadBody,
	buildMediaMessageBody,
	buildReactionMessageBody,
	buildTemplateMessageBody,
	buildTextMessageBody,
	buildCloudApiOutboundEvent,
	explainMetaError,
} from '../../../core/cloud-api';
import { validateNormalizedEvent } from '../../../core/events/validate-event';
import { inputErrorOf } from './support/input-error';

const to = '+16505551234';
const wamid = 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA';


describe('media messages', () => {
	it('an image by link with a caption, as in Meta’s example', () => {
		expect(buildMediaMessageBody({ to, kind: 'image', link: 'https://example.com/images/landscape.jpg', caption: 'The best succulent ever?' })).toEqual({
			messaging_product: 'whatsapp',
			recipient_type: 'individual',
			to: '16505551234',
			type: 'image',
			image: { link: 'https://example.com/images/landscape.jpg', caption: 'The best succulent ever?' },
		});
	});

	it('a document by uploaded media id with caption and file name, replying to a message', () => {
		expect(buildMediaMessageBody({ to, kind: 'document', mediaId: '1376223850470843', caption: 'Lucky Shrub Invoice', fileName: 'lucky-shrub-invoice.pdf', replyToMessageId: wamid })).toEqual({
			messaging_product: 'whatsapp',
			recipient_type: 'individual',
			to: '16505551234',
			context: { message_id: wamid },
			type: 'document',
			document: { id: '1376223850470843', caption: 'Lucky Shrub Invoice', filename: 'lucky-shrub-invoice.pdf' },
		});
	});

	it('video and audio; a file name only for documents', () => {
		expect(buildMediaMessageBody({ to, kind: 'video', mediaId: '1166846181421424', caption: 'A succulent eclipse!', fileName: 'ignored.mp4' }).video).toEqual({
			id: '1166846181421424',
			caption: 'A succulent eclipse!',
		});
		expect(buildMediaMessageBody({ to, kind: 'audio', link: 'https://example.com/audio/voice.ogg' })).toMatchObject({ type: 'audio', audio: { link: 'https://example.com/audio/voice.ogg' } });
	});

	it.each([
		['no link and no id', { to, kind: 'image' as const }, 'invalid_media'],
		['both a link and an id', { to, kind: 'image' as const, link: 'https://x.test/a.jpg', mediaId: '123' }, 'invalid_media'],
		['a link that is not http(s)', { to, kind: 'image' as const, link: 'ftp://x.test/a.jpg' }, 'invalid_media'],
		['a media id that is not a number', { to, kind: 'image' as const, mediaId: 'abc' }, 'invalid_media'],
		['a caption on audio', { to, kind: 'audio' as const, mediaId: '123', caption: 'listen' }, 'invalid_media'],
		['a caption over 1024 characters', { to, kind: 'image' as const, mediaId: '123', caption: 'x'.repeat(1025) }, 'caption_too_long'],
		['a reply to an id with spaces', { to, kind: 'image' as const, mediaId: '123', replyToMessageId: 'not an id' }, 'invalid_message_id'],
	])('refuses %s before anything is sent', (_what, input, code) => {
		expect(inputErrorOf(() => buildMediaMessageBody(input))).toMatchObject({ code });
	});
});

describe('replies, reactions, read receipts, locations', () => {
	it('a text reply carries context.message_id', () => {
		expect(buildTextMessageBody({ to, text: 'Yes, it ships today.', replyToMessageId: wamid })).toEqual({
			messaging_product: 'whatsapp',
			recipient_type: 'individual',
			to: '16505551234',
			context: { message_id: wamid },
			type: 'text',
			text: { body: 'Yes, it ships today.', preview_url: false },
		});
		expect(buildTextMessageBody({ to, text: 'x', replyToMessageId: '  ' })).not.toHaveProperty('context');
	});

	it('a reaction, and an empty emoji that removes it', () => {
		expect(buildReactionMessageBody({ to, messageId: wamid, emoji: '\uD83D\uDE00' })).toEqual({
			messaging_product: 'whatsapp',
			recipient_type: 'individual',
			to: '16505551234',
			type: 'reaction',
			reaction: { message_id: wamid, emoji: '😀' },
		});
		expect(buildReactionMessageBody({ to, messageId: wamid, emoji: '' }).reaction).toEqual({ message_id: wamid, emoji: '' });
	});

	it.each(['👍', '❤️', '👍🏽', '👨‍👩‍👧', '🇧🇷', '1️⃣'])('accepts %s as one emoji', (emoji) => {
		expect(buildReactionMessageBody({ to, messageId: wamid, emoji }).reaction.emoji).toBe(emoji);
	});

	it.each(['ok', 'thumbs up', '👍 yes', '12'])('refuses %j as an emoji', (emoji) => {
		expect(inputErrorOf(() => buildReactionMessageBody({ to, messageId: wamid, emoji }))).toMatchObject({ code: 'invalid_emoji', field: 'emoji' });
	});

	it('refuses a reaction without a message id', () => {
		expect(inputErrorOf(() => buildReactionMessageBody({ to, messageId: ' ', emoji: '👍' }))).toMatchObject({ code: 'invalid_message_id' });
	});

	it('mark as read: messaging_product, status read, message_id — and nothing else', () => {
		expect(buildMarkReadBody({ messageId: ` ${wamid} ` })).toEqual({ messaging_product: 'whatsapp', status: 'read', message_id: wamid });
	});

	it('a location with name and address; numbers given as text are read as numbers', () => {
		expect(buildLocationMessageBody({ to, latitude: 37.44216251868683, longitude: -122.16153582049394, name: 'Philz Coffee', address: '101 Forest Ave, Palo Alto, CA 94301' })).toEqual({
			messaging_product: 'whatsapp',
			recipient_type: 'individual',
			to: '16505551234',
			type: 'location',
			location: { latitude: 37.44216251868683, longitude: -122.16153582049394, name: 'Philz Coffee', address: '101 Forest Ave, Palo Alto, CA 94301' },
		});
		expect(buildLocationMessageBody({ to, latitude: '-23.5505' as unknown as number, longitude: '-46.6333' as unknown as number }).location).toEqual({ latitude: -23.5505, longitude: -46.6333 });
	});

	it.each([
		[{ latitude: 90.5, longitude: 0 }, 'latitude'],
		[{ latitude: 0, longitude: -181 }, 'longitude'],
		[{ latitude: Number.NaN, longitude: 0 }, 'latitude'],
		[{ latitude: '' as unknown as number, longitude: 0 }, 'latitude'],
	])('refuses coordinates %j', (coordinates, field) => {
		expect(inputErrorOf(() => buildLocationMessageBody({ to, ...coordinates }))).toMatchObject({ code: 'invalid_location', field });
	});
});

describe('templates with header, body and button parameters', () => {
	it('builds Meta’s components in order: header, body, buttons (index as a string)', () => {
		const body = buildTemplateMessageBody({
			to,
			templateName: 'order_delivery_update',
			languageCode: 'en-us',
			header: { type: 'image', link: 'https://example.com/header.png' },
			bodyParameters: ['Pablo', '566701'],
			buttons: [
				{ index: 0, subType: 'url', value: '566701' },
				{ index: 1, subType: 'quick_reply', value: 'STOP_PROMOTIONS' },
			],
			replyToMessageId: wamid,
		});
		expect(body).toEqual({
			messaging_product: 'whatsapp',
			recipient_type: 'individual',
			to: '16505551234',
			context: { message_id: wamid },
			type: 'template',
			template: {
				name: 'order_delivery_update',
				language: { code: 'en_US' },
				components: [
					{ type: 'header', parameters: [{ type: 'image', image: { link: 'https://example.com/header.png' } }] },
					{ type: 'body', parameters: [{ type: 'text', text: 'Pablo' }, { type: 'text', text: '566701' }] },
					{ type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: '566701' }] },
					{ type: 'button', sub_type: 'quick_reply', index: '1', parameters: [{ type: 'payload', payload: 'STOP_PROMOTIONS' }] },
				],
			},
		});
	});

	it('text, video and document headers (a document by id with its file name)', () => {
		const header = (input: Parameters<typeof buildTemplateMessageBody>[0]['header']) =>
			buildTemplateMessageBody({ to, templateName: 'x', header: input }).template.components?.[0];
		expect(header({ type: 'text', text: 'Order #566701' })).toEqual({ type: 'header', parameters: [{ type: 'text', text: 'Order #566701' }] });
		expect(header({ type: 'video', id: '1166846181421424' })).toEqual({ type: 'header', parameters: [{ type: 'video', video: { id: '1166846181421424' } }] });
		expect(header({ type: 'document', link: 'https://example.com/invoice.pdf', filename: 'invoice.pdf' })).toEqual({
			type: 'header',
			parameters: [{ type: 'document', document: { link: 'https://example.com/invoice.pdf', filename: 'invoice.pdf' } }],
		});
	});

	it('a template without variables still has no components (hello_world)', () => {
		expect(buildTemplateMessageBody({ to, templateName: 'hello_world' }).template).toEqual({ name: 'hello_world', language: { code: 'en_US' } });
	});

	it.each([
		['an empty header text', { header: { type: 'text' as const, text: ' ' } }, 'invalid_template_header'],
		['a header text over 60 characters', { header: { type: 'text' as const, text: 'x'.repeat(61) } }, 'invalid_template_header'],
		['an image header without link or id', { header: { type: 'image' as const } }, 'invalid_media'],
		['an empty button value', { buttons: [{ index: 0, subType: 'quick_reply' as const, value: '' }] }, 'invalid_template_button'],
		['a button index twice', { buttons: [{ index: 0, subType: 'url' as const, value: 'a' }, { index: 0, subType: 'url' as const, value: 'b' }] }, 'invalid_template_button'],
		['a button index out of range', { buttons: [{ index: 10, subType: 'url' as const, value: 'a' }] }, 'invalid_template_button'],
	])('refuses %s', (_what, extra, code) => {
		expect(inputErrorOf(() => buildTemplateMessageBody({ to, templateName: 'x', ...extra }))).toMatchObject({ code });
	});
});

describe('the errors users hit most say what to do', () => {
	it.each([
		[131047, /24 hours/, /approved template/],
		[131026, /not be on WhatsApp/, /Check that the number is on WhatsApp/],
		[130429, /./, /./],
		[131056, /same recipient/, /Wait/],
		[132000, /number of/, /header and button parameters/],
	])('%i', (code, explanation, whatToDo) => {
		const explained = explainMetaError({ code });
		expect(explained.known).toBe(true);
		expect(explained.explanation).toMatch(explanation);
		expect(explained.whatToDo).toMatch(whatToDo);
	});
});

describe('the outbound event of a media or location send', () => {
	it('is a valid normalized event of that kind, marked as media, with the quoted message', () => {
		const event = buildCloudApiOutboundEvent({ phoneNumberId: '106540352242922', messageId: wamid, to, kind: 'image', text: null, replyToMessageId: 'wamid.quoted' });
		expect(validateNormalizedEvent(event)).toMatchObject({ ok: true });
		expect(event.message).toMatchObject({ kind: 'image', isMedia: true, text: null, rawType: 'image', contextMessageId: 'wamid.quoted' });
		const location = buildCloudApiOutboundEvent({ phoneNumberId: '106540352242922', messageId: wamid, to, kind: 'location', text: null });
		expect(location.message).toMatchObject({ kind: 'location', isMedia: false, contextMessageId: null });
	});

	it('is storable whatever a workflow put in it: NUL and lone surrogates become U+FFFD in the caption, file name and place name', () => {
		const image = buildCloudApiOutboundEvent({
			phoneNumberId: '106540352242922',
			messageId: wamid,
			to,
			kind: 'image',
			text: 'a\u0000b',
			media: { mediaId: '123', mimeType: 'image/png', size: 1, sha256: null, fileName: 'x\uD800.png' },
		});
		expect(image.message).toMatchObject({ text: 'a\uFFFDb', media: { caption: 'a\uFFFDb', fileName: 'x\uFFFD.png' } });
		const place = buildCloudApiOutboundEvent({ phoneNumberId: '106540352242922', messageId: wamid, to, kind: 'location', text: null, location: { latitude: 1, longitude: 2, name: 'Loja\u0000', address: null, url: null } });
		expect(place.message.location?.name).toBe('Loja\uFFFD');
	});
});
