/**
 * Resolve a WhatsApp number (or a hidden-number sender's lid) to its CRM
 * contact: read the parameters, normalize the number and the lid (core/phone),
 * and find or create the contact in one call to the PostgreSQL store
 * (core/contacts over crm/contacts.ts), which owns the matching order and the
 * merge of a lid-only contact into its number's.
 *
 * Outputs: 0 "Contact" — the input item with `contact` and `matchedBy` added
 * (and `mergedContactId` when a lid-only contact was merged into it); 1 "Not a
 * Contact" — the input item with `reason` and `reasonText` added, for ids that
 * are not a person (groups, broadcasts, status, channels, invalid numbers)
 * and, when creation is off, numbers and lids no contact has. Those are
 * outcomes, not errors: a workflow that logs every message simply leaves the
 * second output unconnected.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import type { Pool } from 'pg';
import { resolveContact } from '../../../core/contacts/resolve-contact';
import { PROFILE_UPDATE_MODES, type ProfileUpdateMode } from '../../../core/contacts/types';
import { canonicalPhoneForm, equivalentPhoneForms, parseWhatsAppId, whatsAppLidOf } from '../../../core/phone';
import type { ParsedWhatsAppId } from '../../../core/phone/types';
import { createPostgresContactStore } from '../../../crm/contacts';
import { crmErrorToNodeError } from '../../shared/crm-errors';
import { defaultCountryOf, optionsWithDefaultCountry } from '../../shared/default-country';
import { executeItems, toOutput } from '../../shared/execute-items';
import { withErrorCode } from '../../shared/node-errors';
import { getCrmPool } from '../../shared/postgres-connection';

/** The default input: the sender (or recipient) of the WhatsApp CRM Trigger's message event. */
export const DEFAULT_PHONE_EXPRESSION = '={{ $json.message?.remote?.phone || $json.message?.remote?.rawId || $json.remote?.rawId }}';

export const description: INodeProperties[] = [
	{
		displayName: 'Phone Number or WhatsApp ID',
		name: 'phone',
		type: 'string',
		default: DEFAULT_PHONE_EXPRESSION,
		required: true,
		placeholder: '+5511987654321',
		description:
			'The number to look up: a phone number with country code (+5511987654321; without it, set a Default Country under Options), a WhatsApp ID from Meta (5511987654321), a WhatsApp chat ID (5511987654321@c.us) or, for a sender whose number WhatsApp hides, their privacy ID (…@lid, or Meta\'s business-scoped user ID). By default: the other party of the message from the WhatsApp CRM Trigger.',
	},
	{
		displayName: 'Hidden-Number ID',
		name: 'lid',
		type: 'string',
		default: '={{ $json.message?.remote?.rawId }}',
		placeholder: '110985430876233@lid',
		description:
			"The person's WhatsApp privacy ID (…@lid) or Meta business-scoped user ID (BR.1502576394655843), which WhatsApp uses instead of the number for some people. A contact is known by it too: a sender known only by it is found by it (or created with it), and once the number is known as well, the contact known only by it merges into the number's contact, interactions included. Any other kind of ID here is ignored. By default: the WhatsApp CRM Trigger's raw ID of the other party, used only while Phone Number or WhatsApp ID is at its default too.",
	},
	{
		displayName: 'Profile Name',
		name: 'profileName',
		type: 'string',
		default: '={{ $json.message?.remote?.name }}',
		description: "The contact's WhatsApp profile name, when known. Used for new contacts and, as set below, to update existing ones.",
	},
	{
		displayName: 'About Text',
		name: 'about',
		type: 'string',
		default: '={{ $json.message?.remote?.about }}',
		description: "The contact's WhatsApp About text, when known. Used like the profile name.",
	},
	{
		displayName: 'Create Contact If Not Found',
		name: 'createIfNotFound',
		type: 'boolean',
		default: true,
		description:
			'Whether to create a contact (with source "whatsapp") when no contact has this number. When off, unknown numbers leave through the "Not a Contact" output.',
	},
	{
		displayName: 'Update Name and About',
		name: 'updateProfile',
		type: 'options',
		options: [
			{
				name: 'Only Fill In Missing',
				value: 'fillMissing',
				description: 'Set them only on contacts that have none yet; what people typed in the CRM is kept',
			},
			{
				name: 'Overwrite When Changed',
				value: 'overwriteChanged',
				description: 'Replace them whenever WhatsApp shows something different',
			},
			{
				name: 'Never',
				value: 'never',
				description: 'Leave existing contacts as they are',
			},
		],
		default: 'fillMissing',
		description: 'What to do with the profile name and About text of a contact that already exists. An empty value never erases a stored one.',
	},
	optionsWithDefaultCountry(
		'Two-letter country code for phone numbers written without a country code (e.g. "(11) 98765-4321"). Leave empty to treat such numbers as not valid.',
	),
];

