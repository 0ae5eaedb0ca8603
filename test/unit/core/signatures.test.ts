/** The sidecar's signature scheme, over real bytes. */
import {
	signSidecarPayload,
	sidecarSignatureHeader,
	verifySidecarSignature,
	type HeaderBag,
	type RawBody,
} from '../../../core/signatures';
import { META_ESCAPED_BODY, ODD_WHITESPACE_BODY, RAW_UTF8_BODY, opensslHmacHex } from './signatures-fixtures';

const SECRET = 'whsec_test_3f9a1c';
const TS = 1_764_000_000;
const BODY = Buffer.from('{"event":"message","id":"evt_1"}', 'utf8');

function headersFor(body: RawBody, secret = SECRET, timestamp = TS, id = 'evt_1'): HeaderBag {
	const signed = signSidecarPayload({ secret, id, timestamp, body });
	// Node's IncomingMessage lower-cases header names.
	return Object.fromEntries(Object.entries(signed).map(([k, v]) => [k.toLowerCase(), v]));
}

function verify(headers: HeaderBag, body: RawBody, extra: { secrets?: string[] | string; now?: number; toleranceSeconds?: number } = {}) {
	return verifySidecarSignature({ secrets: extra.secrets ?? SECRET, headers, body, now: extra.now ?? TS, toleranceSeconds: extra.toleranceSeconds });
}

describe('signing', () => {
	it('matches an independent HMAC computed by openssl over "<timestamp>.<body bytes>"', () => {
		for (const body of [BODY, RAW_UTF8_BODY, Buffer.from(META_ESCAPED_BODY, 'utf8')]) {
			const expected = opensslHmacHex(SECRET, Buffer.concat([Buffer.from(`${TS}.`), body]));
			expect(sidecarSignatureHeader(SECRET, TS, body)).toBe(`sha256=${expected}`);
		}
	});

	it('produces the three headers, and a default timestamp of now that verifies against the clock', () => {
		const before = Math.floor(Date.now() / 1000);
		const headers = signSidecarPayload({ secret: SECRET, id: 'evt_9', body: BODY });
		const after = Math.floor(Date.now() / 1000);
		expect(Object.keys(headers).sort()).toEqual(['X-Webhook-Id', 'X-Webhook-Signature', 'X-Webhook-Timestamp']);
		expect(Number(headers['X-Webhook-Timestamp'])).toBeGreaterThanOrEqual(before);
		expect(Number(headers['X-Webhook-Timestamp'])).toBeLessThanOrEqual(after);
		expect(verifySidecarSignature({ secrets: SECRET, headers, body: BODY })).toMatchObject({ ok: true, id: 'evt_9' });
	});

	it('refuses to sign what the verifier would refuse', () => {
		expect(() => signSidecarPayload({ secret: SECRET, id: '', timestamp: TS, body: BODY })).toThrow(TypeError);
		expect(() => signSidecarPayload({ secret: SECRET, id: 'x'.repeat(201), timestamp: TS, body: BODY })).toThrow(TypeError);
		expect(() => signSidecarPayload({ secret: SECRET, id: 'e', timestamp: 1.5, body: BODY })).toThrow(TypeError);
		expect(() => signSidecarPayload({ secret: '', id: 'e', timestamp: TS, body: BODY })).toThrow(TypeError);
	});
});

