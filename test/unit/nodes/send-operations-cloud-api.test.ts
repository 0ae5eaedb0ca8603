/**
 * WhatsApp Send Message's operations beyond text through Meta's Cloud API:
 * the node in n8n's own execution context → the Graph API stand-in, which
 * checks every request against Meta's documented format (media by uploaded id
 * or link, context.message_id, reaction, read receipt, location, template
 * header / body / button components) → the items the node outputs, and the
 * errors users hit most, worded with what to do.
 */
import { createHash } from 'node:crypto';
import { NodeApiError, NodeOperationError, type INodeExecutionData } from 'n8n-workflow';
import { validateNormalizedEvent } from '../../../core/events/validate-event';
import { WhatsAppCrmSend } from '../../../nodes/WhatsAppCrmSend/WhatsAppCrmSend.node';
import { cloudApiCredential, startMetaGraphStandIn, type MetaGraphStandIn } from '../../support/meta-graph-stand-in';
import { failureOf, runNode } from './support/run-node';

const TO = '+5511987654321';
const WAMID = 'wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFjNFQjBDNUY3QjQ3QjE2RjhBNjBGRjEA';
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');

let meta: MetaGraphStandIn;
const nodeType = new WhatsAppCrmSend();

beforeEach(async () => {
	meta = await startMetaGraphStandIn();
});

afterEach(async () => {
	await meta.close();
});

function run(parameters: Record<string, unknown>, extra: { items?: INodeExecutionData[]; continueOnFail?: boolean } = {}) {
	return runNode({
		nodeType,
		parameters: { source: 'cloudApi', ...parameters } as never,
		credentials: { whatsAppCloudApi: cloudApiCredential(meta) },
		items: extra.items,
		continueOnFail: extra.continueOnFail,
	});
}

const withFile = (bytes: Buffer, mimeType: string, fileName: string): INodeExecutionData[] => [{ json: {}, binary: { data: { data: bytes.toString('base64'), mimeType, fileName } } }];
const messageRequests = () => meta.requests.filter((request) => request.path.endsWith('/messages'));
const uploadRequests = () => meta.requests.filter((request) => request.path.endsWith('/media'));

