/**
 * Which sidecar owns a session (core/sidecar-api/session-owner.ts): the same
 * answer every time and whatever the order of the list, sessions spread
 * evenly, and adding or removing a sidecar moves only the sessions it wins or held.
 */
import { createHash, randomUUID } from 'node:crypto';
import { normalizeSidecarUrl, sessionOwner, sidecarUrlList, splitSidecarUrls } from '../../../core/sidecar-api/session-owner';

const A = 'http://sidecar-1:3100';
const B = 'http://sidecar-2:3100';
const C = 'http://sidecar-3:3100';
const D = 'http://sidecar-4:3100';
const SESSIONS = Array.from({ length: 3000 }, () => randomUUID());

const owners = (urls: string[]) => new Map(SESSIONS.map((id) => [id, sessionOwner(id, urls)]));
const countBy = (map: Map<string, string>) => {
	const counts = new Map<string, number>();
	for (const owner of map.values()) counts.set(owner, (counts.get(owner) ?? 0) + 1);
	return counts;
};

describe('sessionOwner', () => {
	it('is stable: fixed answers for fixed ids (a change here would move sessions of every deployment)', () => {
		const urls = [A, B, C];
		expect(sessionOwner('3f2b8c1e-6d4a-4f1b-9c2e-7a5d3b1c9e0f', urls)).toBe(sessionOwner('3f2b8c1e-6d4a-4f1b-9c2e-7a5d3b1c9e0f', urls));
		expect(
			['3f2b8c1e-6d4a-4f1b-9c2e-7a5d3b1c9e0f', '9a1d5e2c-0b7f-4c3a-8d6e-1f2a3b4c5d6e', '5c4b3a29-1807-4f6e-9d5c-4b3a29180706', '0c8f3a52-5b1e-4d7a-9e3c-2a1b0c9d8e7f'].map(
				(id) => sessionOwner(id, urls),
			),
		).toEqual([C, A, B, C]);
	});

	it('is the URL with the highest SHA-256 of "<session id>\\n<url>", as sidecar/README.md documents', () => {
		for (const id of SESSIONS.slice(0, 200)) {
			const weights = [A, B, C].map((url) => [createHash('sha256').update(`${id}\n${url}`).digest('hex'), url] as const).sort();
			expect(sessionOwner(id, [A, B, C])).toBe(weights[2]![1]);
		}
	});

	it('does not depend on the order of the list, nor on the case or blanks of the session id', () => {
		for (const id of SESSIONS.slice(0, 300)) {
			const owner = sessionOwner(id, [A, B, C]);
			expect(sessionOwner(id, [C, A, B])).toBe(owner);
			expect(sessionOwner(id, [B, C, A])).toBe(owner);
			expect(sessionOwner(` ${id.toUpperCase()} `, [A, B, C])).toBe(owner);
		}
	});

	it('with one sidecar, it owns every session', () => {
		expect(new Set(owners([A]).values())).toEqual(new Set([A]));
	});

	it.each([
		[[A, B]],
		[[A, B, C]],
	])('spreads sessions evenly over %j (each within 15%% of its share)', (urls) => {
		const counts = countBy(owners(urls));
		expect([...counts.keys()].sort()).toEqual([...urls].sort());
		const share = SESSIONS.length / urls.length;
		for (const n of counts.values()) expect(Math.abs(n - share) / share).toBeLessThan(0.15);
	});

	it('adding a sidecar moves only the sessions the new one wins (about 1/N), and none between the others', () => {
		const before = owners([A, B, C]);
		const after = owners([A, B, C, D]);
		const moved = SESSIONS.filter((id) => before.get(id) !== after.get(id));
		for (const id of moved) expect(after.get(id)).toBe(D);
		expect(moved.length / SESSIONS.length).toBeGreaterThan(0.25 * 0.8);
		expect(moved.length / SESSIONS.length).toBeLessThan(0.25 * 1.2);
	});

	it("removing a sidecar moves only that sidecar's sessions", () => {
		const before = owners([A, B, C]);
		const after = owners([A, C]);
		for (const id of SESSIONS) {
			if (before.get(id) !== B) expect(after.get(id)).toBe(before.get(id));
			else expect([A, C]).toContain(after.get(id));
		}
	});

	it('refuses an empty list', () => {
		expect(() => sessionOwner(SESSIONS[0]!, [])).toThrow(TypeError);
	});
});

describe('the list of sidecar URLs', () => {
	it('normalizes each URL: scheme and host lower-case, no trailing slash, no default port', () => {
		expect(normalizeSidecarUrl(' HTTP://Sidecar-1:80/ ')).toBe('http://sidecar-1');
		expect(normalizeSidecarUrl('https://sidecar.example.com:443/api//')).toBe('https://sidecar.example.com/api');
		expect(normalizeSidecarUrl('http://127.0.0.1:3100')).toBe('http://127.0.0.1:3100');
		for (const bad of ['', 'sidecar-2:3100', 'ftp://sidecar', 'http://', 'http:///x']) expect(normalizeSidecarUrl(bad)).toBeNull();
	});

	it('reads what a person types: one per line, or separated by commas, blanks ignored; a URL given twice counts once', () => {
		const typed = 'http://sidecar-2:3100\n  http://sidecar-3:3100/ ,http://Sidecar-2:3100\r\n\n';
		expect(splitSidecarUrls(typed)).toEqual(['http://sidecar-2:3100', 'http://sidecar-3:3100/', 'http://Sidecar-2:3100']);
		expect(sidecarUrlList([A, ...splitSidecarUrls(typed), 'sidecar-4'])).toEqual({
			urls: [A, B, C],
			invalid: ['sidecar-4'],
		});
	});

	it('so the owner is the same whichever way a sidecar is written', () => {
		const written = sidecarUrlList(['HTTP://SIDECAR-1:3100/', 'http://sidecar-2:3100//']).urls;
		for (const id of SESSIONS.slice(0, 100)) expect(sessionOwner(id, written)).toBe(sessionOwner(id, [A, B]));
	});
});