describe('verifying real bytes', () => {
	it('accepts a valid delivery and reports its id, timestamp and secret', () => {
		expect(verify(headersFor(BODY), BODY)).toEqual({ ok: true, id: 'evt_1', timestamp: TS, secretIndex: 0 });
	});

	it('verifies a Meta-style escaped body only against its exact bytes, not re-serialized JSON', () => {
		const headers = headersFor(META_ESCAPED_BODY);
		expect(verify(headers, Buffer.from(META_ESCAPED_BODY, 'utf8')).ok).toBe(true);
		expect(verify(headers, META_ESCAPED_BODY).ok).toBe(true);

		const reserialized = JSON.stringify(JSON.parse(META_ESCAPED_BODY));
		expect(reserialized).not.toBe(META_ESCAPED_BODY);
		expect(reserialized).toContain('https://example.com');
		expect(verify(headers, reserialized)).toMatchObject({ ok: false, reason: 'signature_mismatch' });
	});

	it('verifies raw UTF-8 emoji bytes, and fails when the bytes were decoded with the wrong charset', () => {
		const headers = headersFor(RAW_UTF8_BODY);
		expect(verify(headers, RAW_UTF8_BODY).ok).toBe(true);
		expect(verify(headers, RAW_UTF8_BODY.toString('latin1')).ok).toBe(false);
	});

	it('keeps odd whitespace significant', () => {
		const headers = headersFor(ODD_WHITESPACE_BODY);
		expect(verify(headers, ODD_WHITESPACE_BODY).ok).toBe(true);
		expect(verify(headers, Buffer.from(ODD_WHITESPACE_BODY.toString('utf8').trimEnd())).ok).toBe(false);
		expect(verify(headers, JSON.stringify(JSON.parse(ODD_WHITESPACE_BODY.toString('utf8')))).ok).toBe(false);
	});

	it('reads only the bytes of a Uint8Array view, not its whole backing buffer', () => {
		const backing = Buffer.concat([Buffer.from('XXXX'), BODY, Buffer.from('YYYY')]);
		const view = new Uint8Array(backing.buffer, backing.byteOffset + 4, BODY.length);
		expect(verify(headersFor(BODY), view).ok).toBe(true);
	});

	it('fails when any single byte of the body is changed', () => {
		const headers = headersFor(RAW_UTF8_BODY);
		for (let i = 0; i < RAW_UTF8_BODY.length; i++) {
			const tampered = Buffer.from(RAW_UTF8_BODY);
			tampered[i] ^= 0x01;
			expect(verify(headers, tampered)).toMatchObject({ ok: false, reason: 'signature_mismatch' });
		}
	});

	it('fails when the timestamp header is changed, since the timestamp is signed', () => {
		const headers = { ...headersFor(BODY), 'x-webhook-timestamp': String(TS + 1) };
		expect(verify(headers, BODY)).toMatchObject({ ok: false, reason: 'signature_mismatch', header: 'x-webhook-signature' });
	});

	it('accepts upper-case hex in the signature', () => {
		const headers = headersFor(BODY);
		headers['x-webhook-signature'] = `sha256=${(headers['x-webhook-signature'] as string).slice(7).toUpperCase()}`;
		expect(verify(headers, BODY).ok).toBe(true);
	});
});

describe('headers', () => {
	it('are looked up case-insensitively', () => {
		const signed = signSidecarPayload({ secret: SECRET, id: 'evt_1', timestamp: TS, body: BODY });
		expect(verify({ ...signed }, BODY).ok).toBe(true);
		expect(verify({ 'X-WEBHOOK-ID': 'evt_1', 'x-Webhook-Timestamp': String(TS), 'X-Webhook-SIGNATURE': signed['X-Webhook-Signature'] }, BODY).ok).toBe(true);
	});

	it.each(['x-webhook-id', 'x-webhook-timestamp', 'x-webhook-signature'])('missing %s → missing_header naming it', (name) => {
		const headers = headersFor(BODY);
		delete headers[name];
		expect(verify(headers, BODY)).toMatchObject({ ok: false, reason: 'missing_header', header: name });
	});

	it.each(['x-webhook-id', 'x-webhook-timestamp', 'x-webhook-signature'])('duplicated %s (array value) → malformed_header', (name) => {
		const headers = headersFor(BODY);
		headers[name] = [headers[name] as string, headers[name] as string];
		expect(verify(headers, BODY)).toMatchObject({ ok: false, reason: 'malformed_header', header: name });
	});

	it('the same header under two spellings → malformed_header', () => {
		const headers = { ...headersFor(BODY), 'X-Webhook-Id': 'evt_other' };
		expect(verify(headers, BODY)).toMatchObject({ ok: false, reason: 'malformed_header', header: 'x-webhook-id' });
	});

	it.each(['', '1.5', '1e9', '-1', '0123', ' 1764000000', 'abc', '1764000000x', '9'.repeat(16)])(
		'timestamp %p → malformed_header',
		(value) => {
			const headers = { ...headersFor(BODY), 'x-webhook-timestamp': value };
			expect(verify(headers, BODY)).toMatchObject({ ok: false, reason: 'malformed_header', header: 'x-webhook-timestamp' });
		},
	);

	const hex = 'a'.repeat(64);
	it.each(['', hex, `sha1=${hex}`, `SHA256=${hex}`, `sha256=${hex.slice(1)}`, `sha256=${hex}0`, `sha256=${'g'.repeat(64)}`, `sha256= ${hex}`, `v1,${hex}`])(
		'signature %p → malformed_header',
		(value) => {
			const headers = { ...headersFor(BODY), 'x-webhook-signature': value };
			expect(verify(headers, BODY)).toMatchObject({ ok: false, reason: 'malformed_header', header: 'x-webhook-signature' });
		},
	);

	it('an empty id or one longer than 200 characters → malformed_header; 200 is accepted', () => {
		expect(verify(headersFor(BODY, SECRET, TS, 'x'.repeat(200)), BODY)).toMatchObject({ ok: true, id: 'x'.repeat(200) });
		for (const id of ['', 'x'.repeat(201)]) {
			const headers = { ...headersFor(BODY), 'x-webhook-id': id };
			expect(verify(headers, BODY)).toMatchObject({ ok: false, reason: 'malformed_header', header: 'x-webhook-id' });
		}
	});
});

