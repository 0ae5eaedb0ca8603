/**
 * The whole stack of the workflow templates, for one test file: a fresh CRM database
 * (migrated), a real n8n with this package (test/support/n8n), the real sidecar on the
 * simulator driver sending its signed events to the CRM logging workflow's trigger URL,
 * an SMTP sink for the Send Email node, the four credentials the templates reference,
 * and every workflow of workflows/ imported as shipped (credential ids swapped in).
 */
import { randomBytes } from 'node:crypto';
import { startN8n, type N8nExecution, type N8nInstance } from '../../support/n8n';
import { createCrmDatabase, type CrmDatabase } from './crm-database';
import { startSimulatorSidecar, type RunningSidecar } from './sidecar';
import { startSmtpSink, type SmtpSink } from './smtp-sink';
import {
	FORM_TRIGGER_TYPE,
	formPathOf,
	readWorkflow,
	TEMPLATE_CREDENTIALS,
	TRIGGER_TYPE,
	webhookIdOf,
	withCredentialIds,
	WORKFLOW_FILES,
	type ShippedWorkflow,
	type TemplateCredentialType,
	type WorkflowFile,
} from '../../support/workflow-files';

export const CLOUD_API = {
	phoneNumberId: '106540352242922',
	appSecret: 'e2e-meta-app-secret-0123456789',
	verifyToken: 'e2e-verify-token',
};

export interface ImportedWorkflow {
	id: string;
	json: ShippedWorkflow;
}

export interface WorkflowStack {
	n8n: N8nInstance;
	/** The first sidecar (the credential's Sidecar URL). */
	sidecar: RunningSidecar;
	/** Every sidecar, in the order the credential lists them (one unless `sidecars` was given). */
	sidecars: RunningSidecar[];
	db: CrmDatabase;
	smtp: SmtpSink;
	/** N8N_ENCRYPTION_KEY of this n8n (for n8n CLI commands on its user folder). */
	encryptionKey: string;
	credentials: Record<TemplateCredentialType, string>;
	workflows: Record<WorkflowFile, ImportedWorkflow>;
	/** Path of a form's production URL, `/form/<path>` (the Form Trigger's Form Path option, e.g. `connect-whatsapp`). */
	formPath(file: WorkflowFile): string;
	/** Runs a workflow now from its (schedule) trigger, as the editor's "Execute workflow" does; resolves with the finished execution. */
	runNow(file: WorkflowFile, triggerName: string, timeoutMs?: number): Promise<N8nExecution>;
	stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startWorkflowStack(options: {
	activate: WorkflowFile[];
	/** Extra environment for n8n (e.g. NODE_OPTIONS for a CPU profile in a bench). */
	n8nEnv?: Record<string, string>;
	/** How many sidecars share the sessions (the credential lists them all; default 1). */
	sidecars?: number;
}): Promise<WorkflowStack> {
	const cleanups: Array<() => Promise<void>> = [];
	const stop = async () => {
		for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
	};
	try {
		const db = await createCrmDatabase();
		cleanups.push(() => db.drop());
		const smtp = await startSmtpSink();
		cleanups.push(() => smtp.close());
		const encryptionKey = randomBytes(24).toString('hex');
		const n8n = await startN8n({ env: { ...options.n8nEnv, N8N_ENCRYPTION_KEY: encryptionKey } });
		cleanups.push(() => n8n.stop());

		const crmLogging = readWorkflow('crm-logging.json');
		const sidecarSecrets = {
			webhookUrl: n8n.webhookUrl(`${webhookIdOf(crmLogging, TRIGGER_TYPE)}/webhook`),
			webhookSecret: `e2e-webhook-secret-${randomBytes(8).toString('hex')}`,
			apiKey: `e2e-api-key-${randomBytes(8).toString('hex')}`,
		};
		const sidecars: RunningSidecar[] = [];
		for (let i = 0; i < (options.sidecars ?? 1); i++) {
			const started = await startSimulatorSidecar(sidecarSecrets);
			sidecars.push(started);
			// Stopped before n8n, so no delivery is still retrying against a stopped n8n.
			cleanups.push(() => started.stop());
		}
		const sidecar = sidecars[0]!;

		const credentials: Record<TemplateCredentialType, string> = {
			whatsAppSidecarApi: await n8n.createCredential('whatsAppSidecarApi', TEMPLATE_CREDENTIALS.whatsAppSidecarApi, {
				baseUrl: sidecar.url,
				...(sidecars.length > 1 ? { additionalBaseUrls: sidecars.slice(1).map((s) => s.url).join('\n') } : {}),
				apiKey: sidecar.apiKey,
				webhookSecret: sidecar.webhookSecret,
				toleranceSeconds: 300,
			}),
			whatsAppCloudApi: await n8n.createCredential('whatsAppCloudApi', TEMPLATE_CREDENTIALS.whatsAppCloudApi, {
				accessToken: 'e2e-unused-token',
				phoneNumberId: CLOUD_API.phoneNumberId,
				appSecret: CLOUD_API.appSecret,
				verifyToken: CLOUD_API.verifyToken,
			}),
			postgres: await n8n.createCredential('postgres', TEMPLATE_CREDENTIALS.postgres, {
				host: db.settings.host,
				port: db.settings.port,
				database: db.settings.database,
				user: db.settings.user,
				password: db.settings.password,
				ssl: 'disable',
			}),
			smtp: await n8n.createCredential('smtp', TEMPLATE_CREDENTIALS.smtp, {
				host: '127.0.0.1',
				port: smtp.port,
				secure: false,
				disableStartTls: true,
				user: '',
				password: '',
			}),
		};

		const workflows = {} as Record<WorkflowFile, ImportedWorkflow>;
		for (const file of WORKFLOW_FILES) {
			const json = readWorkflow(file);
			const id = await n8n.importWorkflow(withCredentialIds(json, credentials));
			workflows[file] = { id, json };
		}
		const formPath = (file: WorkflowFile) => formPathOf(workflows[file].json);

		for (const file of options.activate) {
			await n8n.activate(workflows[file].id);
			const { json } = workflows[file];
			for (const node of json.nodes) {
				if (node.type === TRIGGER_TYPE) await n8n.waitForWebhook(`${node.webhookId}/webhook`, 'POST');
				if (node.type === FORM_TRIGGER_TYPE) await waitForForm(n8n, formPath(file));
			}
		}

		const runNow = async (file: WorkflowFile, triggerName: string, timeoutMs = 60_000): Promise<N8nExecution> =>
			await runWorkflowNow(n8n, workflows[file].id, triggerName, timeoutMs);

		return { n8n, sidecar, sidecars, db, smtp, encryptionKey, credentials, workflows, formPath, runNow, stop };
	} catch (error) {
		await stop();
		throw error;
	}
}

/**
 * Runs a workflow from one of its triggers as the editor's "Execute workflow" does (n8n's REST
 * API on the main process) and waits for the run to finish, wherever it ran (in queue mode: on a
 * worker).
 */
export async function runWorkflowNow(n8n: N8nInstance, workflowId: string, triggerName: string, timeoutMs = 60_000): Promise<N8nExecution> {
	const started = await n8n.rest<{ executionId?: string }>('POST', `/workflows/${workflowId}/run`, {
		triggerToStartFrom: { name: triggerName },
	});
	if (!started.executionId) throw new Error(`workflow ${workflowId}: n8n did not start a run (${JSON.stringify(started)})`);
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		const execution = await n8n.getExecution(started.executionId).catch(() => undefined);
		if (execution && execution.status !== 'running' && execution.status !== 'new' && execution.stoppedAt) return execution;
		await sleep(250);
	}
	throw new Error(`workflow ${workflowId}: execution ${started.executionId} did not finish within ${timeoutMs} ms`);
}

