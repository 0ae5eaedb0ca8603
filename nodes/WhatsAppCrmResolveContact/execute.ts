/**
 * The Resolve Contact node's work, item by item: read the parameters,
 * normalize the number with core/phone, match or create the contact with
 * core/contacts' rule over the Postgres store (crm/), and route the item.
 *
 * Outputs: 0 "Contact" — the input item with `contact` and `matchedBy` added;
 * 1 "Not a Contact" — the input item with `reason` and `reasonText` added, for
 * ids that are not a person's number (groups, broadcasts, status, channels,
 * @lid ids without a phone, invalid numbers) and, when creation is off,
 * numbers no contact has. Those are outcomes, not errors: a workflow that logs
 * every message simply leaves the second output unconnected.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { defaultCountryOf } from '../shared/default-country';
import { errorCodeOf, withErrorCode } from '../shared/errors';
import type { Pool } from 'pg';
import { resolveContact } from '../../core/contacts/resolve-contact';
import { PROFILE_UPDATE_MODES, type ProfileUpdateMode } from '../../core/contacts/types';
import { equivalentPhoneForms, parseWhatsAppId } from '../../core/phone';
import type { ParsedWhatsAppId } from '../../core/phone/types';
import { createPostgresContactStore } from '../../crm/contacts';
import { getCrmPool } from '../shared/postgres-connection';

export type NotAContactReason = 'group' | 'broadcast' | 'status' | 'channel' | 'lid_without_phone' | 'invalid' | 'not_found';

const REASON_TEXT: Record<Exclude<NotAContactReason, 'invalid'>, string> = {
	group: 'A group chat is not a contact.',
	broadcast: 'A broadcast list is not a contact.',
	status: 'A status update is not a contact.',
	channel: 'A WhatsApp channel is not a contact.',
	lid_without_phone: "WhatsApp hides this person's phone number (an @lid id), so it cannot be matched to a contact.",
	not_found: 'No contact has this number, and "Create Contact If Not Found" is off.',
};

function notAContact(parsed: ParsedWhatsAppId): { reason: NotAContactReason; reasonText: string } {
	switch (parsed.kind) {
		case 'group':
		case 'broadcast':
		case 'status':
		case 'channel':
			return { reason: parsed.kind, reasonText: REASON_TEXT[parsed.kind] };
		case 'lid':
			return { reason: 'lid_without_phone', reasonText: REASON_TEXT.lid_without_phone };
		default:
			// parse reasons are generic ("not a valid phone number"), never the number itself.
			return { reason: 'invalid', reasonText: `Not a phone number or WhatsApp ID: ${parsed.reason ?? 'unrecognized'}.` };
	}
}

function stringParameter(value: unknown): string {
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return typeof value === 'string' ? value.trim() : '';
}


/** PostgreSQL error codes that mean the migrations have not run on this database. */
const MISSING_SCHEMA_CODES = new Set(['3F000', '42P01', '42703']);
/** Connection-level failures: the credential or the server. */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', '28P01', '28000', '3D000']);

/**
 * A NodeOperationError that says what to do, with a machine code (read with
 * errorCodeOf): `missing_phone`, `phone_not_text`, `invalid_default_country`,
 * `crm_schema_missing`, `crm_unreachable`, or `crm_error` for anything else.
 * Database messages are kept (they carry no phone numbers or texts).
 */
function explain(ctx: IExecuteFunctions, error: unknown, itemIndex: number): NodeOperationError {
	if (error instanceof NodeOperationError) {
		if (error.context.itemIndex === undefined) error.context.itemIndex = itemIndex;
		return errorCodeOf(error) === null ? withErrorCode(error, 'crm_error') : error;
	}
	const message = error instanceof Error ? error.message : String(error);
	const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : '';
	if (MISSING_SCHEMA_CODES.has(code)) {
		const missing = new NodeOperationError(ctx.getNode(), `The CRM tables are missing in this database: ${message}`, {
			itemIndex,
			description:
				'Create them once with the package\'s migrations: `node db/migrate.js` (DATABASE_URL pointing at the database of the Postgres credential), or `npm start`, which applies them.',
		});
		return withErrorCode(missing, 'crm_schema_missing');
	}
	if (CONNECTION_CODES.has(code) || /connect|timeout/i.test(message)) {
		const unreachable = new NodeOperationError(ctx.getNode(), `Could not reach the CRM database: ${message}`, {
			itemIndex,
			description: 'Check the Postgres credential of this node (host, port, database, user, password, SSL).',
		});
		return withErrorCode(unreachable, 'crm_unreachable');
	}
	return withErrorCode(new NodeOperationError(ctx.getNode(), error instanceof Error ? error : message, { itemIndex }), 'crm_error');
}

export async function executeResolveContact(ctx: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = ctx.getInputData();
	const contacts: INodeExecutionData[] = [];
	const notContacts: INodeExecutionData[] = [];

	// The database is opened only when an item needs it (a batch of group messages does not).
	let pool: Promise<Pool> | undefined;
	const database = async (): Promise<Pool> => await (pool ??= getCrmPool(ctx));

	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const item = items[itemIndex];
		const pairedItem = { item: itemIndex };
		try {
			const rawInput = ctx.getNodeParameter('phone', itemIndex, '');
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
			const options = ctx.getNodeParameter('options', itemIndex, {}) as { defaultCountry?: string };
			const defaultCountry = defaultCountryOf(ctx.getNode(), options.defaultCountry, itemIndex);
			const parsed = parseWhatsAppId(input, { defaultCountry });
			if (parsed.kind !== 'person' || parsed.e164 === null) {
				notContacts.push({ json: { ...item.json, ...notAContact(parsed) }, binary: item.binary, pairedItem });
				continue;
			}

			const name = stringParameter(ctx.getNodeParameter('profileName', itemIndex, ''));
			const about = stringParameter(ctx.getNodeParameter('about', itemIndex, ''));
			const createIfMissing = ctx.getNodeParameter('createIfNotFound', itemIndex, true) as boolean;
			const modeParameter = ctx.getNodeParameter('updateProfile', itemIndex, 'fillMissing') as ProfileUpdateMode;
			const profileUpdate = PROFILE_UPDATE_MODES.includes(modeParameter) ? modeParameter : 'fillMissing';

			const result = await resolveContact(
				createPostgresContactStore(await database()),
				{ phone: parsed.e164, name, about },
				{ createIfMissing, profileUpdate, equivalentForms: equivalentPhoneForms },
			);
			if (result.contact === null) {
				notContacts.push({
					json: { ...item.json, reason: 'not_found', reasonText: REASON_TEXT.not_found },
					binary: item.binary,
					pairedItem,
				});
				continue;
			}
			contacts.push({
				json: { ...item.json, contact: result.contact as unknown as IDataObject, matchedBy: result.matchedBy },
				binary: item.binary,
				pairedItem,
			});
		} catch (error) {
			const nodeError = explain(ctx, error, itemIndex);
			if (ctx.continueOnFail()) {
				// Like runForEachItem (nodes/shared/errors.ts): `{ error, code }`, and the error on the
				// item, which sends it down n8n's error output ("On Error: Continue (using error output)").
				contacts.push({ json: { error: nodeError.message, code: errorCodeOf(nodeError) }, error: nodeError, pairedItem });
				continue;
			}
			throw nodeError;
		}
	}
	return [contacts, notContacts];
}
