/** Meta's X-Hub-Signature-256 scheme, over real bytes. */
import { signMetaPayload, verifyMetaSignature, type HeaderBag, type RawBody } from '../../../core/signatures';
import { META_ESCAPED_BODY, ODD_WHITESPACE_BODY, RAW_UTF8_BODY, opensslHmacHex } from './signatures-fixtures';

const APP_SECRET = '6f1c2b7d0e9a4c38b1f2a3d4e5f60718';
const BODY = Buffer.from(META_ESCAPED_BODY, 'utf8');

function verify(headers: HeaderBag, body: RawBody, appSecrets: string[] | string = APP_SECRET) {
	return verifyMetaSignature({ appSecrets, headers, body });
}

const signed = (body: RawBody, secret = APP_SECRET): HeaderBag => ({ 'x-hub-signature-256': signMetaPayload(secret, body) });

describe('Meta signature', () => {
	it('matches an independent HMAC computed by openssl over the raw body', () => {
		for (const body of [BODY, RAW_UTF8_BODY, ODD_WHITESPACE_BODY]) {
			expect(signMetaPayload(APP_SECRET, body)).toBe(`sha256=${opensslHmacHex(APP_SECRET, body)}`);
		}
	});

	it('accepts the exact bytes Meta sent (escaped unicode and slashes), as a Buffer or a string', () => {
		expect(verify(signed(BODY), BODY)).toEqual({ ok: true, secretIndex: 0 });
		expect(verify(signed(BODY), META_ESCAPED_BODY).ok).toBe(true);
	});

	it('refuses the same JSON re-serialized (what a parsed-then-stringified body would look like)', () => {
		const reserialized = JSON.stringify(JSON.parse(META_ESCAPED_BODY));
		expect(reserialized).toContain('José 😀');
		expect(reserialized).toContain('https://example.com/menu');
		expect(verify(signed(BODY), reserialized)).toMatchObject({ ok: false, reason: 'signature_mismatch', header: 'x-hub-signature-256' });
	});

	it('verifies raw UTF-8 emoji and odd whitespace byte for byte', () => {
		expect(verify(signed(RAW_UTF8_BODY), RAW_UTF8_BODY).ok).toBe(true);
		expect(verify(signed(ODD_WHITESPACE_BODY), ODD_WHITESPACE_BODY).ok).toBe(true);
		expect(verify(signed(ODD_WHITESPACE_BODY), ODD_WHITESPACE_BODY.subarray(0, -1)).ok).toBe(false);
	});

	it('fails when one byte is changed', () => {
		const tampered = Buffer.from(BODY);
		tampered[tampered.indexOf('Caf')] = 'K'.charCodeAt(0);
		expect(verify(signed(BODY), tampered)).toMatchObject({ ok: false, reason: 'signature_mismatch' });
	});

	it('reads the header case-insensitively', () => {
		expect(verify({ 'X-Hub-Signature-256': signMetaPayload(APP_SECRET, BODY) }, BODY).ok).toBe(true);
	});

	it('accepts a rotated app secret and reports its index', () => {
		expect(verify(signed(BODY, 'previous'), BODY, ['current', 'previous'])).toEqual({ ok: true, secretIndex: 1 });
		expect(verify(signed(BODY), BODY, ['', APP_SECRET])).toEqual({ ok: true, secretIndex: 1 });
	});

	it('missing header → missing_header; SHA-1 header alone is not enough', () => {
		expect(verify({}, BODY)).toMatchObject({ ok: false, reason: 'missing_header', header: 'x-hub-signature-256' });
		expect(verify({ 'x-hub-signature': 'sha1=0123456789abcdef0123456789abcdef01234567' }, BODY)).toMatchObject({ reason: 'missing_header' });
	});

	it.each(['', 'sha256=', `sha256=${'a'.repeat(63)}`, `sha1=${'a'.repeat(64)}`, 'a'.repeat(64), `sha256=${'z'.repeat(64)}`])(
		'header %p → malformed_header',
		(value) => {
			expect(verify({ 'x-hub-signature-256': value }, BODY)).toMatchObject({ ok: false, reason: 'malformed_header', header: 'x-hub-signature-256' });
		},
	);

	it('a duplicated header → malformed_header', () => {
		const value = signMetaPayload(APP_SECRET, BODY);
		expect(verify({ 'x-hub-signature-256': [value, value] }, BODY)).toMatchObject({ ok: false, reason: 'malformed_header' });
	});

	it('no app secret → no_secret_configured, even with a well-formed header', () => {
		for (const secrets of [[], '', ['']]) {
			expect(verify(signed(BODY), BODY, secrets)).toMatchObject({ ok: false, reason: 'no_secret_configured', header: null });
		}
	});

	it('a wrong app secret → signature_mismatch', () => {
		expect(verify(signed(BODY), BODY, 'wrong')).toMatchObject({ ok: false, reason: 'signature_mismatch' });
	});

	it('refuses to sign with an empty secret', () => {
		expect(() => signMetaPayload('', BODY)).toThrow(TypeError);
	});
});
