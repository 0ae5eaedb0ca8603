/**
 * A node of exported workflow JSON. Besides these, n8n reads `id`, `webhookId`
 * (string), `disabled` (boolean), `position`, and `credentials`
 * (`{ [type]: { id?, name } }`, older exports: `{ [type]: name }`), among others.
 */
export interface WorkflowNodeJson {
	name: string;
	type: string;
	typeVersion: number;
	parameters?: Record<string, unknown>;
	[key: string]: unknown;
}
export interface WorkflowJson {
	name?: string;
	nodes: WorkflowNodeJson[];
	connections?: Record<string, unknown>;
	settings?: Record<string, unknown>;
	[key: string]: unknown;
}
export function toCreateWorkflowBody(json: WorkflowJson, options?: { defaultName?: string }): Record<string, unknown>;
export function enabledNodes(json: WorkflowJson): WorkflowNodeJson[];
export function credentialsUsed(json: WorkflowJson): Array<{ type: string; name: string }>;
/** A copy without the references to the credentials in `missing` (a node left with none has no `credentials`). */
export function withoutCredentials<T extends WorkflowJson>(json: T, missing: Array<{ type: string; name: string }>): T;
export function nodesOfType(json: WorkflowJson, typeSuffix: string): WorkflowNodeJson[];
export function crmTriggerPath(node: WorkflowNodeJson): string;
export function formTriggerPath(node: WorkflowNodeJson): string | undefined;
