import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

/** Meta's WhatsApp Cloud API: the business phone number, its token, and the app's webhook secrets. */
export class WhatsAppCloudApi implements ICredentialType {
	name = 'whatsAppCloudApi';

	displayName = 'Meta WhatsApp Cloud API';

	icon = { light: 'file:../icons/whatsapp-crm.svg', dark: 'file:../icons/whatsapp-crm.dark.svg' } as const;

	documentationUrl = 'https://developers.facebook.com/docs/whatsapp/cloud-api/get-started';

	properties: INodeProperties[] = [
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'A permanent System User token with the whatsapp_business_messaging permission',
			required: true,
		},
		{
			displayName: 'Phone Number ID',
			name: 'phoneNumberId',
			type: 'string',
			default: '',
			description: 'The ID of your business phone number (WhatsApp Manager > API Setup), not the phone number itself',
			required: true,
		},
		{
			displayName: 'WhatsApp Business Account ID',
			name: 'businessAccountId',
			type: 'string',
			default: '',
			description: 'The ID of your WhatsApp Business Account (WABA); needed for message templates',
		},
		{
			displayName: 'App Secret',
			name: 'appSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				"Your Meta app's secret (App Settings > Basic). The trigger checks every event's X-Hub-Signature-256 with it.",
		},
		{
			displayName: 'Verify Token',
			name: 'verifyToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				"Any string you choose; type the same one into Meta's webhook settings so Meta can confirm the webhook URL",
		},
		{
			displayName: 'Graph API Version',
			name: 'graphApiVersion',
			type: 'string',
			default: 'v21.0',
			description: 'The Graph API version to call, such as v21.0. If Meta says this version is deprecated, raise it.',
		},
		{
			displayName: 'Graph API Base URL',
			name: 'graphBaseUrl',
			type: 'string',
			default: 'https://graph.facebook.com',
			description: 'Change only to go through a proxy or a local stand-in for testing',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.accessToken}}',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.graphBaseUrl.replace(/\\/+$/, "")}}/{{$credentials.graphApiVersion}}',
			url: '=/{{$credentials.phoneNumberId}}',
			method: 'GET',
			qs: { fields: 'display_phone_number,verified_name' },
		},
	};
}
