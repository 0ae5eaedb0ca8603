/**
 * Exported workflow JSON → the body n8n's public API accepts for `POST /api/v1/workflows`.
 * That schema is strict (n8n 2.41.1, @n8n/api-types `workflowWritePublicShape`): read-only
 * fields (`id`, `active`, `tags`, `versionId`, `meta`, …) and unknown keys are rejected, and
 * `settings` is required. Exports from the editor carry several of those, so keep only what
 * the API writes.
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

const WORKFLOW_KEYS = ['name', 'nodes', 'connections', 'settings', 'staticData', 'pinData', 'nodeGroups'];
const NODE_KEYS = [
	'id',
	'name',
	'webhookId',
	'disabled',
	'notesInFlow',
	'notes',
	'type',
	'typeVersion',
	'executeOnce',
	'alwaysOutputData',
	'retryOnFail',
	'maxTries',
	'waitBetweenTries',
	'continueOnFail',
	'onError',
	'position',
	'parameters',
	'credentials',
];
const SETTINGS_KEYS = [
	'saveExecutionProgress',
	'saveManualExecutions',
	'saveDataErrorExecution',
	'saveDataSuccessExecution',
	'executionTimeout',
	'errorWorkflow',
	'timezone',
	'executionOrder',
	'callerPolicy',
	'callerIds',
	'timeSavedMode',
	'timeSavedPerExecution',
	'redactionPolicy',
	'availableInMCP',
];

function pick(source: Record<string, unknown>, keys: string[]): Record<string, unknown> {
	return Object.fromEntries(keys.filter((k) => source[k] !== undefined).map((k) => [k, source[k]]));
}

export function toCreateWorkflowBody(json: WorkflowJson): Record<string, unknown> {
	const body = pick(json, WORKFLOW_KEYS);
	body.name = json.name ?? 'e2e workflow';
	body.connections = json.connections ?? {};
	body.settings = pick(json.settings ?? {}, SETTINGS_KEYS);
	body.nodes = json.nodes.map((node, index) => ({
		position: [index * 220, 0],
		parameters: {},
		...pick(node, NODE_KEYS),
	}));
	if (body.staticData === null) delete body.staticData;
	return body;
}
