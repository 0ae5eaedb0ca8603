/**
 * Sending beyond text through the real sidecar (in-process, simulator driver):
 * files from base64 with a caption, replies, locations, reactions and read
 * receipts. The simulated phone records what it was asked to send (files as
 * size and SHA-256), so each test checks what reached "WhatsApp". Bad input is
 * refused before anything is sent; nothing is half-sent; nothing sensitive is
 * logged.
 */
import { createHash } from 'node:crypto';
import type { Receiver } from './helpers/receiver';
import { isMessage, linkSession, newSessionId, type Running, startSidecarUnderTest, stopSidecarUnderTest } from './helpers/harness';

jest.setTimeout(30000);

let root: string;
let receiver: Receiver;
let run: Running;

// 1 MB, so the size limit is cheap to reach.
beforeAll(async () => {
	({ root, receiver, run } = await startSidecarUnderTest({ MAX_MEDIA_MB: '1' }));
});

afterAll(() => stopSidecarUnderTest({ root, receiver, run }));

afterEach(() => {
	expect(receiver.rejected()).toEqual([]);
});

const sessionId = newSessionId();
const contact = '+5521976543210';
const contactJid = '5521976543210@c.us';
// A real 1×1 PNG.
const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

const sent = async (): Promise<any[]> => (await run.api('GET', `/simulator/sessions/${sessionId}/sent`)).body.sent;

let inboundId: string;

beforeAll(async () => {
	await linkSession(run, receiver.waitFor, sessionId);
	await run.api('POST', `/simulator/sessions/${sessionId}/not-on-whatsapp`, { numbers: ['+5511955554444'] });
	const inbound = await run.api('POST', `/simulator/sessions/${sessionId}/inbound`, { from: contact, text: 'Can you send the invoice?' });
	inboundId = inbound.body.messageId;
	await receiver.waitFor(isMessage(inboundId));
});

