/**
 * WhatsApp Send Message's operations beyond text through the sidecar: the
 * node in n8n's own execution context → the real sidecar (in process,
 * simulator driver) → what the simulated phone was asked to send. A file
 * comes from a binary field of the input item (n8n's binary helpers) or a URL
 * n8n downloads.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { NodeApiError, NodeOperationError, type INodeExecutionData } from 'n8n-workflow';
import { WhatsAppCrmSend } from '../../../nodes/WhatsAppCrmSend/WhatsAppCrmSend.node';
import { failureOf, runNode } from './support/run-node';
import { sidecarCredential, startNodeTestSidecar, type NodeTestSidecar } from './support/real-sidecar';

const SESSION = '5c7e1a2b-3d4f-4a6b-8c9d-0e1f2a3b4c5d';
const CONTACT = '+5531998765432';
const CONTACT_JID = '5531998765432@c.us';
// A real 1×1 PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n', 'latin1');
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

jest.setTimeout(60_000);

let sidecar: NodeTestSidecar;
let files: http.Server;
let filesUrl: string;
let inboundId: string;
const nodeType = new WhatsAppCrmSend();

beforeAll(async () => {
	sidecar = await startNodeTestSidecar({ MAX_MEDIA_MB: '1' });
	await sidecar.link(SESSION, '5511900003333');
	const inbound = await sidecar.run.api('POST', `/simulator/sessions/${SESSION}/inbound`, { from: CONTACT, text: 'Please send me the brochure' });
	inboundId = inbound.body.messageId;
	files = http.createServer((req, res) => {
		if (req.url === '/brochure.pdf') {
			res.writeHead(200, { 'content-type': 'application/pdf' });
			res.end(PDF);
		} else {
			res.writeHead(404).end();
		}
	});
	await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
	filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
});

beforeEach(() => {
	sidecar.requests.length = 0;
});

afterAll(async () => {
	await sidecar?.close();
	await new Promise((resolve) => files?.close(resolve));
});

const phoneSent = async (): Promise<any[]> => (await sidecar.run.api('GET', `/simulator/sessions/${SESSION}/sent`)).body.sent;

function run(parameters: Record<string, unknown>, extra: { items?: INodeExecutionData[]; continueOnFail?: boolean } = {}) {
	return runNode({
		nodeType,
		parameters: { source: 'sidecar', sessionId: SESSION, ...parameters } as never,
		credentials: { whatsAppSidecarApi: sidecarCredential(sidecar) },
		items: extra.items,
		continueOnFail: extra.continueOnFail,
	});
}

const withFile = (bytes: Buffer, mimeType: string, fileName: string, field = 'data'): INodeExecutionData[] => [
	{ json: {}, binary: { [field]: { data: bytes.toString('base64'), mimeType, fileName } } },
];

describe('Send Media through the sidecar', () => {
	it('sends the file of a binary field, with caption, as a reply: the phone gets exactly these bytes', async () => {
		const [items] = await run(
			{ operation: 'sendMedia', to: CONTACT, mediaSource: 'binary', binaryPropertyName: 'photo', caption: 'Our new store', options: { replyToMessageId: inboundId } },
			{ items: withFile(PNG, 'image/png', 'store.png', 'photo') },
		);
		expect(sidecar.requests).toHaveLength(1);
		expect(sidecar.requests[0]!.path).toBe(`/sessions/${SESSION}/media`);
		expect(sidecar.requests[0]!.body).toEqual({
			to: CONTACT_JID,
			data: PNG.toString('base64'),
			mimeType: 'image/png',
			fileName: 'store.png',
			caption: 'Our new store',
			asDocument: false,
			quotedMessageId: inboundId,
		});
		expect(items![0]!.json).toEqual({
			messageId: expect.stringMatching(/^true_5531998765432@c\.us_/),
			to: CONTACT,
			source: 'sidecar',
			sessionId: SESSION,
			media: { kind: 'image', fileName: 'store.png', mimeType: 'image/png', size: PNG.length },
			event: expect.objectContaining({
				type: 'message',
				message: expect.objectContaining({ kind: 'image', direction: 'outbound', contextMessageId: inboundId, media: expect.objectContaining({ size: PNG.length, fileName: 'store.png' }) }),
			}),
		});
		expect((await phoneSent()).at(-1)).toMatchObject({ kind: 'media', type: 'image', size: PNG.length, sha256: sha256(PNG), caption: 'Our new store', quotedMessageId: inboundId });
	});

	it('sends an audio file as a voice note: the phone gets a voice message (ptt), the event says voice', async () => {
		const ogg = Buffer.from('OggS\u0000\u0002 opus voice note', 'latin1');
		const [items] = await run({ operation: 'sendMedia', to: CONTACT, mediaType: 'voice' }, { items: withFile(ogg, 'audio/ogg', 'note.ogg') });
		expect(sidecar.requests[0]!.body).toMatchObject({ mimeType: 'audio/ogg', asDocument: false, asVoice: true });
		expect(items![0]!.json.media).toMatchObject({ kind: 'voice', size: ogg.length });
		expect((items![0]!.json.event as any).message).toMatchObject({ kind: 'voice', media: { kind: 'voice', sha256: sha256(ogg) } });
		expect((await phoneSent()).at(-1)).toMatchObject({ kind: 'media', type: 'ptt', sha256: sha256(ogg) });
		// A caption is refused before anything is sent: WhatsApp shows none with a voice message.
		const before = sidecar.requests.length;
		const error = await failureOf(run({ operation: 'sendMedia', to: CONTACT, mediaType: 'voice', caption: 'listen' }, { items: withFile(ogg, 'audio/ogg', 'note.ogg') }));
		expect(error.message).toMatch(/no caption|caption/i);
		expect(sidecar.requests.length).toBe(before);
	});

	it('downloads a file from a URL in n8n and sends it as a document under the name given', async () => {
		const [items] = await run({ operation: 'sendMedia', to: CONTACT, mediaSource: 'url', mediaUrl: `${filesUrl}/brochure.pdf`, fileName: 'Brochure 2026.pdf' });
		expect(sidecar.requests[0]!.body).toMatchObject({ mimeType: 'application/pdf', fileName: 'Brochure 2026.pdf', asDocument: true, data: PDF.toString('base64') });
		expect(items![0]!.json.media).toEqual({ kind: 'document', fileName: 'Brochure 2026.pdf', mimeType: 'application/pdf', size: PDF.length });
		expect((await phoneSent()).at(-1)).toMatchObject({ type: 'document', sha256: sha256(PDF) });
	});

	it('says what to do when the file is over the sidecar’s MAX_MEDIA_MB (413), and sent nothing', async () => {
		const before = (await phoneSent()).length;
		const error = await failureOf(run({ operation: 'sendMedia', to: CONTACT }, { items: withFile(Buffer.alloc(1024 * 1024 + 10, 1), 'application/zip', 'big.zip') }));
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toMatch(/larger than the sidecar accepts.*MAX_MEDIA_MB/);
		expect(error.context?.code).toBe('media_too_large');
		expect((await phoneSent()).length).toBe(before);
	});

	it.each([
		['no file in the binary field', { operation: 'sendMedia', to: CONTACT, binaryPropertyName: 'attachment' }, 'missing_binary', /no file in its binary field "attachment"/],
		['a URL that is not one', { operation: 'sendMedia', to: CONTACT, mediaSource: 'url', mediaUrl: 'brochure.pdf' }, 'invalid_media_url', /not a web address/],
		['a caption on audio', { operation: 'sendMedia', to: CONTACT, mediaType: 'audio', caption: 'listen' }, 'invalid_media', /caption with audio/],
		['a reply id that is not an id', { operation: 'sendMedia', to: CONTACT, options: { replyToMessageId: 'the last one' } }, 'invalid_message_id', /message id/],
	])('refuses %s before calling the sidecar', async (_what, parameters, code, message) => {
		const error = await failureOf(run(parameters, { items: withFile(PNG, 'image/png', 'a.png') }));
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toMatch(message);
		expect(error.context?.code).toBe(code);
		expect(sidecar.requests).toHaveLength(0);
	});

	it('a URL that answers 404 fails clearly, before calling the sidecar', async () => {
		const error = await failureOf(run({ operation: 'sendMedia', to: CONTACT, mediaSource: 'url', mediaUrl: `${filesUrl}/gone.pdf` }));
		expect(error.message).toMatch(/Could not download the file from File URL \(HTTP 404\)/);
		expect(sidecar.requests).toHaveLength(0);
	});

	it('with Continue On Fail, a failing item becomes { error, code } and the others are sent', async () => {
		const items = [...withFile(PNG, 'image/png', 'ok.png'), { json: {} }, ...withFile(PNG, 'image/png', 'ok2.png')];
		const [out] = await run({ operation: 'sendMedia', to: CONTACT }, { items, continueOnFail: true });
		expect(out).toHaveLength(3);
		expect(out![0]!.json.messageId).toEqual(expect.any(String));
		expect(out![1]!.json).toEqual({ error: expect.stringMatching(/no file in its binary field "data"/), code: 'missing_binary' });
		expect(out![1]!.pairedItem).toEqual({ item: 1 });
		expect(out![2]!.json.messageId).toEqual(expect.any(String));
	});
});

describe('Reply, Send Location, React, Mark as Read through the sidecar', () => {
	it('replies with a text', async () => {
		await run({ operation: 'send', to: CONTACT, text: 'Sure, here it is', options: { replyToMessageId: inboundId } });
		expect(sidecar.requests[0]!.body).toEqual({ to: CONTACT_JID, text: 'Sure, here it is', quotedMessageId: inboundId });
		expect((await phoneSent()).at(-1)).toMatchObject({ kind: 'text', quotedMessageId: inboundId });
	});

	it('a workflow saved before operations existed still sends a text', async () => {
		const [items] = await run({ to: CONTACT, text: 'Old workflow' });
		expect(sidecar.requests[0]!.path).toBe(`/sessions/${SESSION}/messages`);
		expect(items![0]!.json.event).toEqual(expect.objectContaining({ type: 'message' }));
	});

	it('sends a location', async () => {
		const [items] = await run({ operation: 'sendLocation', to: CONTACT, latitude: '-19.9245', longitude: '-43.9352', locationName: 'Praça da Liberdade', address: 'Belo Horizonte' });
		expect(sidecar.requests[0]!.body).toEqual({ to: CONTACT_JID, latitude: -19.9245, longitude: -43.9352, name: 'Praça da Liberdade', address: 'Belo Horizonte' });
		expect(items![0]!.json).toMatchObject({ source: 'sidecar', location: { latitude: -19.9245, longitude: -43.9352 } });
		expect((await phoneSent()).at(-1)).toMatchObject({ kind: 'location', latitude: -19.9245, name: 'Praça da Liberdade' });
	});

	it('refuses a location without coordinates before calling the sidecar', async () => {
		const error = await failureOf(run({ operation: 'sendLocation', to: CONTACT, latitude: '', longitude: '10' }));
		expect(error.message).toMatch(/Latitude must be a number from -90 to 90/);
		expect(sidecar.requests).toHaveLength(0);
	});

	it('reacts to the message of the incoming event (the default Message ID), and removes the reaction', async () => {
		const event = { json: { sessionId: SESSION, message: { messageId: inboundId } } };
		const [items] = await runNode({
			nodeType,
			parameters: { source: 'sidecar', operation: 'react', emoji: '❤️' } as never,
			credentials: { whatsAppSidecarApi: sidecarCredential(sidecar) },
			items: [event],
		});
		expect(sidecar.requests[0]!.path).toBe(`/sessions/${SESSION}/reactions`);
		expect(sidecar.requests[0]!.body).toEqual({ messageId: inboundId, emoji: '❤️' });
		expect(items![0]!.json).toEqual({ reactedTo: inboundId, emoji: '❤️', removed: false, source: 'sidecar', sessionId: SESSION });
		const [removed] = await run({ operation: 'react', messageId: inboundId, emoji: '' });
		expect(removed![0]!.json).toMatchObject({ emoji: '', removed: true });
		expect((await phoneSent()).slice(-2)).toEqual([
			{ kind: 'reaction', messageId: inboundId, emoji: '❤️' },
			{ kind: 'reaction', messageId: inboundId, emoji: '' },
		]);
	});

	it('a reaction to a message the phone does not know says so', async () => {
		const error = await failureOf(run({ operation: 'react', messageId: 'false_5531998765432@c.us_3EB0DDDDDDDDDDDDDDDD', emoji: '👍' }));
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toMatch(/linked phone does not know this message/);
		expect(error.context?.code).toBe('unknown_message');
	});

	it('refuses a word as an emoji before calling the sidecar', async () => {
		const error = await failureOf(run({ operation: 'react', messageId: inboundId, emoji: 'yes' }));
		expect(error.context?.code).toBe('invalid_emoji');
		expect(sidecar.requests).toHaveLength(0);
	});

	it('marks a message as read', async () => {
		const [items] = await run({ operation: 'markAsRead', messageId: inboundId });
		expect(sidecar.requests[0]!.path).toBe(`/sessions/${SESSION}/read`);
		expect(items![0]!.json).toEqual({ messageId: inboundId, read: true, source: 'sidecar', sessionId: SESSION });
		expect((await phoneSent()).at(-1)).toEqual({ kind: 'read', chatId: CONTACT_JID });
	});
});
