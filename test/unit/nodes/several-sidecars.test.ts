/**
 * Sessions spread over two real sidecar processes (the built sidecar, simulator
 * driver, each told its peers with SIDECAR_PEERS / SIDECAR_SELF_URL) and the
 * nodes with one credential listing both: every session call goes to the
 * session's owner (core/sidecar-api/session-owner.ts), a sidecar refuses to
 * start a session it does not own (421), and once one sidecar is killed its
 * sessions are reported `sidecar_unreachable` (healthy: null, never dead)
 * while the other's stay connected.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { sessionOwner } from '../../../core/sidecar-api/session-owner';
import { WhatsAppCrmBackfill } from '../../../nodes/WhatsAppCrmBackfill/WhatsAppCrmBackfill.node';
import { WhatsAppCrmSend } from '../../../nodes/WhatsAppCrmSend/WhatsAppCrmSend.node';
import { WhatsAppCrmSessionHealth } from '../../../nodes/WhatsAppCrmSessionHealth/WhatsAppCrmSessionHealth.node';
import { freePort } from '../../../scripts/lib/ports';
import { API_KEY, SECRET, eventually, isSessionState, tempDir } from '../../sidecar/helpers/harness';
import { startReceiver, type Receiver } from '../../sidecar/helpers/receiver';
import { buildSidecar, startListeningSidecar, type ApiCall, type Child, type SidecarBuild } from '../../sidecar/helpers/spawn';
import { failureOf, runNode } from './support/run-node';

jest.setTimeout(120_000);

interface RunningSidecar {
	url: string;
	child: Child;
	api: ApiCall;
	env: Record<string, string>;
}

let build: SidecarBuild;
let root: string;
let receiver: Receiver;
const sidecars: RunningSidecar[] = [];
/** Two sessions owned by each sidecar: [sidecar index, session id]. */
const sessions: Array<[number, string]> = [];

const health = new WhatsAppCrmSessionHealth();
const credentials = () => ({
	// As an admin types it: the first in Sidecar URL, the other on its own line (with a trailing slash).
	whatsAppSidecarApi: { baseUrl: sidecars[0]!.url, additionalBaseUrls: `\n${sidecars[1]!.url}/\n`, apiKey: API_KEY, webhookSecret: SECRET },
});
const ownedBy = (index: number) => sessions.filter(([owner]) => owner === index).map(([, id]) => id);

beforeAll(async () => {
	build = buildSidecar();
	root = tempDir('several-sidecars-');
	receiver = await startReceiver(SECRET);
	const ports = [await freePort(), await freePort()];
	const urls = ports.map((port) => `http://127.0.0.1:${port}`);
	for (const [index, port] of ports.entries()) {
		const env = {
			PORT: String(port),
			HOST: '127.0.0.1',
			SIDECAR_API_KEY: API_KEY,
			WEBHOOK_URL: receiver.url,
			WEBHOOK_SECRET: SECRET,
			WHATSAPP_DRIVER: 'simulator',
			SESSION_DIR: path.join(root, `sidecar-${index + 1}`, 'sessions'),
			DATA_DIR: path.join(root, `sidecar-${index + 1}`, 'data'),
			SIDECAR_PEERS: urls.join(','),
			SIDECAR_SELF_URL: urls[index]!,
			HEALTH_TIMEOUT_MS: '1000',
			START_WAIT_MS: '3000',
			LOG_LEVEL: 'info',
		};
		const { child, api } = await startListeningSidecar(build.mainJs, env, API_KEY);
		sidecars.push({ url: urls[index]!, child, api, env });
	}
	while (ownedBy(0).length < 2 || ownedBy(1).length < 2) {
		const id = randomUUID();
		const owner = urls.indexOf(sessionOwner(id, urls));
		if (ownedBy(owner).length < 2) sessions.push([owner, id]);
	}
});

afterAll(async () => {
	for (const sidecar of sidecars) {
		if (sidecar.child.process.exitCode === null && sidecar.child.process.signalCode === null) {
			sidecar.child.process.kill('SIGTERM');
			await sidecar.child.exited;
		}
	}
	await receiver?.close();
	if (root) fs.rmSync(root, { recursive: true, force: true });
	if (build) fs.rmSync(build.outDir, { recursive: true, force: true });
});

