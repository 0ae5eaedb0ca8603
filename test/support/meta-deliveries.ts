/**
 * Builds what Meta sends to a WhatsApp Cloud API webhook: a body serialized
 * the way Meta serializes it (non-ASCII escaped as \uXXXX, "/" as "\/"), and
 * its X-Hub-Signature-256 header.
 */
import { signMetaPayload } from '../../core/signatures';

/** JSON as Meta writes it: the bytes differ from JSON.stringify's for any non-ASCII text or URL. */
export function metaStyleJson(value: unknown): string {
	return JSON.stringify(value)
		.replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
		.replace(/\//g, '\\/');
}

export const PHONE_NUMBER_ID = '106540352242922';
export const BUSINESS_DISPLAY_NUMBER = '15550783881';

/**
 * Unix seconds a minute ago: a delivery as Meta sends it now. (The trigger refuses
 * bodies older than its maximum event age — 7 days by default — as replays.)
 */
export function recentUnix(secondsAgo = 60): number {
	return Math.floor(Date.now() / 1000) - secondsAgo;
}

interface InboundText {
	from: string;
	id: string;
	text: string;
	name?: string;
	timestamp?: number;
}

/** One `value` of a `messages` change with inbound text messages and the contacts Meta attaches. */
export function messagesValue(messages: InboundText[], statuses: unknown[] = []): Record<string, unknown> {
	const value: Record<string, unknown> = {
		messaging_product: 'whatsapp',
		metadata: { display_phone_number: BUSINESS_DISPLAY_NUMBER, phone_number_id: PHONE_NUMBER_ID },
	};
	if (messages.length > 0) {
		value.contacts = messages.map((m) => ({ profile: { name: m.name ?? 'Customer' }, wa_id: m.from }));
		value.messages = messages.map((m) => ({
			from: m.from,
			id: m.id,
			timestamp: String(m.timestamp ?? recentUnix(60)),
			type: 'text',
			text: { body: m.text },
		}));
	}
	if (statuses.length > 0) value.statuses = statuses;
	return value;
}

export function metaBody(entries: Array<Array<Record<string, unknown>>>): Record<string, unknown> {
	return {
		object: 'whatsapp_business_account',
		entry: entries.map((values, i) => ({
			id: `10234567890123${i}`,
			changes: values.map((value) => ({ value, field: 'messages' })),
		})),
	};
}

export function statusOf(id: string, status: string, recipient: string): Record<string, unknown> {
	return {
		id,
		status,
		timestamp: String(recentUnix(30)),
		recipient_id: recipient,
		conversation: { id: 'c0ffee', origin: { type: 'service' } },
		pricing: { billable: true, pricing_model: 'CBP', category: 'service' },
	};
}

export function signedMetaDelivery(body: unknown, appSecret: string): { body: Buffer; headers: Record<string, string> } {
	const bytes = Buffer.from(metaStyleJson(body), 'utf8');
	return {
		body: bytes,
		headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': signMetaPayload(appSecret, bytes) },
	};
}
