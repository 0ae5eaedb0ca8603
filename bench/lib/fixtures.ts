/**
 * Realistic inputs for the benches, made with the project's own code where it
 * has a builder: phone numbers from libphonenumber-js's example mobiles (valid
 * numbers of each country), Meta webhook bodies in the shape Meta sends, and
 * sidecar events built the way the sidecar builds them (toMessagePayload +
 * core's event builders).
 */
import { createHash } from 'node:crypto';
import { getExampleNumber, type CountryCode } from 'libphonenumber-js';
import examples from 'libphonenumber-js/mobile/examples';
import { buildBackfillBatchEvent, buildMessageEvent } from '../../core/events/builders';
import type { BackfillBatchEvent, MessageEvent, MessagePayload } from '../../core/events/types';
import type { DriverMessage } from '../../sidecar/src/drivers/driver';
import { toMessagePayload } from '../../sidecar/src/drivers/to-message-payload';

/** Countries whose numbers the phone and webhook benches use (WhatsApp's big markets, plus the special cases BR, MX, AR). */
export const COUNTRIES: CountryCode[] = ['BR', 'MX', 'AR', 'US', 'GB', 'DE', 'FR', 'ES', 'IT', 'IN', 'ID', 'NG', 'ZA', 'EG', 'TR', 'PK', 'CO', 'PH'];

let mobileCache: Array<{ country: CountryCode; e164: string; national: string }> | null = null;

/** One valid mobile number per country, E.164. */
export function exampleMobiles(): Array<{ country: CountryCode; e164: string; national: string }> {
	mobileCache ??= COUNTRIES.map((country) => {
		const number = getExampleNumber(country, examples);
		if (!number) throw new Error(`libphonenumber-js has no example mobile for ${country}`);
		return { country, e164: number.number, national: number.formatNational() };
	});
	return mobileCache;
}

/**
 * The `n`-th variant of a country's example mobile: the last digits replaced
 * by `n`, so numbers differ but keep the country's length and prefix.
 */
export function variantOf(e164: string, n: number): string {
	const suffix = String(n % 10_000).padStart(4, '0');
	return `${e164.slice(0, -4)}${suffix}`;
}

export interface PhoneSample {
	input: string;
	/** How it is written: `e164`, `wa_id`, `jid_cus`, `jid_swa`, `jid_device`, `national`, `group`, `lid`, `broadcast`, `status`, `channel`, `invalid`. */
	form: string;
	defaultCountry?: CountryCode;
	/** What the parser should answer. */
	expectKind: 'person' | 'group' | 'lid' | 'broadcast' | 'status' | 'channel' | 'invalid';
}

/** Every way the trigger and sidecar meet a number or id, for 18 countries, plus non-contacts and garbage. */
export function mixedPhoneSamples(): PhoneSample[] {
	const samples: PhoneSample[] = [];
	for (const { country, e164, national } of exampleMobiles()) {
		const digits = e164.slice(1);
		samples.push({ input: e164, form: 'e164', expectKind: 'person' });
		samples.push({ input: digits, form: 'wa_id', expectKind: 'person' });
		samples.push({ input: `${digits}@c.us`, form: 'jid_cus', expectKind: 'person' });
		samples.push({ input: `${digits}@s.whatsapp.net`, form: 'jid_swa', expectKind: 'person' });
		samples.push({ input: `${digits}:12@s.whatsapp.net`, form: 'jid_device', expectKind: 'person' });
		samples.push({ input: national, form: 'national', defaultCountry: country, expectKind: 'person' });
	}
	samples.push({ input: '120363025246125486@g.us', form: 'group', expectKind: 'group' });
	samples.push({ input: '5511987654321-1600000000@g.us', form: 'group', expectKind: 'group' });
	samples.push({ input: '108412323033106@lid', form: 'lid', expectKind: 'lid' });
	samples.push({ input: '1676552377@broadcast', form: 'broadcast', expectKind: 'broadcast' });
	samples.push({ input: 'status@broadcast', form: 'status', expectKind: 'status' });
	samples.push({ input: '120363144038483540@newsletter', form: 'channel', expectKind: 'channel' });
	samples.push({ input: 'not a number', form: 'invalid', expectKind: 'invalid' });
	samples.push({ input: '+999123', form: 'invalid', expectKind: 'invalid' });
	return samples;
}

function wamid(n: number): string {
	const digest = createHash('sha256').update(`bench-wamid-${n}`).digest('base64').slice(0, 40);
	return `wamid.${digest}`;
}