describe('two sidecars, one credential', () => {
	it("Connect starts each session on its owner only; the phone is linked there", async () => {
		for (const [owner, sessionId] of sessions) {
			const [items] = await runNode({ nodeType: health, parameters: { operation: 'connect', sessionId }, credentials: credentials() });
			expect(items![0]!.json).toMatchObject({ sessionId, state: 'qr' });
			expect((await sidecars[owner]!.api('GET', `/sessions/${sessionId}`)).status).toBe(200);
			expect((await sidecars[1 - owner]!.api('GET', `/sessions/${sessionId}`)).status).toBe(404);
			const linked = await sidecars[owner]!.api('POST', `/simulator/sessions/${sessionId}/link`, { phone: '+5511912345678' });
			expect(linked.status).toBe(200);
			await receiver.waitFor(isSessionState(sessionId, 'connected'));
		}
	});

	it('a sidecar refuses to start a session another one owns: 421 session_not_owned, naming the owner', async () => {
		const [owner, sessionId] = sessions[0]!;
		const refused = await sidecars[1 - owner]!.api('POST', `/sessions/${sessionId}`);
		expect(refused.status).toBe(421);
		expect(refused.body.error).toMatchObject({ code: 'session_not_owned', message: expect.stringContaining(sidecars[owner]!.url) });
	});

	it("a credential that lists fewer sidecars than SIDECAR_PEERS: Connect says so instead of linking the phone where n8n won't look", async () => {
		const sessionId = ownedBy(1)[0]!;
		const error = await failureOf(
			runNode({
				nodeType: health,
				parameters: { operation: 'connect', sessionId },
				credentials: { whatsAppSidecarApi: { baseUrl: sidecars[0]!.url, apiKey: API_KEY, webhookSecret: SECRET } },
			}),
		);
		expect(error.context?.code).toBe('session_not_owned');
		expect(error.httpCode).toBe('421');
		expect(error.message).toMatch(/does not hold session ".+": by its SIDECAR_PEERS, another sidecar owns it/);
		expect(error.message).toMatch(/Additional Sidecar URLs .* same addresses as SIDECAR_PEERS/);
	});

	it('Check All Sessions lists the sessions of both sidecars, each with the sidecar that holds it', async () => {
		const [items] = await runNode({ nodeType: health, parameters: { operation: 'check', scope: 'all' }, credentials: credentials() });
		const got = items!.map((item) => [item.json.sessionId, item.json.sidecarUrl, item.json.healthy]).sort();
		expect(got).toEqual(sessions.map(([owner, id]) => [id, sidecars[owner]!.url, true]).sort());
	});

	it('Send goes to the sidecar of its session', async () => {
		for (const [owner, sessionId] of sessions.slice(0, 2)) {
			const [sent] = await runNode({
				nodeType: new WhatsAppCrmSend(),
				parameters: { source: 'sidecar', sessionId, to: '+5511987654321', text: 'Hello' },
				credentials: credentials(),
			});
			expect(sent![0]!.json).toMatchObject({ sessionId, messageId: expect.any(String) });
			// Only the owner holds the session: the other would have answered 404.
			expect((await sidecars[1 - owner]!.api('GET', `/sessions/${sessionId}`)).status).toBe(404);
		}
	});

	it("Backfill starts on the session's sidecar; Get Progress (a job id only) finds the job on whichever sidecar runs it", async () => {
		const sessionId = ownedBy(1)[0]!;
		const backfill = new WhatsAppCrmBackfill();
		const [started] = await runNode({ nodeType: backfill, parameters: { operation: 'start', sessionId, days: 7 }, credentials: credentials() });
		const { jobId } = started![0]!.json as { jobId: string };
		expect((await sidecars[1]!.api('GET', `/backfill/${jobId}`)).status).toBe(200);
		expect((await sidecars[0]!.api('GET', `/backfill/${jobId}`)).status).toBe(404);
		const [progress] = await runNode({ nodeType: backfill, parameters: { operation: 'getProgress', jobId }, credentials: credentials() });
		expect(progress![0]!.json).toMatchObject({ jobId, sessionId });
		const error = await failureOf(runNode({ nodeType: backfill, parameters: { operation: 'getProgress', jobId: randomUUID() }, credentials: credentials() }));
		expect(error.context?.code).toBe('unknown_job');
	});

	it('an Additional Sidecar URL that is not an address: a node error naming it, before any call', async () => {
		const error = await failureOf(
			runNode({
				nodeType: health,
				parameters: { operation: 'check', scope: 'one', sessionId: sessions[0]![1] },
				credentials: { whatsAppSidecarApi: { ...credentials().whatsAppSidecarApi, additionalBaseUrls: `${sidecars[1]!.url}\nsidecar-3:3100` } },
			}),
		);
		expect(error.context?.code).toBe('invalid_sidecar_url');
		expect(error.message).toContain('"sidecar-3:3100", which is not an http(s) address');
	});

	it('a session no sidecar knows: a node error naming the session and its sidecar, at once (not a timeout)', async () => {
		let unknown = randomUUID();
		while (sessionOwner(unknown, sidecars.map((s) => s.url)) !== sidecars[0]!.url) unknown = randomUUID();
		const started = Date.now();
		const error = await failureOf(
			runNode({ nodeType: new WhatsAppCrmSend(), parameters: { source: 'sidecar', sessionId: unknown, to: '+5511987654321', text: 'Hi' }, credentials: credentials() }),
		);
		expect(Date.now() - started).toBeLessThan(10_000);
		expect(error.message).toContain(`The sidecar at ${sidecars[0]!.url} has no WhatsApp session "${unknown}".`);
		expect(error.message).toContain('Several sidecars');
		expect(error.context?.code).toBe('unknown_session');
	});

	it('a third sidecar added to the credential before any session is moved: a session its owner now is sidecar 3 is still found where it is — health, send and connect — and none is created twice', async () => {
		const third = { port: await freePort() };
		const thirdUrl = `http://127.0.0.1:${third.port}`;
		const env = { ...sidecars[0]!.env, PORT: String(third.port), SESSION_DIR: path.join(root, 'sidecar-3', 'sessions'), DATA_DIR: path.join(root, 'sidecar-3', 'data') };
		delete (env as Record<string, string>).SIDECAR_PEERS;
		delete (env as Record<string, string>).SIDECAR_SELF_URL;
		const added = await startListeningSidecar(build.mainJs, env, API_KEY);
		try {
			const two = [sidecars[0]!.url, sidecars[1]!.url];
			const three = [...two, thirdUrl];
			// A user linked on sidecar 1 before sidecar 3 was added, whose owner is sidecar 3 now.
			let sessionId = randomUUID();
			while (sessionOwner(sessionId, two) !== two[0] || sessionOwner(sessionId, three) !== thirdUrl) sessionId = randomUUID();
			expect((await sidecars[0]!.api('POST', `/sessions/${sessionId}`)).status).toBe(200);
			expect((await sidecars[0]!.api('POST', `/simulator/sessions/${sessionId}/link`, { phone: '+5511912340000' })).status).toBe(200);
			await receiver.waitFor(isSessionState(sessionId, 'connected'));
			const withThird = { whatsAppSidecarApi: { ...credentials().whatsAppSidecarApi, additionalBaseUrls: `${sidecars[1]!.url}\n${thirdUrl}` } };

			const [checked] = await runNode({ nodeType: health, parameters: { operation: 'check', scope: 'one', sessionId }, credentials: withThird });
			expect(checked![0]!.json).toMatchObject({ sessionId, state: 'connected', healthy: true, sidecarUrl: sidecars[0]!.url });
			const [sent] = await runNode({
				nodeType: new WhatsAppCrmSend(),
				parameters: { source: 'sidecar', sessionId, to: '+5511987654321', text: 'Still here' },
				credentials: withThird,
			});
			expect(sent![0]!.json).toMatchObject({ sessionId, messageId: expect.any(String) });
			const [connected] = await runNode({ nodeType: health, parameters: { operation: 'connect', sessionId }, credentials: withThird });
			expect(connected![0]!.json).toMatchObject({ sessionId, state: 'connected' });
			expect((await added.api('GET', `/sessions/${sessionId}`)).status).toBe(404);
			// Gone again, for the tests that count each sidecar's sessions.
			expect((await sidecars[0]!.api('DELETE', `/sessions/${sessionId}`)).status).toBe(200);
		} finally {
			added.child.process.kill('SIGTERM');
			await added.child.exited;
		}
	});

	describe('sidecar 2 is killed', () => {
		beforeAll(async () => {
			sidecars[1]!.child.process.kill('SIGKILL');
			await sidecars[1]!.child.exited;
		});

		it("its sessions are sidecar_unreachable (healthy: null), the other's stay connected", async () => {
			const [items] = await runNode({
				nodeType: health,
				parameters: { operation: 'check', scope: 'one', sessionId: '={{ $json.userId }}' },
				credentials: credentials(),
				items: sessions.map(([, id]) => ({ json: { userId: id } })),
			});
			const byId = new Map(items!.map((item) => [item.json.sessionId, item.json]));
			for (const id of ownedBy(0)) expect(byId.get(id)).toMatchObject({ state: 'connected', connected: true, healthy: true, reason: null, sidecarUrl: sidecars[0]!.url });
			for (const id of ownedBy(1)) {
				expect(byId.get(id)).toMatchObject({
					state: 'sidecar_unreachable',
					connected: false,
					healthy: null,
					reason: 'sidecar_unreachable',
					sidecarUrl: sidecars[1]!.url,
				});
			}
		});

		it('Check All Sessions: the reachable sidecar\'s sessions, and one sidecar_unreachable item for the other; Only Unhealthy keeps that item', async () => {
			const [items] = await runNode({ nodeType: health, parameters: { operation: 'check', scope: 'all' }, credentials: credentials() });
			expect(items!.map((item) => item.json.sessionId).filter((id) => id !== null).sort()).toEqual([...ownedBy(0)].sort());
			expect(items!.filter((item) => item.json.sessionId === null).map((item) => item.json)).toEqual([
				expect.objectContaining({ state: 'sidecar_unreachable', healthy: null, sidecarUrl: sidecars[1]!.url }),
			]);
			const [unhealthy] = await runNode({ nodeType: health, parameters: { operation: 'check', scope: 'all', onlyUnhealthy: true }, credentials: credentials() });
			expect(unhealthy!.map((item) => [item.json.sessionId, item.json.state])).toEqual([[null, 'sidecar_unreachable']]);
		});

		it('Send to one of its sessions fails with sidecar_unreachable, naming the sidecar and the session', async () => {
			const sessionId = ownedBy(1)[0]!;
			const error = await failureOf(
				runNode({ nodeType: new WhatsAppCrmSend(), parameters: { source: 'sidecar', sessionId, to: '+5511987654321', text: 'Hi' }, credentials: credentials() }),
			);
			expect(error.context?.code).toBe('sidecar_unreachable');
			expect(error.message).toContain(`Cannot reach the WhatsApp sidecar at ${sidecars[1]!.url}, which holds session "${sessionId}".`);
		});
	});

	describe('sidecar 2 removed for good: its session folders moved to sidecar 1 (the procedure of sidecar/README.md)', () => {
		const restartSidecar1 = async (env: Record<string, string>) => {
			const first = sidecars[0]!;
			first.child.process.kill('SIGTERM');
			await first.child.exited;
			const { child, api } = await startListeningSidecar(build.mainJs, env, API_KEY);
			sidecars[0] = { ...first, child, api, env };
		};
		const moved = () => ownedBy(1);

		beforeAll(() => {
			for (const id of moved()) {
				fs.renameSync(path.join(sidecars[1]!.env.SESSION_DIR!, `session-${id}`), path.join(sidecars[0]!.env.SESSION_DIR!, `session-${id}`));
			}
		});

		it('with the old SIDECAR_PEERS, sidecar 1 restores the moved sessions and warns that n8n looks for them elsewhere', async () => {
			await restartSidecar1(sidecars[0]!.env);
			for (const id of moved()) {
				const line = await sidecars[0]!.child.waitForLog((l) => l.sessionId === id && String(l.msg).includes('belongs to another sidecar'));
				expect(line).toMatchObject({ level: 40, owner: sidecars[1]!.url });
			}
		});

		it('SIDECAR_PEERS and the credential without sidecar 2: every session connected again, no QR code scanned', async () => {
			await restartSidecar1({ ...sidecars[0]!.env, SIDECAR_PEERS: sidecars[0]!.url });
			expect(sidecars[0]!.child.stdout()).not.toContain('belongs to another sidecar');
			const check = async () =>
				(
					await runNode({
						nodeType: health,
						parameters: { operation: 'check', scope: 'one', sessionId: '={{ $json.userId }}' },
						credentials: { whatsAppSidecarApi: { baseUrl: sidecars[0]!.url, apiKey: API_KEY, webhookSecret: SECRET } },
						items: sessions.map(([, id]) => ({ json: { userId: id } })),
					})
				)[0]!;
			// Restored sessions report `starting` for a moment.
			const items = await eventually(async () => {
				const checked = await check();
				return checked.every((item) => item.json.state !== 'starting') ? checked : undefined;
			}, 20_000, 'the restored sessions to be ready');
			expect(items.map((item) => [item.json.sessionId, item.json.state, item.json.healthy, item.json.sidecarUrl])).toEqual(
				sessions.map(([, id]) => [id, 'connected', true, sidecars[0]!.url]),
			);
		});
	});
});
