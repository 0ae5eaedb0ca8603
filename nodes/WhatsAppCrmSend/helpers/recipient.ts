/**
 * The "To" field → the recipient's E.164 number, with the core's parser.
 * Only people can be messaged: groups, broadcast lists, status, channels and
 * privacy ids without a phone number are refused with a message that says why.
 */
import type { IExecuteFunctions, INode } from 'n8n-workflow';
import { parseWhatsAppId } from '../../../core/phone/parse-whatsapp-id';
import type { CountryCode } from '../../../core/phone/types';
import { defaultCountryOf } from '../../shared/default-country';
import { inputError } from '../../shared/node-errors';
import type { SendOptions } from '../actions/common.descriptions';

/** The item's Options and its "To" as E.164 (with Options > Default Country). */
export function recipientOf(ctx: IExecuteFunctions, itemIndex: number): { options: SendOptions; to: string } {
	const node = ctx.getNode();
	const options = ctx.getNodeParameter('options', itemIndex, {}) as SendOptions;
	const to = resolveRecipient(node, ctx.getNodeParameter('to', itemIndex), defaultCountryOf(node, options.defaultCountry, itemIndex), itemIndex);
	return { options, to };
}

/** The recipient as E.164 (`+5511987654321`), or an error naming what is wrong (never the number itself). */
export function resolveRecipient(node: INode, value: unknown, defaultCountry: CountryCode | undefined, itemIndex: number): string {
	const input = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
	if (input.trim() === '') {
		throw inputError(node, "'To' is empty. Give the recipient's phone number with its country code, such as +5511987654321.", {
			itemIndex,
			code: 'missing_recipient',
		});
	}
	const parsed = parseWhatsAppId(input, { defaultCountry });
	switch (parsed.kind) {
		case 'person':
			if (parsed.e164) return parsed.e164;
			break;
		case 'group':
			throw inputError(
				node,
				"'To' is a WhatsApp group. This node sends one-to-one messages only: send to a person's phone number instead.",
				{ itemIndex, code: 'group_not_supported' },
			);
		case 'broadcast':
		case 'status':
		case 'channel':
			throw inputError(
				node,
				`'To' is a WhatsApp ${parsed.kind === 'status' ? 'status' : parsed.kind === 'channel' ? 'channel' : 'broadcast list'}, not a person. This node sends one-to-one messages only: send to a person's phone number instead.`,
				{ itemIndex, code: 'not_a_person' },
			);
		case 'lid':
			throw inputError(
				node,
				"'To' is a WhatsApp privacy id (ending in @lid, or a Meta business-scoped user id), which does not contain a phone number. Use the contact's phone number instead.",
				{ itemIndex, code: 'lid_not_supported' },
			);
		default:
			break;
	}
	const hint = defaultCountry ? '' : ', or set Default Country under Options for numbers written without one';
	throw inputError(
		node,
		`'To' is not a valid phone number (${parsed.reason ?? 'not recognised'}). Write it with its country code, such as +5511987654321${hint}.`,
		{ itemIndex, code: 'invalid_recipient' },
	);
}
