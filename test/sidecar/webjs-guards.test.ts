/**
 * The webjs driver's drift guards, as pure functions over real inputs:
 * message ids without `_serialized`, `@lid` resolution, stale Chromium profile
 * locks (real symlinks), orphaned browsers (real processes), stored sessions.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
	clearStaleChromiumLocks,
	createWebJsDriver,
	createLidResolver,
	findOrphanedChromium,
	killOrphanedChromium,
	messageIdOf,
	parseLockTarget,
	readProcesses,
} from '../../sidecar/src/drivers/webjs';
import { captureLogger } from './helpers/driver-events';

let tmp: string;
beforeEach(async () => {
	tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'webjs-guards-'));
});
afterEach(async () => {
	await fs.rm(tmp, { recursive: true, force: true });
});

describe('messageIdOf', () => {
	it('uses the key’s _serialized when present', () => {
		expect(messageIdOf({ id: { fromMe: false, remote: '5511987654321@c.us', id: 'ABC', _serialized: 'false_5511987654321@c.us_ABC' } })).toBe(
			'false_5511987654321@c.us_ABC',
		);
	});

	it('rebuilds <fromMe>_<remote>_<id> when _serialized is missing, empty or not a string', () => {
		const key = { fromMe: true, remote: '5511987654321@c.us', id: '3EB0X' };
		expect(messageIdOf({ id: key })).toBe('true_5511987654321@c.us_3EB0X');
		expect(messageIdOf({ id: { ...key, _serialized: '' } })).toBe('true_5511987654321@c.us_3EB0X');
		expect(messageIdOf({ id: { ...key, _serialized: undefined } })).toBe('true_5511987654321@c.us_3EB0X');
	});

	it('appends the participant, serialized when it is an object, and serializes an object remote', () => {
		expect(
			messageIdOf({
				id: { fromMe: false, remote: { server: 'g.us', user: '120363025555555555' }, id: '3EB0Y', participant: { server: 'c.us', user: '5521998765432' } },
			}),
		).toBe('false_120363025555555555@g.us_3EB0Y_5521998765432@c.us');
		expect(
			messageIdOf({
				id: { fromMe: false, remote: '120363025555555555@g.us', id: '3EB0Y', participant: { _serialized: '5521998765432@c.us' } },
			}),
		).toBe('false_120363025555555555@g.us_3EB0Y_5521998765432@c.us');
	});

	it('takes fromMe from the message when the key lacks it', () => {
		expect(messageIdOf({ id: { remote: '5511987654321@c.us', id: 'Z' }, fromMe: true })).toBe('true_5511987654321@c.us_Z');
	});

	it('refuses to invent an id from missing parts', () => {
		expect(() => messageIdOf({ id: { fromMe: false, id: 'Z' } })).toThrow(/remote/);
		expect(() => messageIdOf({ id: { fromMe: false, remote: '5511987654321@c.us' } })).toThrow(/id missing/);
		expect(() => messageIdOf({ id: { remote: '5511987654321@c.us', id: 'Z' } })).toThrow(/fromMe/);
		expect(() => messageIdOf({})).toThrow(/no key/);
	});
});

describe('LID resolution', () => {
	const LID = '208745226723456@lid';

	it('maps a LID to the phone JID the library reports, caching it', async () => {
		const calls: string[][] = [];
		const client = {
			getContactLidAndPhone: async (ids: string[]) => {
				calls.push(ids);
				return ids.map((lid) => ({ lid, pn: '5511987654321@c.us' }));
			},
		};
		const resolver = createLidResolver(() => client);
		expect(await resolver.resolve(LID)).toBe('5511987654321@c.us');
		expect(await resolver.resolve(LID)).toBe('5511987654321@c.us');
		expect(calls).toEqual([[LID]]);
	});

	it('answers null (never the LID) when the library has no phone, has no such method, or fails', async () => {
		expect(await createLidResolver(() => ({ getContactLidAndPhone: async () => [{ lid: LID, pn: undefined }] })).resolve(LID)).toBeNull();
		expect(await createLidResolver(() => ({ getContactLidAndPhone: async () => [{ lid: LID, pn: LID }] })).resolve(LID)).toBeNull();
		expect(await createLidResolver(() => ({})).resolve(LID)).toBeNull();
		expect(await createLidResolver(() => null).resolve(LID)).toBeNull();
		const errors: unknown[] = [];
		const failing = createLidResolver(() => ({ getContactLidAndPhone: async () => Promise.reject('Evaluation failed') }), { onError: (e) => errors.push(e) });
		expect(await failing.resolve(LID)).toBeNull();
		expect(errors).toHaveLength(1);
	});

	it('does not look up ids that are not LIDs', async () => {
		let asked = 0;
		const resolver = createLidResolver(() => ({ getContactLidAndPhone: async () => ((asked += 1), []) }));
		expect(await resolver.resolve('5511987654321@c.us')).toBeNull();
		expect(asked).toBe(0);
	});

	it('remembers a miss for a while, then asks again', async () => {
		let now = 0;
		let answer: string | undefined;
		let asked = 0;
		const resolver = createLidResolver(
			() => ({
				getContactLidAndPhone: async (ids: string[]) => {
					asked++;
					return ids.map((lid) => ({ lid, pn: answer }));
				},
			}),
			{ missTtlMs: 1000, now: () => now },
		);
		expect(await resolver.resolve(LID)).toBeNull();
		answer = '5511987654321@c.us';
		now = 500;
		expect(await resolver.resolve(LID)).toBeNull();
		now = 1500;
		expect(await resolver.resolve(LID)).toBe('5511987654321@c.us');
		expect(asked).toBe(2);
	});

	it('resolves several LIDs in one library call', async () => {
		const calls: string[][] = [];
		const resolver = createLidResolver(() => ({
			getContactLidAndPhone: async (ids: string[]) => {
				calls.push(ids);
				return ids.map((lid, i) => ({ lid, pn: i === 0 ? '5511987654321@c.us' : undefined }));
			},
		}));
		const result = await resolver.resolveMany([LID, '99999999999999@lid', '5511987654321@c.us']);
		expect(result.get(LID)).toBe('5511987654321@c.us');
		expect(result.get('99999999999999@lid')).toBeNull();
		expect(result.get('5511987654321@c.us')).toBeNull();
		expect(calls).toEqual([[LID, '99999999999999@lid']]);
	});
});

describe('clearStaleChromiumLocks', () => {
	async function plantLocks(dir: string, lockTarget: string): Promise<void> {
		await fs.mkdir(dir, { recursive: true });
		await fs.symlink(lockTarget, path.join(dir, 'SingletonLock'));
		await fs.symlink('/tmp/org.chromium.Chromium.gone/SingletonSocket', path.join(dir, 'SingletonSocket'));
		await fs.symlink('12345678901234567890', path.join(dir, 'SingletonCookie'));
		await fs.writeFile(path.join(dir, 'Local State'), '{}');
	}
	const singletons = async (dir: string) => (await fs.readdir(dir)).filter((n) => n.startsWith('Singleton')).sort();

	it('parses <hostname>-<pid>, hostnames with dashes included', () => {
		expect(parseLockTarget('vm-13963')).toEqual({ host: 'vm', pid: 13963 });
		expect(parseLockTarget('a1b2-c3d4-e5-77')).toEqual({ host: 'a1b2-c3d4-e5', pid: 77 });
		expect(parseLockTarget('nohyphen')).toBeNull();
		expect(parseLockTarget('-12')).toBeNull();
	});

	it('removes the locks of a process that is gone, and nothing else', async () => {
		const dir = path.join(tmp, 'session-a');
		await plantLocks(dir, `${os.hostname()}-999999`);
		const result = await clearStaleChromiumLocks(dir);
		expect(result).toEqual({ removed: ['SingletonLock', 'SingletonSocket', 'SingletonCookie'], heldBy: null });
		expect(await singletons(dir)).toEqual([]);
		expect(existsSync(path.join(dir, 'Local State'))).toBe(true);
	});

	it('removes locks written on another host (a previous container) even when that pid is alive here', async () => {
		const dir = path.join(tmp, 'session-b');
		await plantLocks(dir, `old-container-${process.pid}`);
		const result = await clearStaleChromiumLocks(dir, { isPidAlive: () => true });
		expect(result.removed).toHaveLength(3);
	});

	it('keeps the locks of a live Chromium on this host', async () => {
		const dir = path.join(tmp, 'session-c');
		await plantLocks(dir, `${os.hostname()}-4242`);
		const result = await clearStaleChromiumLocks(dir, { isPidAlive: (pid) => pid === 4242 });
		expect(result).toEqual({ removed: [], heldBy: { host: os.hostname(), pid: 4242 } });
		expect(await singletons(dir)).toEqual(['SingletonCookie', 'SingletonLock', 'SingletonSocket']);
	});

	it('treats a live pid that is not Chromium (a reused pid) as stale', async () => {
		const dir = path.join(tmp, 'session-d');
		await plantLocks(dir, `${os.hostname()}-${process.pid}`); // this jest worker: alive, but node
		const result = await clearStaleChromiumLocks(dir);
		expect(result.heldBy).toBeNull();
		expect(await singletons(dir)).toEqual([]);
	});

	it('clears dangling socket/cookie links without a lock, and copes with a missing profile', async () => {
		const dir = path.join(tmp, 'session-e');
		await fs.mkdir(dir);
		await fs.symlink('/nowhere/SingletonSocket', path.join(dir, 'SingletonSocket'));
		expect((await clearStaleChromiumLocks(dir)).removed).toEqual(['SingletonSocket']);
		expect(await clearStaleChromiumLocks(path.join(tmp, 'absent'))).toEqual({ removed: [], heldBy: null });
	});
});

describe('orphaned browsers on a profile', () => {
	const children: ChildProcess[] = [];
	afterEach(() => {
		for (const child of children.splice(0)) {
			try {
				child.kill('SIGKILL');
			} catch {
				// gone
			}
		}
	});

	it('finds processes by --user-data-dir in a /proc tree, leaving this process’s own descendants alone', async () => {
		const proc = path.join(tmp, 'proc');
		const add = async (pid: number, ppid: number, args: string[]) => {
			await fs.mkdir(path.join(proc, String(pid)), { recursive: true });
			await fs.writeFile(path.join(proc, String(pid), 'cmdline'), args.join('\0') + '\0');
			await fs.writeFile(path.join(proc, String(pid), 'stat'), `${pid} (chromium (x)) S ${ppid} 1 1 0 -1`);
		};
		const profile = '/data/sessions/session-1';
		await add(100, 1, ['/usr/lib/chromium/chromium', `--user-data-dir=${profile}`]); // orphan
		await add(101, 100, ['/usr/lib/chromium/chromium', '--type=renderer', `--user-data-dir=${profile}/`]); // its child
		await add(200, 50, ['/usr/lib/chromium/chromium', `--user-data-dir=${profile}`]); // ours (50 = self)
		await add(201, 200, ['/usr/lib/chromium/chromium', '--type=zygote', `--user-data-dir=${profile}`]); // ours, deeper
		await add(300, 1, ['/usr/lib/chromium/chromium', '--user-data-dir=/data/sessions/session-2']); // another session
		await add(400, 1, ['/usr/lib/chromium/chromium', '--user-data-dir', profile]); // separate-argument form
		await add(500, 1, ['/usr/local/bin/node', 'dist/sidecar/src/main.js']); // another live sidecar …
		await add(501, 500, ['/usr/lib/chromium/chromium', `--user-data-dir=${profile}`]); // … and its browser
		await add(502, 501, ['/usr/lib/chromium/chromium', '--type=zygote', `--user-data-dir=${profile}`]);
		await add(600, 77, ['/usr/lib/chromium/chromium', `--user-data-dir=${profile}`]); // under a subreaper (77 is not node)
		await add(77, 1, ['/lib/systemd/systemd', '--user']);
		await fs.mkdir(path.join(proc, 'self'));
		const found = findOrphanedChromium(await readProcesses(proc), profile, 50).map((p) => p.pid).sort((a, b) => a - b);
		expect(found).toEqual([100, 101, 400, 600]);
	});

	it('ends a real re-parented process holding the profile, but not this process’s own child', async () => {
		const profile = path.join(tmp, 'session-real');
		const holder = `--user-data-dir=${profile}`;
		// An orphan: started by a shell that exits at once, so it is re-parented away from us.
		const launcher = spawn('sh', ['-c', `node -e "setInterval(()=>{},1000)" -- ${holder} >/dev/null 2>&1 & echo $!`], { stdio: ['ignore', 'pipe', 'ignore'] });
		const orphanPid = await new Promise<number>((resolve) => launcher.stdout!.on('data', (d: Buffer) => resolve(Number(String(d).trim()))));
		// Our own child on the same profile (like this sidecar's live browser).
		const own = spawn(process.execPath, ['-e', 'setInterval(()=>{},1000)', '--', holder], { stdio: 'ignore' });
		children.push(own);
		await waitFor(async () => (await readProcesses()).some((p) => p.pid === own.pid) && (await readProcesses()).some((p) => p.pid === orphanPid));

		const ended = await killOrphanedChromium(profile, { graceMs: 2000 });
		expect(ended).toEqual([orphanPid]);
		expect(isRunning(orphanPid)).toBe(false);
		expect(own.exitCode).toBeNull();
		expect(isRunning(own.pid!)).toBe(true);
	});
});

describe('stored sessions', () => {
	const driverOn = (sessionDir: string) => createWebJsDriver({ sessionDir, chromiumPath: '/usr/bin/chromium', logger: captureLogger() });

	it('lists session-<uuid> directories only', async () => {
		const a = '0b6f2a62-5d7e-4c59-9d0b-7a3f9e1c2d44';
		const b = 'f3c1e0d2-1111-4aaa-8bbb-222233334444';
		await fs.mkdir(path.join(tmp, `session-${b}`));
		await fs.mkdir(path.join(tmp, `session-${a}`));
		await fs.mkdir(path.join(tmp, '.wwebjs_cache'));
		await fs.mkdir(path.join(tmp, 'session-not-a-uuid'));
		await fs.writeFile(path.join(tmp, 'session-5d0c1c36-0000-4000-8000-000000000000'), 'a file');
		expect(await driverOn(tmp).listStoredSessions()).toEqual([a, b]);
		expect(await driverOn(path.join(tmp, 'missing')).listStoredSessions()).toEqual([]);
	});

	it('places auth data where LocalAuth puts it and refuses ids that could escape', () => {
		const driver = driverOn('/data/sessions');
		const id = '0b6f2a62-5d7e-4c59-9d0b-7a3f9e1c2d44';
		expect(driver.authDataPath(id)).toBe(`/data/sessions/session-${id}`);
		for (const bad of ['../etc', 'a/b', '', 'abc-123']) expect(() => driver.authDataPath(bad)).toThrow();
	});
});

function isRunning(pid: number): boolean {
	try {
		const cmdline = require('node:fs').readFileSync(`/proc/${pid}/cmdline`, 'utf8') as string;
		return cmdline.length > 0; // a zombie has an empty cmdline
	} catch {
		return false;
	}
}

async function waitFor(check: () => Promise<boolean>, ms = 5000): Promise<void> {
	const deadline = Date.now() + ms;
	while (!(await check())) {
		if (Date.now() > deadline) throw new Error('condition not met');
		await new Promise((r) => setTimeout(r, 50));
	}
}