describe('Send Media through the Cloud API', () => {
	it('uploads the file of a binary field (multipart, with the token), then sends it by id with caption, as a reply', async () => {
		const [items] = await run(
			{ operation: 'sendMedia', to: TO, caption: 'Your receipt', options: { replyToMessageId: WAMID } },
			{ items: withFile(PNG, 'image/png', 'receipt.png') },
		);
		expect(uploadRequests()).toHaveLength(1);
		const upload = uploadRequests()[0]!;
		expect(upload.path).toBe(`/v21.0/${meta.phoneNumberId}/media`);
		expect(upload.headers.authorization).toBe(`Bearer ${meta.accessToken}`);
		expect(upload.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
		expect(meta.uploads).toEqual([
			{ id: expect.stringMatching(/^\d+$/), type: 'image/png', fileName: 'receipt.png', mimeType: 'image/png', size: PNG.length, sha256: createHash('sha256').update(PNG).digest('hex') },
		]);
		const mediaId = meta.uploads[0]!.id;
		expect(messageRequests().map((request) => request.body)).toEqual([
			{
				messaging_product: 'whatsapp',
				recipient_type: 'individual',
				to: '5511987654321',
				context: { message_id: WAMID },
				type: 'image',
				image: { id: mediaId, caption: 'Your receipt' },
			},
		]);
		const json = items![0]!.json;
		expect(json).toMatchObject({
			messageId: expect.stringMatching(/^wamid\./),
			to: TO,
			source: 'cloud_api',
			sessionId: meta.phoneNumberId,
			media: { kind: 'image', fileName: 'receipt.png', mimeType: 'image/png', size: PNG.length, mediaId },
		});
		const event = json.event as Record<string, any>;
		expect(validateNormalizedEvent(event)).toEqual({ ok: true, event });
		expect(event.message).toMatchObject({ kind: 'image', isMedia: true, direction: 'outbound', contextMessageId: WAMID, text: 'Your receipt' });
		// The same shape as a received picture: its ref fetches the uploaded file again (Download Media).
		expect(event.message.media).toEqual({
			kind: 'image',
			mimeType: 'image/png',
			size: PNG.length,
			sha256: createHash('sha256').update(PNG).digest('hex'),
			fileName: 'receipt.png',
			caption: 'Your receipt',
			ref: `cloud_api:${mediaId}`,
		});
	});

	it('a voice note is audio with voice: true; a sticker is type sticker; neither takes a caption', async () => {
		const ogg = Buffer.from('OggS\u0000\u0002 opus voice note', 'latin1');
		const [voice] = await run({ operation: 'sendMedia', to: TO, mediaType: 'voice' }, { items: withFile(ogg, 'audio/ogg', 'note.ogg') });
		const webp = Buffer.from('RIFF\u0000\u0000\u0000\u0000WEBPVP8 ', 'latin1');
		await run({ operation: 'sendMedia', to: TO, mediaType: 'sticker' }, { items: withFile(webp, 'image/webp', 'thanks.webp') });
		expect(messageRequests().map((request) => request.body)).toEqual([
			{ messaging_product: 'whatsapp', recipient_type: 'individual', to: '5511987654321', type: 'audio', audio: { id: meta.uploads[0]!.id, voice: true } },
			{ messaging_product: 'whatsapp', recipient_type: 'individual', to: '5511987654321', type: 'sticker', sticker: { id: meta.uploads[1]!.id } },
		]);
		// As Meta's webhook would name it: kind voice, Meta's type audio.
		expect((voice![0]!.json.event as Record<string, any>).message).toMatchObject({ kind: 'voice', rawType: 'audio', isMedia: true, media: { kind: 'voice', mimeType: 'audio/ogg' } });

		meta.requests.length = 0;
		const captioned = await failureOf(run({ operation: 'sendMedia', to: TO, mediaType: 'sticker', caption: 'thanks!' }, { items: withFile(webp, 'image/webp', 'thanks.webp') }));
		expect(captioned.message).toMatch(/caption with a sticker/);
		const tooLarge = await failureOf(run({ operation: 'sendMedia', to: TO, mediaType: 'sticker' }, { items: withFile(Buffer.alloc(500 * 1024 + 1), 'image/webp', 'big.webp') }));
		expect(tooLarge.context?.code).toBe('media_too_large');
		// Meta takes only WebP as a sticker, and a picture must be one: refused before any upload.
		const png = await failureOf(run({ operation: 'sendMedia', to: TO, mediaType: 'sticker' }, { items: withFile(PNG, 'image/png', 'thanks.png') }));
		expect(png.context?.code).toBe('media_type_mismatch');
		expect(png.message).toMatch(/only WebP images as stickers/);
		const pdfAsPicture = await failureOf(run({ operation: 'sendMedia', to: TO, mediaType: 'image' }, { items: withFile(Buffer.from('%PDF-1.4'), 'application/pdf', 'a.pdf') }));
		expect(pdfAsPicture.context?.code).toBe('media_type_mismatch');
		expect(meta.requests).toHaveLength(0);
		// A URL whose type nobody says is Meta's to judge: sent.
		await run({ operation: 'sendMedia', to: TO, mediaSource: 'url', mediaUrl: 'https://example.com/render?id=42', mediaType: 'image' });
		expect(messageRequests().at(-1)!.body).toMatchObject({ type: 'image', image: { link: 'https://example.com/render?id=42' } });
	});

	it('sends a URL as a link (Meta downloads it): a PDF as a document with its file name', async () => {
		const [items] = await run({ operation: 'sendMedia', to: TO, mediaSource: 'url', mediaUrl: 'https://example.com/files/Invoice%2042.pdf', caption: 'Invoice 42' });
		expect(uploadRequests()).toHaveLength(0);
		expect(messageRequests()[0]!.body).toEqual({
			messaging_product: 'whatsapp',
			recipient_type: 'individual',
			to: '5511987654321',
			type: 'document',
			document: { link: 'https://example.com/files/Invoice%2042.pdf', caption: 'Invoice 42', filename: 'Invoice 42.pdf' },
		});
		// Meta fetched the file itself: there is no media id to refer to, so no media reference.
		const event = items![0]!.json.event as Record<string, any>;
		expect(validateNormalizedEvent(event)).toEqual({ ok: true, event });
		expect(event.message).toMatchObject({ kind: 'document', isMedia: true, text: 'Invoice 42', media: null });
	});

	it('refuses a picture over Meta’s 5 MB before uploading anything, and says what to do', async () => {
		const error = await failureOf(run({ operation: 'sendMedia', to: TO, mediaType: 'image' }, { items: withFile(Buffer.alloc(5 * 1024 * 1024 + 1), 'image/jpeg', 'big.jpg') }));
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toMatch(/at most 5 MB for a picture.*send it as a document/);
		expect(error.context?.code).toBe('media_too_large');
		expect(meta.requests).toHaveLength(0);
	});

	it('refuses a caption over 1024 characters before uploading anything', async () => {
		const error = await failureOf(run({ operation: 'sendMedia', to: TO, caption: 'x'.repeat(1025) }, { items: withFile(PNG, 'image/png', 'a.png') }));
		expect(error.context?.code).toBe('caption_too_long');
		expect(meta.requests).toHaveLength(0);
	});
});

describe('replies, locations, reactions, read receipts through the Cloud API', () => {
	it('replies with a text: context.message_id', async () => {
		const [items] = await run({ operation: 'send', messageType: 'text', to: TO, text: 'On its way!', options: { replyToMessageId: WAMID } });
		expect(messageRequests()[0]!.body).toEqual({
			messaging_product: 'whatsapp',
			recipient_type: 'individual',
			to: '5511987654321',
			context: { message_id: WAMID },
			type: 'text',
			text: { body: 'On its way!', preview_url: false },
		});
		expect((items![0]!.json.event as Record<string, any>).message.contextMessageId).toBe(WAMID);
	});

	it('sends a location', async () => {
		const [items] = await run({ operation: 'sendLocation', to: TO, latitude: '-23.5614', longitude: '-46.6559', locationName: 'MASP', address: 'Av. Paulista, 1578' });
		expect(messageRequests()[0]!.body).toEqual({
			messaging_product: 'whatsapp',
			recipient_type: 'individual',
			to: '5511987654321',
			type: 'location',
			location: { latitude: -23.5614, longitude: -46.6559, name: 'MASP', address: 'Av. Paulista, 1578' },
		});
		const event = items![0]!.json.event as Record<string, any>;
		expect(validateNormalizedEvent(event)).toEqual({ ok: true, event });
		expect(event.message).toMatchObject({ kind: 'location', text: null, location: { latitude: -23.5614, longitude: -46.6559, name: 'MASP', address: 'Av. Paulista, 1578', url: null } });
	});

	it('reacts, and removes the reaction with an empty emoji', async () => {
		const [items] = await run({ operation: 'react', to: TO, messageId: WAMID, emoji: '🙏' });
		await run({ operation: 'react', to: TO, messageId: WAMID, emoji: '' });
		expect(messageRequests().map((request) => request.body)).toEqual([
			{ messaging_product: 'whatsapp', recipient_type: 'individual', to: '5511987654321', type: 'reaction', reaction: { message_id: WAMID, emoji: '🙏' } },
			{ messaging_product: 'whatsapp', recipient_type: 'individual', to: '5511987654321', type: 'reaction', reaction: { message_id: WAMID, emoji: '' } },
		]);
		expect(items![0]!.json).toEqual({ messageId: expect.stringMatching(/^wamid\./), to: TO, reactedTo: WAMID, emoji: '🙏', removed: false, source: 'cloud_api', sessionId: meta.phoneNumberId });
	});

	it('marks a message as read with exactly messaging_product, status and message_id', async () => {
		const [items] = await run({ operation: 'markAsRead', messageId: WAMID });
		expect(messageRequests()[0]!.body).toEqual({ messaging_product: 'whatsapp', status: 'read', message_id: WAMID });
		expect(items![0]!.json).toEqual({ messageId: WAMID, read: true, source: 'cloud_api', sessionId: meta.phoneNumberId });
	});

	it('the Message ID defaults to the incoming event’s message', async () => {
		await runNode({
			nodeType,
			parameters: { source: 'cloudApi', operation: 'markAsRead' } as never,
			credentials: { whatsAppCloudApi: cloudApiCredential(meta) },
			items: [{ json: { message: { messageId: WAMID } } }],
		});
		expect(messageRequests()[0]!.body).toMatchObject({ message_id: WAMID });
	});

	it('without a message in the input and no Message ID, says what to give, before calling Meta', async () => {
		const error = await failureOf(
			runNode({
				nodeType,
				parameters: { source: 'cloudApi', operation: 'markAsRead' } as never,
				credentials: { whatsAppCloudApi: cloudApiCredential(meta) },
				items: [{ json: { something: 'else' } }],
			}),
		);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toMatch(/messageId of the message/);
		expect(error.context?.code).toBe('invalid_message_id');
		expect(meta.requests).toHaveLength(0);
	});
});

describe('templates with header and button parameters', () => {
	it('sends a document header, a body variable, a URL button and a quick reply button as Meta expects', async () => {
		const [items] = await run({
			operation: 'send',
			messageType: 'template',
			to: TO,
			templateName: 'invoice_ready',
			languageCode: 'en_US',
			bodyVariables: { variable: [{ value: 'Ana' }] },
			headerType: 'document',
			headerUrl: 'https://example.com/invoice-42.pdf',
			headerFileName: 'invoice-42.pdf',
			buttons: { button: [{ index: 0, subType: 'url', value: 'inv-42' }, { index: 1, subType: 'quick_reply', value: 'PAID' }] },
		});
		expect(messageRequests()[0]!.body).toEqual({
			messaging_product: 'whatsapp',
			recipient_type: 'individual',
			to: '5511987654321',
			type: 'template',
			template: {
				name: 'invoice_ready',
				language: { code: 'en_US' },
				components: [
					{ type: 'header', parameters: [{ type: 'document', document: { link: 'https://example.com/invoice-42.pdf', filename: 'invoice-42.pdf' } }] },
					{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }] },
					{ type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'inv-42' }] },
					{ type: 'button', sub_type: 'quick_reply', index: '1', parameters: [{ type: 'payload', payload: 'PAID' }] },
				],
			},
		});
		expect(items![0]!.json.template).toMatchObject({ name: 'invoice_ready', languageCode: 'en_US', bodyVariables: ['Ana'], header: expect.any(Object), buttons: expect.any(Array) });
	});

	it('image and text headers', async () => {
		await run({ operation: 'send', messageType: 'template', to: TO, templateName: 'welcome_banner', languageCode: 'pt-BR', headerType: 'image', headerUrl: 'https://example.com/banner.jpg' });
		await run({ operation: 'send', messageType: 'template', to: TO, templateName: 'order_number_header', headerType: 'text', headerText: '#566701' });
		expect(messageRequests().map((request) => (request.body as any).template.components)).toEqual([
			[{ type: 'header', parameters: [{ type: 'image', image: { link: 'https://example.com/banner.jpg' } }] }],
			[{ type: 'header', parameters: [{ type: 'text', text: '#566701' }] }],
		]);
	});

	it('a media header by the ID of an uploaded file', async () => {
		await run({ operation: 'sendMedia', to: TO }, { items: withFile(PNG, 'image/png', 'banner.png') });
		const mediaId = meta.uploads[0]!.id;
		await run({ operation: 'send', messageType: 'template', to: TO, templateName: 'welcome_banner', languageCode: 'pt_BR', headerType: 'image', headerUrl: mediaId });
		expect((messageRequests().at(-1)!.body as any).template.components).toEqual([{ type: 'header', parameters: [{ type: 'image', image: { id: mediaId } }] }]);
	});

	it('a media header from a file in the input: uploaded first, then sent by its media id with the file’s own name', async () => {
		const pdf = Buffer.from('%PDF-1.4\n% invoice 42\n');
		const template = {
			operation: 'send',
			messageType: 'template',
			to: TO,
			templateName: 'invoice_ready',
			bodyVariables: { variable: [{ value: 'Ana' }] },
			headerType: 'document',
			headerFileSource: 'binary',
			buttons: { button: [{ index: 0, subType: 'url', value: 'inv-42' }, { index: 1, subType: 'quick_reply', value: 'PAID' }] },
		};
		await run(template, { items: withFile(pdf, 'application/pdf', 'Invoice 42.pdf') });
		expect(meta.uploads).toEqual([
			{ id: expect.stringMatching(/^\d+$/), type: 'application/pdf', fileName: 'Invoice 42.pdf', mimeType: 'application/pdf', size: pdf.length, sha256: createHash('sha256').update(pdf).digest('hex') },
		]);
		expect((messageRequests()[0]!.body as any).template.components[0]).toEqual({
			type: 'header',
			parameters: [{ type: 'document', document: { id: meta.uploads[0]!.id, filename: 'Invoice 42.pdf' } }],
		});

		// Nothing is uploaded for a template that cannot be sent (an empty button value), nor for a
		// picture over WhatsApp's 5 MB, nor when the input has no file.
		meta.requests.length = 0;
		const emptyButton = await failureOf(
			run({ ...template, buttons: { button: [{ index: 1, subType: 'quick_reply', value: '' }] } }, { items: withFile(pdf, 'application/pdf', 'Invoice 42.pdf') }),
		);
		expect(emptyButton.context?.code).toBe('invalid_template_button');
		const tooLarge = await failureOf(
			run({ ...template, templateName: 'welcome_banner', headerType: 'image', bodyVariables: {}, buttons: {} }, { items: withFile(Buffer.alloc(5 * 1024 * 1024 + 1), 'image/jpeg', 'big.jpg') }),
		);
		expect(tooLarge.context?.code).toBe('media_too_large');
		const noFile = await failureOf(run(template, { items: [{ json: {} }] }));
		expect(noFile.context?.code).toBe('missing_binary');
		const pdfInPictureHeader = await failureOf(
			run({ ...template, templateName: 'welcome_banner', headerType: 'image', bodyVariables: {}, buttons: {} }, { items: withFile(pdf, 'application/pdf', 'Invoice 42.pdf') }),
		);
		expect(pdfInPictureHeader.context?.code).toBe('media_type_mismatch');
		expect(meta.requests).toHaveLength(0);
	});

	it('a template sent without its header parameter: Meta’s 132000 says which parameters to give', async () => {
		const error = await failureOf(run({ operation: 'send', messageType: 'template', to: TO, templateName: 'invoice_ready', bodyVariables: { variable: [{ value: 'Ana' }] } }));
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.context?.code).toBe(132000);
		expect(error.message).toMatch(/header and button parameters/);
		expect(error.description).toMatch(/header: number of localizable_params \(0\)/);
	});

	it('refuses an empty button value before sending', async () => {
		const error = await failureOf(run({ operation: 'send', messageType: 'template', to: TO, templateName: 'invoice_ready', buttons: { button: [{ index: 1, subType: 'quick_reply', value: '' }] } }));
		expect(error.context?.code).toBe('invalid_template_button');
		expect(meta.requests).toHaveLength(0);
	});
});

