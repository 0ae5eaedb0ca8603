/**
 * Meta's WhatsApp Cloud API wire formats for sending messages, as documented at
 * developers.facebook.com/docs/whatsapp/cloud-api/reference/messages and
 * developers.facebook.com/docs/graph-api/guides/error-handling.
 */

/** `context.message_id`: the message a reply quotes (any message type may carry it). */
export interface MetaReplyContext {
	context?: { message_id: string };
}

/** `POST /{version}/{phone_number_id}/messages` with a text message. */
export interface MetaTextMessageBody extends MetaReplyContext {
	messaging_product: 'whatsapp';
	recipient_type: 'individual';
	/** The recipient's number in international form without `+` (`5511987654321`). */
	to: string;
	type: 'text';
	text: { body: string; preview_url: boolean };
}

/** The media kinds the Cloud API sends by link or uploaded media id. */
export type MetaMediaKind = 'image' | 'document' | 'video' | 'audio' | 'sticker';

/** A media object: exactly one of `id` (uploaded with POST /{phone_number_id}/media) or `link` (public https URL). */
export interface MetaMediaObject {
	id?: string;
	link?: string;
	/** Not for audio. */
	caption?: string;
	/** Documents only: the name the recipient sees. */
	filename?: string;
	/** Audio only: shown as a voice message (an OGG file with the OPUS codec). */
	voice?: boolean;
}

/** `type: image | document | video | audio`, the media object under the key of its type. */
export type MetaMediaMessageBody = MetaReplyContext & {
	messaging_product: 'whatsapp';
	recipient_type: 'individual';
	to: string;
	type: MetaMediaKind;
} & { [K in MetaMediaKind]?: MetaMediaObject };

/** `type: location`. */
export interface MetaLocationMessageBody extends MetaReplyContext {
	messaging_product: 'whatsapp';
	recipient_type: 'individual';
	to: string;
	type: 'location';
	location: { latitude: number; longitude: number; name?: string; address?: string };
}

/** `type: reaction`; an empty emoji removes the reaction. */
export interface MetaReactionMessageBody {
	messaging_product: 'whatsapp';
	recipient_type: 'individual';
	to: string;
	type: 'reaction';
	reaction: { message_id: string; emoji: string };
}

/** Marks an incoming message (and the ones before it) as read; answered `{ success: true }`. */
export interface MetaMarkReadBody {
	messaging_product: 'whatsapp';
	status: 'read';
	message_id: string;
}

/** One parameter of a template component. */
export interface MetaTemplateTextParameter {
	type: 'text';
	text: string;
}

export type MetaTemplateHeaderParameter =
	| MetaTemplateTextParameter
	| { type: 'image'; image: { link?: string; id?: string } }
	| { type: 'video'; video: { link?: string; id?: string } }
	| { type: 'document'; document: { link?: string; id?: string; filename?: string } };

export type MetaTemplateComponent =
	| { type: 'header'; parameters: MetaTemplateHeaderParameter[] }
	| { type: 'body'; parameters: MetaTemplateTextParameter[] }
	| { type: 'button'; sub_type: 'quick_reply'; index: string; parameters: Array<{ type: 'payload'; payload: string }> }
	| { type: 'button'; sub_type: 'url'; index: string; parameters: MetaTemplateTextParameter[] };

/** `POST /{version}/{phone_number_id}/messages` with an approved template. */
export interface MetaTemplateMessageBody extends MetaReplyContext {
	messaging_product: 'whatsapp';
	recipient_type: 'individual';
	to: string;
	type: 'template';
	template: {
		name: string;
		language: { code: string };
		/** Absent when the template has no variables. */
		components?: MetaTemplateComponent[];
	};
}

export type MetaSendMessageBody =
	| MetaTextMessageBody
	| MetaTemplateMessageBody
	| MetaMediaMessageBody
	| MetaLocationMessageBody
	| MetaReactionMessageBody;

/** Meta's answer to a successful send. */
export interface MetaSendMessageResponse {
	messaging_product: 'whatsapp';
	contacts: Array<{ input: string; wa_id: string }>;
	messages: Array<{ id: string; message_status?: string }>;
}

/** Meta's Graph API error envelope: `{ error: MetaGraphError }`. */
export interface MetaGraphError {
	message: string;
	type?: string;
	code: number;
	error_subcode?: number;
	error_user_title?: string;
	error_user_msg?: string;
	error_data?: { messaging_product?: string; details?: string } | string;
	fbtrace_id?: string;
}
