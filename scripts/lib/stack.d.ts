export interface StackOptions {
	repoRoot: string;
	/** Absolute. */
	dataDir: string;
	n8nPort?: number;
	sidecarPort?: number;
	/** The CRM database; the embedded PostgreSQL when absent. */
	databaseUrl?: string;
	driver?: 'webjs' | 'simulator';
	ownerEmail?: string;
	env?: NodeJS.ProcessEnv;
	log?: (line: string) => void;
	build?: boolean;
	workflowsDir?: string;
}

export interface StackInfo {
	editorUrl: string;
	owner: { email: string; password: string };
	sidecarUrl: string;
	sidecarApiKey: string;
	driver: string;
	webhookUrl: string;
	database: { url: string; embedded: boolean };
	connectForm?: { url: string; active: boolean };
	syncForm?: { url: string; active: boolean };
	disconnectForm?: { url: string; active: boolean };
	workflows: Array<{ file: string; name: string; id: string; active: boolean; note: string }>;
	demoUserId: string;
	dataDir: string;
	logsDir: string;
	startedInSeconds: number;
}

export class StartError extends Error {}

export class Stack {
	constructor(options: StackOptions);
	readonly info: StackInfo;
	/** Resolves with a description when a process ends by itself after start-up. */
	readonly died: Promise<string>;
	start(): Promise<void>;
	stop(): Promise<void>;
	kill(): void;
}

export function startStack(options: StackOptions): Promise<Stack>;
export function displayPath(p: string): string;
export function postgresCredentialFromUrl(databaseUrl: string): Record<string, unknown>;
export function readWorkflowFiles(dir: string): Array<{ file: string; json: unknown; digest: string; name: string }>;
export const DEMO_USER_ID: string;
export const CRM_DATABASE: string;
export const EMBEDDED_PG_PORT: number;
