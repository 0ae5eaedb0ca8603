/**
 * Replacing a file durably: a temp file beside it (`.<name>.<pid>.<random>.tmp`,
 * created with `mode`), written and fsynced, renamed into place, the folder
 * fsynced. The file is either the old one or the new one, never torn, whatever
 * moment the process dies at; a write that fails removes its temp file (one
 * left by a crash ends in `.tmp`, for its owner to sweep at start-up).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Only the sidecar's user may read what it writes, unless told otherwise. */
const DEFAULT_MODE = 0o600;

function tempPathFor(file: string): string {
	return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

export async function writeFileDurably(file: string, content: string, mode = DEFAULT_MODE): Promise<void> {
	const tmp = tempPathFor(file);
	try {
		const handle = await fs.promises.open(tmp, 'w', mode);
		try {
			await handle.writeFile(content, 'utf8');
			await handle.sync();
		} finally {
			await handle.close();
		}
		await fs.promises.rename(tmp, file);
	} catch (err) {
		await fs.promises.rm(tmp, { force: true });
		throw err;
	}
	await fsyncDir(path.dirname(file));
}

/** writeFileDurably, blocking (for the moments that must not yield, e.g. linking a simulated phone). */
export function writeFileDurablySync(file: string, content: string, mode = DEFAULT_MODE): void {
	const tmp = tempPathFor(file);
	try {
		const fd = fs.openSync(tmp, 'w', mode);
		try {
			fs.writeFileSync(fd, content, 'utf8');
			fs.fsyncSync(fd);
		} finally {
			fs.closeSync(fd);
		}
		fs.renameSync(tmp, file);
	} catch (err) {
		fs.rmSync(tmp, { force: true });
		throw err;
	}
	fsyncDirSync(path.dirname(file));
}

/** Makes a folder's entries (a new or renamed file) durable. */
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