export const CONTACT_OUTPUT = 0;
export const NOT_A_CONTACT_OUTPUT = 1;

export type NotAContactReason = 'group' | 'broadcast' | 'status' | 'channel' | 'invalid' | 'not_found';

const REASON_TEXT: Record<Exclude<NotAContactReason, 'invalid'>, string> = {
	group: 'A group chat is not a contact.',
	broadcast: 'A broadcast list is not a contact.',
	status: 'A status update is not a contact.',
	channel: 'A WhatsApp channel is not a contact.',
	not_found: 'No contact has this number (or hidden-number ID), and "Create Contact If Not Found" is off.',
};

function notAContact(parsed: ParsedWhatsAppId): { reason: NotAContactReason; reasonText: string } {
	switch (parsed.kind) {
		case 'group':
		case 'broadcast':
		case 'status':
		case 'channel':
			return { reason: parsed.kind, reasonText: REASON_TEXT[parsed.kind] };
		default:
			// parse reasons are generic ("not a valid phone number"), never the number itself.
			return { reason: 'invalid', reasonText: `Not a phone number or WhatsApp ID: ${parsed.reason ?? 'unrecognized'}.` };
	}
}

/** `item.json.message.remote` when it is an object. */
function remoteOf(json: IDataObject): IDataObject | undefined {
	const message = json.message;
	if (message === null || typeof message !== 'object') return undefined;
	const remote = (message as IDataObject).remote;
	return remote !== null && typeof remote === 'object' ? (remote as IDataObject) : undefined;
}

/**
 * Parameters left at their default expression are read from the item here, with
 * the expression's own meaning, instead of by n8n's expression engine: in n8n 2.41
 * each evaluation runs in an isolated-vm isolate and costs a few hundred µs of CPU
 * per item (bench 09's profile), three per item for these defaults. A parameter set
 * to anything else (another expression, a fixed value) goes through n8n as always,
 * and so does every parameter whose default in the description is no longer the
 * expression written here.
 */
export const READ_NATIVELY: Record<'phone' | 'lid' | 'profileName' | 'about', { expression: string; read: (json: IDataObject) => unknown }> = {
	phone: {
		expression: '={{ $json.message?.remote?.phone || $json.message?.remote?.rawId || $json.remote?.rawId }}',
		read: (json) => {
			const topRemote = json.remote !== null && typeof json.remote === 'object' ? (json.remote as IDataObject) : undefined;
			return remoteOf(json)?.phone || remoteOf(json)?.rawId || topRemote?.rawId;
		},
	},
	lid: { expression: '={{ $json.message?.remote?.rawId }}', read: (json) => remoteOf(json)?.rawId },
	profileName: { expression: '={{ $json.message?.remote?.name }}', read: (json) => remoteOf(json)?.name },
	about: { expression: '={{ $json.message?.remote?.about }}', read: (json) => remoteOf(json)?.about },
};

const nativeWhenDefault = new Set(
	Object.entries(READ_NATIVELY)
		.filter(([name, native]) => description.find((property) => property.name === name)?.default === native.expression)
		.map(([name]) => name),
);

/** A parameter of an item: read natively when it is still the default expression of READ_NATIVELY, else by n8n. */
function itemParameter(ctx: IExecuteFunctions, name: keyof typeof READ_NATIVELY, itemIndex: number, item: INodeExecutionData): unknown {
	if (nativeWhenDefault.has(name) && ctx.getNodeParameter(name, itemIndex, '', { rawExpressions: true }) === READ_NATIVELY[name].expression) {
		return READ_NATIVELY[name].read(item.json);
	}
	return ctx.getNodeParameter(name, itemIndex, '');
}

/**
 * The Hidden-Number ID of an item, as a lid (whatsAppLidOf), or null. At its
 * default (the trigger's raw id of the other party) it is only read while the
 * number field is at its default too: a number mapped to someone else (a
 * colleague to notify, say) must not take the sender's lid with it and merge
 * the sender's contact into theirs.
 */
