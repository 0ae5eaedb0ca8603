/**
 * Media through the real sidecar (in-process, simulator driver): a 1:1 media
 * message is forwarded with its file's details and its media reference —
 * never the bytes — and `GET /sessions/:id/messages/:messageId/media` serves
 * exactly the file those details describe (the simulator's bytes are a
 * function of the message id: drivers/simulator/media.ts).
 */
import { createHash } from 'node:crypto';
import { parseMediaRef } from '../../core/events/media-ref';
import type { MessageEvent } from '../../core/events/types';
import { simulatedMediaBytes } from '../../sidecar/src/drivers/simulator';
import type { Receiver } from './helpers/receiver';
import { isMessage, linkSession, newSessionId, type Running, startSidecarUnderTest, stopSidecarUnderTest } from './helpers/harness';
import { API_KEY } from './helpers/harness';

jest.setTimeout(30000);

let root: string;
let receiver: Receiver;
let run: Running;
const sessionId = newSessionId();
const contact = '+5521987654321';

beforeAll(async () => {
	// 1 MB: the sidecar's own limit, so the limit is tested with small files.
	({ root, receiver, run } = await startSidecarUnderTest({ MAX_MEDIA_MB: '1' }));
	await linkSession(run, receiver.waitFor, sessionId);
});

afterAll(() => stopSidecarUnderTest({ root, receiver, run }));

afterEach(() => {
	expect(receiver.rejected()).toEqual([]);
});

async function inbound(body: Record<string, unknown>): Promise<MessageEvent> {
	const res = await run.api('POST', `/simulator/sessions/${sessionId}/inbound`, { from: contact, ...body });
	expect(res.status).toBe(200);
	return (await receiver.waitFor(isMessage(res.body.messageId))) as MessageEvent;
}

async function download(path: string, headers: Record<string, string> = {}, key: string | null = API_KEY) {
	const res = await fetch(`${run.sidecar.url}${path}`, { headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers } });
	const bytes = Buffer.from(await res.arrayBuffer());
	return { status: res.status, headers: res.headers, bytes, json: () => JSON.parse(bytes.toString('utf8')) };
}

const mediaPath = (event: MessageEvent) => {
	const ref = parseMediaRef(event.message.media?.ref);
	if (ref?.source !== 'sidecar') throw new Error(`not a sidecar media reference: ${String(event.message.media?.ref)}`);
	return `/sessions/${encodeURIComponent(ref.sessionId)}/messages/${encodeURIComponent(ref.messageId)}/media`;
};

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('forwarding media messages', () => {
	it('forwards an image with its details and reference, never the bytes', async () => {
		const event = await inbound({ type: 'image', caption: 'the invoice photo', size: 3000 });
		const bytes = simulatedMediaBytes(event.message.messageId, 3000);
		expect(event.message).toMatchObject({
			kind: 'image',
			isMedia: true,
			text: 'the invoice photo',
			media: {
				kind: 'image',
				mimeType: 'image/jpeg',
				size: 3000,
				sha256: sha256(bytes),
				fileName: null,
				caption: 'the invoice photo',
				ref: `sidecar:${sessionId}:${event.message.messageId}`,
			},
		});
		// Metadata only: the delivery is small and holds no base64 of the file.
		const raw = JSON.stringify(event);
		expect(raw).not.toContain(bytes.toString('base64').slice(0, 40));
		expect(raw.length).toBeLessThan(3000);
	});

	it('forwards voice notes and documents (with their file name)', async () => {
		const voice = await inbound({ type: 'ptt' });
		expect(voice.message).toMatchObject({ kind: 'voice', isMedia: true, text: null, media: { kind: 'voice', mimeType: 'audio/ogg; codecs=opus', size: 2048 } });
		const document = await inbound({ type: 'document', fileName: 'Invoice 42.pdf', caption: 'invoice' });
		expect(document.message.media).toMatchObject({ kind: 'document', mimeType: 'application/pdf', fileName: 'Invoice 42.pdf', caption: 'invoice' });
	});
});

