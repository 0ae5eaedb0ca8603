import type { INodeProperties } from 'n8n-workflow';
import * as resolve from './resolve.operation';

export const resolveContactProperties: INodeProperties[] = [
	{
		displayName:
			'Finds the contact in the CRM database of the Postgres credential (the whatsapp_crm tables that the package\'s migrations create). A sender whose number WhatsApp hides is a contact too, known by their hidden-number ID, and merged into the contact of the number once the number is known. Groups, broadcasts, channels and — with "Create Contact If Not Found" off — unknown numbers leave through the "Not a Contact" output, with a reason.',
		name: 'resolveNotice',
		type: 'notice',
		default: '',
	},
	...resolve.description,
];
