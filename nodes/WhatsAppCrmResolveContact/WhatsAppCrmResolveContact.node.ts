import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { resolveContactProperties } from './actions/description';
import { router } from './actions/router';
import { NOT_AN_AI_TOOL } from '../shared/usable-as-tool';
import { readmeSection } from '../shared/documentation';

export class WhatsAppCrmResolveContact implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WhatsApp Resolve Contact',
		name: 'whatsAppCrmResolveContact',
		icon: { light: 'file:../../icons/whatsapp-crm-contact.svg', dark: 'file:../../icons/whatsapp-crm-contact.dark.svg' },
		group: ['transform'],
		version: 1,
		// Not offered as an AI tool: a tool answers with the first output only, so "Not a Contact" items (groups,
		// invalid numbers) would reach an agent as an empty answer.
		usableAsTool: NOT_AN_AI_TOOL,
		subtitle: '={{$parameter["createIfNotFound"] ? "Find or create contact" : "Find contact"}}',
		description:
			'Finds the CRM contact for a WhatsApp number, WhatsApp ID, chat ID or hidden-number ID — by its WhatsApp number, then by its other numbers, or by its hidden-number ID — or creates it',
		documentationUrl: readmeSection('whatsapp-resolve-contact'),
		defaults: { name: 'WhatsApp Resolve Contact' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Contact', 'Not a Contact'],
		// n8n's own Postgres credential (n8n-nodes-base), so one connection serves these nodes and the
		// workflows' Postgres nodes; n8n lets any node use it (the type does not restrict its nodes).
		// eslint-disable-next-line @n8n/community-nodes/valid-credential-references
		credentials: [{ name: 'postgres', required: true }],
		properties: resolveContactProperties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
