/**
 * Where a session's auth data lives: whatsapp-web.js's `LocalAuth({ clientId,
 * dataPath })` keeps the whole Chromium profile (the link to the phone) in
 * `${dataPath}/session-${clientId}`.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const SESSION_DIR_NAME = new RegExp(`^session-(${UUID})$`, 'i');
/** LocalAuth's own rule for a clientId; also keeps the id inside SESSION_DIR. */
const CLIENT_ID = /^[-_\w]+$/;

export function assertSessionId(sessionId: string): void {
	if (!CLIENT_ID.test(sessionId)) throw new Error('invalid session id (letters, digits, "-" and "_" only)');
}

/** `${sessionDir}/session-${sessionId}` (absolute), the Chromium profile LocalAuth uses as userDataDir. */
export function authDataPath(sessionDir: string, sessionId: string): string {
	assertSessionId(sessionId);
	return path.join(path.resolve(sessionDir), `session-${sessionId}`);
}

/** Session ids (UUIDs) with an auth directory under `sessionDir`, sorted. A missing `sessionDir` has none. */
export async function listStoredSessions(sessionDir: string): Promise<string[]> {
	let entries: import('node:fs').Dirent[];
	try {
		entries = await fs.readdir(sessionDir, { withFileTypes: true });
	} catch (err) {
		if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
		throw err;
	}
	const ids: string[] = [];
	for (const entry of entries) {
		if (!entry.isDirectory()) continue;
		const match = SESSION_DIR_NAME.exec(entry.name);
		if (match?.[1] !== undefined) ids.push(match[1]);
	}
	return ids.sort();
}
