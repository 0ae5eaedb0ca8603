import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { sessionHealthProperties } from './actions/description';
import { router } from './actions/router';
import { NOT_AN_AI_TOOL } from '../shared/usable-as-tool';
import { readmeSection } from '../shared/documentation';

export class WhatsAppCrmSessionHealth implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WhatsApp Session Health',
		name: 'whatsAppCrmSessionHealth',
		icon: { light: 'file:../../icons/whatsapp-crm-health.svg', dark: 'file:../../icons/whatsapp-crm-health.dark.svg' },
		group: ['transform'],
		version: 1,
		// Not offered to AI agents: its Disconnect operation deletes a session's login data, so the
		// phone would have to be linked again; a person should decide that.
		usableAsTool: NOT_AN_AI_TOOL,
		subtitle: '={{ { check: "Check", connect: "Connect", disconnect: "Disconnect" }[$parameter["operation"]] }}',
		description:
			"Check, connect or disconnect users' WhatsApp sessions on the sidecar. Disconnecting deletes the session's login data, never CRM contacts or interactions.",
		documentationUrl: readmeSection('whatsapp-session-health'),
		defaults: { name: 'WhatsApp Session Health' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'whatsAppSidecarApi', required: true }],
		properties: sessionHealthProperties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
