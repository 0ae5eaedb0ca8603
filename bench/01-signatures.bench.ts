/**
 * Webhook signature verification (core/signatures): the sidecar's scheme
 * (HMAC-SHA256 over "<timestamp>." + body, timestamp window, id header) and
 * Meta's (HMAC-SHA256 over the body), on 1 KB, 64 KB and 1 MB bodies, next to
 * a bare createHmac over the same bytes so the verifiers' own overhead shows.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { signMetaPayload, signSidecarPayload, verifyMetaSignature, verifySidecarSignature } from '../core/signatures';
import { check, defineBench } from './lib/harness';

const SECRET = 'bench-webhook-secret-0123456789abcdef';
const OLD_SECRET = 'bench-previous-secret-fedcba9876543210';

const SIZES: Array<{ label: string; bytes: number }> = [
	{ label: '1 KB', bytes: 1024 },
	{ label: '64 KB', bytes: 64 * 1024 },
	{ label: '1 MB', bytes: 1024 * 1024 },
];

/** JSON-looking bytes of exactly `bytes` length (content does not change HMAC cost, length does). */
function body(bytes: number): Buffer {
	const prefix = Buffer.from('{"schemaVersion":1,"type":"message","padding":"');
	const suffix = Buffer.from('"}');
	const fill = Buffer.from(randomBytes(bytes).toString('base64').slice(0, bytes - prefix.length - suffix.length));
	const out = Buffer.concat([prefix, fill, suffix]);
	if (out.length !== bytes) throw new Error('body size');
	return out;
}

export default defineBench({
	title: 'Signature verification',
	measures: 'verifySidecarSignature and verifyMetaSignature (core/signatures) on real signed bodies of 1 KB, 64 KB and 1 MB.',
	async run(ctx) {
		const time = { timeMs: 700, opLabel: 'verification' };
		for (const size of SIZES) {
			const raw = body(size.bytes);
			const now = Math.floor(Date.now() / 1000);
			const sidecarHeaders = Object.fromEntries(
				Object.entries(signSidecarPayload({ secret: SECRET, id: 'evt-bench-1', timestamp: now, body: raw })).map(([k, v]) => [k.toLowerCase(), v]),
			);
			const metaHeaders = { 'x-hub-signature-256': signMetaPayload(SECRET, raw), 'content-type': 'application/json' };

			const sidecarOk = verifySidecarSignature({ secrets: [SECRET], headers: sidecarHeaders, body: raw, now });
			check(sidecarOk.ok, `sidecar signature of the ${size.label} body did not verify`);
			const metaOk = verifyMetaSignature({ appSecrets: [SECRET], headers: metaHeaders, body: raw });
			check(metaOk.ok, `Meta signature of the ${size.label} body did not verify`);

			await ctx.rate(`createHmac sha256 alone, ${size.label} (baseline)`, () => createHmac('sha256', SECRET).update(raw).digest(), {
				...time,
				opLabel: 'digest',
			});
			await ctx.rate(`verifySidecarSignature, ${size.label}`, () => verifySidecarSignature({ secrets: [SECRET], headers: sidecarHeaders, body: raw, now }), time);
			await ctx.rate(`verifyMetaSignature, ${size.label}`, () => verifyMetaSignature({ appSecrets: [SECRET], headers: metaHeaders, body: raw }), time);

			if (size.bytes === 1024) {
				// Refusals and rotation: a wrong signature costs what a right one does (no early exit), two secrets cost two HMACs.
				const forged = { ...sidecarHeaders, 'x-webhook-signature': `sha256=${'0'.repeat(64)}` };
				const refused = verifySidecarSignature({ secrets: [SECRET], headers: forged, body: raw, now });
				check(!refused.ok && refused.reason === 'signature_mismatch', 'a forged signature was not refused as signature_mismatch');
				await ctx.rate(`verifySidecarSignature, ${size.label}, forged signature (refused)`, () => verifySidecarSignature({ secrets: [SECRET], headers: forged, body: raw, now }), time);
				const rotated = verifySidecarSignature({ secrets: [OLD_SECRET, SECRET], headers: sidecarHeaders, body: raw, now });
				check(rotated.ok && rotated.secretIndex === 1, 'rotation: the second secret did not match');
				await ctx.rate(`verifySidecarSignature, ${size.label}, two secrets (rotation)`, () => verifySidecarSignature({ secrets: [OLD_SECRET, SECRET], headers: sidecarHeaders, body: raw, now }), time);
			}
		}
		ctx.note(
			'Both verifiers compare digests with crypto.timingSafeEqual (core/signatures/hmac.ts safeEqualBytes) and try every configured secret without stopping at the first match, so a refused signature costs as much as an accepted one; Meta\'s GET verify token is compared by hashing both sides first (safeEqualStrings).',
		);
		ctx.note('The verifiers hash the raw bytes as received (no JSON parsing or re-serialization), so their cost is the HMAC of the body plus a constant for headers: compare each line with its createHmac baseline.');
	},
});
