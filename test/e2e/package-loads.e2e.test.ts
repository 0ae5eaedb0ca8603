/**
 * The package as published (`npm pack`) loads into a real n8n 2.41.1 on Node 24:
 * installed the way n8n installs community packages, its six nodes appear as
 * `n8n-nodes-whatsapp-crm.<node>` (what exported workflows contain) and its two
 * credentials by name, a workflow referring to the trigger imports and activates, and the
 * package's `require('n8n-workflow')` resolves to n8n's own copy.
 *
 * Also: loaded through N8N_CUSTOM_EXTENSIONS (what the foundation issue names), the same
 * files load as `CUSTOM.<node>` — types that exported workflows do not refer to.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
	PACKAGE_NAME,
	n8nRuntime,
	preparedPackageDir,
	startN8n,
	type N8nInstance,
	type WorkflowJson,
} from '../support/n8n';

const NODES: Record<string, string> = {
	whatsAppCrmTrigger: 'WhatsApp CRM Trigger',
	whatsAppCrmSend: 'WhatsApp Send Message',
	whatsAppCrmResolveContact: 'WhatsApp Resolve Contact',
	whatsAppCrmBackfill: 'WhatsApp Backfill',
	whatsAppCrmSessionHealth: 'WhatsApp Session Health',
	whatsAppCrmDownloadMedia: 'WhatsApp Download Media',
};
const CREDENTIALS: Record<string, string> = {
	whatsAppSidecarApi: 'WhatsApp Sidecar API',
	whatsAppCloudApi: 'Meta WhatsApp Cloud API',
};

interface TypeEntry {
	name: string;
	displayName: string;
}

/** n8n writes the type files shortly after start-up; poll until they list something. */
async function typeFile(n8n: N8nInstance, file: 'nodes' | 'credentials'): Promise<TypeEntry[]> {
	const deadline = Date.now() + 30_000;
	for (;;) {
		const res = await n8n.getAsOwner(`/types/${file}.json`);
		if (res.status === 200) {
			const types = (await res.json()) as TypeEntry[];
			if (types.length > 0) return types;
		} else {
			await res.arrayBuffer();
		}
		if (Date.now() > deadline) throw new Error(`/types/${file}.json not served (last status ${res.status})`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

function displayNamesOf(types: TypeEntry[], prefix: string): Record<string, string> {
	return Object.fromEntries(
		types.filter((t) => t.name.startsWith(prefix)).map((t) => [t.name.slice(prefix.length), t.displayName]),
	);
}

/**
 * The "<node>Tool" variants n8n derives from nodes marked `usableAsTool` (for AI agents):
 * Send and Backfill only. Session Health is left out on purpose: its Disconnect deletes a
 * session's login data, which an agent must not be able to do.
 */
const TOOLS: Record<string, string> = {
	whatsAppCrmSendTool: 'WhatsApp Send Message Tool',
	whatsAppCrmBackfillTool: 'WhatsApp Backfill Tool',
};

/** Our six nodes with their display names, and nothing else but their tool variants. */
function expectOurNodes(found: Record<string, string>): void {
	expect(found).toEqual({ ...NODES, ...TOOLS });
}

/** A required-field-complete credential body from n8n's schema of the credential type. */
async function sampleCredentialData(n8n: N8nInstance, type: string): Promise<Record<string, unknown>> {
	const schema = await n8n.api<{ properties: Record<string, { type?: string }>; required?: string[] }>(
		'GET',
		`/credentials/schema/${type}`,
	);
	const data: Record<string, unknown> = {};
	for (const name of schema.required ?? []) {
		const kind = schema.properties[name]?.type;
		data[name] =
			kind === 'number' ? 300 : kind === 'boolean' ? false : name.toLowerCase().includes('url') ? 'http://127.0.0.1:9' : `e2e-${name}`;
	}
	return data;
}

describe('the packed package in a real n8n, installed as a community package', () => {
	let n8n: N8nInstance;

	beforeAll(async () => {
		n8n = await startN8n();
	});

	afterAll(async () => {
		await n8n?.stop();
	});

	it('lists the six nodes under the package name, with their display names (plus n8n\'s AI-tool variants)', async () => {
		const nodes = await typeFile(n8n, 'nodes');
		expectOurNodes(displayNamesOf(nodes, `${PACKAGE_NAME}.`));
	});

	it('lists the two credential types with their display names', async () => {
		const credentials = await typeFile(n8n, 'credentials');
		const ours = Object.fromEntries(
			credentials.filter((c) => c.name in CREDENTIALS).map((c) => [c.name, c.displayName]),
		);
		expect(ours).toEqual(CREDENTIALS);
		for (const type of Object.keys(CREDENTIALS)) {
			await expect(n8n.api('GET', `/credentials/schema/${type}`)).resolves.toHaveProperty('properties');
		}
	});

	it('imports and activates a workflow that refers to n8n-nodes-whatsapp-crm.whatsAppCrmTrigger', async () => {
		const credentialId = await n8n.createCredential(
			'whatsAppSidecarApi',
			'Sidecar (e2e)',
			await sampleCredentialData(n8n, 'whatsAppSidecarApi'),
		);
		const webhookId = '6f1d7a52-3c1e-4d55-9a61-2b8c0e4f7a10';
		const workflow: WorkflowJson = {
			name: 'WhatsApp CRM trigger (package-loads e2e)',
			active: false,
			id: 'exportedId123',
			tags: [],
			nodes: [
				{
					id: 'a1b2c3d4-0000-4000-8000-000000000001',
					name: 'WhatsApp CRM Trigger',
					type: `${PACKAGE_NAME}.whatsAppCrmTrigger`,
					typeVersion: 1,
					position: [0, 0],
					webhookId,
					parameters: { source: 'sidecar' },
					credentials: { whatsAppSidecarApi: { id: credentialId, name: 'Sidecar (e2e)' } },
				},
			],
			connections: {},
			settings: { executionOrder: 'v1' },
		};

		const id = await n8n.importWorkflow(workflow);
		const stored = await n8n.api<{ nodes: Array<{ type: string }> }>('GET', `/workflows/${id}`);
		expect(stored.nodes.map((node) => node.type)).toEqual([`${PACKAGE_NAME}.whatsAppCrmTrigger`]);

		await n8n.activate(id);
		await n8n.waitForWebhook(`${webhookId}/webhook`, 'POST');
		expect(n8n.logs()).not.toMatch(/Failed to load package|Cannot find module/);
	});

	it("resolves the package's n8n-workflow to n8n's own copy, not a second one", () => {
		const { root, node } = n8nRuntime();
		const installed = n8n.packageDir!;
		// n8n strips peerDependencies before installing, so no copy of its own sits beside it.
		expect(existsSync(path.join(installed, 'node_modules', 'n8n-workflow'))).toBe(false);

		// Load the package's node files the way n8n does at start-up (load-nodes-and-credentials.ts:
		// NODE_PATH = n8n's module paths, then Module._initPaths()), in Node 24, and report
		// every n8n-workflow file that got loaded.
		const script = `
			const Module = require('node:module');
			const path = require('node:path');
			const installed = ${JSON.stringify(installed)};
			const loaderDir = path.join(${JSON.stringify(root)}, 'node_modules/n8n/dist');
			process.env.NODE_PATH = Module._nodeModulePaths(loaderDir).join(':');
			Module._initPaths();
			const pkg = require(path.join(installed, 'package.json'));
			for (const file of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) require(path.join(installed, file));
			const loaded = Object.keys(require.cache).filter((f) => f.includes('/n8n-workflow/'));
			const fromN8n = require(require.resolve('n8n-workflow', { paths: [loaderDir] }));
			const fromPackage = require(require.resolve('n8n-workflow', { paths: [path.join(installed, 'dist/nodes')] }));
			console.log(JSON.stringify({
				loaded: loaded.map((f) => f.split('/n8n-workflow/')[0]),
				sameClass: fromN8n.NodeOperationError === fromPackage.NodeOperationError,
			}));
		`;
		const out = JSON.parse(execFileSync(node, ['-e', script], { encoding: 'utf8' })) as {
			loaded: string[];
			sameClass: boolean;
		};
		expect(out.loaded.length).toBeGreaterThan(0);
		expect([...new Set(out.loaded)]).toEqual([path.join(root, 'node_modules')]);
		expect(out.sameClass).toBe(true);
	});
});

describe('the unpacked package loaded through N8N_CUSTOM_EXTENSIONS', () => {
	let n8n: N8nInstance;

	beforeAll(async () => {
		n8n = await startN8n({ installPackage: false, env: { N8N_CUSTOM_EXTENSIONS: preparedPackageDir() } });
	});

	afterAll(async () => {
		await n8n?.stop();
	});

	it('loads the same nodes, but as CUSTOM.<node> — not the type names exported workflows use', async () => {
		const nodes = await typeFile(n8n, 'nodes');
		expectOurNodes(displayNamesOf(nodes, 'CUSTOM.'));
		expect(nodes.filter((t) => t.name.startsWith(`${PACKAGE_NAME}.`))).toEqual([]);
		const credentials = await typeFile(n8n, 'credentials');
		expect(credentials.filter((c) => c.name in CREDENTIALS).map((c) => c.name).sort()).toEqual(
			Object.keys(CREDENTIALS).sort(),
		);
	});
});