describe('the errors users hit most say what to do', () => {
	it.each([
		[131047, /24 hours/, /approved template/],
		[131026, /could not deliver/, /Check that the number is on WhatsApp/],
		[130429, /./, /./],
		[131056, /same recipient/, /Wait before messaging this person again/],
	])('Meta %i on a media send', async (code, explanation, whatToDo) => {
		meta.failFor('5511987654321', { code });
		const error = await failureOf(run({ operation: 'sendMedia', to: TO, mediaSource: 'url', mediaUrl: 'https://example.com/a.jpg' }));
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.context?.code).toBe(code);
		expect(error.message).toMatch(explanation);
		expect(error.message).toMatch(whatToDo);
	});

	it('with Continue On Fail, the 131047 item carries the code and the other items are sent', async () => {
		meta.failFor('5511987654321', { code: 131047 });
		const items = [{ json: { to: '+5511987654321' } }, { json: { to: '+5521912345678' } }];
		const [out] = await run({ operation: 'sendLocation', to: '={{ $json.to }}', latitude: '1', longitude: '2' }, { items, continueOnFail: true });
		expect(out![0]!.json).toEqual({ error: expect.stringMatching(/approved template/), code: 131047 });
		expect(out![1]!.json.messageId).toEqual(expect.stringMatching(/^wamid\./));
	});
});