describe('GET /sessions/:id/messages/:messageId/media', () => {
	it('serves the file: bytes, Content-Type, Content-Length, file name and X-Media-Sha256 matching the event', async () => {
		const event = await inbound({ type: 'document', fileName: 'Relatório março.pdf', size: 5000 });
		const res = await download(mediaPath(event));
		expect(res.status).toBe(200);
		expect(res.bytes.equals(simulatedMediaBytes(event.message.messageId, 5000))).toBe(true);
		expect(res.headers.get('content-type')).toBe('application/pdf');
		expect(res.headers.get('content-length')).toBe('5000');
		expect(res.headers.get('x-media-sha256')).toBe(sha256(res.bytes));
		expect(res.headers.get('x-media-sha256')).toBe(event.message.media?.sha256);
		expect(res.headers.get('content-disposition')).toBe(`attachment; filename="Relat_rio mar_o.pdf"; filename*=UTF-8''${encodeURIComponent('Relatório março.pdf')}`);
		expect(res.headers.get('cache-control')).toBe('no-store');
	});

	it('names a file without a name after its MIME type', async () => {
		const event = await inbound({ type: 'image' });
		const res = await download(mediaPath(event));
		expect(res.status).toBe(200);
		expect(res.headers.get('content-disposition')).toContain('filename="whatsapp-media.jpg"');
	});

	it('needs the API key', async () => {
		const event = await inbound({ type: 'image' });
		const res = await download(mediaPath(event), {}, null);
		expect(res.status).toBe(401);
		expect(res.json().error.code).toBe('unauthorized');
		expect((await download(mediaPath(event), {}, 'wrong-key')).status).toBe(401);
	});

	it('answers 404 unknown_message for a message the phone does not know, and 404 unknown_session for a session it does not hold', async () => {
		const unknown = await download(`/sessions/${sessionId}/messages/${encodeURIComponent('false_5521987654321@c.us_3EB0000000000000DEAD')}/media`);
		expect(unknown.status).toBe(404);
		expect(unknown.json().error.code).toBe('unknown_message');
		const noSession = await download(`/sessions/${newSessionId()}/messages/${encodeURIComponent('false_5521987654321@c.us_3EB0000000000000DEAD')}/media`);
		expect(noSession.status).toBe(404);
		expect(noSession.json().error.code).toBe('unknown_session');
	});

	it('answers 404 media_unavailable for a text message and for a file WhatsApp no longer has', async () => {
		const text = await run.api('POST', `/simulator/sessions/${sessionId}/inbound`, { from: contact, text: 'just text' });
		const textMedia = await download(`/sessions/${sessionId}/messages/${encodeURIComponent(text.body.messageId)}/media`);
		expect(textMedia.status).toBe(404);
		expect(textMedia.json().error.code).toBe('media_unavailable');
		const expired = await inbound({ type: 'video', mediaExpired: true });
		const res = await download(mediaPath(expired));
		expect(res.status).toBe(404);
		expect(res.json().error).toMatchObject({ code: 'media_unavailable' });
		expect(res.json().error.message).toMatch(/send it again/);
	});

	it('answers 413 media_too_large over MAX_MEDIA_MB, and over a lower maxBytes the caller asks for', async () => {
		const big = await inbound({ type: 'video', size: 1024 * 1024 + 1 });
		const over = await download(mediaPath(big));
		expect(over.status).toBe(413);
		expect(over.json().error.code).toBe('media_too_large');
		const small = await inbound({ type: 'image', size: 4096 });
		const asked = await download(`${mediaPath(small)}?maxBytes=4095`);
		expect(asked.status).toBe(413);
		expect(asked.json().error.code).toBe('media_too_large');
		const enough = await download(`${mediaPath(small)}?maxBytes=4096`);
		expect(enough.status).toBe(200);
		expect(enough.bytes.length).toBe(4096);
		const bad = await download(`${mediaPath(small)}?maxBytes=lots`);
		expect(bad.status).toBe(422);
		expect(bad.json().error.field).toBe('maxBytes');
	});

	it('refuses a message id that is not a serialized WhatsApp id (422) and a session that is not connected (409)', async () => {
		const bad = await download(`/sessions/${sessionId}/messages/not-an-id/media`);
		expect(bad.status).toBe(422);
		expect(bad.json().error.field).toBe('messageId');
		const waiting = newSessionId();
		await run.api('POST', `/sessions/${waiting}`);
		const res = await download(`/sessions/${waiting}/messages/${encodeURIComponent('false_5521987654321@c.us_3EB0000000000000DEAD')}/media`);
		expect(res.status).toBe(409);
		expect(res.json().error.code).toBe('not_connected');
	});

	it('never logs the bytes, the caption, the phone number or the message id', async () => {
		const event = await inbound({ type: 'image', caption: 'secret caption 7731', size: 600 });
		const res = await download(mediaPath(event));
		expect(res.status).toBe(200);
		const logs = run.logs.join('\n');
		expect(logs).toContain('media downloaded');
		expect(logs).not.toContain('secret caption 7731');
		expect(logs).not.toContain('5521987654321');
		expect(logs).not.toContain(res.bytes.toString('base64').slice(0, 24));
		expect(logs).not.toContain(event.message.messageId);
	});
});
