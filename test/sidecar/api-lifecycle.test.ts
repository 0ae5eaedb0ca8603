/**
 * The API's guard rails and a session's life: API key, session ids that try
 * to leave SESSION_DIR, body limits, disconnect (auth data deleted, nothing
 * else touched), restart (restored without a QR), health of zombie and dead
 * sessions, a link dropped from the phone.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { SessionStateEvent } from '../../core/events/types';
import type { Receiver } from './helpers/receiver';
import { API_KEY, eventually, isMessage, isSessionState, linkSession, newSessionId, startSidecar, testConfig, type Running, startSidecarUnderTest, stopSidecarUnderTest } from './helpers/harness';

jest.setTimeout(30000);

let root: string;
let receiver: Receiver;
let run: Running;

beforeAll(async () => {
	({ root, receiver, run } = await startSidecarUnderTest());
});

afterAll(() => stopSidecarUnderTest({ root, receiver, run }));

/** A request with the path sent exactly as written (fetch would normalize `..`). */
function rawRequest(method: string, rawPath: string, key: string | null = API_KEY): Promise<{ status: number; body: any }> {
	const url = new URL(run.sidecar.url);
	return new Promise((resolve, reject) => {
		const req = http.request(
			{ host: url.hostname, port: url.port, method, path: rawPath, headers: key ? { authorization: `Bearer ${key}` } : {} },
			(res) => {
				const chunks: Buffer[] = [];
				res.on('data', (c: Buffer) => chunks.push(c));
				res.on('end', () => {
					const text = Buffer.concat(chunks).toString('utf8');
					let body: any = null;
					try {
						body = JSON.parse(text);
					} catch {
						body = text;
					}
					resolve({ status: res.statusCode ?? 0, body });
				});
			},
		);
		req.on('error', reject);
		req.end();
	});
}

