export type QueueModeRole = 'main' | 'webhook' | 'worker';
export const ROLES: Record<QueueModeRole, { command: string[] }>;
export const N8N_CONTAINER_PORT: number;
export const TOPOLOGY: { webhookProcesses: number; workers: number; sidecars: number };
export interface QueueModeSettings {
	database: { host: string; port: number | string; database: string; user: string; password: string };
	redis: { host: string; port: number | string; db?: number | string };
	bullPrefix: string;
	encryptionKey: string;
	healthPort?: number | string;
}
export function queueModeEnvironment(role: QueueModeRole, settings: QueueModeSettings): Record<string, string>;
