import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { sendProperties } from './actions/description';
import { router } from './actions/router';
import { readmeSection } from '../shared/documentation';

export class WhatsAppCrmSend implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WhatsApp Send Message',
		name: 'whatsAppCrmSend',
		icon: { light: 'file:../../icons/whatsapp-crm-send.svg', dark: 'file:../../icons/whatsapp-crm-send.dark.svg' },
		group: ['output'],
		version: 1,
		usableAsTool: true,
		subtitle:
			'={{ ({ sendMedia: "Send media", sendLocation: "Send location", react: "React", markAsRead: "Mark as read" }[$parameter["operation"]] ?? "Send message") + ($parameter["source"] === "cloudApi" ? " · Cloud API (Meta)" : " · WhatsApp Web (sidecar)") }}',
		description:
			"Send a WhatsApp message, picture, video, audio, document or location to one person — or reply, react or mark as read — through a user's linked WhatsApp (sidecar) or Meta's Cloud API. Outputs the message id and the sent message as a normalized event, ready to log in the CRM.",
		documentationUrl: readmeSection('whatsapp-send-message'),
		defaults: { name: 'WhatsApp Send Message' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			// Chosen by the Source parameter, written as `hide` rather than `show`: n8n's editor takes a
			// parameter that credentials are *shown* by as the node's authentication selector and
			// moves it out of the node's panel into the credential dialog (nodeTypesUtils
			// getMainAuthField), where nobody finds it. The stored parameter is unchanged.
			{
				name: 'whatsAppSidecarApi',
				displayName: 'Credential for WhatsApp Web (Sidecar)',
				required: true,
				displayOptions: { hide: { source: ['cloudApi'] } },
			},
			{
				name: 'whatsAppCloudApi',
				displayName: 'Credential for WhatsApp Cloud API (Meta)',
				required: true,
				displayOptions: { hide: { source: ['sidecar'] } },
			},
		],
		properties: sendProperties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
