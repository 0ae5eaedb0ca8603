import type { ChildHandle } from './processes';
import type { N8nRuntime } from './runtime';

export function n8nEnvironment(options: {
	runtime: N8nRuntime;
	userFolder: string;
	port: number;
	brokerPort: number;
	encryptionKey: string;
	owner: { email: string; password: string; firstName?: string; lastName?: string };
	publicUrl?: string;
	baseEnv?: NodeJS.ProcessEnv;
}): Record<string, string>;
export function startN8nProcess(options: {
	runtime: N8nRuntime;
	userFolder: string;
	env: Record<string, string>;
	logFile: string;
}): ChildHandle;