/** Waits until n8n no longer serves the form (its workflow's deactivation has released the path). */
export async function waitForFormGone(n8n: N8nInstance, formPath: string, timeoutMs = 30_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		const res = await fetch(`${n8n.baseUrl}/form/${formPath}`);
		await res.arrayBuffer();
		if (res.status === 404) return;
		await sleep(200);
	}
	throw new Error(`form /form/${formPath} still served after ${timeoutMs} ms`);
}

/** Activates a workflow, retrying while n8n still reports a webhook conflict from a workflow just deactivated. */
export async function activateWhenPathFree(n8n: N8nInstance, workflowId: string, timeoutMs = 30_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		try {
			await n8n.activate(workflowId);
			return;
		} catch (error) {
			if (!/409/.test(String(error)) || Date.now() > deadline) throw withN8nRemovalErrors(n8n, error);
			await sleep(300);
		}
	}
}

/**
 * Moves a path from one workflow to another: deactivates `fromId`, then activates `toId`.
 * n8n 2.41 marks a workflow inactive even when removing its webhooks failed (its log says
 * "Could not remove webhooks of workflow"; seen on a loaded machine): the rows stay and
 * every activation on that path answers 409 until the webhooks are registered and removed
 * again. So when the path stays taken, this activates and deactivates `fromId` once more.
 */
export async function movePath(n8n: N8nInstance, formPath: string, fromId: string, toId: string): Promise<void> {
	for (let attempt = 1; ; attempt++) {
		await n8n.deactivate(fromId);
		await waitForFormGone(n8n, formPath);
		try {
			await activateWhenPathFree(n8n, toId, 10_000);
			return;
		} catch (error) {
			if (attempt === 3 || !/409/.test(String(error))) throw error;
			await n8n.activate(fromId);
		}
	}
}

function withN8nRemovalErrors(n8n: N8nInstance, error: unknown): unknown {
	const removal = n8n
		.logs()
		.split('\n')
		.filter((line) => /Could not remove webhooks|conflict/i.test(line))
		.slice(-5);
	if (removal.length === 0 || !(error instanceof Error)) return error;
	error.message += `\n(n8n's log: ${removal.join(' | ')})`;
	return error;
}

/** Waits until the production form is served at <baseUrl>/form/<path> (n8n, or the load balancer in front of its webhook processes). */
export async function waitForForm(n8n: Pick<N8nInstance, 'baseUrl'>, formPath: string, timeoutMs = 30_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	let last = '';
	while (Date.now() < deadline) {
		const res = await fetch(`${n8n.baseUrl}/form/${formPath}`);
		const text = await res.text();
		if (res.status === 200) return;
		last = `${res.status} ${text.slice(0, 200)}`;
		await sleep(200);
	}
	throw new Error(`form /form/${formPath} not served in time (last: ${last})`);
}
