/** A tiny router: `METHOD /literal/:param/…` patterns matched segment by segment on the raw path. */
import type { IncomingMessage } from 'node:http';
import { SidecarError } from '../errors';

export interface RequestContext {
	req: IncomingMessage;
	params: Record<string, string>;
	query: URLSearchParams;
	/** The request body parsed as JSON (`{}` when empty). */
	body(): Promise<unknown>;
}

export interface Reply {
	status: number;
	body: unknown;
	/** Sent as is (for /metrics); `body` is ignored. */
	text?: string;
	/** A file, sent as is with `contentType` and `headers` (the media route); `body` is ignored. */
	bytes?: Buffer;
	contentType?: string;
	headers?: Record<string, string>;
}

export type Handler = (ctx: RequestContext) => Promise<Reply>;

interface Route {
	method: string;
	pattern: string;
	segments: string[];
	handler: Handler;
	/** Served without the API key. */
	public: boolean;
	/** This route's body limit in bytes, instead of the server's (a media upload). */
	bodyLimit?: number;
}

export type Match =
	| { kind: 'found'; route: Route; params: Record<string, string> }
	| { kind: 'method_not_allowed'; allowed: string[] }
	| { kind: 'not_found' };

function split(path: string): string[] {
	return path.split('/').filter((s, i, all) => !(s === '' && (i === 0 || i === all.length - 1)));
}

export class Router {
	private readonly routes: Route[] = [];

	add(method: string, pattern: string, handler: Handler, options: { public?: boolean; bodyLimit?: number } = {}): void {
		this.routes.push({ method, pattern, segments: split(pattern), handler, public: options.public ?? false, bodyLimit: options.bodyLimit });
	}

	/** Whether a request to this path may skip the API key (only exact public routes). */
	isPublic(method: string, rawPath: string): boolean {
		const m = this.match(method, rawPath);
		return m.kind === 'found' && m.route.public;
	}

	match(method: string, rawPath: string): Match {
		const segments = split(rawPath);
		const allowed: string[] = [];
		for (const route of this.routes) {
			const params = matchSegments(route.segments, segments);
			if (!params) continue;
			if (route.method === method) return { kind: 'found', route, params };
			allowed.push(route.method);
		}
		return allowed.length > 0 ? { kind: 'method_not_allowed', allowed } : { kind: 'not_found' };
	}
}

function matchSegments(pattern: string[], actual: string[]): Record<string, string> | null {
	if (pattern.length !== actual.length) return null;
	const params: Record<string, string> = {};
	for (let i = 0; i < pattern.length; i++) {
		const p = pattern[i] as string;
		const a = actual[i] as string;
		if (p.startsWith(':')) {
			if (a === '') return null;
			let decoded: string;
			try {
				decoded = decodeURIComponent(a);
			} catch {
				throw new SidecarError(422, 'invalid_path', `The ${p.slice(1)} in the path is not valid percent-encoding.`, p.slice(1));
			}
			params[p.slice(1)] = decoded;
		} else if (p !== a) {
			return null;
		}
	}
	return params;
}
