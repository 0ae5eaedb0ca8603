export interface StackOptions {
	repoRoot: string;
	/** Absolute. */
	dataDir: string;
	n8nPort?: number;
	sidecarPort?: number;
	/** The CRM database; the embedded PostgreSQL when absent. */
	databaseUrl?: string;
	/** The embedded PostgreSQL's port (default: the one it had last time, else 54329, else a free one). */
	postgresPort?: number;
	driver?: 'webjs' | 'simulator';
	ownerEmail?: string;
	env?: NodeJS.ProcessEnv;
	log?: (line: string) => void;
	build?: boolean;
	workflowsDir?: string;
	/** Where the sidecar delivers, given the logging trigger's URL (default: that URL; tests put a recording proxy between). */
	sidecarWebhookUrl?: (triggerUrl: string) => string;
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
	/** n8n's API client (public API key, owner login), once started. */
	readonly client: import('./n8n-client').N8nClient;
	/** Resolves with a description when a process ends by itself after start-up. */
	readonly died: Promise<string>;
	start(): Promise<void>;
	stop(): Promise<void>;
	kill(): void;
	/** Stops one part (a fault to recover from): SIGTERM by default, SIGKILL for a crash. Not reported in `died`. */
	haltPart(name: 'n8n' | 'sidecar' | 'postgres', options?: { signal?: 'SIGTERM' | 'SIGKILL' }): Promise<void>;
	/** Starts again a part stopped with haltPart, on the same data; for n8n, waits until the logging trigger is registered. */
	restartPart(name: 'n8n' | 'sidecar' | 'postgres'): Promise<void>;
}

export function startStack(options: StackOptions): Promise<Stack>;
export function displayPath(p: string): string;
export function postgresCredentialFromUrl(databaseUrl: string): Record<string, unknown>;
export function readWorkflowFiles(dir: string): Array<{ file: string; json: unknown; digest: string; name: string }>;
export const DEMO_USER_ID: string;
export const CRM_DATABASE: string;
export const EMBEDDED_PG_PORT: number;
