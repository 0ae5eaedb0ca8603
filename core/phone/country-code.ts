import { isSupportedCountry } from 'libphonenumber-js/min';
import type { CountryCode } from './types';

/**
 * A "default country" setting as people type it (`br`, ` BR `, ``): the
 * ISO 3166 code libphonenumber-js knows, `undefined` when empty, or `null`
 * when it is not a supported two-letter code.
 */
export function readCountryCode(value: unknown): CountryCode | undefined | null {
	if (value === undefined || value === null) return undefined;
	if (typeof value !== 'string') return null;
	const code = value.trim().toUpperCase();
	if (code === '') return undefined;
	return /^[A-Z]{2}$/.test(code) && isSupportedCountry(code) ? (code as CountryCode) : null;
}
