/** MAX_SESSIONS: the sidecar holds at most that many sessions; a disconnect frees a place. */
import fs from 'node:fs';
import type { Receiver } from './helpers/receiver';
import { linkSession, newSessionId, type Running, startSidecarUnderTest, stopSidecarUnderTest } from './helpers/harness';

jest.setTimeout(30000);

let root: string;
let receiver: Receiver;
let run: Running;

beforeAll(async () => {
	({ root, receiver, run } = await startSidecarUnderTest({ MAX_SESSIONS: '2' }));
});

afterAll(() => stopSidecarUnderTest({ root, receiver, run }));

it('refuses a session beyond MAX_SESSIONS with 429 until one is disconnected', async () => {
	const a = newSessionId();
	const b = newSessionId();
	const c = newSessionId();
	await linkSession(run, receiver.waitFor, a);
	expect((await run.api('POST', `/sessions/${b}`)).status).toBe(200);
	const refused = await run.api('POST', `/sessions/${c}`);
	expect(refused.status).toBe(429);
	expect(refused.body.error.code).toBe('max_sessions');
	expect(fs.existsSync(`${root}/sessions/session-${c}`)).toBe(false);
	// Existing sessions are not affected.
	expect((await run.api('POST', `/sessions/${a}`)).body.state).toBe('connected');

	expect((await run.api('DELETE', `/sessions/${b}`)).status).toBe(200);
	expect((await run.api('POST', `/sessions/${c}`)).body.state).toBe('qr');
});
