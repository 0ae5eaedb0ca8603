import type { ExitResult } from './processes';
import type { WorkflowJson } from './workflow-json';

export class HttpError extends Error {
	readonly status: number;
	constructor(method: string, url: string, status: number, text: string);
}

export interface CredentialSpec {
	id?: string;
	type: string;
	name: string;
	data: Record<string, unknown>;
}

export class N8nClient {
	constructor(options: { baseUrl: string; apiKey?: string; browserId?: string });
	readonly baseUrl: string;
	apiKey: string;
	waitUntilReady(options?: { timeoutMs?: number; exited?: Promise<ExitResult | undefined> }): Promise<void>;
	login(email: string, password: string): Promise<void>;
	rest<T = unknown>(method: string, restPath: string, body?: unknown): Promise<T>;
	getAsUser(urlPath: string): Promise<Response>;
	api<T = unknown>(method: string, apiPath: string, body?: unknown): Promise<T>;
	apiKeyWorks(): Promise<boolean>;
	createApiKey(label?: string): Promise<string>;
	listAll<T = Record<string, unknown>>(apiPath: string): Promise<T[]>;
	getOrUndefined<T = Record<string, unknown>>(apiPath: string): Promise<T | undefined>;
	listCredentials(): Promise<Array<{ id: string; name: string; type: string }>>;
	getCredential(id: string): Promise<{ id: string; name: string; type: string } | undefined>;
	createCredential(spec: CredentialSpec): Promise<string>;
	updateCredential(id: string, spec: CredentialSpec): Promise<void>;
	listWorkflows(): Promise<Array<{ id: string; name: string; active: boolean }>>;
	getWorkflow(id: string): Promise<{ id: string; name: string; active: boolean } | undefined>;
	importWorkflow(json: WorkflowJson, options?: { defaultName?: string }): Promise<string>;
	activate(id: string): Promise<void>;
	deactivate(id: string): Promise<void>;
	waitForWebhook(
		webhookPath: string,
		options?: { method?: string; prefix?: string; timeoutMs?: number; probe?: 'options' | 'get' },
	): Promise<void>;
}
