/**
 * WhatsApp Session Health: Check (one / all / only unhealthy / unknown),
 * Connect (QR as text, data URL and PNG binary) and Disconnect, against the
 * real sidecar (in process, simulator driver) with sessions in each state: a
 * linked one, one whose page stopped answering, one still restoring after a
 * restart.
 */
import fs from 'node:fs';
import { inflateSync } from 'node:zlib';
import type { INodeExecutionData } from 'n8n-workflow';
import { WhatsAppCrmSessionHealth } from '../../../nodes/WhatsAppCrmSessionHealth/WhatsAppCrmSessionHealth.node';
import { tempDir } from '../../sidecar/helpers/harness';
import { runNode, failureOf } from './support/run-node';
import { sidecarCredential, startNodeTestSidecar, type NodeTestSidecar } from './support/real-sidecar';

const HEALTHY = '3f2b8c1e-6d4a-4f1b-9c2e-7a5d3b1c9e0f';
const DEAD = '9a1d5e2c-0b7f-4c3a-8d6e-1f2a3b4c5d6e';
const STARTING = '5c4b3a29-1807-4f6e-9d5c-4b3a29180706';
const UNKNOWN = '0c8f3a52-5b1e-4d7a-9e3c-2a1b0c9d8e7f';
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

// Starting the sidecar and linking its sessions takes a few seconds on a busy machine.
jest.setTimeout(60_000);

let sidecar: NodeTestSidecar;
const nodeType = new WhatsAppCrmSessionHealth();

/**
 * A sidecar just restarted: STARTING (linked before the restart) is still
 * restoring, and stays so for the whole file; HEALTHY is linked; DEAD says
 * connected but its page no longer answers, so the sidecar reports it unhealthy.
 */
async function sidecarWithSessions(): Promise<NodeTestSidecar> {
	const sessionDir = tempDir('nodes-sessions-');
	const before = await startNodeTestSidecar({ SESSION_DIR: sessionDir });
	await before.link(STARTING, '5511900003333');
	await before.close();
	const restarted = await startNodeTestSidecar({ SESSION_DIR: sessionDir, SIMULATOR_READY_DELAY_MS: '3600000', START_GRACE_MS: '3600000' });
	const close = restarted.close;
	restarted.close = async () => {
		await close();
		fs.rmSync(sessionDir, { recursive: true, force: true });
	};
	await restarted.link(HEALTHY, '5511900001111');
	await restarted.link(DEAD, '5511900002222');
	await restarted.simulate(DEAD, 'zombie', { hang: true });
	return restarted;
}

/** One sidecar per describe block (its tests leave the others' sessions alone); requests recorded per test. */
function withSidecar(start: () => Promise<NodeTestSidecar>): void {
	beforeAll(async () => {
		sidecar = await start();
	});
	beforeEach(() => {
		sidecar.requests.length = 0;
	});
	afterAll(async () => {
		await sidecar?.close();
	});
}

async function sidecarWithHealthySession(): Promise<NodeTestSidecar> {
	const started = await startNodeTestSidecar();
	await started.link(HEALTHY, '5511900001111');
	return started;
}

const apiRequests = () => sidecar.requests;
/** Items by session id, whatever order the sidecar lists its sessions in. */
const bySession = (items: INodeExecutionData[] | undefined) => [...(items ?? [])].sort((a, b) => String(a.json.sessionId).localeCompare(String(b.json.sessionId)));

function health(parameters: Record<string, unknown>, extra: { continueOnFail?: boolean; items?: INodeExecutionData[] } = {}) {
	return runNode({
		nodeType,
		parameters: parameters as never,
		credentials: { whatsAppSidecarApi: sidecarCredential(sidecar) },
		continueOnFail: extra.continueOnFail,
		items: extra.items,
	});
}

/** Width and height from the IHDR chunk, and the decompressed image data length, of a PNG. */
function pngHeader(png: Buffer): { width: number; height: number; idatBytes: number } {
	let offset = 8;
	let width = 0;
	let height = 0;
	const idat: Buffer[] = [];
	while (offset < png.length) {
		const length = png.readUInt32BE(offset);
		const type = png.toString('ascii', offset + 4, offset + 8);
		const data = png.subarray(offset + 8, offset + 8 + length);
		if (type === 'IHDR') {
			width = data.readUInt32BE(0);
			height = data.readUInt32BE(4);
		}
		if (type === 'IDAT') idat.push(data);
		offset += 12 + length;
	}
	return { width, height, idatBytes: inflateSync(Buffer.concat(idat)).length };
}

