/**
 * Request bodies for Meta's `POST /{version}/{phone_number_id}/messages`.
 *
 * Each builder takes a number already normalized to E.164 (see core/phone)
 * and checks what Meta would refuse anyway, so a workflow gets a precise
 * message before anything is sent. Problems are thrown as
 * `CloudApiInputError` with a stable `code` and the `field` at fault; the
 * messages never quote the number or the text.
 */
import { formatForMeta, isE164 } from '../phone/e164';
import type { MetaTemplateMessageBody, MetaTextMessageBody } from './types';

/** Meta's limit for `text.body`. */
export const MAX_TEXT_LENGTH = 4096;
/** Meta's limit for a template name. */
export const MAX_TEMPLATE_NAME_LENGTH = 512;
/** The language Meta's own template samples use, and this package's default. */
export const DEFAULT_TEMPLATE_LANGUAGE = 'en_US';

export type CloudApiInputCode =
	| 'invalid_recipient'
	| 'empty_text'
	| 'text_too_long'
	| 'invalid_template_name'
	| 'invalid_language_code'
	| 'invalid_template_variable';

/** Input Meta would refuse; `field` names the parameter to fix. */
export class CloudApiInputError extends Error {
	constructor(
		readonly code: CloudApiInputCode,
		readonly field: string,
		message: string,
	) {
		super(message);
		this.name = 'CloudApiInputError';
	}
}

export interface TextMessageInput {
	/** The recipient, E.164 (`+5511987654321`). */
	to: string;
	text: string;
	/** Whether WhatsApp shows a preview of the first link in the text (default false). */
	previewUrl?: boolean;
}

export function buildTextMessageBody(input: TextMessageInput): MetaTextMessageBody {
	const to = metaRecipient(input.to);
	if (typeof input.text !== 'string' || input.text.trim() === '') {
		throw new CloudApiInputError('empty_text', 'text', 'The message text is empty; WhatsApp does not send empty messages.');
	}
	if (input.text.length > MAX_TEXT_LENGTH) {
		throw new CloudApiInputError(
			'text_too_long',
			'text',
			`The message text has ${input.text.length} characters; WhatsApp accepts at most ${MAX_TEXT_LENGTH}. Shorten it or split it into several messages.`,
		);
	}
	return {
		messaging_product: 'whatsapp',
		recipient_type: 'individual',
		to,
		type: 'text',
		text: { body: input.text, preview_url: input.previewUrl === true },
	};
}

export interface TemplateMessageInput {
	/** The recipient, E.164. */
	to: string;
	/** The template's name exactly as approved in WhatsApp Manager (`order_update`). */
	templateName: string;
	/** The language the template was approved in (`en_US`, `pt_BR`, `es`); default `en_US`. */
	languageCode?: string;
	/** The values of the body's variables `{{1}}`, `{{2}}`, … in order. */
	bodyParameters?: string[];
}

export function buildTemplateMessageBody(input: TemplateMessageInput): MetaTemplateMessageBody {
	const to = metaRecipient(input.to);
	const name = typeof input.templateName === 'string' ? input.templateName.trim() : '';
	if (name === '') {
		throw new CloudApiInputError('invalid_template_name', 'templateName', 'The template name is empty: type the name of an approved template, such as order_update.');
	}
	if (name.length > MAX_TEMPLATE_NAME_LENGTH || !/^[a-z0-9_]+$/.test(name)) {
		throw new CloudApiInputError(
			'invalid_template_name',
			'templateName',
			'A template name has only lowercase letters, digits and underscores (such as order_update): copy it from WhatsApp Manager > Message Templates.',
		);
	}
	const code = normalizeLanguageCode(input.languageCode);
	const parameters = (input.bodyParameters ?? []).map((value, index) => templateParameter(value, index));
	return {
		messaging_product: 'whatsapp',
		recipient_type: 'individual',
		to,
		type: 'template',
		template: {
			name,
			language: { code },
			...(parameters.length > 0 ? { components: [{ type: 'body' as const, parameters }] } : {}),
		},
	};
}

/**
 * A template language code as Meta writes it (`en_US`, `pt_BR`, `es`):
 * trimmed, empty → `en_US`, a hyphen (`en-US`) turned into Meta's underscore.
 */
export function normalizeLanguageCode(value: string | undefined): string {
	const trimmed = (value ?? '').trim();
	if (trimmed === '') return DEFAULT_TEMPLATE_LANGUAGE;
	const match = /^([A-Za-z]{2,3})(?:[_-]([A-Za-z]{2,4}))?$/.exec(trimmed);
	if (!match) {
		throw new CloudApiInputError(
			'invalid_language_code',
			'languageCode',
			'The language code must be the one the template was approved in, such as en_US, pt_BR or es.',
		);
	}
	const [, language, region] = match as unknown as [string, string, string | undefined];
	if (region === undefined) return language.toLowerCase();
	// Regions are upper case (en_US); Meta's few script variants keep their own case (e.g. zh_Hant would not pass as zh_HANT).
	const regionCased = region.length === 2 ? region.toUpperCase() : region;
	return `${language.toLowerCase()}_${regionCased}`;
}

function templateParameter(value: unknown, index: number): { type: 'text'; text: string } {
	const position = `{{${index + 1}}}`;
	if (value === undefined || value === null) {
		throw new CloudApiInputError('invalid_template_variable', 'bodyParameters', `Body variable ${position} has no value; Meta refuses empty variables.`);
	}
	const text = String(value);
	if (text.trim() === '') {
		throw new CloudApiInputError('invalid_template_variable', 'bodyParameters', `Body variable ${position} is empty; Meta refuses empty variables.`);
	}
	if (/[\n\r\t]/.test(text) || / {5,}/.test(text)) {
		throw new CloudApiInputError(
			'invalid_template_variable',
			'bodyParameters',
			`Body variable ${position} contains a line break, a tab or more than four spaces in a row, which Meta refuses in template variables.`,
		);
	}
	return { type: 'text', text };
}

function metaRecipient(e164: string): string {
	if (!isE164(e164)) {
		throw new CloudApiInputError('invalid_recipient', 'to', 'The recipient must be a phone number in E.164 form, such as +5511987654321.');
	}
	return formatForMeta(e164);
}
