/**
 * Session ids are the users' UUIDs. Anything else is refused before it gets
 * near the file system, so no id can name a path outside SESSION_DIR. Every
 * driver keeps a session's auth data in `<SESSION_DIR>/session-<id>`
 * (LocalAuth's layout), named and found here.
 */
import fs from 'node:fs';
import path from 'node:path';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The canonical (lower-case) session id, or null when `raw` is not a UUID (v1–v8). */
export function parseSessionId(raw: unknown): string | null {
	if (typeof raw !== 'string') return null;
	const lower = raw.trim().toLowerCase();
	return UUID.test(lower) ? lower : null;
}

/** `<root>/session-<id>` (LocalAuth's layout), refusing anything that is not a UUID or would leave `root`. */
export function sessionFolder(root: string, sessionId: string): string {
	const id = parseSessionId(sessionId);
	if (id === null || id !== sessionId) throw new Error('invalid session id');
	const base = path.resolve(root);
	const folder = path.resolve(base, `session-${id}`);
	if (path.dirname(folder) !== base) throw new Error('invalid session folder');
	return folder;
}

/** Session ids found as `session-<uuid>` folders under `root` (other entries are ignored). */
export function sessionIdFromFolderName(name: string): string | null {
	const match = /^session-(.+)$/.exec(name);
	if (!match) return null;
	const id = parseSessionId(match[1]);
	return id !== null && id === match[1] ? id : null;
}

/**
 * The session ids with a `session-<uuid>` folder under `root` that `accept`
 * takes (every one by default), sorted. A missing `root` has none; any other
 * failure to read it is thrown (the manager logs it).
 */
export async function storedSessionIds(root: string, accept: (folder: string) => boolean = () => true): Promise<string[]> {
	let entries: fs.Dirent[];
	try {
		entries = await fs.promises.readdir(root, { withFileTypes: true });
	} catch (err) {
		if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
		throw err;
	}
	const ids: string[] = [];
	for (const entry of entries) {
		if (!entry.isDirectory()) continue;
		const id = sessionIdFromFolderName(entry.name);
		if (id !== null && accept(path.join(root, entry.name))) ids.push(id);
	}
	return ids.sort();
}
