/**
 * The shipped workflow files (workflows/*.json), read as n8n would import them —
 * no n8n needed: standard exports, credential references by name, fixed webhook
 * ids and form paths, and every Postgres query the statement of crm/sql.ts it
 * names (the SQL drift check). test/e2e/workflows.e2e.test.ts runs them on n8n.
 */
import { readFileSync } from 'node:fs';
import { Expression } from 'n8n-workflow';
import path from 'node:path';
import * as sql from '../../../crm/sql';
import {
	FORM_TRIGGER_TYPE,
	SHIPPED_FORMS as FORMS,
	formPathOf,
	nodeNamed,
	nodeOfType,
	readWorkflow,
	TEMPLATE_CREDENTIAL_REFERENCES,
	TRIGGER_TYPE,
	WORKFLOW_FILES,
	type ShippedNode,
	type ShippedWorkflow,
} from '../../support/workflow-files';

describe('the shipped workflow files', () => {
	const all = WORKFLOW_FILES.map((file) => [file, readWorkflow(file)] as const);
	const nodesOf = (workflow: ShippedWorkflow, type: string): ShippedNode[] => workflow.nodes.filter((n) => n.type === type);

	test.each(all)('%s is a standard n8n export: inactive, no pinned data, v1 execution order, notes, every connection to a node that exists', (_file, workflow) => {
		expect(Object.keys(workflow).sort()).toEqual(['active', 'connections', 'id', 'meta', 'name', 'nodes', 'pinData', 'settings', 'tags']);
		expect(workflow).toMatchObject({ active: false, pinData: {}, tags: [], settings: { executionOrder: 'v1' } });
		const names = workflow.nodes.map((n) => n.name);
		expect(new Set(names).size).toBe(names.length);
		expect(nodesOf(workflow, 'n8n-nodes-base.stickyNote').length).toBeGreaterThan(0);
		for (const [from, outputs] of Object.entries(workflow.connections as Record<string, { main: Array<Array<{ node: string }>> }>)) {
			expect(names).toContain(from);
			for (const target of outputs.main.flat()) expect(names).toContain(target.node);
		}
	});

	test.each(all)('%s references credentials by the documented placeholder id and name only', (_file, workflow) => {
		for (const node of workflow.nodes) {
			for (const [type, reference] of Object.entries(node.credentials ?? {})) {
				expect({ node: node.name, type, reference }).toEqual({
					node: node.name,
					type,
					reference: TEMPLATE_CREDENTIAL_REFERENCES[type as keyof typeof TEMPLATE_CREDENTIAL_REFERENCES],
				});
			}
		}
	});

	test.each(all)('%s: every Postgres query names its crm/sql.ts statement and matches it, with its values as one array expression', (_file, workflow) => {
		for (const node of nodesOf(workflow, 'n8n-nodes-base.postgres')) {
			const { query, options } = node.parameters as { query: string; options: { queryReplacement?: string } };
			expect(query.startsWith('=')).toBe(false); // plain SQL: values go through Query Parameters, never into the text
			const named = /^-- ([A-Z_]+) \(crm\/sql\.ts\)/.exec(query)?.[1];
			const statement = named === undefined ? undefined : (sql as Record<string, string>)[named];
			expect({ node: node.name, named, found: typeof statement }).toEqual({ node: node.name, named: expect.any(String), found: 'string' });
			expect(query.slice(query.indexOf('\n') + 1)).toBe(statement!.trim());
			// No $n inside a comment: n8n's Postgres node substitutes values into the text before sending it.
			for (const line of query.split('\n').filter((l) => l.trimStart().startsWith('--'))) expect(line).not.toMatch(/\$\d/);
			if (/\$1\b/.test(query)) expect(options.queryReplacement).toMatch(/^=\{\{ \[ .* \] \}\}$/s);
		}
	});

	test('webhook and form triggers have fixed, distinct webhookIds', () => {
		const ids = all.flatMap(([, workflow]) =>
			workflow.nodes.filter((n) => n.type === TRIGGER_TYPE || n.type === 'n8n-nodes-base.formTrigger').map((n) => n.webhookId),
		);
		expect(ids).toHaveLength(7);
		for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
		expect(new Set(ids).size).toBe(ids.length);
	});

	test.each(FORMS)('%s: the form has the readable Form Path /form/%s, and auth is off by default with a prominent note on keeping the link internal and turning on Basic Auth', (file, slug) => {
		const workflow = readWorkflow(file);
		expect(formPathOf(workflow)).toBe(slug);
		const parameters = nodeOfType(workflow, FORM_TRIGGER_TYPE).parameters as { authentication?: string };
		expect(parameters.authentication ?? 'none').toBe('none');
		const notes = nodesOf(workflow, 'n8n-nodes-base.stickyNote').map((n) => String((n.parameters as { content: string }).content));
		expect(notes.some((note) => /keep this form's link internal/i.test(note) && /Authentication: Basic Auth/.test(note))).toBe(true);
		// Documented where admins look.
		for (const doc of ['workflows/README.md', 'README.md']) expect(readFileSync(path.join(__dirname, '../../..', doc), 'utf8')).toContain(`/form/${slug}`);
	});

	test('no form page shows the linked phone number', () => {
		for (const [file] of FORMS) {
			for (const node of nodesOf(readWorkflow(file), 'n8n-nodes-base.form')) {
				expect(JSON.stringify(node.parameters)).not.toMatch(/linkedPhone|whatsapp_phone/);
			}
		}
	});

	describe("the Connect form's Not ready page", () => {
		const workflow = readWorkflow('connect-whatsapp.json');
		const connections = workflow.connections as Record<string, { main: Array<Array<{ node: string }>> }>;
		/** The page as n8n renders it: its expression evaluated by n8n-workflow's own engine, with $('Start WhatsApp session') answering `started`. */
		const render = (started: Record<string, unknown>): string => {
			const template = String((nodeNamed(workflow, 'Not ready page').parameters as { responseText: string }).responseText);
			expect(template.startsWith('=')).toBe(true);
			const $ = (name: string) => {
				expect(name).toBe('Start WhatsApp session');
				return { item: { json: started }, first: () => ({ json: started }) };
			};
			const page = Expression.resolveWithoutWorkflow(template.slice(1), { $ });
			expect(typeof page).toBe('string');
			return page as string;
		};
		const unreachable = {
			code: 'whatsapp_web_unreachable',
			message: 'WhatsApp Web (https://web.whatsapp.com) could not be reached from the sidecar (ERR_NAME_NOT_RESOLVED). Check its internet access: DNS, proxy, firewall.',
			at: '2026-12-02T06:00:00.000Z',
		};

		test('a session still starting: wait and submit again, no error', () => {
			const page = render({ state: 'starting', lastError: null });
			expect(page).toContain('Your WhatsApp session is starting');
			expect(page).toContain('It is in the state "starting". Wait a few seconds');
			expect(page).not.toContain('WHATSAPP_DRIVER');
		});

		test.each(['disconnected', 'starting'])('a session whose last start failed (now %s): the cause in words and the simulator hint for a demo', (state) => {
			const page = render({ state, lastError: unreachable });
			expect(page).toContain('<title>WhatsApp could not start</title>');
			expect(page).toContain('Your WhatsApp session could not start');
			expect(page).toContain('could not be reached from the sidecar (ERR_NAME_NOT_RESOLVED)');
			expect(page).toContain('code whatsapp_web_unreachable');
			expect(page).toContain('WHATSAPP_DRIVER=simulator');
			expect(page).not.toContain('is starting');
		});

		test("the sidecar's message is shown as text, never as markup", () => {
			const page = render({ state: 'disconnected', lastError: { ...unreachable, code: 'start_failed', message: 'The WhatsApp session could not start (<digits> & <script>).' } });
			expect(page).toContain('could not start (&lt;digits&gt; &amp; &lt;script&gt;).');
			expect(page).not.toContain('<script>');
		});

		test('Start failed? and Mark the start failed read the same lastError', () => {
			const evaluate = (expression: string, started: Record<string, unknown>) =>
				Expression.resolveWithoutWorkflow(expression.slice(1), { $: () => ({ first: () => ({ json: started }) }) });
			const condition = (nodeNamed(workflow, 'Start failed?').parameters as { conditions: { conditions: Array<{ leftValue: string }> } }).conditions.conditions[0]!;
			expect(evaluate(condition.leftValue, { lastError: null })).toBe('');
			expect(evaluate(condition.leftValue, { lastError: unreachable })).toBe('whatsapp_web_unreachable');
			const message = (nodeNamed(workflow, 'Mark the start failed').parameters as { errorMessage: string }).errorMessage;
			expect(evaluate(message, { lastError: unreachable })).toBe(`WhatsApp could not start (whatsapp_web_unreachable): ${unreachable.message}`);
		});

		test('a failed start is a failed execution: Not ready page → Start failed? → Mark the start failed (Stop and Error)', () => {
			expect(connections['Not ready page']!.main).toEqual([[expect.objectContaining({ node: 'Start failed?' })]]);
			const [yes, no] = connections['Start failed?']!.main;
			expect(yes!.map((c) => c.node)).toEqual(['Mark the start failed']);
			expect(no ?? []).toEqual([]);
			expect(nodeNamed(workflow, 'Mark the start failed').type).toBe('n8n-nodes-base.stopAndError');
		});
	});

	test('notifications: Send email is followed by MARK_NOTIFICATION_SENT on its success output only', () => {
		const workflow = readWorkflow('notifications.json');
		const send = workflow.nodes.find((n) => n.name === 'Send email') as ShippedNode & { onError?: string };
		expect(send.onError).toBe('continueErrorOutput');
		const connections = workflow.connections as Record<string, { main: Array<Array<{ node: string }>> }>;
		const [success, failure] = connections['Send email']!.main;
		expect(success!.map((c) => c.node)).toEqual(['Mark sent']);
		expect(failure ?? []).toEqual([]);
		expect(String((workflow.nodes.find((n) => n.name === 'Mark sent')!.parameters as { query: string }).query)).toMatch(/^-- MARK_NOTIFICATION_SENT \(crm\/sql\.ts\)/);
	});

	describe('the nightly health check never notifies for a sidecar that cannot be reached', () => {
		const workflow = readWorkflow('session-health-nightly.json');
		const connections = workflow.connections as Record<string, { main: Array<Array<{ node: string }>> }>;
		type Conditions = { conditions: Array<{ leftValue: string; rightValue: unknown; operator: { operation: string } }> };
		/** Whether an item takes output `index` of a Switch (its rules) or an If (index 0: true). */
		const takes = (nodeName: string, index: number, json: Record<string, unknown>): boolean => {
			const node = nodeNamed(workflow, nodeName);
			const conditions =
				node.type === 'n8n-nodes-base.switch'
					? (node.parameters as { rules: { values: Array<{ conditions: Conditions }> } }).rules.values[index]!.conditions
					: (node.parameters as { conditions: Conditions }).conditions;
			const matched = conditions.conditions.every((c) => {
				const left: unknown = Expression.resolveWithoutWorkflow(c.leftValue.slice(1), { $json: json });
				if (c.operator.operation === 'true') return left === true;
				if (c.operator.operation === 'equals') return left === c.rightValue;
				throw new Error(`operator ${c.operator.operation} not handled by this test`);
			});
			return node.type === 'n8n-nodes-base.switch' || index === 0 ? matched : !matched;
		};
		/** Every [node, output] whose items go straight to "Mark disconnected and notify". */
		const intoNotify = Object.entries(connections).flatMap(([from, { main }]) =>
			main.flatMap((targets, index) => (targets.some((t) => t.node === 'Mark disconnected and notify') ? [[from, index] as const] : [])),
		);
		// What WhatsApp Session Health outputs (nodes/WhatsAppCrmSessionHealth/actions/check.operation.ts).
		const unreachable = { sessionId: '3f2b8c1e-6d4a-4f1b-9c2e-7a5d3b1c9e0f', state: 'sidecar_unreachable', connected: false, healthy: null, reason: 'sidecar_unreachable' };
		const unreachableSidecar = { ...unreachable, sessionId: null };
		const dead = { sessionId: unreachable.sessionId, state: 'disconnected', connected: false, healthy: false, reason: 'disconnected' };
		const vanished = { sessionId: unreachable.sessionId, state: null, connected: false, healthy: false, reason: 'unknown_session' };

		test('the ways into "Mark disconnected and notify" are "Healthy?" → Dead and "Unknown to the sidecar?" → true', () => {
			expect(intoNotify).toEqual([
				['Healthy?', 1],
				['Unknown to the sidecar?', 0],
			]);
		});

		test.each([
			['a session whose sidecar cannot be reached', false, unreachable],
			['the item of a sidecar that cannot be reached (All Sessions)', false, unreachableSidecar],
			['a dead session', true, dead],
			['a session no sidecar knows', true, vanished],
		])('%s: notified %s', (_what, notified, json) => {
			expect(intoNotify.some(([node, index]) => takes(node, index, json))).toBe(notified);
			// Nor is it marked connected.
			expect(takes('Healthy?', 0, json)).toBe(false);
		});
	});

	test('the health check runs at 01:00 UTC, notifications every 5 minutes', () => {
		const health = readWorkflow('session-health-nightly.json');
		expect(health.settings).toMatchObject({ timezone: 'UTC' });
		expect(nodesOf(health, 'n8n-nodes-base.scheduleTrigger')[0]!.parameters).toEqual({
			rule: { interval: [{ field: 'cronExpression', expression: '0 1 * * *' }] },
		});
		expect(nodesOf(readWorkflow('notifications.json'), 'n8n-nodes-base.scheduleTrigger')[0]!.parameters).toEqual({
			rule: { interval: [{ field: 'minutes', minutesInterval: 5 }] },
		});
	});
});
