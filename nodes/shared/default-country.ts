/**
 * The "Default Country" option every node that reads phone numbers offers,
 * and how its value is read: empty means none; anything else must be a
 * supported two-letter code, or the item fails with a message saying so.
 */
import type { INode, INodeProperties } from 'n8n-workflow';
import { readCountryCode } from '../../core/phone/country-code';
import type { CountryCode } from '../../core/phone/types';
import { inputError } from './node-errors';

export function defaultCountryOption(description: string): INodeProperties {
	return {
		displayName: 'Default Country',
		name: 'defaultCountry',
		type: 'string',
		default: '',
		placeholder: 'BR',
		description,
	};
}

/**
 * The node's "Options" collection: Default Country first (with this
 * description), then the node's other options.
 */
export function optionsWithDefaultCountry(description: string, more: INodeProperties[] = []): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [defaultCountryOption(description), ...more],
	};
}

export function defaultCountryOf(node: INode, value: unknown, itemIndex: number): CountryCode | undefined {
	const country = readCountryCode(value);
	if (country === null) {
		throw inputError(node, `Default Country "${String(value).trim()}" is not a two-letter country code`, {
			itemIndex,
			code: 'invalid_default_country',
			description: 'Set Options > Default Country to a code such as BR, US or DE, or leave it empty.',
		});
	}
	return country;
}
