/**
 * Files that hold login data or chats — SESSION_DIR, the session folders, the
 * simulator's phone store, DATA_DIR and the durable store — are private to the
 * sidecar's user: folders 0700, files 0600, whatever the process umask. A mode
 * given to mkdir/open is only ever narrowed by the umask, so asking for 0700 /
 * 0600 is enough for what is created here; what already exists (an upgrade, a
 * folder made by a Dockerfile or by hand) is narrowed with chmod. Files are
 * replaced with util/durable-file.ts, which creates them 0600.
 */
import fs from 'node:fs';
import path from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates `dir` (and missing parents, each 0700) and makes `dir` itself 0700. */
export function ensurePrivateDir(dir: string): void {
	const target = path.resolve(dir);
	const missing: string[] = [];
	for (let d = target; !fs.existsSync(d); d = path.dirname(d)) {
		missing.unshift(d);
		if (path.dirname(d) === d) break;
	}
	for (const d of missing) {
		try {
			fs.mkdirSync(d, { mode: PRIVATE_DIR_MODE });
		} catch (err) {
			if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
		}
	}
	narrow(target, PRIVATE_DIR_MODE);
}

/** Makes an existing file 0600 (a missing one is ignored). */
export function privatizeFile(file: string): void {
	narrow(file, PRIVATE_FILE_MODE);
}

function narrow(p: string, mode: number): void {
	try {
		const stat = fs.statSync(p);
		if ((stat.mode & 0o777) !== mode) fs.chmodSync(p, mode);
	} catch (err) {
		if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
	}
}