function lidInput(ctx: IExecuteFunctions, itemIndex: number, item: INodeExecutionData): string | null {
	const raw = (name: 'phone' | 'lid') => ctx.getNodeParameter(name, itemIndex, '', { rawExpressions: true });
	const lidDefault = description.find((property) => property.name === 'lid')?.default;
	if (raw('lid') === lidDefault && raw('phone') !== DEFAULT_PHONE_EXPRESSION) return null;
	return whatsAppLidOf(parseWhatsAppId(stringParameter(itemParameter(ctx, 'lid', itemIndex, item))));
}

function stringParameter(value: unknown): string {
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return typeof value === 'string' ? value.trim() : '';
}

/** The "Phone Number or WhatsApp ID" of an item, as text; an object, a list or nothing fails the item. */
function phoneInput(ctx: IExecuteFunctions, itemIndex: number, item: INodeExecutionData): string {
	const rawInput = itemParameter(ctx, 'phone', itemIndex, item);
	if (rawInput !== null && typeof rawInput === 'object') {
		throw withErrorCode(
			new NodeOperationError(ctx.getNode(), `The phone number or WhatsApp ID of item ${itemIndex} is not text`, {
				itemIndex,
				description: '"Phone Number or WhatsApp ID" received an object or a list. Map the field that holds the number itself, e.g. {{ $json.message.remote.phone }}.',
			}),
			'phone_not_text',
		);
	}
	const input = stringParameter(rawInput);
	if (input === '') {
		throw withErrorCode(
			new NodeOperationError(ctx.getNode(), `No phone number or WhatsApp ID in item ${itemIndex}`, {
				itemIndex,
				description:
					'Fill in "Phone Number or WhatsApp ID". Its default reads the sender from the WhatsApp CRM Trigger (message.remote.phone or message.remote.rawId); for other input, map the field that holds the number, e.g. {{ $json.phone }}.',
			}),
			'missing_phone',
		);
	}
	return input;
}

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[][]> {
	// The database is opened only when an item needs it (a batch of group messages does not).
	let pool: Promise<Pool> | undefined;
	const database = async (): Promise<Pool> => await (pool ??= getCrmPool(this));
	const withInput = (item: INodeExecutionData, added: IDataObject): INodeExecutionData => ({ json: { ...item.json, ...added }, binary: item.binary });

	return await executeItems(
		this,
		items,
		async (itemIndex, item) => {
			const input = phoneInput(this, itemIndex, item);
			const options = this.getNodeParameter('options', itemIndex, {}) as { defaultCountry?: string };
			const parsed = parseWhatsAppId(input, { defaultCountry: defaultCountryOf(this.getNode(), options.defaultCountry, itemIndex) });
			const phone = parsed.kind === 'person' ? parsed.e164 : null;
			// The lid: the number field's own when it holds one (a lid-only sender), else the Hidden-Number ID's when it is one.
			const lid = whatsAppLidOf(parsed) ?? lidInput(this, itemIndex, item);
			if (phone === null && lid === null) return toOutput(NOT_A_CONTACT_OUTPUT, withInput(item, notAContact(parsed)));

			const modeParameter = this.getNodeParameter('updateProfile', itemIndex, 'fillMissing') as ProfileUpdateMode;
			const result = await resolveContact(
				createPostgresContactStore(await database()),
				{
					phone,
					lid,
					name: stringParameter(itemParameter(this, 'profileName', itemIndex, item)),
					about: stringParameter(itemParameter(this, 'about', itemIndex, item)),
				},
				{
					createIfMissing: this.getNodeParameter('createIfNotFound', itemIndex, true) as boolean,
					profileUpdate: PROFILE_UPDATE_MODES.includes(modeParameter) ? modeParameter : 'fillMissing',
					equivalentForms: equivalentPhoneForms,
					canonicalForm: canonicalPhoneForm,
				},
			);
			if (result.contact === null) {
				return toOutput(NOT_A_CONTACT_OUTPUT, withInput(item, { reason: 'not_found', reasonText: REASON_TEXT.not_found }));
			}
			const merged = result.mergedContactId === undefined ? {} : { mergedContactId: result.mergedContactId };
			return toOutput(CONTACT_OUTPUT, withInput(item, { contact: result.contact as unknown as IDataObject, matchedBy: result.matchedBy, ...merged }));
		},
		{ outputs: 2, toNodeError: (error, itemIndex) => crmErrorToNodeError(this.getNode(), error, itemIndex) },
	);
}
