/**
 * Builds what the sidecar sends: normalized events, signed with the core's
 * sidecar scheme, as the exact bytes and headers of an HTTP delivery.
 */
import { buildBackfillBatchEvent, buildMessageEvent, buildRemoteParty } from '../../core/events';
import type { MessagePayload, NormalizedEvent } from '../../core/events/types';
import type { MessagePayloadInput } from '../../core/events/upgrade-event';
import { signSidecarPayload } from '../../core/signatures';

export const SESSION_ID = '6f1c2a9e-3b7d-4c1e-9a0f-2d5b8e7c4a11';

let counter = 0;

/** A 1:1 text message payload as the sidecar maps it from whatsapp-web.js. */
export function textMessage(overrides: Partial<MessagePayload> & { from?: string } = {}): MessagePayloadInput {
	counter += 1;
	const remoteJid = overrides.from ?? '5511987654321@c.us';
	const direction = overrides.direction ?? 'inbound';
	const { from: _from, ...rest } = overrides;
	void _from;
	return {
		messageId: `${direction === 'outbound'}_${remoteJid}_3EB0${counter.toString(16).padStart(16, '0').toUpperCase()}`,
		direction,
		chatKind: 'direct',
		chatId: remoteJid,
		remote: buildRemoteParty(remoteJid, { name: 'Maria Souza', about: 'Disponível' }),
		kind: 'text',
		isMedia: false,
		rawType: 'chat',
		text: 'Olá! Gostaria de saber o preço 😀',
		timestamp: '2026-11-20T12:00:00.000Z',
		origin: 'live',
		participant: null,
		contextMessageId: null,
		...rest,
	};
}

export function messageEvent(overrides: Partial<MessagePayload> & { from?: string } = {}): NormalizedEvent {
	return buildMessageEvent({ sessionId: SESSION_ID, message: textMessage(overrides) });
}

export function backfillBatch(count: number, batchIndex = 1): NormalizedEvent {
	const messages = Array.from({ length: count }, (_, i) =>
		textMessage({ text: `history ${i}`, timestamp: new Date(Date.UTC(2026, 10, 1, 0, i)).toISOString() }),
	);
	return buildBackfillBatchEvent({
		sessionId: SESSION_ID,
		jobId: 'job-1',
		batchIndex,
		chatsTotal: 3,
		chatsDone: 1,
		messagesSent: count * batchIndex,
		since: '2026-10-21T00:00:00.000Z',
		messages,
	});
}

export interface Delivery {
	body: Buffer;
	headers: Record<string, string>;
}

/** The bytes and headers of one signed delivery of `event`. */
export function signedDelivery(
	event: NormalizedEvent,
	secret: string,
	options: { timestamp?: number; id?: string } = {},
): Delivery {
	const body = Buffer.from(JSON.stringify(event));
	const headers = signSidecarPayload({ secret, id: options.id ?? event.eventId, timestamp: options.timestamp, body });
	return { body, headers: { ...headers, 'Content-Type': 'application/json' } };
}
