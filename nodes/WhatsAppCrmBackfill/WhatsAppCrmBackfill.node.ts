import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import { backfillProperties } from './actions/description';
import { router } from './actions/router';
import { readmeSection } from '../shared/documentation';

export class WhatsAppCrmBackfill implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WhatsApp Backfill',
		name: 'whatsAppCrmBackfill',
		icon: { light: 'file:../../icons/whatsapp-crm-backfill.svg', dark: 'file:../../icons/whatsapp-crm-backfill.dark.svg' },
		group: ['transform'],
		version: 1,
		usableAsTool: true,
		subtitle: '={{$parameter["operation"] === "getProgress" ? "Get progress" : "Start"}}',
		description:
			"Import the last days of a user's WhatsApp messages into the CRM through the sidecar, or check a backfill's progress",
		documentationUrl: readmeSection('whatsapp-backfill'),
		defaults: { name: 'WhatsApp Backfill' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'whatsAppSidecarApi', required: true }],
		properties: backfillProperties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
