import { readCountryCode } from '../../../core/phone';

describe('readCountryCode', () => {
	test.each([
		['BR', 'BR'],
		[' br ', 'BR'],
		['gb', 'GB'],
	])('reads %j as %s', (input, expected) => {
		expect(readCountryCode(input)).toBe(expected);
	});

	test.each([[''], ['   '], [undefined], [null]])('treats %j as no default country', (input) => {
		expect(readCountryCode(input)).toBeUndefined();
	});

	test.each([['Brazil'], ['BRA'], ['XX'], ['+55'], [55]])('refuses %j', (input) => {
		expect(readCountryCode(input)).toBeNull();
	});
});
