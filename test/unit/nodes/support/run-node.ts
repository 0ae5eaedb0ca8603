/**
 * Runs a node's `execute` inside n8n's own execution context (n8n-core's
 * `ExecuteContext`, the class n8n itself runs nodes with): parameters get
 * their defaults and expressions resolved by n8n, `continueOnFail` and
 * `getExecutionCancelSignal` behave as in n8n, binary data goes through n8n's
 * binary helpers, and `helpers.httpRequestWithAuthentication` sends real HTTP
 * with n8n's HTTP client after applying the credential type's `authenticate`
 * exactly as n8n's CredentialsHelper does (expressions such as
 * `=Bearer {{$credentials.apiKey}}` resolved by the workflow's expression
 * engine). Only the credential store is replaced: credentials are given as
 * plain data, with the credential type's defaults filled in as n8n does.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// n8n-core keeps an instance settings file (with a generated encryption key) in
// N8N_USER_FOLDER; point it at one scratch folder rather than the user's home.
// Nothing here is encrypted, so test workers may share (and race on) that file.
if (!process.env.N8N_USER_FOLDER) {
	process.env.N8N_USER_FOLDER = path.join(tmpdir(), 'whatsapp-crm-node-tests');
	mkdirSync(process.env.N8N_USER_FOLDER, { recursive: true });
}

import { ExecuteContext } from 'n8n-core';
import {
	ICredentialsHelper,
	NodeHelpers,
	Workflow,
	createRunExecutionData,
	isExpression,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type ICredentials,
	type IExecuteFunctions,
	type IHttpRequestOptions,
	type INode,
	type INodeCredentialsDetails,
	type INodeExecutionData,
	type INodeParameters,
	type INodeProperties,
	type INodeType,
	type INodeTypes,
	type IRequestOptionsSimplified,
	type IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';
import { WhatsAppCloudApi } from '../../../../credentials/WhatsAppCloudApi.credentials';
import { WhatsAppSidecarApi } from '../../../../credentials/WhatsAppSidecarApi.credentials';

const CREDENTIAL_TYPES: Record<string, ICredentialType> = {
	whatsAppSidecarApi: new WhatsAppSidecarApi(),
	whatsAppCloudApi: new WhatsAppCloudApi(),
};

function credentialType(name: string): ICredentialType {
	const type = CREDENTIAL_TYPES[name];
	if (!type) throw new Error(`unknown credential type ${name}`);
	return type;
}

/** The credential store of a test run, applying `authenticate` as n8n's CredentialsHelper does. */
class TestCredentialsHelper extends ICredentialsHelper {
	constructor(private readonly stored: Record<string, ICredentialDataDecryptedObject>) {
		super();
	}

	getParentTypes(): string[] {
		return [];
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	/**
	 * n8n-core has no `authenticate` of its own to call: its request helpers hand this to
	 * `additionalData.credentialsHelper.authenticate`, and n8n's implementation lives in
	 * the n8n server package (packages/cli/src/credentials-helper.ts, with its database and
	 * DI container), which the unit tests do not load (n8n's own node-test harness,
	 * packages/core/nodes-testing, leaves generic authentication out altogether). So the
	 * few lines of its generic branch are repeated here, with n8n's own expression engine;
	 * the e2e tests run the credentials through n8n's real one.
	 */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const { authenticate } = credentialType(typeName);
		if (typeof authenticate === 'function') return await authenticate(credentials, requestOptions as IHttpRequestOptions);
		if (authenticate?.type === 'generic') {
			if (!workflow || !node) throw new Error('workflow and node are required for generic authentication');
			const resolve = (value: string): string => {
				if (!isExpression(value)) return value;
				const resolved = workflow.expression.getSimpleParameterValue(node, value, 'internal', { $credentials: credentials }, undefined, '');
				return resolved ? String(resolved) : '';
			};
			const options = requestOptions as unknown as Record<string, Record<string, string> | undefined>;
			for (const [outerKey, entries] of Object.entries(authenticate.properties)) {
				options[outerKey] ??= {};
				for (const [key, value] of Object.entries(entries as Record<string, string>)) {
					(options[outerKey] as Record<string, string>)[resolve(key)] = resolve(value);
				}
			}
		}
		return requestOptions as IHttpRequestOptions;
	}

	async preAuthentication(): Promise<undefined> {
		return undefined;
	}

	async runPreAuthentication(): Promise<undefined> {
		return undefined;
	}

	async getCredentials(): Promise<ICredentials> {
		throw new Error('not used by these tests');
	}

	async getDecrypted(_additionalData: IWorkflowExecuteAdditionalData, nodeCredentials: INodeCredentialsDetails, type: string): Promise<ICredentialDataDecryptedObject> {
		const data = this.stored[type];
		if (!data) throw new Error(`Credential with ID "${String(nodeCredentials.id)}" does not exist for type "${type}".`);
		// n8n fills in the credential type's defaults for fields the stored credential lacks.
		const withDefaults = NodeHelpers.getNodeParameters(credentialType(type).properties, data as INodeParameters, true, false, null, null);
		return { ...(withDefaults as ICredentialDataDecryptedObject) };
	}

	async updateCredentials(): Promise<void> {}

	async updateCredentialsOauthTokenData(): Promise<void> {}

	getCredentialsProperties(type: string): INodeProperties[] {
		return credentialType(type).properties;
	}
}

