/**
 * Files that hold login data or chats — SESSION_DIR, the session folders, the
 * simulator's phone store, DATA_DIR and the durable store — are private to the
 * sidecar's user: folders 0700, files 0600, whatever the process umask. A mode
 * given to mkdir/open is only ever narrowed by the umask, so asking for 0700 /
 * 0600 is enough for what is created here; what already exists (an upgrade, a
 * folder made by a Dockerfile or by hand) is narrowed with chmod.
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

/**
 * Durably replaces `file` with `content`: a private temp file beside it,
 * written and fsynced, renamed into place, the folder fsynced. The file is
 * either the old one or the new one, never torn, whatever moment the process
 * dies at.
 */
export function writePrivateFileSync(file: string, content: string): void {
	const dir = path.dirname(file);
	const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
	const fd = fs.openSync(tmp, 'w', PRIVATE_FILE_MODE);
	try {
		fs.writeFileSync(fd, content, 'utf8');
		fs.fsyncSync(fd);
	} finally {
		fs.closeSync(fd);
	}
	fs.renameSync(tmp, file);
	fsyncDirSync(dir);
}

/** The same as writePrivateFileSync, without blocking the event loop. */
export async function writePrivateFile(file: string, content: string, tmpSuffix: string): Promise<void> {
	const dir = path.dirname(file);
	const tmp = path.join(dir, `${path.basename(file)}.${tmpSuffix}.tmp`);
	const handle = await fs.promises.open(tmp, 'w', PRIVATE_FILE_MODE);
	try {
		await handle.writeFile(content, 'utf8');
		await handle.sync();
	} finally {
		await handle.close();
	}
	try {
		await fs.promises.rename(tmp, file);
	} catch (err) {
		await fs.promises.rm(tmp, { force: true });
		throw err;
	}
	await fsyncDir(dir);
}

export async function fsyncDir(dir: string): Promise<void> {
	const handle = await fs.promises.open(dir, 'r');
	try {
		await handle.sync();
	} catch (err) {
		if (!fsyncRefused(err)) throw err;
	} finally {
		await handle.close();
	}
}

export function fsyncDirSync(dir: string): void {
	const fd = fs.openSync(dir, 'r');
	try {
		fs.fsyncSync(fd);
	} catch (err) {
		if (!fsyncRefused(err)) throw err;
	} finally {
		fs.closeSync(fd);
	}
}

/** Some file systems refuse fsync on a directory; the rename is still atomic there. */
function fsyncRefused(err: unknown): boolean {
	const code = (err as NodeJS.ErrnoException).code;
	return code === 'EINVAL' || code === 'EISDIR' || code === 'EPERM';
}
