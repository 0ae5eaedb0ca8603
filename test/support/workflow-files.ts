/**
 * The shipped workflow templates (workflows/*.json) as the tests (unit and e2e) use them: read from
 * disk exactly as shipped; the only change is the credential references, swapped for
 * the ids of credentials created in the test's n8n (by credential type).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowJson, WorkflowNodeJson } from './n8n/workflow-json';

export const WORKFLOWS_DIR = path.resolve(__dirname, '..', '..', 'workflows');

/** The node types the templates' webhooks and forms start from. */
export const TRIGGER_TYPE = 'n8n-nodes-whatsapp-crm.whatsAppCrmTrigger';
export const FORM_TRIGGER_TYPE = 'n8n-nodes-base.formTrigger';

export const WORKFLOW_FILES = [
	'crm-logging.json',
	'crm-logging-cloud-api.json',
	'session-health-nightly.json',
	'notifications.json',
	'connect-whatsapp.json',
	'sync-messages.json',
	'disconnect-whatsapp.json',
] as const;
export type WorkflowFile = (typeof WORKFLOW_FILES)[number];

/** The forms: their file, documented URL slug (`<n8n URL>/form/<slug>`) and title. */
export const SHIPPED_FORMS = [
	['connect-whatsapp.json', 'connect-whatsapp', 'Connect your WhatsApp'],
	['sync-messages.json', 'sync-whatsapp', 'Sync WhatsApp messages'],
	['disconnect-whatsapp.json', 'disconnect-whatsapp', 'Disconnect your WhatsApp'],
	['crm-logging.json', 'replay-whatsapp-events', 'Replay failed WhatsApp events'],
	['crm-logging-cloud-api.json', 'replay-whatsapp-cloud-events', 'Replay failed WhatsApp Cloud API events'],
] as const;

/**
 * The credential references of the templates (workflows/README.md): a placeholder id that
 * no n8n has, and a fixed name. On import n8n finds no credential with that id and binds
 * the one credential of that type with that name, if there is one.
 */
export const TEMPLATE_CREDENTIAL_REFERENCES = {
	whatsAppSidecarApi: { id: 'waCrmSidecarCred', name: 'WhatsApp Sidecar' },
	whatsAppCloudApi: { id: 'waCrmCloudApiCred', name: 'WhatsApp Cloud API' },
	postgres: { id: 'waCrmPostgresCred', name: 'CRM Postgres' },
	smtp: { id: 'waCrmSmtpCred', name: 'CRM Email (SMTP)' },
} as const;
export type TemplateCredentialType = keyof typeof TEMPLATE_CREDENTIAL_REFERENCES;
export const TEMPLATE_CREDENTIALS = Object.fromEntries(
	Object.entries(TEMPLATE_CREDENTIAL_REFERENCES).map(([type, reference]) => [type, reference.name]),
) as { [K in TemplateCredentialType]: (typeof TEMPLATE_CREDENTIAL_REFERENCES)[K]['name'] };

export interface ShippedNode extends WorkflowNodeJson {
	webhookId?: string;
	credentials?: Record<string, { id: string | null; name: string }>;
}

export interface ShippedWorkflow extends WorkflowJson {
	/** A fixed id, so that importing a newer version with `n8n import:workflow` updates the workflow in place. */
	id: string;
	name: string;
	nodes: ShippedNode[];
}

export function readWorkflow(file: WorkflowFile): ShippedWorkflow {
	return JSON.parse(readFileSync(path.join(WORKFLOWS_DIR, file), 'utf8')) as ShippedWorkflow;
}

/** A copy of the workflow whose credential references point at the given credential ids (by type). */
export function withCredentialIds(workflow: ShippedWorkflow, ids: Partial<Record<string, string>>): ShippedWorkflow {
	const copy = JSON.parse(JSON.stringify(workflow)) as ShippedWorkflow;
	for (const node of copy.nodes) {
		for (const [type, reference] of Object.entries(node.credentials ?? {})) {
			const id = ids[type];
			if (id === undefined) throw new Error(`${workflow.name}: node "${node.name}" needs a ${type} credential, none was created`);
			node.credentials![type] = { id, name: reference.name };
		}
	}
	return copy;
}

export function nodeOfType(workflow: ShippedWorkflow, type: string): ShippedNode {
	const matches = workflow.nodes.filter((node) => node.type === type);
	if (matches.length !== 1) throw new Error(`${workflow.name}: expected one node of type ${type}, found ${matches.length}`);
	return matches[0] as ShippedNode;
}

export function nodeNamed(workflow: ShippedWorkflow, name: string): ShippedNode {
	const node = workflow.nodes.find((n) => n.name === name);
	if (!node) throw new Error(`${workflow.name}: no node named "${name}"`);
	return node;
}

/** The fixed webhookId of the workflow's only node of that type (its URL never changes). */
export function webhookIdOf(workflow: ShippedWorkflow, type: string): string {
	const { webhookId } = nodeOfType(workflow, type);
	if (!webhookId) throw new Error(`${workflow.name}: its ${type} node has no webhookId`);
	return webhookId;
}

/**
 * The path of the workflow's form, `/form/<path>`: the Form Trigger's Form Path
 * option (a readable slug that stays the same whatever webhookId n8n gives the node,
 * e.g. a new one on the editor's "Import from File").
 */
export function formPathOf(workflow: ShippedWorkflow): string {
	const { parameters } = nodeOfType(workflow, FORM_TRIGGER_TYPE);
	const path = (parameters as { options?: { path?: unknown } }).options?.path;
	if (typeof path !== 'string' || path === '') throw new Error(`${workflow.name}: its Form Trigger has no Form Path (options.path)`);
	return path;
}
