import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { sendProperties } from './actions/description';
import { router } from './actions/router';

export class WhatsAppCrmSend implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WhatsApp Send Message',
		name: 'whatsAppCrmSend',
		icon: { light: 'file:whatsapp-crm.svg', dark: 'file:whatsapp-crm.dark.svg' },
		group: ['output'],
		version: 1,
		usableAsTool: true,
		subtitle: '={{$parameter["source"] === "cloudApi" ? "Cloud API (Meta)" : "WhatsApp Web (sidecar)"}}',
		description:
			"Send a WhatsApp message to one person through a user's linked WhatsApp (sidecar) or Meta's Cloud API. Outputs the message id and the sent message as a normalized event, ready to log in the CRM.",
		defaults: { name: 'WhatsApp Send Message' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'whatsAppSidecarApi', required: true, displayOptions: { show: { source: ['sidecar'] } } },
			{ name: 'whatsAppCloudApi', required: true, displayOptions: { show: { source: ['cloudApi'] } } },
		],
		properties: sendProperties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
