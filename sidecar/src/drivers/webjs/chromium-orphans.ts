/**
 * Chromium processes left holding a session's profile.
 *
 * When the sidecar is SIGKILLed, its Chromium processes are re-parented and
 * keep running (and keep the profile locked). Before a session launches, the
 * processes whose command line carries `--user-data-dir=<that profile>` and
 * that are not this process's own children are ended: SIGTERM, then SIGKILL
 * for those still alive after a grace period.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

export interface ProcInfo {
	pid: number;
	ppid: number;
	args: string[];
}

/** Read every process's pid, parent and arguments from a procfs root (default `/proc`). Unreadable entries are skipped. */
export async function readProcesses(procRoot = '/proc'): Promise<ProcInfo[]> {
	let entries: string[];
	try {
		entries = await fs.readdir(procRoot);
	} catch {
		return [];
	}
	const result: ProcInfo[] = [];
	for (const entry of entries) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const [cmdline, stat] = await Promise.all([
				fs.readFile(path.join(procRoot, entry, 'cmdline'), 'utf8'),
				fs.readFile(path.join(procRoot, entry, 'stat'), 'utf8'),
			]);
			if (cmdline.length === 0) continue; // kernel thread or zombie
			// stat: "<pid> (<comm>) <state> <ppid> …"; comm may contain spaces and parentheses.
			const afterComm = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			const ppid = Number(afterComm[1]);
			result.push({ pid: Number(entry), ppid: Number.isFinite(ppid) ? ppid : 0, args: cmdline.split('\0').filter((a) => a.length > 0) });
		} catch {
			// the process ended while we looked, or is not ours to read
		}
	}
	return result;
}

function usesProfile(args: string[], profileDir: string): boolean {
	const wanted = path.resolve(profileDir);
	for (let i = 0; i < args.length; i++) {
		const arg = args[i] as string;
		if (arg.startsWith('--user-data-dir=')) {
			if (path.resolve(arg.slice('--user-data-dir='.length)) === wanted) return true;
		} else if (arg === '--user-data-dir' && args[i + 1] !== undefined) {
			if (path.resolve(args[i + 1] as string) === wanted) return true;
		}
	}
	return false;
}

/** Whether `pid` descends from `ancestor` in this process table. */
function descendsFrom(pid: number, ancestor: number, byPid: Map<number, ProcInfo>): boolean {
	let current = byPid.get(pid);
	for (let depth = 0; current !== undefined && depth < 64; depth++) {
		if (current.ppid === ancestor) return true;
		if (current.ppid <= 1) return false;
		current = byPid.get(current.ppid);
	}
	return false;
}

/** The top-most process of the browser `proc` belongs to (its ancestors that hold the same profile). */
function browserRoot(proc: ProcInfo, profileDir: string, byPid: Map<number, ProcInfo>): ProcInfo {
	let root = proc;
	for (let depth = 0; depth < 64; depth++) {
		const parent = byPid.get(root.ppid);
		if (!parent || !usesProfile(parent.args, profileDir)) break;
		root = parent;
	}
	return root;
}

function isNodeProcess(proc: ProcInfo): boolean {
	return /(^|\/)node(js)?(\d+)?$/.test(proc.args[0] ?? '');
}

/**
 * Processes holding `profileDir` that no live sidecar owns: not this process's
 * descendants (its own live browser), and not a browser whose parent is another
 * live Node process (a second sidecar on the same directory). What is left was
 * re-parented to init, tini or a subreaper when its sidecar died.
 */
export function findOrphanedChromium(processes: ProcInfo[], profileDir: string, selfPid = process.pid): ProcInfo[] {
	const byPid = new Map(processes.map((p) => [p.pid, p]));
	return processes.filter((p) => {
		if (p.pid === selfPid || !usesProfile(p.args, profileDir) || descendsFrom(p.pid, selfPid, byPid)) return false;
		const owner = byPid.get(browserRoot(p, profileDir, byPid).ppid);
		return !(owner !== undefined && owner.pid > 1 && isNodeProcess(owner));
	});
}

export interface KillOrphansOptions {
	procRoot?: string;
	selfPid?: number;
	/** How long to wait after SIGTERM before SIGKILL, ms (default 3000). */
	graceMs?: number;
	kill?: (pid: number, signal: NodeJS.Signals) => void;
}

/** End orphaned Chromium processes holding the profile. Returns the pids found. */
export async function killOrphanedChromium(profileDir: string, options: KillOrphansOptions = {}): Promise<number[]> {
	const procRoot = options.procRoot ?? '/proc';
	const selfPid = options.selfPid ?? process.pid;
	const graceMs = options.graceMs ?? 3000;
	const kill = options.kill ?? ((pid: number, signal: NodeJS.Signals) => process.kill(pid, signal));

	const orphans = findOrphanedChromium(await readProcesses(procRoot), profileDir, selfPid);
	if (orphans.length === 0) return [];
	const pids = orphans.map((p) => p.pid);
	const signal = (pid: number, sig: NodeJS.Signals): void => {
		try {
			kill(pid, sig);
		} catch {
			// already gone
		}
	};
	pids.forEach((pid) => signal(pid, 'SIGTERM'));

	const waitGone = async (candidates: number[], ms: number): Promise<number[]> => {
		const deadline = Date.now() + ms;
		let alive = candidates;
		while (alive.length > 0 && Date.now() < deadline) {
			await new Promise((resolve) => setTimeout(resolve, 100));
			const stillThere = new Set(findOrphanedChromium(await readProcesses(procRoot), profileDir, selfPid).map((p) => p.pid));
			alive = alive.filter((pid) => stillThere.has(pid));
		}
		return alive;
	};
	const stubborn = await waitGone(pids, graceMs);
	stubborn.forEach((pid) => signal(pid, 'SIGKILL'));
	if (stubborn.length > 0) await waitGone(stubborn, 2000);
	return pids;
}
