/**
 * The framework-free Cloud API pieces the Send node uses (core/cloud-api):
 * Meta's error table, request bodies, the send response and the outbound event.
 */
import {
	buildCloudApiOutboundEvent,
	buildTemplateMessageBody,
	buildTextMessageBody,
	explainMetaError,
	META_ERROR_CODES,
	normalizeLanguageCode,
	parseMetaErrorBody,
	parseSendMessageResponse,
} from '../../../core/cloud-api';
import { validateNormalizedEvent } from '../../../core/events/validate-event';
import { inputErrorOf } from './support/input-error';


describe("Meta's error codes", () => {
	it.each([
		[131047, /24 hours/, /approved template/],
		[131026, /could not deliver/, /Check that the number is on WhatsApp/],
		[131056, /same recipient/, /Wait before messaging this person again/],
		[132000, /number of body variables/, /exactly one Body Variable/],
		[132001, /No approved template has this name/, /Message Templates/],
		[190, /expired/, /Generate token/],
		[100, /refused a parameter/, /fix that parameter/],
		[131030, /allowed list/, /Manage phone number list/],
		[368, /temporarily blocked/, /Account quality/],
		[80007, /rate limit/, /Slow down/],
	])('explains %i and says what to do', (code, explanation, whatToDo) => {
		const explained = explainMetaError({ code, message: `(#${code}) text` });
		expect(explained.known).toBe(true);
		expect(explained.code).toBe(code);
		expect(explained.explanation).toMatch(explanation);
		expect(explained.whatToDo).toMatch(whatToDo);
	});

	it('marks rate limits as worth retrying later and the 24-hour window as not', () => {
		expect(META_ERROR_CODES[131056]!.retryable).toBe(true);
		expect(META_ERROR_CODES[80007]!.retryable).toBe(true);
		expect(META_ERROR_CODES[131047]!.retryable).toBe(false);
	});

	it("reads a failed status webhook's errors[] entry too (title, error_data.details)", () => {
		const explained = explainMetaError({
			code: 131047,
			title: 'Re-engagement message',
			error_data: { details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.' },
		});
		expect(explained).toMatchObject({ code: 131047, metaMessage: 'Re-engagement message', details: expect.stringMatching(/24 hours/) });
	});

	it('explains an unknown code by its range without failing', () => {
		expect(explainMetaError({ code: 132999 })).toMatchObject({ known: false, title: 'Template error' });
		expect(explainMetaError({ code: 250 })).toMatchObject({ known: false, title: 'API Permission' });
		expect(explainMetaError({ code: 987654 })).toMatchObject({ known: false, title: 'WhatsApp Cloud API error' });
		expect(explainMetaError(null)).toMatchObject({ known: false, code: null });
	});

	it("parses Meta's error envelope and nothing else", () => {
		const body = { error: { message: '(#131047) Re-engagement message', type: 'OAuthException', code: 131047, fbtrace_id: 'AbC' } };
		expect(parseMetaErrorBody(body)).toMatchObject({ code: 131047, fbtrace_id: 'AbC' });
		expect(parseMetaErrorBody({ error: { code: 'x' } })).toBeNull();
		expect(parseMetaErrorBody('<html>Bad gateway</html>')).toBeNull();
	});
});

describe('Cloud API request bodies', () => {
	it('builds a text body with the number as digits and no link preview', () => {
		expect(buildTextMessageBody({ to: '+5511987654321', text: 'Hi' })).toEqual({
			messaging_product: 'whatsapp',
			recipient_type: 'individual',
			to: '5511987654321',
			type: 'text',
			text: { body: 'Hi', preview_url: false },
		});
	});

	it('refuses what Meta would refuse, naming the field', () => {
		expect(inputErrorOf(() => buildTextMessageBody({ to: '5511987654321', text: 'Hi' }))).toMatchObject({ code: 'invalid_recipient', field: 'to' });
		expect(inputErrorOf(() => buildTextMessageBody({ to: '+5511987654321', text: ' ' }))).toMatchObject({ code: 'empty_text' });
		expect(inputErrorOf(() => buildTextMessageBody({ to: '+5511987654321', text: 'x'.repeat(4097) }))).toMatchObject({ code: 'text_too_long' });
		expect(inputErrorOf(() => buildTemplateMessageBody({ to: '+5511987654321', templateName: 'Order Update' }))).toMatchObject({
			code: 'invalid_template_name',
		});
		expect(inputErrorOf(() => buildTemplateMessageBody({ to: '+5511987654321', templateName: 'x', bodyParameters: ['a', ''] }))).toMatchObject({
			code: 'invalid_template_variable',
			message: expect.stringMatching(/\{\{2\}\} is empty/),
		});
		expect(inputErrorOf(() => buildTemplateMessageBody({ to: '+5511987654321', templateName: 'x', languageCode: 'english' }))).toMatchObject({
			code: 'invalid_language_code',
		});
	});

	it("writes language codes as Meta does", () => {
		expect(normalizeLanguageCode(undefined)).toBe('en_US');
		expect(normalizeLanguageCode(' ')).toBe('en_US');
		expect(normalizeLanguageCode('pt-br')).toBe('pt_BR');
		expect(normalizeLanguageCode('ES')).toBe('es');
		expect(normalizeLanguageCode('fil')).toBe('fil');
	});
});

describe('Cloud API send response and outbound event', () => {
	it("reads the wamid and the wa_id from Meta's answer", () => {
		expect(
			parseSendMessageResponse({
				messaging_product: 'whatsapp',
				contacts: [{ input: '5511987654321', wa_id: '5511987654321' }],
				messages: [{ id: 'wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEjVGQzM2Q0ZBNkE4QjY0MkY1RQA=', message_status: 'accepted' }],
			}),
		).toEqual({
			messageId: 'wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEjVGQzM2Q0ZBNkE4QjY0MkY1RQA=',
			waId: '5511987654321',
			input: '5511987654321',
			messageStatus: 'accepted',
		});
		expect(() => parseSendMessageResponse({ messaging_product: 'whatsapp', contacts: [], messages: [] })).toThrow(/no message id/);
	});

	it('builds an outbound live message event the schema validator accepts, keyed like the webhook would key it', () => {
		const event = buildCloudApiOutboundEvent({
			phoneNumberId: '106540352242922',
			messageId: 'wamid.ABC',
			to: '+5511987654321',
			waId: '5511987654321',
			kind: 'text',
			text: 'Hi',
			sentAt: new Date('2026-11-22T14:03:00Z'),
		});
		expect(validateNormalizedEvent(event)).toEqual({ ok: true, event });
		expect(event).toMatchObject({
			eventId: 'cloud_api:msg:wamid.ABC',
			occurredAt: '2026-11-22T14:03:00.000Z',
			message: { direction: 'outbound', origin: 'live', timestamp: '2026-11-22T14:03:00.000Z', chatId: '5511987654321' },
		});
	});
});