describe('secrets', () => {
	it('accepts the second secret during a rotation and says which matched', () => {
		const headers = headersFor(BODY, 'old-secret');
		expect(verify(headers, BODY, { secrets: ['new-secret', 'old-secret'] })).toMatchObject({ ok: true, secretIndex: 1 });
		expect(verify(headers, BODY, { secrets: ['old-secret', 'new-secret'] })).toMatchObject({ ok: true, secretIndex: 0 });
	});

	it('reports the first matching secret when the same secret is listed twice', () => {
		expect(verify(headersFor(BODY), BODY, { secrets: [SECRET, SECRET] })).toMatchObject({ ok: true, secretIndex: 0 });
	});

	it('ignores empty secrets, keeping the index of the list it was given', () => {
		expect(verify(headersFor(BODY), BODY, { secrets: ['', SECRET] })).toMatchObject({ ok: true, secretIndex: 1 });
	});

	it.each([[[]], [''], [['', '']]])('no usable secret (%p) → no_secret_configured', (secrets) => {
		expect(verify(headersFor(BODY), BODY, { secrets })).toMatchObject({ ok: false, reason: 'no_secret_configured', header: null });
	});

	it('a wrong secret → signature_mismatch, and the message reveals no secret or signature', () => {
		const headers = headersFor(BODY);
		const result = verify(headers, BODY, { secrets: ['nope', 'also-nope'] });
		expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
		if (result.ok) throw new Error('unreachable');
		expect(result.message).not.toContain(SECRET);
		expect(result.message).not.toContain((headers['x-webhook-signature'] as string).slice(7));
		expect(result.message).not.toContain(sidecarSignatureHeader('nope', TS, BODY).slice(7));
	});
});

describe('timestamp tolerance', () => {
	const headers = headersFor(BODY);

	it('accepts exactly at the edge, either way, and refuses one second past', () => {
		expect(verify(headers, BODY, { now: TS + 300 }).ok).toBe(true);
		expect(verify(headers, BODY, { now: TS - 300 }).ok).toBe(true);
		expect(verify(headers, BODY, { now: TS + 301 })).toMatchObject({ ok: false, reason: 'stale_timestamp', header: 'x-webhook-timestamp' });
		// A timestamp in the future (the receiver's clock is behind).
		expect(verify(headers, BODY, { now: TS - 301 })).toMatchObject({ ok: false, reason: 'stale_timestamp' });
	});

	it('honours a custom tolerance, including zero', () => {
		expect(verify(headers, BODY, { now: TS + 60, toleranceSeconds: 60 }).ok).toBe(true);
		expect(verify(headers, BODY, { now: TS + 61, toleranceSeconds: 60 }).ok).toBe(false);
		expect(verify(headers, BODY, { now: TS, toleranceSeconds: 0 }).ok).toBe(true);
		expect(verify(headers, BODY, { now: TS + 1, toleranceSeconds: 0 }).ok).toBe(false);
	});

	it('reports a forged old delivery as a mismatch, not as stale', () => {
		const forged = { ...headers, 'x-webhook-signature': `sha256=${'0'.repeat(64)}` };
		expect(verify(forged, BODY, { now: TS + 10_000 })).toMatchObject({ ok: false, reason: 'signature_mismatch' });
	});

	it('rejects a nonsensical tolerance as a programming error', () => {
		expect(() => verify(headers, BODY, { toleranceSeconds: -1 })).toThrow(TypeError);
		expect(() => verify(headers, BODY, { toleranceSeconds: Number.NaN })).toThrow(TypeError);
	});
});
