/**
 * Ids in WhatsApp Web's own shapes, so the service code under test sees what
 * the real driver hands it.
 */
import { randomBytes } from 'node:crypto';

/** A message key like WhatsApp Web's own (`3EB0` + 16 upper-case hex digits). */
export function newMessageKey(random: () => number = Math.random): string {
	let hex = '';
	for (let i = 0; i < 16; i++) hex += Math.floor(random() * 16).toString(16);
	return `3EB0${hex.toUpperCase()}`;
}

/** whatsapp-web.js's serialized message id: `<fromMe>_<remote>_<key>[_<participant>]`. */
export function serializeMessageId(fromMe: boolean, remote: string, key: string, participant?: string | null): string {
	return `${fromMe}_${remote}_${key}${participant ? `_${participant}` : ''}`;
}

/** A QR payload shaped like WhatsApp's: `2@<ref>,<noise key>,<identity key>,<adv secret>`. */
export function newQrText(): string {
	const ref = randomBytes(48).toString('base64');
	const noise = randomBytes(32).toString('base64');
	const identity = randomBytes(32).toString('base64');
	const adv = randomBytes(32).toString('base64');
	return `2@${ref},${noise},${identity},${adv}`;
}

/** A deterministic PRNG (mulberry32) for reproducible seeded histories. */
export function seededRandom(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}
