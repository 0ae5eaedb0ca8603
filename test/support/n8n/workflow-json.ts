/**
 * Exported workflow JSON → the body n8n's public API accepts for `POST /api/v1/workflows`:
 * scripts/lib/workflow-json.js (shared with `npm start`), with workflows that carry no
 * name called 'e2e workflow'.
 */
import * as workflowJson from '../../../scripts/lib/workflow-json';
import type { WorkflowJson } from '../../../scripts/lib/workflow-json';

export type { WorkflowJson, WorkflowNodeJson } from '../../../scripts/lib/workflow-json';

/** The name given to a workflow whose JSON has none. */
export const DEFAULT_WORKFLOW_NAME = 'e2e workflow';

export function toCreateWorkflowBody(json: WorkflowJson): Record<string, unknown> {
	return workflowJson.toCreateWorkflowBody(json, { defaultName: DEFAULT_WORKFLOW_NAME });
}