describe('WhatsApp Session Health: Check', () => {
	withSidecar(sidecarWithSessions);

	it("checks one session and outputs its state, linked number, last event age and when it was checked", async () => {
		const before = Date.now();
		const [items] = await health({ operation: 'check', scope: 'one', sessionId: HEALTHY });

		const requests = apiRequests();
		expect(requests).toHaveLength(1);
		expect(requests[0]).toMatchObject({ method: 'GET', path: `/sessions/${HEALTHY}/health` });
		expect(requests[0]!.headers.authorization).toBe(`Bearer ${sidecar.apiKey}`);
		expect(items).toEqual([
			{
				json: {
					sessionId: HEALTHY,
					state: 'connected',
					connected: true,
					healthy: true,
					reason: null,
					linkedPhone: '+5511900001111',
					lastEventAt: expect.stringMatching(ISO),
					lastEventAgeSeconds: expect.any(Number),
					checkedAt: expect.stringMatching(ISO),
					sidecarUrl: sidecar.url,
				},
				pairedItem: { item: 0 },
			},
		]);
		expect(Date.parse(items![0]!.json.checkedAt as string)).toBeGreaterThanOrEqual(before - 1000);
	});

	it('reports a session the sidecar does not know as unhealthy with reason unknown_session, not as an error', async () => {
		const [items] = await health({ operation: 'check', scope: 'one', sessionId: UNKNOWN });
		expect(items![0]!.json).toEqual({
			sessionId: UNKNOWN,
			state: null,
			connected: false,
			healthy: false,
			reason: 'unknown_session',
			linkedPhone: null,
			lastEventAt: null,
			lastEventAgeSeconds: null,
			checkedAt: expect.stringMatching(ISO),
			sidecarUrl: sidecar.url,
		});
	});

	it('checks the session of each input item (a nightly run over the users)', async () => {
		const [items] = await health(
			{ operation: 'check', scope: 'one', sessionId: '={{ $json.userId }}' },
			{ items: [{ json: { userId: HEALTHY } }, { json: { userId: UNKNOWN } }, { json: { userId: DEAD } }] },
		);
		expect(items!.map((item) => [item.json.sessionId, item.json.healthy, item.json.reason, item.pairedItem])).toEqual([
			[HEALTHY, true, null, { item: 0 }],
			[UNKNOWN, false, 'unknown_session', { item: 1 }],
			[DEAD, false, 'page_unresponsive', { item: 2 }],
		]);
	});

	it('checks all sessions: one item per session', async () => {
		const [items] = await health({ operation: 'check', scope: 'all' });

		expect(apiRequests().map((request) => `${request.method} ${request.path}`)).toEqual(['GET /health']);
		expect(bySession(items).map((item) => [item.json.sessionId, item.json.state, item.json.healthy, item.json.reason])).toEqual(
			[
				[HEALTHY, 'connected', true, null],
				[DEAD, 'connected', false, 'page_unresponsive'],
				[STARTING, 'starting', null, 'starting'],
			].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
		);
		expect(items!.every((item) => (item.pairedItem as { item: number }).item === 0)).toBe(true);
		expect(items!.find((item) => item.json.sessionId === DEAD)!.json.lastEventAgeSeconds).toEqual(expect.any(Number));
	});

	it('checks all sessions once, not once per input item, pairing the results with the first item', async () => {
		const [items] = await health({ operation: 'check', scope: 'all' }, { items: [{ json: { a: 1 } }, { json: { a: 2 } }, { json: { a: 3 } }] });

		expect(apiRequests().map((request) => `${request.method} ${request.path}`)).toEqual(['GET /health']);
		expect(bySession(items).map((item) => item.json.sessionId)).toEqual([HEALTHY, DEAD, STARTING].sort());
		expect(items!.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 0 }, { item: 0 }]);
	});

	it('with Only Unhealthy outputs only sessions that need attention, not those still starting', async () => {
		const [items] = await health({ operation: 'check', scope: 'all', onlyUnhealthy: true });
		expect(items!.map((item) => item.json.sessionId)).toEqual([DEAD]);
	});

	it('outputs nothing when all sessions are healthy and Only Unhealthy is on', async () => {
		const checked = sidecar;
		sidecar = await sidecarWithHealthySession();
		try {
			const [items] = await health({ operation: 'check', scope: 'all', onlyUnhealthy: true });
			expect(items).toEqual([]);
		} finally {
			await sidecar.close();
			sidecar = checked;
		}
	});

	it('says so when the API key is wrong, even for a check', async () => {
		const error = await failureOf(
			runNode({
				nodeType,
				parameters: { operation: 'check', scope: 'all' },
				credentials: { whatsAppSidecarApi: sidecarCredential(sidecar, { apiKey: 'wrong' }) },
			}),
		);
		expect(error.message).toMatch(/refused n8n's API key/);
	});
});

