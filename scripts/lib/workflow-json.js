'use strict';
/**
 * Exported n8n workflow JSON: the body n8n's public API accepts for
 * `POST /api/v1/workflows`, and what a workflow needs and exposes (credentials
 * it refers to, its webhook and form URLs). Used by `npm start` and by the e2e
 * harness (test/support/n8n). That API schema is strict (n8n 2.41.1,
 * @n8n/api-types `workflowWritePublicShape`): read-only fields (`id`, `active`,
 * `tags`, `versionId`, `meta`, …) and unknown keys are rejected, and `settings`
 * is required. Exports from the editor carry several of those, so keep only
 * what the API writes.
 */

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

function pick(source, keys) {
	return Object.fromEntries(keys.filter((k) => source[k] !== undefined).map((k) => [k, source[k]]));
}

/**
 * Exported workflow JSON → the public API's create body.
 * options.defaultName: the name of a workflow whose JSON has none (default 'Imported workflow').
 */
function toCreateWorkflowBody(json, { defaultName = 'Imported workflow' } = {}) {
	const body = pick(json, WORKFLOW_KEYS);
	body.name = json.name ?? defaultName;
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

/** The enabled nodes (disabled ones neither run nor need credentials). */
function enabledNodes(json) {
	return (json.nodes ?? []).filter((node) => node.disabled !== true);
}

/** [{ type, name }] of the credentials the enabled nodes refer to (each once). */
function credentialsUsed(json) {
	const seen = new Map();
	for (const node of enabledNodes(json)) {
		for (const [type, ref] of Object.entries(node.credentials ?? {})) {
			const name = typeof ref === 'string' ? ref : ref?.name;
			if (!name) continue;
			seen.set(`${type}\u0000${name}`, { type, name });
		}
	}
	return [...seen.values()];
}

/**
 * A copy of the workflow JSON without the credential references listed in `missing`
 * ([{ type, name }], as credentialsUsed gives them). n8n keeps a reference to a
 * credential that does not exist as it is, and its editor then shows the node without
 * any warning; a node with no credential at all gets n8n's own issue badge
 * ("Credentials for … are not set"), so a user sees on the canvas what is missing.
 */
function withoutCredentials(json, missing) {
	const drop = new Set(missing.map((c) => `${c.type}\u0000${c.name}`));
	return {
		...json,
		nodes: (json.nodes ?? []).map((node) => {
			if (!node.credentials) return node;
			const kept = Object.entries(node.credentials).filter(([type, ref]) => !drop.has(`${type}\u0000${typeof ref === 'string' ? ref : ref?.name}`));
			if (kept.length === Object.keys(node.credentials).length) return node;
			const { credentials: _dropped, ...rest } = node;
			return kept.length > 0 ? { ...rest, credentials: Object.fromEntries(kept) } : rest;
		}),
	};
}

/** The enabled nodes whose type ends with `.${typeSuffix}` (e.g. 'whatsAppCrmTrigger', 'formTrigger'). */
function nodesOfType(json, typeSuffix) {
	return enabledNodes(json).filter((node) => typeof node.type === 'string' && node.type.endsWith(`.${typeSuffix}`));
}

/**
 * The production webhook path (after `/webhook/`) of a WhatsApp CRM Trigger
 * node: `<webhookId>/webhook` (its webhooks are not full-path).
 */
function crmTriggerPath(node) {
	if (!node.webhookId) throw new Error(`the node "${node.name}" has no webhookId`);
	return `${node.webhookId}/webhook`;
}

/** The path (after `/form/`) of an n8n Form Trigger node: its `path` parameter, else its webhookId. */
function formTriggerPath(node) {
	const parameters = node.parameters ?? {};
	const explicit = parameters.path || parameters.options?.path;
	return typeof explicit === 'string' && explicit !== '' && !explicit.startsWith('=') ? explicit : node.webhookId;
}

module.exports = { toCreateWorkflowBody, enabledNodes, credentialsUsed, withoutCredentials, nodesOfType, crmTriggerPath, formTriggerPath };
