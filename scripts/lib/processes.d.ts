import type { ChildProcess } from 'node:child_process';

export interface ExitResult {
	code: number | null;
	signal: NodeJS.Signals | null;
	error?: Error;
}
export interface ChildHandle {
	child: ChildProcess;
	exited: Promise<ExitResult>;
}

export function sleep(ms: number): Promise<void>;
export function isAlive(pid: number): boolean;
export function commandLineOf(pid: number): string;
export function spawnLogged(
	command: string,
	args: string[],
	options: { cwd?: string; env?: NodeJS.ProcessEnv; logFile: string; uid?: number; gid?: number; tag?: string },
): ChildHandle;
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean;
export function stopChild(handle: ChildHandle, options?: { signal?: NodeJS.Signals; graceMs?: number; group?: boolean }): Promise<boolean>;
export function writePidFile(file: string, pid: number): void;
export function removePidFile(file: string): void;
export function endStaleProcess(file: string, options?: { signal?: NodeJS.Signals; graceMs?: number }): Promise<boolean>;
export function tailOf(file: string, lines?: number): string;