export interface RunNodeOptions {
	nodeType: INodeType;
	/** The node's parameters as saved in a workflow (defaults are filled in by n8n). */
	parameters: INodeParameters;
	/** Credential data by credential type name; each one is also attached to the node. */
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	/** Input items (default: one empty item). */
	items?: INodeExecutionData[];
	/** The node's "Continue On Fail" setting. */
	continueOnFail?: boolean;
	/** The node's "On Error" setting (e.g. 'continueErrorOutput'). */
	onError?: INode['onError'];
	/** Aborting it cancels the execution, as n8n does when a user stops a run. */
	abortSignal?: AbortSignal;
}

/** n8n's execution context for one node run, ready for `nodeType.execute.call(context)`. */
export function createExecuteContext(options: RunNodeOptions): IExecuteFunctions {
	const { nodeType } = options;
	const typeName = `n8n-nodes-whatsapp-crm.${nodeType.description.name}`;
	const nodeTypes: INodeTypes = {
		getByName: () => nodeType,
		getByNameAndVersion: () => nodeType,
		getKnownTypes: () => ({}),
	};
	const node: INode = {
		id: 'node-under-test',
		name: nodeType.description.defaults.name ?? nodeType.description.displayName,
		type: typeName,
		typeVersion: 1,
		position: [0, 0],
		parameters: structuredClone(options.parameters),
		continueOnFail: options.continueOnFail ?? false,
		...(options.onError ? { onError: options.onError } : {}),
		credentials: Object.fromEntries(
			Object.keys(options.credentials ?? {}).map((type) => [type, { id: `${type}-1`, name: `Test ${type}` }]),
		),
	};
	const workflow = new Workflow({
		id: 'workflow-under-test',
		name: 'Node test',
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes,
		settings: {},
	});
	const workflowNode = workflow.getNode(node.name) as INode;
	const additionalData = {
		credentialsHelper: new TestCredentialsHelper(options.credentials ?? {}),
		executionId: 'execution-under-test',
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://127.0.0.1:5678/rest',
		instanceBaseUrl: 'http://127.0.0.1:5678/',
		formBaseUrl: 'http://127.0.0.1:5678/form',
		formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
		formTestBaseUrl: 'http://127.0.0.1:5678/form-test',
		webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
		mcpBaseUrl: 'http://127.0.0.1:5678/mcp',
		mcpTestBaseUrl: 'http://127.0.0.1:5678/mcp-test',
		variables: {},
		executeWorkflow: async () => {
			throw new Error('not used by these tests');
		},
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		logAiEvent: () => undefined,
	} as unknown as IWorkflowExecuteAdditionalData;
	const items = options.items ?? [{ json: {} }];
	const inputData = { main: [items] };
	return new ExecuteContext(
		workflow,
		workflowNode,
		additionalData,
		'manual',
		createRunExecutionData(),
		0,
		items,
		inputData,
		{ node: workflowNode, data: inputData, source: null },
		[],
		options.abortSignal ?? new AbortController().signal,
	);
}

/** Run the node's `execute` as n8n would and return its output. */
export async function runNode(options: RunNodeOptions): Promise<INodeExecutionData[][]> {
	const { execute } = options.nodeType;
	if (!execute) throw new Error(`${options.nodeType.description.name} has no execute()`);
	const result = await execute.call(createExecuteContext(options));
	return result as INodeExecutionData[][];
}

/**
 * A credential type's `test.request` as n8n sends it when a user clicks "Test"
 * in the credential dialog: expressions over `$credentials` resolved by n8n's
 * expression engine, then `authenticate` applied. Returns the URL, method and
 * headers to send.
 */
export async function credentialTestRequest(
	typeName: string,
	data: ICredentialDataDecryptedObject,
): Promise<{ url: string; method: string; headers: Record<string, string> }> {
	const type = credentialType(typeName);
	const request = type.test?.request;
	if (!request) throw new Error(`${typeName} has no test request`);
	const helper = new TestCredentialsHelper({ [typeName]: data });
	const credentials = await helper.getDecrypted({} as IWorkflowExecuteAdditionalData, { id: 'test', name: 'test' }, typeName);
	const nodeType = {
		description: { name: 'credentialTest', displayName: 'Credential Test', version: 1, defaults: {}, inputs: [], outputs: [], properties: [], group: [], description: '' },
	} as unknown as INodeType;
	const node: INode = { id: 'credential-test', name: 'Credential Test', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [0, 0], parameters: {} };
	const workflow = new Workflow({
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: { getByName: () => nodeType, getByNameAndVersion: () => nodeType, getKnownTypes: () => ({}) },
	});
	const resolve = (value: unknown): string =>
		typeof value === 'string' && isExpression(value)
			? String(workflow.expression.getSimpleParameterValue(node, value, 'internal', { $credentials: credentials }, undefined, '') ?? '')
			: String(value ?? '');
	const url = new URL(`${resolve(request.baseURL)}${resolve(request.url)}`);
	for (const [key, value] of Object.entries(request.qs ?? {})) url.searchParams.set(key, resolve(value));
	const options = await helper.authenticate(credentials, typeName, { url: url.toString(), method: request.method ?? 'GET', headers: {} }, workflow, node);
	return { url: options.url, method: String(options.method ?? 'GET'), headers: (options.headers ?? {}) as Record<string, string> };
}

/** The error a node run was expected to fail with (a test failure when it did not fail). */
export async function failureOf(
	promise: Promise<unknown>,
): Promise<Error & { description?: string; httpCode?: string; context?: Record<string, unknown> }> {
	try {
		await promise;
	} catch (error) {
		return error as Error;
	}
	throw new Error('expected the node to fail');
}
