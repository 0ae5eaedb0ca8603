/**
 * Ids (message ids, session ids, chat ids…) are opaque strings, but bounded:
 * nothing WhatsApp or Meta issues comes near this length. The normalizer and
 * the validator share the bound so everything one emits the other accepts.
 */
import { createHash } from 'node:crypto';

export const MAX_ID_LENGTH = 1024;

/** A non-blank string no longer than MAX_ID_LENGTH. */
export function isId(value: unknown): value is string {
	return typeof value === 'string' && value.trim() !== '' && value.length <= MAX_ID_LENGTH;
}

/**
 * Bounds on the content fields of version 2 (docs/events.md), so every item
 * stays small in n8n's execution data whatever a sender puts in a message.
 * The normalizers clip or drop what is longer; the validator refuses it.
 */
/** A short content string: MIME type, file name, emoji, a button's or row's title, a place's name, a card's phone… */
export const MAX_FIELD_LENGTH = 1024;
/** A shared contact's vCard text; a longer one (an embedded photo) is left out (`vcard: null`), its parsed fields kept. */
export const MAX_VCARD_LENGTH = 8192;
/** Cards kept of one contacts message. */
export const MAX_SHARED_CONTACTS = 50;
/** Phones, and emails, kept of one card. */
export const MAX_CONTACT_ENTRIES = 20;
/** At most this many products in an order (a WhatsApp cart holds up to 99 kinds of product). */
export const MAX_ORDER_ITEMS = 100;
/** A Flow's answers (`response_json`) longer than this (as JSON) are not carried. */
export const MAX_FLOW_RESPONSE_LENGTH = 16384;
/** …or nested deeper than this (a form's answers are a few levels deep; deeper is hostile). */
export const MAX_FLOW_RESPONSE_DEPTH = 32;
/** A media reference holds a session id and a message id (see media-ref.ts). */
export const MAX_MEDIA_REF_LENGTH = 2 * MAX_ID_LENGTH + 16;

/**
 * A short content string from a source: null unless a non-blank string; cut to
 * MAX_FIELD_LENGTH characters (never inside a surrogate pair) when longer.
 */
export function shortText(value: unknown): string | null {
	if (typeof value !== 'string' || value.trim() === '') return null;
	if (value.length <= MAX_FIELD_LENGTH) return value;
	const cut = value.slice(0, MAX_FIELD_LENGTH);
	// A high surrogate at the end would be half a character.
	return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}

/**
 * Whether a value is a Flow's answers as an event may carry them: a plain
 * object, nested at most MAX_FLOW_RESPONSE_DEPTH deep, at most
 * MAX_FLOW_RESPONSE_LENGTH characters as JSON. The normalizer keeps only such
 * answers and the validator accepts only them.
 */
export function isFlowResponse(value: unknown): value is Record<string, unknown> {
	if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
	return depthOf(value, 0) <= MAX_FLOW_RESPONSE_DEPTH && JSON.stringify(value).length <= MAX_FLOW_RESPONSE_LENGTH;
}

/** How deeply a JSON value nests (stops counting past the limit, so a hostile value costs little). */
function depthOf(value: unknown, depth: number): number {
	if (depth > MAX_FLOW_RESPONSE_DEPTH || value === null || typeof value !== 'object') return depth;
	let deepest = depth;
	for (const item of Object.values(value as object)) {
		deepest = Math.max(deepest, depthOf(item, depth + 1));
		if (deepest > MAX_FLOW_RESPONSE_DEPTH) break;
	}
	return deepest;
}

/** The SHA-256 of a file's bytes, 64 lowercase hex digits: the form `media.sha256` carries. */
export function fileSha256(data: Uint8Array): string {
	return createHash('sha256').update(data).digest('hex');
}

/**
 * A SHA-256 as 64 lowercase hex digits, from the hex or the base64 form the
 * sources use (whatsapp-web.js `filehash` and Meta's `sha256` are base64); null
 * for anything that is not a 32-byte digest.
 */
export function sha256Hex(value: unknown): string | null {
	if (typeof value !== 'string') return null;
	if (/^[0-9a-fA-F]{64}$/.test(value)) return value.toLowerCase();
	if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) return null;
	const bytes = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
	return bytes.length === 32 ? bytes.toString('hex') : null;
}
