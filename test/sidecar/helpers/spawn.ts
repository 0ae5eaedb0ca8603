/**
 * The built sidecar as a child process: a private copy of sidecar/dist (built
 * once per jest run by test/support/build-once.ts, or by `npm test`'s
 * build step), run with plain node, its stdout and stderr kept.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

export interface SidecarBuild {
	/** The private copy (a test may remove it). */
	outDir: string;
	/** The sidecar's entry point in it. */
	mainJs: string;
	/** The .js in the copy of a source file of the sidecar (e.g. `sidecar/src/outbox/index.ts`), for a child that requires one module. */
	module(entry: string): string;
}

/**
 * The one way a test gets the sidecar for a child process: a copy of
 * sidecar/dist (`sidecar/src/…`, `core/…`), which the unit project's global
 * setup has built once for the whole run, in a private temp folder.
 */
export function buildSidecar(): SidecarBuild {
	const built = path.join(REPO_ROOT, 'sidecar', 'dist');
	if (!fs.existsSync(path.join(built, 'sidecar', 'src', 'main.js'))) {
		throw new Error("sidecar/dist is missing: run `npm run build` (the unit project's global setup, test/support/build-once.ts, builds it)");
	}
	const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sidecar-build-'));
	fs.cpSync(built, outDir, { recursive: true, filter: (source) => !source.endsWith('.map') });
	return {
		outDir,
		mainJs: path.join(outDir, 'sidecar', 'src', 'main.js'),
		module: (entry) => {
			const js = path.join(outDir, entry).replace(/\.ts$/, '.js');
			if (!fs.existsSync(js)) throw new Error(`${entry} is not part of the sidecar's build`);
			return js;
		},
	};
}

export interface Child {
	process: ChildProcess;
	stdout: () => string;
	stderr: () => string;
	/** Resolves with the exit code (or the signal name). */
	exited: Promise<number | string>;
	/** Resolves with the first stdout JSON log line matching. */
	waitForLog: (predicate: (line: Record<string, unknown>) => boolean, timeoutMs?: number) => Promise<Record<string, unknown>>;
}

export interface ChildOptions {
	/** Start under this umask (e.g. `000`, the most permissive), through /bin/sh. */
	umask?: string;
}

export function startChild(mainJs: string, env: Record<string, string>, options: ChildOptions = {}): Child {
	const [command, args] = options.umask
		? ['/bin/sh', ['-c', `umask ${options.umask} && exec "$0" "$1"`, process.execPath, mainJs]]
		: [process.execPath, [mainJs]];
	const child = spawn(command, args as string[], {
		cwd: os.tmpdir(),
		env: { PATH: process.env.PATH ?? '', NODE_PATH: path.join(REPO_ROOT, 'node_modules'), ...env },
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let out = '';
	let err = '';
	const waiters = new Set<() => void>();
	child.stdout!.on('data', (c: Buffer) => {
		out += c.toString('utf8');
		for (const w of waiters) w();
	});
	child.stderr!.on('data', (c: Buffer) => {
		err += c.toString('utf8');
	});
	const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
	const lines = () =>
		out
			.split('\n')
			.filter(Boolean)
			.map((l) => {
				try {
					return JSON.parse(l) as Record<string, unknown>;
				} catch {
					return { unparsed: l };
				}
			});
	const waitForLog: Child['waitForLog'] = (predicate, timeoutMs = 15000) =>
		new Promise((resolve, reject) => {
			const check = () => {
				const found = lines().find(predicate);
				if (found) {
					done();
					resolve(found);
				}
			};
			const timer = setTimeout(() => {
				done();
				reject(new Error(`no matching log line within ${timeoutMs} ms; stdout:\n${out}\nstderr:\n${err}`));
			}, timeoutMs);
			const done = () => {
				clearTimeout(timer);
				waiters.delete(check);
			};
			waiters.add(check);
			void exited.then(() => {
				check();
			});
			check();
		});
	return { process: child, stdout: () => out, stderr: () => err, exited, waitForLog };
}

export type ApiCall = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }>;

/**
 * Starts the built sidecar and waits until it listens; `api` calls it with the
 * test API key (JSON bodies; a JSON answer parsed, anything else as text).
 */
export async function startListeningSidecar(mainJs: string, env: Record<string, string>, apiKey: string, options: ChildOptions = {}): Promise<{ child: Child; api: ApiCall }> {
	const child = startChild(mainJs, env, options);
	const listening = await child.waitForLog((l) => l.msg === 'sidecar listening');
	const base = `http://127.0.0.1:${listening.port as number}`;
	const api: ApiCall = async (method, p, body) => {
		const res = await fetch(`${base}${p}`, {
			method,
			headers: { authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await res.text();
		return { status: res.status, body: text === '' ? null : /^[[{]/.test(text) ? JSON.parse(text) : text };
	};
	return { child, api };
}
