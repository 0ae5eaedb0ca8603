import type {
	IHookFunctions,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes, fromFunction, fromParameter, webhookDescriptionFields } from 'n8n-workflow';
import { POSTGRES_CREDENTIAL_TYPE } from '../shared/credential-types';
import { assertTriggerConfigured } from './activation';
import { triggerProperties } from './description';
import { receiveWebhook } from './receive';
import { readmeSection } from '../shared/documentation';

export class WhatsAppCrmTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WhatsApp CRM Trigger',
		name: 'whatsAppCrmTrigger',
		icon: { light: 'file:../../icons/whatsapp-crm-trigger.svg', dark: 'file:../../icons/whatsapp-crm-trigger.dark.svg' },
		group: ['trigger'],
		// 2: acknowledges an event when the workflow has finished successfully (default), can
		// remember deliveries in the CRM database, and gives up on an event that keeps failing.
		version: [1, 2],
		defaultVersion: 2,
		subtitle: '={{$parameter["source"] === "cloudApi" ? "Cloud API (Meta)" : "WhatsApp Web (sidecar)"}}',
		description:
			'Starts the workflow when a WhatsApp message, receipt or session change arrives, from the WhatsApp sidecar or from Meta. Only correctly signed requests are accepted.',
		documentationUrl: readmeSection('the-trigger-and-its-two-sources'),
		defaults: { name: 'WhatsApp CRM Trigger' },
		eventTriggerDescription:
			'Waiting for a WhatsApp event: send a WhatsApp message to the linked number, or from it',
		activationMessage:
			"WhatsApp events now start this workflow. Make sure the sidecar's WEBHOOK_URL (or Meta's Callback URL) is this node's Production URL.",
		inputs: [],
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
			// Optional: the CRM database, where the delivery ledger lives (see core/webhooks/delivery-ledger.ts).
			{
				name: POSTGRES_CREDENTIAL_TYPE,
				displayName: 'Credential for the CRM Database (Postgres, Optional)',
				required: false,
				displayOptions: { show: { '@version': [2] } },
			},
		],
		webhooks: [
			// Meta confirms a webhook URL with a GET (hub.challenge); the sidecar never sends GET.
			{ name: 'setup', httpMethod: 'GET', responseMode: 'onReceived', path: 'webhook' },
			{
				name: 'default',
				httpMethod: 'POST',
				path: 'webhook',
				// Declared with n8n's native resolvers, so n8n reads them without its expression engine
				// on every request. Version 1 has no `acknowledge` parameter: it answers on receipt.
				// n8n sends the answer either way, after it has created the execution (answering from
				// webhook() itself would send 200 for an execution n8n may then fail to create):
				// at once with the trigger's summary (`webhookResponse`, reached when responseData is
				// empty), or once the workflow has finished, without a body.
				...webhookDescriptionFields({
					responseMode: fromParameter('acknowledge', 'onReceived'),
					responseData: fromFunction((parameters) => (parameters.acknowledge === 'lastNode' ? 'noData' : '')),
				}),
			},
		],
		properties: triggerProperties,
	};

	// Nothing to register on a third-party service (the sidecar is pointed at this URL by its
	// WEBHOOK_URL setting, Meta's callback URL is typed into Meta's App Dashboard). n8n runs
	// these on activation: checkExists refuses a credential without the secrets the webhook
	// verifies deliveries with, then answers true, so n8n skips `create`; `create` checks the
	// same should it run all the same.
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				await assertTriggerConfigured(this);
				return true;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				await assertTriggerConfigured(this);
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await receiveWebhook(this);
	}
}
