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
import type {
	MetaLocationMessageBody,
	MetaMarkReadBody,
	MetaMediaKind,
	MetaMediaMessageBody,
	MetaMediaObject,
	MetaReactionMessageBody,
	MetaTemplateComponent,
	MetaTemplateHeaderParameter,
	MetaTemplateMessageBody,
	MetaTextMessageBody,
} from './types';

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
	| 'invalid_template_variable'
	| 'invalid_template_header'
	| 'invalid_template_button'
	| 'invalid_media'
	| 'caption_too_long'
	| 'invalid_location'
	| 'invalid_message_id'
	| 'invalid_emoji';

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
	/** The `wamid.…` of the message this one replies to (quotes). */
	replyToMessageId?: string;
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
		...replyContext(input.replyToMessageId),
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
	/** The header's variable: a text, or the image / video / document of a media header. */
	header?: TemplateHeaderInput;
	/** Values for the template's buttons that take one: a quick reply's payload, a URL button's suffix. */
	buttons?: TemplateButtonInput[];
	/** The `wamid.…` of the message this one replies to. */
	replyToMessageId?: string;
}

export type TemplateHeaderInput =
	| { type: 'text'; text: string }
	| { type: 'image' | 'video' | 'document'; link?: string; id?: string; filename?: string };

export interface TemplateButtonInput {
	/** The button's position in the template, from 0 (as WhatsApp Manager lists them). */
	index: number;
	subType: 'quick_reply' | 'url';
	/** The payload a quick reply returns in the webhook, or the text appended to a URL button's base URL. */
	value: string;
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
	const components: MetaTemplateComponent[] = [];
	if (input.header) components.push({ type: 'header', parameters: [templateHeaderParameter(input.header)] });
	if (parameters.length > 0) components.push({ type: 'body', parameters });
	components.push(...templateButtons(input.buttons ?? []));
	return {
		messaging_product: 'whatsapp',
		recipient_type: 'individual',
		to,
		...replyContext(input.replyToMessageId),
		type: 'template',
		template: {
			name,
			language: { code },
			...(components.length > 0 ? { components } : {}),
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

/** Meta's limit for a media caption. */
export const MAX_CAPTION_LENGTH = 1024;
/** Meta's limit for a template header text variable (the header text is 60 characters at most). */
export const MAX_HEADER_TEXT_LENGTH = 60;
/** Meta's limit for a quick reply payload, and for a URL button's variable. */
export const MAX_BUTTON_VALUE_LENGTH = 128;
/** Meta's size limits by media kind (bytes), for uploads and as documented for links. */
export const MAX_MEDIA_BYTES: Readonly<Record<MetaMediaKind, number>> = {
	image: 5 * 1024 * 1024,
	video: 16 * 1024 * 1024,
	audio: 16 * 1024 * 1024,
	document: 100 * 1024 * 1024,
	// An animated sticker; a static one is at most 100 KB, which Meta checks itself.
	sticker: 500 * 1024,
};

export interface MediaMessageInput {
	/** The recipient, E.164. */
	to: string;
	kind: MetaMediaKind;
	/** A public http(s) URL Meta downloads the file from… */
	link?: string;
	/** …or the id of a file uploaded with `POST /{phone_number_id}/media`. */
	mediaId?: string;
	/** Shown under an image, video or document; WhatsApp has no caption for audio. */
	caption?: string;
	/** The name a document is shown with (documents only; ignored for the other kinds). */
	fileName?: string;
	/** Audio only: send it as a voice message (`audio.voice: true`; an OGG file with the OPUS codec). */
	voice?: boolean;
	replyToMessageId?: string;
}

export function buildMediaMessageBody(input: MediaMessageInput): MetaMediaMessageBody {
	const to = metaRecipient(input.to);
	if (!['image', 'document', 'video', 'audio', 'sticker'].includes(input.kind)) {
		throw new CloudApiInputError('invalid_media', 'mediaType', 'The media type must be image, document, video, audio or sticker.');
	}
	const media: MetaMediaObject = mediaSource(input.link, input.mediaId, 'media');
	const caption = (input.caption ?? '').trim() === '' ? null : (input.caption as string);
	if (caption !== null) {
		if (input.kind === 'audio' || input.kind === 'sticker') {
			throw new CloudApiInputError(
				'invalid_media',
				'caption',
				`WhatsApp does not show a caption with ${input.kind === 'audio' ? 'audio or a voice message' : 'a sticker'}: leave Caption empty, or send the text as a separate message.`,
			);
		}
		if (caption.length > MAX_CAPTION_LENGTH) {
			throw new CloudApiInputError(
				'caption_too_long',
				'caption',
				`The caption has ${caption.length} characters; WhatsApp accepts at most ${MAX_CAPTION_LENGTH}. Shorten it, or send the rest as a text message.`,
			);
		}
		media.caption = caption;
	}
	const fileName = (input.fileName ?? '').trim();
	if (input.kind === 'document' && fileName !== '') media.filename = fileName;
	if (input.voice === true) {
		if (input.kind !== 'audio') throw new CloudApiInputError('invalid_media', 'mediaType', 'Only an audio file can be sent as a voice message.');
		media.voice = true;
	}
	return {
		messaging_product: 'whatsapp',
		recipient_type: 'individual',
		to,
		...replyContext(input.replyToMessageId),
		type: input.kind,
		[input.kind]: media,
	};
}

/**
 * Everything about a media message but its file (recipient, kind, caption,
 * file name, reply), checked as buildMediaMessageBody does: what both sources
 * check before a file is uploaded or sent.
 */
export function checkMediaMessageInput(input: Omit<MediaMessageInput, 'link' | 'mediaId'>): void {
	buildMediaMessageBody({ ...input, mediaId: '0' });
}

export interface LocationMessageInput {
	to: string;
	latitude: number;
	longitude: number;
	name?: string;
	address?: string;
	replyToMessageId?: string;
}

export function buildLocationMessageBody(input: LocationMessageInput): MetaLocationMessageBody {
	const to = metaRecipient(input.to);
	const { latitude, longitude } = checkCoordinates(input.latitude, input.longitude);
	const name = (input.name ?? '').trim();
	const address = (input.address ?? '').trim();
	return {
		messaging_product: 'whatsapp',
		recipient_type: 'individual',
		to,
		...replyContext(input.replyToMessageId),
		type: 'location',
		location: { latitude, longitude, ...(name !== '' ? { name } : {}), ...(address !== '' ? { address } : {}) },
	};
}

/** Latitude −90…90 and longitude −180…180, as numbers; anything else is refused with a clear error. */
export function checkCoordinates(latitude: unknown, longitude: unknown): { latitude: number; longitude: number } {
	const lat = typeof latitude === 'string' && latitude.trim() !== '' ? Number(latitude) : latitude;
	const long = typeof longitude === 'string' && longitude.trim() !== '' ? Number(longitude) : longitude;
	if (typeof lat !== 'number' || !Number.isFinite(lat) || lat < -90 || lat > 90) {
		throw new CloudApiInputError('invalid_location', 'latitude', 'Latitude must be a number from -90 to 90, such as -23.5505 (decimal degrees).');
	}
	if (typeof long !== 'number' || !Number.isFinite(long) || long < -180 || long > 180) {
		throw new CloudApiInputError('invalid_location', 'longitude', 'Longitude must be a number from -180 to 180, such as -46.6333 (decimal degrees).');
	}
	return { latitude: lat, longitude: long };
}

export interface ReactionInput {
	/** The person whose chat the message is in, E.164. */
	to: string;
	/** The `wamid.…` of the message to react to. */
	messageId: string;
	/** One emoji; empty removes the reaction. */
	emoji: string;
}

export function buildReactionMessageBody(input: ReactionInput): MetaReactionMessageBody {
	const to = metaRecipient(input.to);
	return {
		messaging_product: 'whatsapp',
		recipient_type: 'individual',
		to,
		type: 'reaction',
		reaction: { message_id: checkMessageId(input.messageId, 'messageId'), emoji: checkEmoji(input.emoji) },
	};
}

export function buildMarkReadBody(input: { messageId: string }): MetaMarkReadBody {
	return { messaging_product: 'whatsapp', status: 'read', message_id: checkMessageId(input.messageId, 'messageId') };
}

/**
 * A WhatsApp message id as a reply or reaction refers to it: trimmed, not
 * empty, no spaces (a `wamid.…`, or the sidecar's `true_…@c.us_…`).
 */
export function checkMessageId(value: unknown, field: string): string {
	const id = typeof value === 'string' ? value.trim() : '';
	if (id === '' || id.length > 512 || /\s/.test(id)) {
		throw new CloudApiInputError(
			'invalid_message_id',
			field,
			'The message id is empty or not an id. Use the messageId of the message, as the WhatsApp CRM Trigger (message.messageId) or a send gave it.',
		);
	}
	return id;
}

/** One emoji (a few code points with modifiers and joiners), or '' to remove a reaction. */
export function checkEmoji(value: unknown): string {
	const emoji = typeof value === 'string' ? value.trim() : '';
	if (emoji === '') return '';
	if (emoji.length > 32 || /[\p{L}\s]/u.test(emoji) || !/[\p{Extended_Pictographic}\p{Regional_Indicator}\u20E3]/u.test(emoji)) {
		throw new CloudApiInputError('invalid_emoji', 'emoji', 'Emoji must be one emoji, such as 👍 — or empty to remove your reaction.');
	}
	return emoji;
}

function replyContext(replyToMessageId: string | undefined): { context?: { message_id: string } } {
	if (replyToMessageId === undefined || replyToMessageId.trim() === '') return {};
	return { context: { message_id: checkMessageId(replyToMessageId, 'replyToMessageId') } };
}

function mediaSource(link: string | undefined, id: string | undefined, field: string): { link?: string; id?: string } {
	const url = (link ?? '').trim();
	const mediaId = (id ?? '').trim();
	if (url !== '' && mediaId !== '') throw new CloudApiInputError('invalid_media', field, 'Give the file either as a URL or as an uploaded media id, not both.');
	if (mediaId !== '') {
		if (!/^\d+$/.test(mediaId)) throw new CloudApiInputError('invalid_media', field, 'A Cloud API media id is a number, as POST /{phone-number-id}/media answered it.');
		return { id: mediaId };
	}
	if (url === '') throw new CloudApiInputError('invalid_media', field, 'No file to send: give a URL or an input binary property.');
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		throw new CloudApiInputError('invalid_media', field, 'The media URL is not a valid address: give a full http(s) URL, such as https://example.com/invoice.pdf.');
	}
	if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
		throw new CloudApiInputError('invalid_media', field, 'The media URL must start with https:// (Meta downloads the file from it).');
	}
	return { link: url };
}

function templateHeaderParameter(header: TemplateHeaderInput): MetaTemplateHeaderParameter {
	if (header.type === 'text') {
		const text = typeof header.text === 'string' ? header.text : '';
		if (text.trim() === '') throw new CloudApiInputError('invalid_template_header', 'header', 'The header variable is empty; Meta refuses empty variables.');
		if (text.length > MAX_HEADER_TEXT_LENGTH || /[\n\r\t]/.test(text)) {
			throw new CloudApiInputError(
				'invalid_template_header',
				'header',
				`The header variable must be one line of at most ${MAX_HEADER_TEXT_LENGTH} characters (the whole header is at most 60).`,
			);
		}
		return { type: 'text', text };
	}
	if (header.type !== 'image' && header.type !== 'video' && header.type !== 'document') {
		throw new CloudApiInputError('invalid_template_header', 'header', 'The header type must be text, image, video or document, as the template was approved with.');
	}
	const source = mediaSource(header.link, header.id, 'header');
	if (header.type === 'document') {
		const filename = (header.filename ?? '').trim();
		return { type: 'document', document: { ...source, ...(filename !== '' ? { filename } : {}) } };
	}
	return header.type === 'image' ? { type: 'image', image: source } : { type: 'video', video: source };
}

function templateButtons(buttons: TemplateButtonInput[]): MetaTemplateComponent[] {
	const seen = new Set<number>();
	return buttons.map((button) => {
		const index = Number(button.index);
		if (!Number.isInteger(index) || index < 0 || index > 9) {
			throw new CloudApiInputError('invalid_template_button', 'buttons', 'A button index is its position in the template from 0 (the first button) to 9.');
		}
		if (seen.has(index)) throw new CloudApiInputError('invalid_template_button', 'buttons', `Button ${index} is given twice; give each button once.`);
		seen.add(index);
		const value = typeof button.value === 'string' ? button.value : '';
		if (value.trim() === '') {
			throw new CloudApiInputError('invalid_template_button', 'buttons', `The value of button ${index} is empty; Meta refuses empty button parameters.`);
		}
		if (value.length > MAX_BUTTON_VALUE_LENGTH) {
			throw new CloudApiInputError('invalid_template_button', 'buttons', `The value of button ${index} is longer than ${MAX_BUTTON_VALUE_LENGTH} characters.`);
		}
		if (button.subType === 'quick_reply') {
			return { type: 'button', sub_type: 'quick_reply', index: String(index), parameters: [{ type: 'payload', payload: value }] };
		}
		if (button.subType === 'url') return { type: 'button', sub_type: 'url', index: String(index), parameters: [{ type: 'text', text: value }] };
		throw new CloudApiInputError('invalid_template_button', 'buttons', 'A button parameter is for a quick reply button (its payload) or a URL button (the end of its URL).');
	});
}

function metaRecipient(e164: string): string {
	if (!isE164(e164)) {
		throw new CloudApiInputError('invalid_recipient', 'to', 'The recipient must be a phone number in E.164 form, such as +5511987654321.');
	}
	return formatForMeta(e164);
}
