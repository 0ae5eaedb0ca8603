/**
 * Meta's WhatsApp Cloud API wire formats for sending messages, as documented at
 * developers.facebook.com/docs/whatsapp/cloud-api/reference/messages and
 * developers.facebook.com/docs/graph-api/guides/error-handling.
 */

/** `POST /{version}/{phone_number_id}/messages` with a text message. */
export interface MetaTextMessageBody {
	messaging_product: 'whatsapp';
	recipient_type: 'individual';
	/** The recipient's number in international form without `+` (`5511987654321`). */
	to: string;
	type: 'text';
	text: { body: string; preview_url: boolean };
}

/** One parameter of a template component; only text parameters are built here. */
export interface MetaTemplateTextParameter {
	type: 'text';
	text: string;
}

export interface MetaTemplateComponent {
	type: 'body';
	parameters: MetaTemplateTextParameter[];
}

/** `POST /{version}/{phone_number_id}/messages` with an approved template. */
export interface MetaTemplateMessageBody {
	messaging_product: 'whatsapp';
	recipient_type: 'individual';
	to: string;
	type: 'template';
	template: {
		name: string;
		language: { code: string };
		/** Absent when the template's body has no variables. */
		components?: MetaTemplateComponent[];
	};
}

export type MetaSendMessageBody = MetaTextMessageBody | MetaTemplateMessageBody;

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