describe('POST /sessions/:id/media', () => {
	it('sends an image with a caption as a reply, and the phone got exactly these bytes', async () => {
		const res = await run.api('POST', `/sessions/${sessionId}/media`, {
			to: contact,
			data: png.toString('base64'),
			mimeType: 'image/png',
			fileName: 'pixel.png',
			caption: 'Here is the picture',
			quotedMessageId: inboundId,
		});
		expect(res.status).toBe(201);
		expect(res.body).toMatchObject({ kind: 'image' });
		// The event a workflow logs it with: the file's details and its reference, never the bytes.
		expect(res.body.event.message).toMatchObject({
			direction: 'outbound',
			kind: 'image',
			isMedia: true,
			text: 'Here is the picture',
			contextMessageId: inboundId,
			media: { kind: 'image', mimeType: 'image/png', size: png.length, sha256: sha256(png), fileName: 'pixel.png', caption: 'Here is the picture', ref: `sidecar:${sessionId}:${res.body.messageId}` },
		});
		expect(res.body.messageId).toMatch(/^true_5521976543210@c\.us_3EB0[0-9A-F]{16}$/);
		expect((await sent()).at(-1)).toEqual({
			kind: 'media',
			messageId: res.body.messageId,
			chatId: contactJid,
			type: 'image',
			mimeType: 'image/png',
			fileName: 'pixel.png',
			size: png.length,
			sha256: sha256(png),
			caption: 'Here is the picture',
			asDocument: false,
			quotedMessageId: inboundId,
		});
	});

	it('sends any other file as a document, and a picture as a document when asked', async () => {
		const pdf = Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n', 'latin1');
		const doc = await run.api('POST', `/sessions/${sessionId}/media`, { to: contact, data: pdf.toString('base64'), mimeType: 'application/pdf', fileName: '../../etc/Invoice 42.pdf' });
		expect(doc.status).toBe(201);
		expect((await sent()).at(-1)).toMatchObject({ kind: 'media', type: 'document', fileName: 'Invoice 42.pdf', size: pdf.length, sha256: sha256(pdf), caption: null });
		const asDoc = await run.api('POST', `/sessions/${sessionId}/media`, { to: contact, data: png.toString('base64'), mimeType: 'image/png', asDocument: true });
		expect(asDoc.status).toBe(201);
		expect((await sent()).at(-1)).toMatchObject({ type: 'document', asDocument: true, fileName: null });
	});

	it('sends audio as a voice message (ptt) and an image as a sticker when asked; refuses what WhatsApp cannot show that way', async () => {
		const ogg = Buffer.from('OggS\u0000\u0002 opus voice note', 'latin1');
		const voice = await run.api('POST', `/sessions/${sessionId}/media`, { to: contact, data: ogg.toString('base64'), mimeType: 'audio/ogg; codecs=opus', asVoice: true });
		expect(voice.status).toBe(201);
		expect(voice.body.event.message).toMatchObject({ kind: 'voice', isMedia: true, text: null, media: { kind: 'voice', size: ogg.length, sha256: sha256(ogg) } });
		expect((await sent()).at(-1)).toMatchObject({ kind: 'media', type: 'ptt', size: ogg.length });
		const webp = Buffer.from('RIFF\u0000\u0000\u0000\u0000WEBPVP8 ', 'latin1');
		const sticker = await run.api('POST', `/sessions/${sessionId}/media`, { to: contact, data: webp.toString('base64'), mimeType: 'image/webp', asSticker: true });
		expect(sticker.status).toBe(201);
		expect(sticker.body.event.message).toMatchObject({ kind: 'sticker', media: { kind: 'sticker', mimeType: 'image/webp' } });
		expect((await sent()).at(-1)).toMatchObject({ kind: 'media', type: 'sticker' });

		const before = (await sent()).length;
		for (const [body, field] of [
			[{ data: png.toString('base64'), mimeType: 'image/png', asVoice: true }, 'asVoice'],
			[{ data: ogg.toString('base64'), mimeType: 'audio/ogg', asSticker: true }, 'asSticker'],
			[{ data: ogg.toString('base64'), mimeType: 'audio/ogg', asVoice: true, asDocument: true }, 'asDocument'],
			[{ data: ogg.toString('base64'), mimeType: 'audio/ogg', asVoice: true, caption: 'listen' }, 'caption'],
			[{ data: ogg.toString('base64'), mimeType: 'audio/ogg', asVoice: 'yes' }, 'asVoice'],
		] as const) {
			const res = await run.api('POST', `/sessions/${sessionId}/media`, { to: contact, ...body });
			expect(res.status).toBe(422);
			expect(res.body.error).toMatchObject({ code: 'invalid_input', field });
		}
		expect((await sent()).length).toBe(before);
	});

	it('answers 413 media_too_large for a file over MAX_MEDIA_MB, whether the body or the decoded file is too large, and sends nothing', async () => {
		const before = (await sent()).length;
		const decodedOver = Buffer.alloc(1024 * 1024 + 3, 7); // its base64 fits the body limit; the file does not
		const res = await run.api('POST', `/sessions/${sessionId}/media`, { to: contact, data: decodedOver.toString('base64'), mimeType: 'application/octet-stream' });
		expect(res.status).toBe(413);
		expect(res.body.error).toMatchObject({ code: 'media_too_large', field: 'data' });
		expect(res.body.error.message).toMatch(/1 MB, MAX_MEDIA_MB/);
		const bodyOver = Buffer.alloc(2 * 1024 * 1024, 7);
		const big = await run.api('POST', `/sessions/${sessionId}/media`, { to: contact, data: bodyOver.toString('base64'), mimeType: 'application/octet-stream' });
		expect(big.status).toBe(413);
		expect(big.body.error.code).toBe('media_too_large');
		expect((await sent()).length).toBe(before);
	});

	it.each([
		['no data', { to: contact, mimeType: 'image/png' }, 'data', 422, 'invalid_input'],
		['data that is not base64', { to: contact, mimeType: 'image/png', data: 'not base64!' }, 'data', 422, 'invalid_input'],
		['no MIME type', { to: contact, data: png.toString('base64') }, 'mimeType', 422, 'invalid_input'],
		['a group', { to: '120363025246125888@g.us', data: png.toString('base64'), mimeType: 'image/png' }, 'to', 422, 'not_a_person'],
		['a number not on WhatsApp', { to: '+5511955554444', data: png.toString('base64'), mimeType: 'image/png' }, 'to', 422, 'not_on_whatsapp'],
		['a reply to an unknown message', { to: contact, data: png.toString('base64'), mimeType: 'image/png', quotedMessageId: 'false_5521976543210@c.us_3EB0AAAAAAAAAAAAAAAA' }, 'quotedMessageId', 404, 'unknown_message'],
	])('refuses %s before sending anything', async (_what, body, field, status, code) => {
		const before = (await sent()).length;
		const res = await run.api('POST', `/sessions/${sessionId}/media`, body);
		expect(res.status).toBe(status);
		expect(res.body.error).toMatchObject({ code, field });
		expect((await sent()).length).toBe(before);
	});
});

