/**
 * Stale Chromium profile locks.
 *
 * Chromium marks a profile (`--user-data-dir`) as in use with three symlinks:
 * `SingletonLock → <hostname>-<pid>`, `SingletonSocket → /tmp/…/SingletonSocket`
 * and `SingletonCookie → <number>`. After a crash, a SIGKILL or a container
 * restart they stay behind and the next launch refuses the profile ("The
 * browser is already running for …"). They are removed before launch unless
 * the process they name is still alive on this host.
 */
import { promises as fs, readFileSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import path from 'node:path';

export const SINGLETON_FILES = ['SingletonLock', 'SingletonSocket', 'SingletonCookie'] as const;

export interface LockOwner {
	host: string;
	pid: number;
}

/** Parse a `SingletonLock` target: `<hostname>-<pid>` (the hostname may itself contain dashes). */
export function parseLockTarget(target: string): LockOwner | null {
	const match = /^(.*)-(\d+)$/.exec(target);
	if (!match || match[1] === undefined || match[2] === undefined || match[1].length === 0) return null;
	const pid = Number(match[2]);
	if (!Number.isSafeInteger(pid) || pid <= 0) return null;
	return { host: match[1], pid };
}

/**
 * Whether a Chromium process with this pid is alive here. A live pid whose
 * command line is readable and is not Chromium's is a reused pid (common after
 * a container restart), so the lock is stale.
 */
export function isChromiumPidAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
	} catch (err) {
		if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
	}
	try {
		const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
		if (cmdline.length === 0) return false; // a zombie
		return /chrom/i.test(cmdline.split('\0')[0] ?? '');
	} catch {
		return true; // no /proc here: trust the signal check
	}
}

export interface ClearLocksOptions {
	hostname?: string;
	isPidAlive?: (pid: number) => boolean;
}

export interface ClearLocksResult {
	/** Lock files removed (names, not paths). */
	removed: string[];
	/** The live process that still holds the profile (then nothing is removed), or null. */
	heldBy: LockOwner | null;
}

/** Remove the profile's Singleton* files unless a live Chromium on this host holds them. Never follows or deletes their targets. */
export async function clearStaleChromiumLocks(profileDir: string, options: ClearLocksOptions = {}): Promise<ClearLocksResult> {
	const host = options.hostname ?? osHostname();
	const isPidAlive = options.isPidAlive ?? isChromiumPidAlive;

	let target: string | null = null;
	try {
		target = await fs.readlink(path.join(profileDir, 'SingletonLock'));
	} catch {
		target = null; // absent, or not a symlink (then it is not a lock Chromium can honour)
	}
	if (target !== null) {
		const owner = parseLockTarget(target);
		if (owner !== null && owner.host === host && isPidAlive(owner.pid)) {
			return { removed: [], heldBy: owner };
		}
	}

	const removed: string[] = [];
	for (const name of SINGLETON_FILES) {
		const file = path.join(profileDir, name);
		try {
			await fs.lstat(file);
		} catch {
			continue;
		}
		await fs.rm(file, { force: true });
		removed.push(name);
	}
	return { removed, heldBy: null };
}
