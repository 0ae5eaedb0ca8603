/**
 * What `npm start` imports (scripts/lib/workflow-json.js): a workflow whose
 * credentials it cannot create (Meta's Cloud API, SMTP) is imported without those
 * references, so n8n's editor marks the nodes with its "credentials not set" badge
 * instead of keeping a reference to nothing (which it shows as fine).
 */
import { credentialsUsed, withoutCredentials } from '../../../scripts/lib/workflow-json';
import { readWorkflow, TEMPLATE_CREDENTIAL_REFERENCES, WORKFLOW_FILES } from '../../support/workflow-files';

const NOT_CREATED_BY_NPM_START = [
	{ type: 'whatsAppCloudApi', name: TEMPLATE_CREDENTIAL_REFERENCES.whatsAppCloudApi.name },
	{ type: 'smtp', name: TEMPLATE_CREDENTIAL_REFERENCES.smtp.name },
];

test.each(WORKFLOW_FILES.map((file) => [file]))('%s: the missing credentials are gone from every node, the others kept as they are', (file) => {
	const workflow = readWorkflow(file);
	const before = JSON.stringify(workflow);
	const imported = withoutCredentials(workflow, NOT_CREATED_BY_NPM_START);
	expect(JSON.stringify(workflow)).toBe(before); // the file's JSON is not changed
	const types = (json: typeof workflow) => credentialsUsed(json).map((c: { type: string }) => c.type).sort();
	expect(types(imported)).toEqual(types(workflow).filter((t: string) => t !== 'whatsAppCloudApi' && t !== 'smtp'));
	for (const [index, node] of imported.nodes.entries()) {
		const original = workflow.nodes[index]!;
		const kept = Object.fromEntries(Object.entries(original.credentials ?? {}).filter(([type]) => type !== 'whatsAppCloudApi' && type !== 'smtp'));
		// A node left with no credential has no `credentials` at all: that is what n8n flags.
		if (Object.keys(kept).length === 0) expect(node).not.toHaveProperty('credentials');
		else expect(node.credentials).toEqual(kept);
		expect({ ...node, credentials: undefined }).toEqual({ ...original, credentials: undefined });
	}
});

test('the notifications workflow imported without SMTP: Send email has no credential, the Postgres nodes keep theirs', () => {
	const imported = withoutCredentials(readWorkflow('notifications.json'), NOT_CREATED_BY_NPM_START);
	expect(imported.nodes.find((n: { name: string }) => n.name === 'Send email')).not.toHaveProperty('credentials');
	expect(credentialsUsed(imported)).toEqual([{ type: 'postgres', name: 'CRM Postgres' }]);
});