describe('API key', () => {
	const routes: Array<[string, string]> = [
		['GET', '/sessions'],
		['GET', '/health'],
		['POST', `/sessions/${newSessionId()}`],
		['GET', `/sessions/${newSessionId()}`],
		['DELETE', `/sessions/${newSessionId()}`],
		['POST', `/sessions/${newSessionId()}/messages`],
		['POST', `/sessions/${newSessionId()}/backfill`],
		['GET', '/backfill/bf-1'],
		['GET', '/outbox/dead-letters'],
		['POST', '/outbox/dead-letters/replay'],
		['POST', `/simulator/sessions/${newSessionId()}/link`],
		['GET', '/no-such-route'],
	];

	it.each(routes)('%s %s answers 401 without a key, with a wrong key and with another scheme', async (method, p) => {
		for (const options of [{ key: null }, { key: 'wrong-key-0123456789abcdef' }, { key: `${API_KEY}x` }, { key: API_KEY.slice(0, -1) }]) {
			const res = await run.api(method, p, undefined, options);
			expect(res.status).toBe(401);
			expect(res.body.error.code).toBe('unauthorized');
		}
		const basic = await run.api(method, p, undefined, { key: null, headers: { authorization: `Basic ${Buffer.from(`x:${API_KEY}`).toString('base64')}` } });
		expect(basic.status).toBe(401);
	});

	it('serves liveness and metrics without a key; metrics carry no ids or numbers', async () => {
		const sessionId = newSessionId();
		await linkSession(run, receiver.waitFor, sessionId, '5511977776666');
		const live = await run.api('GET', '/healthz', undefined, { key: null });
		expect(live).toMatchObject({ status: 200, body: { ok: true } });
		const metrics = await run.api('GET', '/metrics', undefined, { key: null });
		expect(metrics.status).toBe(200);
		expect(metrics.text).toMatch(/^# HELP whatsapp_sidecar_/m);
		expect(metrics.text).toMatch(/whatsapp_sidecar_sessions\{state="connected"\} [1-9]/);
		expect(metrics.text).toMatch(/whatsapp_sidecar_outbox_pending \d+/);
		expect(metrics.text).not.toContain(sessionId);
		expect(metrics.text).not.toMatch(/5511977776666|\d{9,}@/);
	});
});

describe('session ids', () => {
	it.each(['..%2F..%2Fetc', '..%2f..%2fetc%2fpasswd', 'abc', '%2E%2E', 'session-1', `${newSessionId()}x`, '00000000-0000-0000-0000-000000000000', '%E0%A4%A'])(
		'refuses %s with 422 before touching the disk',
		async (id) => {
			for (const [method, suffix] of [['POST', ''], ['GET', ''], ['DELETE', ''], ['GET', '/health'], ['POST', '/messages']] as const) {
				const res = await rawRequest(method, `/sessions/${id}${suffix}`);
				expect(res.status).toBe(422);
				expect(res.body.error.code).toMatch(/invalid_session_id|invalid_path/);
			}
			expect(fs.readdirSync(path.join(root, 'sessions')).every((n) => /^session-[0-9a-f-]{36}$/.test(n))).toBe(true);
		},
	);

	it.each(['/sessions/../x', '/sessions/../../etc/passwd', '/sessions/./x/..', '/sessions//'])('answers %s with 404 or 422, never touching the disk', async (p) => {
		for (const method of ['POST', 'GET', 'DELETE']) {
			const res = await rawRequest(method, p);
			expect([404, 405, 422]).toContain(res.status);
			expect(res.body.error).toBeDefined();
		}
		expect(fs.existsSync(path.join(root, 'x'))).toBe(false);
	});

	it('answers 404 for a valid but unknown session', async () => {
		const id = newSessionId();
		for (const [method, suffix] of [['GET', ''], ['DELETE', ''], ['GET', '/health']] as const) {
			const res = await run.api(method, `/sessions/${id}${suffix}`);
			expect(res.status).toBe(404);
			expect(res.body.error.code).toBe('unknown_session');
		}
	});
});

describe('request bodies', () => {
	const sessionId = newSessionId();
	beforeAll(async () => {
		await linkSession(run, receiver.waitFor, sessionId);
	});

	it('refuses a body that is not JSON with 415', async () => {
		const res = await run.api('POST', `/sessions/${sessionId}/messages`, undefined, { raw: 'to=1&text=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
		expect(res.status).toBe(415);
		expect(res.body.error.code).toBe('unsupported_media_type');
	});

	it('refuses broken JSON and non-objects with 422', async () => {
		expect((await run.api('POST', `/sessions/${sessionId}/messages`, undefined, { raw: '{"to":', headers: { 'content-type': 'application/json' } })).status).toBe(422);
		expect((await run.api('POST', `/sessions/${sessionId}/messages`, [1, 2])).status).toBe(422);
	});

	it('refuses a body over 1 MB with 413', async () => {
		const res = await run.api('POST', `/sessions/${sessionId}/messages`, { to: '+5511987654321', text: 'x'.repeat(1024 * 1024 + 10) });
		expect(res.status).toBe(413);
		expect(res.body.error.code).toBe('body_too_large');
		// The service still answers afterwards.
		expect((await run.api('GET', `/sessions/${sessionId}`)).status).toBe(200);
	});

	it('answers 404 for an unknown route and 405 for a wrong method', async () => {
		expect((await run.api('GET', '/nope')).status).toBe(404);
		expect((await run.api('PUT', `/sessions/${sessionId}`)).status).toBe(405);
	});
});

describe('disconnect', () => {
	it('logs out, deletes only that session\'s auth folder, forgets it and says logged_out', async () => {
		const gone = newSessionId();
		const kept = newSessionId();
		await linkSession(run, receiver.waitFor, gone);
		await linkSession(run, receiver.waitFor, kept);
		await run.api('POST', `/simulator/sessions/${kept}/history`, { days: 3, seed: 7 });
		const keptDir = path.join(root, 'sessions', `session-${kept}`);
		const goneDir = path.join(root, 'sessions', `session-${gone}`);
		const snapshot = (dir: string) => Object.fromEntries(fs.readdirSync(dir).map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
		const keptBefore = snapshot(keptDir);
		// A stray file next to the session folders is not the session's to delete.
		fs.writeFileSync(path.join(root, 'sessions', 'README.txt'), 'keep me');
		expect(fs.existsSync(goneDir)).toBe(true);

		const res = await run.api('DELETE', `/sessions/${gone}`);
		expect(res.status).toBe(200);
		expect(res.body).toMatchObject({ sessionId: gone, state: 'logged_out' });
		expect(fs.existsSync(goneDir)).toBe(false);
		expect(snapshot(keptDir)).toEqual(keptBefore);
		expect(fs.readFileSync(path.join(root, 'sessions', 'README.txt'), 'utf8')).toBe('keep me');
		await receiver.waitFor(isSessionState(gone, 'logged_out'));

		expect((await run.api('GET', `/sessions/${gone}`)).status).toBe(404);
		expect((await run.api('DELETE', `/sessions/${gone}`)).status).toBe(404);
		expect((await run.api('GET', `/sessions/${kept}`)).body.state).toBe('connected');
		// Starting it again asks for a new QR: nothing of the old link is left.
		expect((await run.api('POST', `/sessions/${gone}`)).body.state).toBe('qr');
	});
});

describe('disconnect of a session whose browser is gone', () => {
	it('still deletes the auth folder when the library could not log out', async () => {
		const sessionId = newSessionId();
		await linkSession(run, receiver.waitFor, sessionId);
		const dir = path.join(root, 'sessions', `session-${sessionId}`);
		await run.api('POST', `/simulator/sessions/${sessionId}/kill-browser`);
		const res = await run.api('DELETE', `/sessions/${sessionId}`);
		expect(res.status).toBe(200);
		expect(res.body.state).toBe('logged_out');
		expect(fs.existsSync(dir)).toBe(false);
		expect(run.logs.some((l) => l.includes('auth folder was still there after logout'))).toBe(true);
	});
});

describe('health', () => {
	it('reports a connected session healthy with the age of its last event', async () => {
		const sessionId = newSessionId();
		await linkSession(run, receiver.waitFor, sessionId);
		const res = await run.api('GET', `/sessions/${sessionId}/health`);
		expect(res.status).toBe(200);
		expect(res.body).toMatchObject({ sessionId, state: 'connected', connected: true, healthy: true, reason: null, linkedPhone: '+5511900000001' });
		expect(res.body.lastEventAgeSeconds).toBeGreaterThanOrEqual(0);
		expect(Date.parse(res.body.lastEventAt)).not.toBeNaN();
	});

	it('reports a zombie (says CONNECTED, page dead) unhealthy, on every call, never cached', async () => {
		const sessionId = newSessionId();
		await linkSession(run, receiver.waitFor, sessionId);
		expect((await run.api('GET', `/sessions/${sessionId}/health`)).body.healthy).toBe(true);
		await run.api('POST', `/simulator/sessions/${sessionId}/zombie`);
		const res = await run.api('GET', `/sessions/${sessionId}/health`);
		expect(res.body).toMatchObject({ state: 'connected', clientState: 'CONNECTED', connected: false, healthy: false });
		expect(res.body.reason).toMatch(/^page_/);
		// The zombie swallows what arrives: nothing is delivered.
		const lost = await run.api('POST', `/simulator/sessions/${sessionId}/inbound`, { from: '+5511987654321', text: 'lost' });
		expect(lost.body.delivered).toBe(false);
	});

	it('reports a zombie whose page hangs unhealthy within the health timeout', async () => {
		const sessionId = newSessionId();
		await linkSession(run, receiver.waitFor, sessionId);
		await run.api('POST', `/simulator/sessions/${sessionId}/zombie`, { hang: true });
		const res = await run.api('GET', `/sessions/${sessionId}/health`);
		expect(res.body).toMatchObject({ healthy: false, reason: 'page_unresponsive' });
	});

	it('reports a session whose browser is gone unhealthy, and operations on it answer 503', async () => {
		const sessionId = newSessionId();
		await linkSession(run, receiver.waitFor, sessionId);
		await run.api('POST', `/simulator/sessions/${sessionId}/kill-browser`);
		const res = await run.api('GET', `/sessions/${sessionId}/health`);
		expect(res.body).toMatchObject({ sessionId, connected: false, healthy: false, reason: 'browser_gone', clientState: null });
		const send = await run.api('POST', `/sessions/${sessionId}/messages`, { to: '+5511987654321', text: 'x' });
		expect(send.status).toBe(503);
		expect(send.body.error.code).toBe('browser_gone');
		const backfill = await run.api('POST', `/sessions/${sessionId}/backfill`, {});
		expect(backfill.status).toBe(503);
	});

	it('GET /health answers ok with every session, each checked for real', async () => {
		const res = await run.api('GET', '/health');
		expect(res.status).toBe(200);
		expect(res.body.ok).toBe(true);
		expect(res.body.sessions.length).toBeGreaterThanOrEqual(4);
		const reasons = new Set(res.body.sessions.map((s: { reason: string | null }) => s.reason));
		expect(reasons).toContain('browser_gone');
		expect(reasons).toContain(null);
		const list = await run.api('GET', '/sessions');
		expect(list.body.sessions.every((s: { health: unknown }) => s.health !== null)).toBe(true);
	});

	it('a link dropped from the phone is reported as disconnected (LOGOUT) and unhealthy, and its auth data is gone', async () => {
		const sessionId = newSessionId();
		await linkSession(run, receiver.waitFor, sessionId);
		await run.api('POST', `/simulator/sessions/${sessionId}/drop-link`);
		const event = (await receiver.waitFor(isSessionState(sessionId, 'disconnected'))) as SessionStateEvent;
		expect(event.session.reason).toBe('LOGOUT');
		const health = await run.api('GET', `/sessions/${sessionId}/health`);
		expect(health.body).toMatchObject({ state: 'disconnected', connected: false, healthy: false, reason: 'disconnected', clientState: 'UNPAIRED' });
		expect(fs.existsSync(path.join(root, 'sessions', `session-${sessionId}`))).toBe(false);
		// Starting it again shows a new QR.
		const again = await run.api('POST', `/sessions/${sessionId}`);
		expect(again.body.state).toBe('qr');
	});
});

describe('restart', () => {
	it('restores a linked session without a QR, does not restore a never-linked one, reports a slow restore as starting', async () => {
		const linked = newSessionId();
		const neverLinked = newSessionId();
		await linkSession(run, receiver.waitFor, linked, '5511988887777');
		expect((await run.api('POST', `/sessions/${neverLinked}`)).body.state).toBe('qr');
		const before = receiver.accepted().length;

		await run.sidecar.close();
		run = await startSidecar(testConfig(root, receiver.url, { SIMULATOR_READY_DELAY_MS: '1500' }));

		// Still restoring: starting, not dead.
		const early = await run.api('GET', `/sessions/${linked}/health`);
		expect(early.body).toMatchObject({ sessionId: linked, state: 'starting', healthy: null, reason: 'starting' });
		expect((await run.api('GET', `/sessions/${neverLinked}`)).status).toBe(404);

		const sinceRestart = () => receiver.accepted().slice(before).map((d) => d.event);
		const connected = (await eventually(() => sinceRestart().find(isSessionState(linked, 'connected')), 10000, 'connected after restart')) as SessionStateEvent;
		expect(connected.session.linkedPhone).toBe('+5511988887777');
		expect(sinceRestart().some(isSessionState(linked, 'qr'))).toBe(false);
		expect((await run.api('GET', `/sessions/${linked}`)).body).toMatchObject({ state: 'connected', restored: true, qr: null });
		expect((await run.api('GET', `/sessions/${linked}/health`)).body.healthy).toBe(true);

		// It works: a message arrives.
		const msg = await run.api('POST', `/simulator/sessions/${linked}/inbound`, { from: '+5511987654321', text: 'after restart' });
		await receiver.waitFor(isMessage(msg.body.messageId));
	});
});
