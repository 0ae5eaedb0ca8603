/**
 * Meta's answer to `POST /{version}/{phone_number_id}/messages`:
 * `{ messaging_product: 'whatsapp', contacts: [{ input, wa_id }], messages: [{ id: 'wamid.…' }] }`.
 */

export interface SentMessage {
	/** WhatsApp's id of the message (`wamid.…`): the key later status webhooks carry. */
	messageId: string;
	/** The recipient's WhatsApp id as Meta resolved it (digits, no `+`); null when Meta did not say. */
	waId: string | null;
	/** The `to` Meta received, echoed back; null when Meta did not say. */
	input: string | null;
	/** `accepted` or `held_for_quality_assessment` for marketing templates, when Meta says. */
	messageStatus: string | null;
}

/** A success body that is not what Meta documents (a proxy's page, a changed API). */
export class CloudApiResponseError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'CloudApiResponseError';
	}
}

export function parseSendMessageResponse(body: unknown): SentMessage {
	if (!body || typeof body !== 'object' || Array.isArray(body)) {
		throw new CloudApiResponseError('Meta answered without a JSON object; check the Graph API Base URL in the credential.');
	}
	const { contacts, messages } = body as { contacts?: unknown; messages?: unknown };
	const first = Array.isArray(messages) ? (messages[0] as { id?: unknown; message_status?: unknown } | undefined) : undefined;
	if (!first || typeof first.id !== 'string' || first.id.trim() === '') {
		throw new CloudApiResponseError("Meta's answer has no message id (messages[0].id); the message may not have been sent.");
	}
	const contact = Array.isArray(contacts) ? (contacts[0] as { input?: unknown; wa_id?: unknown } | undefined) : undefined;
	return {
		messageId: first.id,
		waId: typeof contact?.wa_id === 'string' && /^\d+$/.test(contact.wa_id) ? contact.wa_id : null,
		input: typeof contact?.input === 'string' ? contact.input : null,
		messageStatus: typeof first.message_status === 'string' ? first.message_status : null,
	};
}
