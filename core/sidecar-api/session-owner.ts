/**
 * Which sidecar owns a WhatsApp session, when sessions are spread over
 * several sidecars: the one decision both sides make — the nodes, to find a
 * session's sidecar (nodes/shared/sidecar-client.ts), and a sidecar told its
 * peers, to refuse a session that is not its own (sidecar/src/http/routes/sessions.ts).
 *
 * Rendezvous (highest-random-weight) hashing: every sidecar URL gets a weight
 * for the session, SHA-256 of `<sessionId>\n<url>`, and the highest weight
 * owns it. Nothing is stored or shared, the order of the list does not
 * matter, and adding an instance moves only the sessions the new one now
 * wins (about 1/N of them); removing one moves only its own sessions. Each
 * moved session must be moved by hand (its auth folder, or linked again):
 * sidecar/README.md, "Several sidecars".
 */
import { createHash } from 'node:crypto';

/**
 * A sidecar URL as it takes part in the choice: scheme and host lower-cased,
 * no trailing slash, no default port (`HTTP://Sidecar-1:80/` → `http://sidecar-1`).
 * Null when it is not an http(s) URL.
 */
export function normalizeSidecarUrl(raw: string): string | null {
	const text = raw.trim();
	if (!/^https?:\/\/[^/]/i.test(text)) return null;
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		return null;
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
	const path = url.pathname.replace(/\/+$/, '');
	return `${url.protocol}//${url.host}${path}`;
}

/** The URLs of a list typed by a person: one per line, or separated by commas or spaces. */
export function splitSidecarUrls(text: string): string[] {
	return text
		.split(/[\s,;]+/)
		.map((part) => part.trim())
		.filter((part) => part !== '');
}

export interface SidecarUrlList {
	/** Normalized, each once, in the order given (the first is the credential's Sidecar URL). */
	urls: string[];
	/** What could not be read as an http(s) URL, as typed. */
	invalid: string[];
}

/** Normalizes and de-duplicates a list of sidecar URLs (a URL listed twice counts once). */
export function sidecarUrlList(raw: readonly string[]): SidecarUrlList {
	const urls: string[] = [];
	const invalid: string[] = [];
	for (const entry of raw) {
		const url = normalizeSidecarUrl(entry);
		if (url === null) invalid.push(entry);
		else if (!urls.includes(url)) urls.push(url);
	}
	return { urls, invalid };
}

function weight(sessionId: string, url: string): string {
	return createHash('sha256').update(`${sessionId}\n${url}`, 'utf8').digest('hex');
}

/**
 * The owner of `sessionId` among `urls` (normalized, see sidecarUrlList): the
 * URL with the highest weight. Session ids are UUIDs, so case and surrounding
 * blanks do not count (the sidecar stores them lower-case). Throws on an empty list.
 */
export function sessionOwner(rawSessionId: string, urls: readonly string[]): string {
	if (urls.length === 0) throw new TypeError('sessionOwner needs at least one sidecar URL');
	if (urls.length === 1) return urls[0] as string;
	const sessionId = rawSessionId.trim().toLowerCase();
	let best = urls[0] as string;
	let bestWeight = weight(sessionId, best);
	for (const url of urls.slice(1)) {
		const w = weight(sessionId, url);
		// Hex digests of equal length compare like the numbers they are; a tie (never seen) goes to the smaller URL.
		if (w > bestWeight || (w === bestWeight && url < best)) {
			best = url;
			bestWeight = w;
		}
	}
	return best;
}
