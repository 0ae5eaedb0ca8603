import type { ChildHandle } from './processes';
import type { N8nRuntime } from './runtime';

export interface N8nCommandEnvironmentOptions {
	runtime: N8nRuntime;
	userFolder: string;
	brokerPort: number;
	encryptionKey: string;
	/** N8N_LOG_LEVEL (default 'info'). */
	logLevel?: string;
	/** PATH, HOME, TMPDIR, LANG, TZ and the n8n settings (N8N_*, DB_*, …) come from it (default process.env). */
	baseEnv?: NodeJS.ProcessEnv;
}
/** n8n's expression-engine settings every n8n started here gets (the caller's environment wins). */
export const EXPRESSION_ENGINE_SETTINGS: Readonly<Record<string, string>>;
export function n8nCommandEnvironment(options: N8nCommandEnvironmentOptions): Record<string, string>;
export function n8nEnvironment(
	options: N8nCommandEnvironmentOptions & {
		port: number;
		owner: { email: string; password: string; firstName?: string; lastName?: string };
		publicUrl?: string;
		/** N8N_GRACEFUL_SHUTDOWN_TIMEOUT (default 10). */
		shutdownTimeoutSeconds?: number;
	},
): Record<string, string>;
export function startN8nProcess(options: {
	runtime: N8nRuntime;
	userFolder: string;
	env: Record<string, string>;
	logFile: string;
	tag?: string;
}): ChildHandle;
