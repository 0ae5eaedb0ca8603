/**
 * WhatsApp Download Media in n8n's execution context (n8n-core's
 * ExecuteContext: parameters, expressions, binary data helpers, Continue On
 * Fail), against the real sidecar (simulator driver) and the Meta Graph
 * stand-in: the file of a media reference as a binary property, with the
 * right bytes and SHA-256; unknown, expired and oversized media as errors that
 * say what to do.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import type { MessageEvent } from '../../../core/events/types';
import { WhatsAppCrmDownloadMedia } from '../../../nodes/WhatsAppCrmDownloadMedia/WhatsAppCrmDownloadMedia.node';
import { simulatedMediaBytes } from '../../../sidecar/src/drivers/simulator';
import { cloudApiCredential, startMetaGraphStandIn, type MetaGraphStandIn } from '../../support/meta-graph-stand-in';
import { API_KEY, isMessage, linkSession, newSessionId, startSidecarUnderTest, stopSidecarUnderTest, type SidecarUnderTest } from '../../sidecar/helpers/harness';
import { runNode } from './support/run-node';

jest.setTimeout(60_000);

let under: SidecarUnderTest;
let graph: MetaGraphStandIn;
const sessionId = newSessionId();

beforeAll(async () => {
	under = await startSidecarUnderTest();
	await linkSession(under.run, under.receiver.waitFor, sessionId);
	graph = await startMetaGraphStandIn();
});

afterAll(async () => {
	await graph?.close();
	await stopSidecarUnderTest(under);
});

const sidecarCredentials = (apiKey = API_KEY) => ({ whatsAppSidecarApi: { baseUrl: under.run.sidecar.url, apiKey, webhookSecret: 'x' } });
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function mediaEvent(body: Record<string, unknown>): Promise<MessageEvent> {
	const res = await under.run.api('POST', `/simulator/sessions/${sessionId}/inbound`, { from: '+5521987654321', ...body });
	return (await under.receiver.waitFor(isMessage(res.body.messageId))) as MessageEvent;
}

function download(parameters: INodeParameters, items: INodeExecutionData[], extra: { continueOnFail?: boolean; cloud?: boolean } = {}) {
	return runNode({
		nodeType: new WhatsAppCrmDownloadMedia(),
		parameters,
		items,
		credentials: extra.cloud ? { whatsAppCloudApi: cloudApiCredential(graph) } : sidecarCredentials(),
		continueOnFail: extra.continueOnFail,
	});
}

describe('WhatsApp Download Media', () => {
	it('downloads the file of the trigger item it follows (Media Reference defaults to $json.message.media.ref)', async () => {
		const event = await mediaEvent({ type: 'image', caption: 'photo', size: 4321 });
		const [out] = await download({}, [{ json: event as unknown as INodeExecutionData['json'] }]);
		const item = out![0]!;
		const bytes = simulatedMediaBytes(event.message.messageId, 4321);
		expect(Buffer.from(item.binary!.data!.data, 'base64').equals(bytes)).toBe(true);
		expect(item.binary!.data).toMatchObject({ mimeType: 'image/jpeg', fileName: 'whatsapp-media.jpg', fileExtension: 'jpg' });
		// The event stays as it was, with what was downloaded beside it.
		expect(item.json).toMatchObject({ eventId: event.eventId, message: { messageId: event.message.messageId } });
		expect(item.json.mediaFile).toEqual({ binaryProperty: 'data', fileName: 'whatsapp-media.jpg', mimeType: 'image/jpeg', size: 4321, sha256: sha256(bytes) });
		expect(sha256(bytes)).toBe(event.message.media!.sha256);
		expect(item.pairedItem).toEqual({ item: 0 });
	});

	it('puts the file in the binary property asked for, keeping the sender\'s file name', async () => {
		const event = await mediaEvent({ type: 'document', fileName: 'Pedido 1234.pdf', size: 100 });
		const [out] = await download({ binaryPropertyName: 'invoice' }, [{ json: event as unknown as INodeExecutionData['json'], binary: {} }]);
		expect(out![0]!.binary!.invoice).toMatchObject({ mimeType: 'application/pdf', fileName: 'Pedido 1234.pdf' });
		expect(out![0]!.json.mediaFile).toMatchObject({ binaryProperty: 'invoice', size: 100 });
	});

	it('downloads Cloud API media (media id → Graph URL → bytes with the access token)', async () => {
		const bytes = randomBytes(9000);
		const mediaId = graph.receiveMedia(bytes, 'audio/ogg');
		const [out] = await download(
			{ source: 'cloudApi', mediaRef: `cloud_api:${mediaId}`, options: { fileName: 'voice-note.ogg' } },
			[{ json: {} }],
			{ cloud: true },
		);
		expect(Buffer.from(out![0]!.binary!.data!.data, 'base64').equals(bytes)).toBe(true);
		expect(out![0]!.json.mediaFile).toEqual({ binaryProperty: 'data', fileName: 'voice-note.ogg', mimeType: 'audio/ogg', size: 9000, sha256: sha256(bytes) });
	});

	it('says what to do for an unknown media reference, an expired file and a file over the limit', async () => {
		const unknown = download({ mediaRef: `sidecar:${sessionId}:false_5521987654321@c.us_3EB0DEADBEEF` }, [{ json: {} }]);
		await expect(unknown).rejects.toThrow(NodeOperationError);
		await expect(unknown).rejects.toThrow(/does not know the message of this media reference\. Check that the media reference comes from a message of this session/);

		const expired = await mediaEvent({ type: 'video', mediaExpired: true });
		await expect(download({}, [{ json: expired as unknown as INodeExecutionData['json'] }])).rejects.toThrow(/no longer has this file.*Ask the sender to send it again/);

		const big = await mediaEvent({ type: 'video', size: 2 * 1024 * 1024 });
		await expect(download({ options: { maxSizeMb: 1 } }, [{ json: big as unknown as INodeExecutionData['json'] }])).rejects.toThrow(/over the limit|larger than the limit.*Raise Max File Size/);

		const gone = graph.receiveMedia(randomBytes(10), 'image/png');
		graph.expireMedia(gone);
		await expect(download({ source: 'cloudApi', mediaRef: `cloud_api:${gone}` }, [{ json: {} }], { cloud: true })).rejects.toThrow(/Meta does not know this media id, or no longer has it/);
	});

	it('refuses an item without a media reference, and a reference of the other source', async () => {
		await expect(download({}, [{ json: { message: { kind: 'text', media: null } } }])).rejects.toThrow(/The media reference is empty/);
		await expect(download({ mediaRef: 'https://example.com/a.jpg' }, [{ json: {} }])).rejects.toThrow(/This is not a media reference/);
		await expect(download({ source: 'cloudApi', mediaRef: `sidecar:${sessionId}:false_1@c.us_X` }, [{ json: {} }], { cloud: true })).rejects.toThrow(/Set Source to the source of the message/);
	});

	it('with Continue On Fail, a failed item carries the error and its code, and the others go on', async () => {
		const good = await mediaEvent({ type: 'sticker' });
		const [out] = await download(
			{},
			[{ json: { message: { media: { ref: `sidecar:${sessionId}:false_5521987654321@c.us_3EB0NOPE` } } } }, { json: good as unknown as INodeExecutionData['json'] }, { json: {} }],
			{ continueOnFail: true },
		);
		expect(out!.map((item) => item.json.code ?? 'ok')).toEqual(['unknown_media', 'ok', 'invalid_media_ref']);
		expect(out![0]!.json.error).toMatch(/does not know the message/);
		expect(out![1]!.binary!.data!.mimeType).toBe('image/webp');
		expect(out!.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});

	it('says so when the sidecar refuses the API key', async () => {
		const event = await mediaEvent({ type: 'image' });
		const run = runNode({
			nodeType: new WhatsAppCrmDownloadMedia(),
			parameters: {},
			items: [{ json: event as unknown as INodeExecutionData['json'] }],
			credentials: sidecarCredentials('wrong-key'),
			continueOnFail: true,
		});
		const [out] = await run;
		expect(out![0]!.json).toMatchObject({ code: 'unauthorized', error: expect.stringMatching(/refused n8n's API key/) });
	});
});
