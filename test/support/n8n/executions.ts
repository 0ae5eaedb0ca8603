/**
 * Reading executions returned by n8n's public API (`GET /api/v1/executions…?includeData=true`).
 * The API answers plain JSON (n8n un-flattens the stored data); the SQLite column itself
 * and some internal REST answers hold the `flatted` encoding, which `executionData` also
 * accepts.
 */
import { isTerminalExecutionStatus, type ExecutionStatus } from 'n8n-workflow';
import { n8nRuntime } from './runtime';

export interface N8nExecutionSummary {
	id: string;
	finished: boolean;
	mode: string;
	status: string;
	startedAt: string;
	stoppedAt: string | null;
	workflowId: string;
}

export interface NodeRun {
	startTime?: number;
	executionStatus?: string;
	error?: { message?: string; description?: string; name?: string; [key: string]: unknown };
	data?: { main?: Array<Array<{ json: Record<string, unknown>; binary?: unknown }> | null> };
	source?: unknown;
}

export interface ExecutionData {
	resultData: {
		runData: Record<string, NodeRun[]>;
		error?: { message?: string; [key: string]: unknown };
		lastNodeExecuted?: string;
	};
	[key: string]: unknown;
}

/**
 * Whether n8n is done with the execution: its status is one that never changes
 * again (success, error, canceled, crashed — n8n-workflow's own
 * isTerminalExecutionStatus). n8n's public list of executions leaves out only
 * those running in this process; a `new` one (not started yet), a `waiting`
 * one, or one whose data is still being saved can appear in it.
 */
export function isFinishedExecution(execution: Pick<N8nExecutionSummary, 'status'>): boolean {
	return isTerminalExecutionStatus(execution.status as ExecutionStatus);
}

export interface N8nExecution extends N8nExecutionSummary {
	data?: ExecutionData | string;
	workflowData?: { nodes: Array<{ name: string; type: string }>; [key: string]: unknown };
	dataTooLargeToDisplay?: boolean;
}

/** The execution's data as an object, decoding the `flatted` form if that is what came back. */
export function executionData(execution: N8nExecution): ExecutionData {
	const { data } = execution;
	if (data === undefined) throw new Error(`execution ${execution.id} has no data (ask with includeData=true)`);
	if (typeof data === 'string') {
		const flatted = n8nRuntime().require('flatted') as { parse(text: string): ExecutionData };
		return flatted.parse(data);
	}
	return data;
}

/** The `json` of every item a node put on one of its outputs in its first run. */
export function nodeOutputItems(execution: N8nExecution, nodeName: string, output = 0): Array<Record<string, unknown>> {
	const runs = executionData(execution).resultData.runData[nodeName];
	if (!runs?.length) throw new Error(`execution ${execution.id}: node "${nodeName}" did not run`);
	const [run] = runs;
	if (run.error) throw new Error(`execution ${execution.id}: node "${nodeName}" failed: ${run.error.message ?? ''}`);
	return (run.data?.main?.[output] ?? []).map((item) => item.json);
}

/**
 * The items the workflow's trigger emitted: the node of the given type (by default this
 * package's WhatsApp CRM Trigger) in the execution's workflow.
 */
export function triggerOutputItems(
	execution: N8nExecution,
	nodeType = 'n8n-nodes-whatsapp-crm.whatsAppCrmTrigger',
): Array<Record<string, unknown>> {
	const node = execution.workflowData?.nodes.find((n) => n.type === nodeType);
	if (!node) throw new Error(`execution ${execution.id}: no node of type ${nodeType} in its workflow`);
	return nodeOutputItems(execution, node.name);
}
