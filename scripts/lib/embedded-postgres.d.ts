import type { ExitResult } from './processes';

export interface PgConnection {
	host: string;
	port: number;
	user: string;
	password: string;
	database: string;
}

export class EmbeddedPostgres {
	constructor(options: { dataDir: string; port: number; password: string; logFile: string; requireFrom?: NodeRequire });
	readonly dataDir: string;
	readonly port: number;
	readonly host: string;
	readonly user: string;
	readonly pid: number | undefined;
	readonly exited: Promise<ExitResult> | undefined;
	isInitialised(): boolean;
	initialise(): void;
	start(options?: { timeoutMs?: number }): Promise<void>;
	connection(database?: string): PgConnection;
	url(database?: string): string;
	ensureDatabase(database: string): Promise<void>;
	stop(options?: { graceMs?: number }): Promise<void>;
}
export function binaryPackageDir(requireFrom?: NodeRequire): string;
export function hydrateSymlinks(packageDir: string): number;
export function serverUser(dataDir: string): { uid: number; gid: number; name: string } | undefined;
