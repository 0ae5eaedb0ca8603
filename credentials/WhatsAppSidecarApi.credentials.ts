import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

/**
 * The companion sidecar that holds WhatsApp Web sessions: where it runs (one
 * sidecar, or several that share the sessions), the key n8n uses to call it,
 * and the secret(s) its webhooks are signed with. Every sidecar of one
 * credential has the same API key and webhook secret.
 */
export class WhatsAppSidecarApi implements ICredentialType {
	name = 'whatsAppSidecarApi';

	displayName = 'WhatsApp Sidecar API';

	icon = { light: 'file:../icons/whatsapp-crm.svg', dark: 'file:../icons/whatsapp-crm.dark.svg' } as const;

	documentationUrl = 'https://github.com/n8n-nodes-whatsapp-crm/n8n-nodes-whatsapp-crm/blob/main/sidecar/README.md';

	properties: INodeProperties[] = [
		{
			displayName: 'Sidecar URL',
			name: 'baseUrl',
			type: 'string',
			default: 'http://127.0.0.1:3100',
			placeholder: 'http://127.0.0.1:3100',
			description: 'Where the WhatsApp sidecar service runs, as n8n can reach it',
			required: true,
		},
		{
			displayName: 'Additional Sidecar URLs',
			name: 'additionalBaseUrls',
			type: 'string',
			typeOptions: { rows: 3 },
			default: '',
			placeholder: 'http://sidecar-2:3100',
			description:
				"Only when sessions are spread over several sidecars: the other sidecars' addresses, one per line. Each session is held by one of them, found from its Session ID, the same for every workflow. Adding one later moves some sessions to it: see the sidecar's README, \"Several sidecars\".",
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: "The sidecar's SIDECAR_API_KEY. n8n sends it with every call to the sidecar.",
			required: true,
		},
		{
			displayName: 'Webhook Secret',
			name: 'webhookSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				"The sidecar's WEBHOOK_SECRET. The WhatsApp CRM Trigger refuses any event not signed with it.",
			required: true,
		},
		{
			displayName: 'Previous Webhook Secret',
			name: 'previousWebhookSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'While changing the secret: the old one, still accepted until the sidecar uses the new one. Leave empty otherwise.',
		},
		{
			displayName: 'Replay Tolerance (Seconds)',
			name: 'toleranceSeconds',
			type: 'number',
			typeOptions: { minValue: 30, maxValue: 3600 },
			default: 300,
			description:
				'How old a signed event may be before it is refused. Protects against someone re-sending a captured event.',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.apiKey}}',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/health',
			method: 'GET',
		},
	};
}