const TEXTS = [
	'Oi, vocês entregam em Campinas?',
	'Hola, ¿tienen disponibilidad para mañana?',
	'Hi! Can I change my order to the blue one?',
	'Guten Tag, wann kommt meine Lieferung? 📦',
	'नमस्ते, क्या यह उपलब्ध है?',
	'Bonjour, je voudrais un devis.',
];

/**
 * A Cloud API webhook body with `messages` inbound text messages from senders
 * of several countries, in one entry and one change (how Meta batches them),
 * with the matching `contacts[]` profile names. Returned as the exact bytes
 * Meta would send and as the parsed object.
 */
export function metaWebhookBody(messages: number, offset = 0): { raw: Buffer; parsed: Record<string, unknown> } {
	const mobiles = exampleMobiles();
	const senders = new Map<string, string>();
	const list: Array<Record<string, unknown>> = [];
	const baseTs = Math.floor(Date.now() / 1000) - 60;
	for (let i = 0; i < messages; i++) {
		const n = offset + i;
		const mobile = mobiles[n % mobiles.length];
		const from = variantOf(mobile.e164, Math.floor(n / mobiles.length)).slice(1);
		senders.set(from, `Customer ${n % 97}`);
		list.push({
			from,
			id: wamid(n),
			timestamp: String(baseTs + i),
			type: 'text',
			text: { body: TEXTS[n % TEXTS.length] },
		});
	}
	const parsed = {
		object: 'whatsapp_business_account',
		entry: [
			{
				id: '102290129340398',
				changes: [
					{
						field: 'messages',
						value: {
							messaging_product: 'whatsapp',
							metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
							contacts: [...senders].map(([waId, name]) => ({ profile: { name }, wa_id: waId })),
							messages: list,
						},
					},
				],
			},
		],
	};
	// Meta escapes non-ASCII and slashes; the bytes are what is signed, so keep them exactly.
	const raw = Buffer.from(JSON.stringify(parsed).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).replace(/\//g, '\\/'), 'utf8');
	return { raw, parsed };
}

export const BENCH_SESSION_ID = '7f3c1f0e-5a2b-4c6d-9e8f-0a1b2c3d4e5f';

/** A 1:1 text message as a driver reports it (`chat` type, a person's JID). */
export function driverTextMessage(n: number, options: { fromMe?: boolean; chatJid?: string } = {}): DriverMessage {
	const mobiles = exampleMobiles();
	const mobile = mobiles[n % mobiles.length];
	const chatId = options.chatJid ?? `${variantOf(mobile.e164, Math.floor(n / mobiles.length)).slice(1)}@c.us`;
	const fromMe = options.fromMe ?? n % 3 === 0;
	const key = createHash('sha1').update(`bench-msg-${n}`).digest('hex').slice(0, 20).toUpperCase();
	return {
		id: `${fromMe}_${chatId}_3EB0${key}`,
		fromMe,
		chatId,
		author: null,
		type: 'chat',
		body: TEXTS[n % TEXTS.length],
		timestamp: Math.floor(Date.now() / 1000) - 3600 + (n % 3600),
		hasMedia: false,
		isStatus: false,
		resolvedPhoneJid: null,
		notifyName: fromMe ? null : `Customer ${n % 97}`,
	};
}

export function messagePayload(n: number, origin: 'live' | 'backfill' = 'live', sessionId = BENCH_SESSION_ID): MessagePayload {
	const payload = toMessagePayload(sessionId, driverTextMessage(n), { name: `Customer ${n % 97}`, about: 'Hey there! I am using WhatsApp.' }, { origin });
	if (!payload) throw new Error('toMessagePayload skipped a 1:1 text message');
	return payload;
}

/** A live message event as the sidecar sends it. */
export function sidecarMessageEvent(n: number, sessionId = BENCH_SESSION_ID): MessageEvent {
	return buildMessageEvent({ sessionId, message: messagePayload(n, 'live', sessionId) });
}

/** A backfill batch of `size` messages (the sidecar's default batch is 50). */
export function sidecarBackfillBatch(size: number, offset = 0, sessionId = BENCH_SESSION_ID): BackfillBatchEvent {
	const messages: MessagePayload[] = [];
	for (let i = 0; i < size; i++) messages.push(messagePayload(offset + i, 'backfill', sessionId));
	return buildBackfillBatchEvent({
		sessionId,
		jobId: `bench-job-${offset}`,
		batchIndex: 1 + Math.floor(offset / Math.max(1, size)),
		chatsTotal: 40,
		chatsDone: 3,
		messagesSent: offset + size,
		since: new Date(Date.now() - 30 * 86_400_000),
		messages,
	});
}
