export interface Secrets {
	sidecarApiKey: string;
	webhookSecret: string;
	ownerPassword: string;
	encryptionKey: string;
	postgresPassword: string;
	n8nApiKey?: string;
	[key: string]: string | undefined;
}
export function loadOrCreateSecrets(file: string): { secrets: Secrets; created: string[] };
export function saveSecrets(file: string, secrets: Secrets): void;
export function loadState(file: string): Record<string, unknown>;
export function saveState(file: string, state: Record<string, unknown>): void;
export function readJson<T = unknown>(file: string): T | undefined;
export function writeJson(file: string, value: unknown, mode?: number): void;
export function digest(value: unknown): string;