describe('replies, locations, reactions, read receipts', () => {
	it('replies with a text quoting a message: the quote reaches the phone, the event is the usual text event', async () => {
		const res = await run.api('POST', `/sessions/${sessionId}/messages`, { to: contact, text: 'Sent it!', quotedMessageId: inboundId });
		expect(res.status).toBe(201);
		expect(res.body.event.message).toMatchObject({ direction: 'outbound', text: 'Sent it!', contextMessageId: inboundId });
		expect((await sent()).at(-1)).toEqual({ kind: 'text', messageId: res.body.messageId, chatId: contactJid, quotedMessageId: inboundId });
	});

	it('sends a location with name and address', async () => {
		const res = await run.api('POST', `/sessions/${sessionId}/location`, { to: contact, latitude: -22.9519, longitude: -43.2105, name: 'Cristo Redentor', address: 'Parque Nacional da Tijuca' });
		expect(res.status).toBe(201);
		expect(res.body).toMatchObject({ kind: 'location' });
		// The event a workflow logs it with: the location's content, as for one received.
		expect(res.body.event.message).toMatchObject({
			direction: 'outbound',
			kind: 'location',
			text: null,
			location: { latitude: -22.9519, longitude: -43.2105, name: 'Cristo Redentor', address: 'Parque Nacional da Tijuca', url: null },
		});
		expect((await sent()).at(-1)).toEqual({
			kind: 'location',
			messageId: res.body.messageId,
			chatId: contactJid,
			latitude: -22.9519,
			longitude: -43.2105,
			name: 'Cristo Redentor',
			address: 'Parque Nacional da Tijuca',
			quotedMessageId: null,
		});
	});

	it.each([
		['latitude out of range', { to: contact, latitude: 91, longitude: 0 }, 'latitude'],
		['no longitude', { to: contact, latitude: 10 }, 'longitude'],
	])('refuses a location with %s', async (_what, body, field) => {
		const res = await run.api('POST', `/sessions/${sessionId}/location`, body);
		expect(res.status).toBe(422);
		expect(res.body.error.field).toBe(field);
	});

	it('reacts to a message, and removes the reaction with an empty emoji', async () => {
		const react = await run.api('POST', `/sessions/${sessionId}/reactions`, { messageId: inboundId, emoji: '👍' });
		expect(react.status).toBe(200);
		expect(react.body).toEqual({ messageId: inboundId, emoji: '👍', removed: false });
		expect((await sent()).at(-1)).toEqual({ kind: 'reaction', messageId: inboundId, emoji: '👍' });
		const remove = await run.api('POST', `/sessions/${sessionId}/reactions`, { messageId: inboundId, emoji: '' });
		expect(remove.body).toMatchObject({ emoji: '', removed: true });
		expect((await sent()).at(-1)).toEqual({ kind: 'reaction', messageId: inboundId, emoji: '' });
	});

	it('answers 404 unknown_message for a reaction to a message the phone does not know, and 422 for text as an emoji', async () => {
		const before = (await sent()).length;
		const unknown = await run.api('POST', `/sessions/${sessionId}/reactions`, { messageId: 'false_5521976543210@c.us_3EB0BBBBBBBBBBBBBBBB', emoji: '👍' });
		expect(unknown.status).toBe(404);
		expect(unknown.body.error).toMatchObject({ code: 'unknown_message', field: 'messageId' });
		const notEmoji = await run.api('POST', `/sessions/${sessionId}/reactions`, { messageId: inboundId, emoji: 'ok' });
		expect(notEmoji.status).toBe(422);
		expect(notEmoji.body.error.field).toBe('emoji');
		expect((await sent()).length).toBe(before);
	});

	it('marks the chat of a message as read', async () => {
		const res = await run.api('POST', `/sessions/${sessionId}/read`, { messageId: inboundId });
		expect(res.status).toBe(200);
		expect(res.body).toEqual({ messageId: inboundId, chatId: contactJid, read: true });
		expect((await sent()).at(-1)).toEqual({ kind: 'read', chatId: contactJid });
		const unknown = await run.api('POST', `/sessions/${sessionId}/read`, { messageId: 'false_5521976543210@c.us_3EB0CCCCCCCCCCCCCCCC' });
		expect(unknown.status).toBe(404);
		expect(unknown.body.error.code).toBe('unknown_message');
	});

	it('needs the API key on every new route', async () => {
		for (const route of ['media', 'location', 'reactions', 'read']) {
			const res = await run.api('POST', `/sessions/${sessionId}/${route}`, {}, { key: null });
			expect(res.status).toBe(401);
		}
	});

	it('answers 409 not_connected when the session is not connected, before sending', async () => {
		const other = newSessionId();
		await run.api('POST', `/sessions/${other}`);
		const res = await run.api('POST', `/sessions/${other}/media`, { to: contact, data: png.toString('base64'), mimeType: 'image/png' });
		expect(res.status).toBe(409);
		expect(res.body.error.code).toBe('not_connected');
	});
});

describe('logs', () => {
	it('carry no file bytes, number, JID, caption or text of this traffic', () => {
		const output = run.logs.join('\n');
		for (const needle of ['5521976543210', '21976543210', 'Here is the picture', 'Sent it!', 'Cristo Redentor', 'Tijuca', 'invoice', 'Invoice 42', png.toString('base64').slice(0, 24), 'BwcHBwcH']) {
			expect(output).not.toContain(needle);
		}
		expect(output).not.toMatch(/@c\.us|@s\.whatsapp\.net/);
	});
});
