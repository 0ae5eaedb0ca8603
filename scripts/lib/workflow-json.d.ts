export interface WorkflowNodeJson {
	name: string;
	type: string;
	typeVersion: number;
	webhookId?: string;
	disabled?: boolean;
	parameters?: Record<string, unknown>;
	credentials?: Record<string, { id?: string | null; name: string } | string>;
	[key: string]: unknown;
}
export interface WorkflowJson {
	name?: string;
	nodes: WorkflowNodeJson[];
	connections?: Record<string, unknown>;
	settings?: Record<string, unknown>;
	[key: string]: unknown;
}
export function toCreateWorkflowBody(json: WorkflowJson): Record<string, unknown>;
export function enabledNodes(json: WorkflowJson): WorkflowNodeJson[];
export function credentialsUsed(json: WorkflowJson): Array<{ type: string; name: string }>;
export function nodesOfType(json: WorkflowJson, typeSuffix: string): WorkflowNodeJson[];
export function crmTriggerPath(node: WorkflowNodeJson): string;
export function formTriggerPath(node: WorkflowNodeJson): string | undefined;
