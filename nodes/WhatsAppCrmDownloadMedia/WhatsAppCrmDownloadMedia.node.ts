import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { downloadMediaProperties } from './actions/description';
import { router } from './actions/router';
import { NOT_AN_AI_TOOL } from '../shared/usable-as-tool';
import { readmeSection } from '../shared/documentation';

export class WhatsAppCrmDownloadMedia implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WhatsApp Download Media',
		name: 'whatsAppCrmDownloadMedia',
		icon: { light: 'file:../../icons/whatsapp-crm-media.svg', dark: 'file:../../icons/whatsapp-crm-media.dark.svg' },
		group: ['input'],
		version: 1,
		// Not offered to AI agents: its result is a file (n8n binary data), which a tool's answer to an agent cannot carry.
		usableAsTool: NOT_AN_AI_TOOL,
		subtitle: '={{$parameter["source"] === "cloudApi" ? "Cloud API (Meta)" : "WhatsApp Web (sidecar)"}}',
		description:
			'Download the file of a WhatsApp media message (image, video, audio, voice note, document, sticker) by its media reference, as n8n binary data.',
		documentationUrl: readmeSection('whatsapp-download-media'),
		defaults: { name: 'WhatsApp Download Media' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			// Chosen by the Source parameter, written as `hide` (see WhatsApp Send Message): a parameter that
			// credentials are *shown* by would be moved out of the node's panel by n8n's editor.
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
		properties: downloadMediaProperties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
