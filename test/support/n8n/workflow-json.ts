/**
 * Exported workflow JSON → the body n8n's public API accepts for `POST /api/v1/workflows`:
 * scripts/lib/workflow-json.js (shared with `npm start`), with workflows that carry no
 * name called 'e2e workflow'.
 */
import * as workflowJson from '../../../scripts/lib/workflow-json';
import type { WorkflowJson, WorkflowNodeJson } from '../../../scripts/lib/workflow-json';

export type { WorkflowJson, WorkflowNodeJson } from '../../../scripts/lib/workflow-json';

/** The name given to a workflow whose JSON has none. */
export const DEFAULT_WORKFLOW_NAME = 'e2e workflow';

export function toCreateWorkflowBody(json: WorkflowJson): Record<string, unknown> {
	return workflowJson.toCreateWorkflowBody(json, { defaultName: DEFAULT_WORKFLOW_NAME });
}

/**
 * The smallest workflow that runs `first` (a trigger, or n8n's Webhook node): `first`, then
 * n8n's No Operation node named `noOpName`. What the trigger tests and benches compare.
 */
export function thenNoOp(name: string, first: WorkflowNodeJson, noOpName = 'No Operation'): WorkflowJson {
	return {
		name,
		nodes: [first, { id: `noop-${String(first.id ?? first.name)}`, name: noOpName, type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [260, 0], parameters: {} }],
		connections: { [first.name]: { main: [[{ node: noOpName, type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}