describe('WhatsApp Session Health: Connect', () => {
	withSidecar(sidecarWithHealthySession);

	it('starts a new session and outputs the QR code as text, as a data URL and as a PNG image in binary.qr', async () => {
		const [items] = await health({ operation: 'connect', sessionId: UNKNOWN });

		const requests = apiRequests();
		expect(requests).toHaveLength(1);
		expect(requests[0]).toMatchObject({ method: 'POST', path: `/sessions/${UNKNOWN}`, rawBody: '' });
		expect(requests[0]!.headers.authorization).toBe(`Bearer ${sidecar.apiKey}`);

		const item = items![0]!;
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(item.json).toEqual({
			sessionId: UNKNOWN,
			state: 'qr',
			qr: expect.stringMatching(/^2@/),
			qrDataUrl: expect.stringMatching(/^data:image\/png;base64,/),
			linkedPhone: null,
			lastError: null,
		});
		expect(item.json.qr).toBe((await sidecar.run.api('GET', `/sessions/${UNKNOWN}`)).body.qr);

		const binary = item.binary!.qr!;
		expect(binary).toMatchObject({ mimeType: 'image/png', fileExtension: 'png', fileName: `whatsapp-qr-${UNKNOWN}.png` });
		const png = Buffer.from(binary.data, 'base64');
		expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
		const header = pngHeader(png);
		expect(header.width).toBeGreaterThan(100);
		expect(header.width).toBe(header.height);
		expect(header.idatBytes).toBeGreaterThan(0);
		expect(png.equals(Buffer.from((item.json.qrDataUrl as string).split(',')[1]!, 'base64'))).toBe(true);
	});

	it('for a linked session outputs its state and linked number, without a QR code', async () => {
		const [items] = await health({ operation: 'connect', sessionId: HEALTHY });
		expect(items![0]!.json).toEqual({ sessionId: HEALTHY, state: 'connected', qr: null, qrDataUrl: null, linkedPhone: '+5511900001111', lastError: null });
		expect(items![0]!.binary).toBeUndefined();
	});

	it('explains a Session ID that is not a UUID', async () => {
		const [items] = await health({ operation: 'connect', sessionId: '../../etc' }, { continueOnFail: true });
		expect(items![0]!.json).toEqual({ error: expect.stringMatching(/Session ID must be the user's id, a UUID/), code: 'invalid_session_id' });
	});
});

describe('WhatsApp Session Health: Disconnect', () => {
	withSidecar(sidecarWithHealthySession);

	it('disconnects the session on the sidecar and outputs { sessionId, disconnected: true }', async () => {
		const [items] = await health({ operation: 'disconnect', sessionId: HEALTHY });

		expect(apiRequests()).toEqual([expect.objectContaining({ method: 'DELETE', path: `/sessions/${HEALTHY}` })]);
		expect(apiRequests()[0]!.headers.authorization).toBe(`Bearer ${sidecar.apiKey}`);
		expect(items).toEqual([{ json: { sessionId: HEALTHY, disconnected: true, sessionFound: true }, pairedItem: { item: 0 } }]);

		const [after] = await health({ operation: 'check', scope: 'one', sessionId: HEALTHY });
		expect(after![0]!.json).toMatchObject({ healthy: false, reason: 'unknown_session' });
	});

	it('treats a session the sidecar does not know as already disconnected', async () => {
		const [items] = await health({ operation: 'disconnect', sessionId: UNKNOWN });
		expect(items![0]!.json).toEqual({ sessionId: UNKNOWN, disconnected: true, sessionFound: false });
	});
});
