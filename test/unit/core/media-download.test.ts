/**
 * core/media against Meta's media endpoints (the Graph stand-in speaks Meta's
 * documented "Retrieve Media URL" and "Download Media" formats) and against
 * the sidecar's media route (the real sidecar, simulator driver), over real
 * HTTP with a plain fetch as the MediaHttp.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
	downloadCloudApiMedia,
	downloadMediaByRef,
	fileNameFromDisposition,
	mayReceiveToken,
	MediaDownloadError,
	parseCloudApiMediaInfo,
	requireMediaRef,
	type CloudApiMediaTarget,
	type MediaHttp,
} from '../../../core/media';
import { simulatedMediaBytes } from '../../../sidecar/src/drivers/simulator';
import { startMetaGraphStandIn, type MetaGraphStandIn } from '../../support/meta-graph-stand-in';
import { isMessage, linkSession, newSessionId, startSidecarUnderTest, stopSidecarUnderTest, API_KEY, type SidecarUnderTest } from '../../sidecar/helpers/harness';
import type { MessageEvent } from '../../../core/events/types';

jest.setTimeout(30000);

const fetchHttp: MediaHttp = async ({ url, headers, timeoutMs }) => {
	const res = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
	return { status: res.status, headers: Object.fromEntries(res.headers.entries()), body: Buffer.from(await res.arrayBuffer()) };
};

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function codeOf(promise: Promise<unknown>): Promise<string> {
	try {
		await promise;
	} catch (error) {
		if (error instanceof MediaDownloadError) return error.code;
		throw error;
	}
	throw new Error('expected a MediaDownloadError');
}

describe('Cloud API media (Meta Graph stand-in)', () => {
	let graph: MetaGraphStandIn;
	let target: CloudApiMediaTarget;
	beforeAll(async () => {
		graph = await startMetaGraphStandIn();
		target = { graphBaseUrl: graph.url, graphApiVersion: 'v21.0', accessToken: graph.accessToken, phoneNumberId: graph.phoneNumberId };
	});
	afterAll(() => graph.close());

	it('retrieves the media URL, then downloads the bytes with the access token', async () => {
		const bytes = randomBytes(70_000);
		const mediaId = graph.receiveMedia(bytes, 'image/jpeg');
		const before = graph.requests.length;
		const file = await downloadCloudApiMedia(fetchHttp, target, mediaId, 16 * 1024 * 1024);
		expect(file).toMatchObject({ mimeType: 'image/jpeg', fileName: 'whatsapp-media.jpg', size: 70_000, sha256: sha256(bytes), source: 'cloud_api' });
		expect(file.data.equals(bytes)).toBe(true);
		const [lookup, download] = graph.requests.slice(before);
		expect(lookup).toMatchObject({ method: 'GET', path: `/v21.0/${mediaId}` });
		expect(lookup!.query.get('phone_number_id')).toBe(graph.phoneNumberId);
		expect(lookup!.headers.authorization).toBe(`Bearer ${graph.accessToken}`);
		expect(download).toMatchObject({ method: 'GET', path: '/whatsapp_business/attachments/' });
		expect(download!.headers.authorization).toBe(`Bearer ${graph.accessToken}`);
	});

	it('reads Meta\'s answer whether file_size is a number or a string', () => {
		const base = { messaging_product: 'whatsapp', url: 'https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1', mime_type: 'image/jpeg', id: '1' };
		expect(parseCloudApiMediaInfo({ ...base, file_size: '303833', sha256: 'A'.repeat(64) })).toMatchObject({ size: 303833, sha256: 'a'.repeat(64) });
		expect(parseCloudApiMediaInfo({ ...base, file_size: 303833 })).toMatchObject({ size: 303833, sha256: null });
		expect(parseCloudApiMediaInfo({ ...base, url: 'not a url' })).toBeNull();
		expect(parseCloudApiMediaInfo([])).toBeNull();
	});

	it('refuses a file over the limit from its announced size, before downloading it', async () => {
		const mediaId = graph.receiveMedia(randomBytes(5000), 'video/mp4');
		const before = graph.requests.length;
		expect(await codeOf(downloadCloudApiMedia(fetchHttp, target, mediaId, 4999))).toBe('media_too_large');
		expect(graph.requests.slice(before).map((r) => r.path)).toEqual([`/v21.0/${mediaId}`]);
	});

	it('says unknown_media for an unknown, deleted or other phone number\'s media id (Meta error 100/33)', async () => {
		expect(await codeOf(downloadCloudApiMedia(fetchHttp, target, '999999999999', 1000))).toBe('unknown_media');
		const deleted = graph.receiveMedia(randomBytes(10), 'image/png');
		graph.expireMedia(deleted);
		const error = await downloadCloudApiMedia(fetchHttp, target, deleted, 1000).catch((e: MediaDownloadError) => e);
		expect(error).toMatchObject({ code: 'unknown_media', status: 400 });
		expect((error as MediaDownloadError).detail).toMatch(/^Meta error 100\/33: Unsupported get request/);
		const other = graph.receiveMedia(randomBytes(10), 'image/png', { phoneNumberId: '100000000000001' });
		expect(await codeOf(downloadCloudApiMedia(fetchHttp, target, other, 1000))).toBe('unknown_media');
	});

	it('says media_expired when the download URL has expired, unauthorized for a wrong token', async () => {
		const mediaId = graph.receiveMedia(randomBytes(10), 'image/png');
		graph.expireUrlsAfterMs = -60_000;
		try {
			expect(await codeOf(downloadCloudApiMedia(fetchHttp, target, mediaId, 1000))).toBe('media_expired');
		} finally {
			graph.expireUrlsAfterMs = 5 * 60 * 1000;
		}
		expect(await codeOf(downloadCloudApiMedia(fetchHttp, { ...target, accessToken: 'EAAGwrong' }, mediaId, 1000))).toBe('unauthorized');
	});

	it('never sends the access token to a download URL that is plain http on another host, and needs a token', async () => {
		expect(mayReceiveToken('https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1', 'https://graph.facebook.com')).toBe(true);
		expect(mayReceiveToken(`${graph.url}/whatsapp_business/attachments/?mid=1`, graph.url)).toBe(true);
		expect(mayReceiveToken('http://evil.example/steal', 'https://graph.facebook.com')).toBe(false);
		expect(mayReceiveToken('not a url', 'https://graph.facebook.com')).toBe(false);
		const mediaId = graph.receiveMedia(randomBytes(10), 'image/png');
		const seen: string[] = [];
		const redirecting: MediaHttp = async (request) => {
			seen.push(request.url);
			const response = await fetchHttp(request);
			if (!request.url.includes('/v21.0/')) return response;
			const info = JSON.parse(response.body.toString('utf8')) as Record<string, unknown>;
			return { ...response, body: Buffer.from(JSON.stringify({ ...info, url: 'http://127.0.0.2:9/file' })) };
		};
		expect(await codeOf(downloadCloudApiMedia(redirecting, target, mediaId, 1000))).toBe('source_error');
		expect(seen).toHaveLength(1);
		expect(await codeOf(downloadCloudApiMedia(fetchHttp, { ...target, accessToken: '' }, mediaId, 1000))).toBe('unauthorized');
	});

	it('says unreachable when Meta cannot be reached', async () => {
		expect(await codeOf(downloadCloudApiMedia(fetchHttp, { ...target, graphBaseUrl: 'http://127.0.0.1:1' }, '1', 1000))).toBe('unreachable');
	});

	it('checks the bytes against the SHA-256 Meta announced', async () => {
		const mediaId = graph.receiveMedia(Buffer.from('the real file'), 'text/plain');
		const tampering: MediaHttp = async (request) => {
			const response = await fetchHttp(request);
			return request.url.includes('/whatsapp_business/') ? { ...response, body: Buffer.from('another file!') } : response;
		};
		expect(await codeOf(downloadCloudApiMedia(tampering, target, mediaId, 1000))).toBe('checksum_mismatch');
	});
});

describe('sidecar media (the real sidecar, simulator driver)', () => {
	let under: SidecarUnderTest;
	const sessionId = newSessionId();
	beforeAll(async () => {
		under = await startSidecarUnderTest();
		await linkSession(under.run, under.receiver.waitFor, sessionId);
	});
	afterAll(() => stopSidecarUnderTest(under));

	async function mediaMessage(body: Record<string, unknown>): Promise<MessageEvent> {
		const res = await under.run.api('POST', `/simulator/sessions/${sessionId}/inbound`, { from: '+5521987654321', ...body });
		return (await under.receiver.waitFor(isMessage(res.body.messageId))) as MessageEvent;
	}

	it('downloads the file of a sidecar media reference, with its name and type', async () => {
		const event = await mediaMessage({ type: 'document', fileName: 'Contrato assinado.pdf', size: 12_345 });
		const parts = requireMediaRef(event.message.media!.ref);
		const file = await downloadMediaByRef(fetchHttp, parts, { source: 'sidecar', sidecar: { baseUrl: under.run.sidecar.url, apiKey: API_KEY } }, { maxBytes: 20_000 });
		expect(file).toMatchObject({ mimeType: 'application/pdf', fileName: 'Contrato assinado.pdf', size: 12_345, sha256: event.message.media!.sha256, source: 'sidecar' });
		expect(file.data.equals(simulatedMediaBytes(event.message.messageId, 12_345))).toBe(true);
	});

	it('maps the sidecar\'s refusals to codes', async () => {
		const sidecar = { source: 'sidecar' as const, sidecar: { baseUrl: under.run.sidecar.url, apiKey: API_KEY } };
		const big = await mediaMessage({ type: 'image', size: 3000 });
		expect(await codeOf(downloadMediaByRef(fetchHttp, requireMediaRef(big.message.media!.ref), sidecar, { maxBytes: 2999 }))).toBe('media_too_large');
		const expired = await mediaMessage({ type: 'image', mediaExpired: true });
		expect(await codeOf(downloadMediaByRef(fetchHttp, requireMediaRef(expired.message.media!.ref), sidecar, { maxBytes: 5000 }))).toBe('media_expired');
		expect(await codeOf(downloadMediaByRef(fetchHttp, requireMediaRef(`sidecar:${sessionId}:false_5521987654321@c.us_3EB0DEADBEEF`), sidecar, { maxBytes: 5000 }))).toBe('unknown_media');
		expect(await codeOf(downloadMediaByRef(fetchHttp, requireMediaRef(`sidecar:${newSessionId()}:false_5521987654321@c.us_3EB0DEADBEEF`), sidecar, { maxBytes: 5000 }))).toBe('unknown_media');
		const wrongKey = { source: 'sidecar' as const, sidecar: { baseUrl: under.run.sidecar.url, apiKey: 'wrong' } };
		expect(await codeOf(downloadMediaByRef(fetchHttp, requireMediaRef(big.message.media!.ref), wrongKey, { maxBytes: 5000 }))).toBe('unauthorized');
		expect(await codeOf(downloadMediaByRef(fetchHttp, requireMediaRef('cloud_api:123'), sidecar, { maxBytes: 5000 }))).toBe('wrong_source');
		const ref = requireMediaRef(big.message.media!.ref);
		expect(await codeOf(downloadMediaByRef(fetchHttp, ref, { source: 'sidecar', sidecar: { baseUrl: 'ftp://x', apiKey: API_KEY } }, { maxBytes: 5000 }))).toBe('unreachable');
		expect(await codeOf(downloadMediaByRef(fetchHttp, ref, { source: 'sidecar', sidecar: { baseUrl: under.run.sidecar.url, apiKey: '' } }, { maxBytes: 5000 }))).toBe('unauthorized');
	});
});

describe('media references', () => {
	it('refuses what is not one, saying what it must look like', () => {
		for (const bad of ['', '  ', 'https://example.com/a.jpg', 'sidecar:only-one-part', 42, null]) {
			expect(() => requireMediaRef(bad)).toThrow(MediaDownloadError);
		}
		expect(() => requireMediaRef('nonsense')).toThrow(/sidecar:<session id>:<message id> or cloud_api:<media id>/);
		expect(requireMediaRef(' cloud_api:1234 ')).toEqual({ source: 'cloud_api', mediaId: '1234' });
	});

	it('reads the file name of a Content-Disposition header', () => {
		expect(fileNameFromDisposition(`attachment; filename="Relat_rio.pdf"; filename*=UTF-8''Relat%C3%B3rio.pdf`)).toBe('Relatório.pdf');
		expect(fileNameFromDisposition('attachment; filename="a.pdf"')).toBe('a.pdf');
		expect(fileNameFromDisposition(null)).toBeNull();
	});
});
