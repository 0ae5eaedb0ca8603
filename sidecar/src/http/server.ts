/**
 * The HTTP API on node:http. Every route needs `Authorization: Bearer
 * <SIDECAR_API_KEY>` except `GET /healthz` (liveness) and `GET /metrics`
 * (Prometheus; no ids or numbers in it). Errors are JSON:
 * `{ error: { code, message, field? } }`.
 */
import http from 'node:http';
import { SidecarError } from '../errors';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { safeError } from '../util/log-safety';
import { createBearerCheck } from './auth';
import { DEFAULT_BODY_LIMIT, readJsonBody } from './body';
import { Router, type Reply } from './router';

export interface HttpServerOptions {
	apiKey: string;
	logger: Logger;
	metrics: Metrics;
	router: Router;
	bodyLimit?: number;
}

function send(res: http.ServerResponse, reply: Reply, close = false): void {
	if (res.headersSent) return;
	const headers: http.OutgoingHttpHeaders = { 'cache-control': 'no-store' };
	if (close) headers.connection = 'close';
	if (reply.bytes !== undefined) {
		Object.assign(headers, reply.headers ?? {});
		headers['content-type'] = reply.contentType ?? 'application/octet-stream';
		headers['content-length'] = String(reply.bytes.length);
		res.writeHead(reply.status, headers);
		res.end(reply.bytes);
		return;
	}
	if (reply.text !== undefined) {
		headers['content-type'] = reply.contentType ?? 'text/plain; charset=utf-8';
		res.writeHead(reply.status, headers);
		res.end(reply.text);
		return;
	}
	headers['content-type'] = 'application/json; charset=utf-8';
	res.writeHead(reply.status, headers);
	res.end(JSON.stringify(reply.body));
}

function errorReply(status: number, code: string, message: string, field?: string): Reply {
	return { status, body: { error: { code, message, ...(field ? { field } : {}) } } };
}

export function createHttpServer(options: HttpServerOptions): http.Server {
	const checkKey = createBearerCheck(options.apiKey);
	const log = options.logger.child({ component: 'http' });
	const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;

	const server = http.createServer((req, res) => {
		const started = process.hrtime.bigint();
		const method = req.method ?? 'GET';
		let routeName = 'unmatched';
		let sessionId: string | undefined;

		const finish = (reply: Reply, close = false) => {
			send(res, reply, close);
			const ms = Number(process.hrtime.bigint() - started) / 1e6;
			options.metrics.counter('whatsapp_sidecar_http_requests_total', 'HTTP requests, by route template, method and status.', {
				route: routeName,
				method,
				status: String(reply.status),
			});
			const level = reply.status >= 500 ? 'warn' : 'debug';
			log[level]({ method, route: routeName, status: reply.status, ms: Math.round(ms), ...(sessionId ? { sessionId } : {}) }, 'request');
		};

		(async () => {
			const rawPath = (req.url ?? '/').split('?')[0] as string;
			const query = new URLSearchParams((req.url ?? '').includes('?') ? (req.url as string).slice((req.url as string).indexOf('?') + 1) : '');
			let match;
			try {
				match = options.router.match(method, rawPath);
			} catch (err) {
				if (err instanceof SidecarError && !checkKey(req.headers.authorization)) {
					return finish(errorReply(401, 'unauthorized', 'Missing or wrong API key (Authorization: Bearer <SIDECAR_API_KEY>).'));
				}
				throw err;
			}
			const isPublic = match.kind === 'found' && match.route.public;
			if (!isPublic && !checkKey(req.headers.authorization)) {
				return finish(errorReply(401, 'unauthorized', 'Missing or wrong API key (Authorization: Bearer <SIDECAR_API_KEY>).'));
			}
			if (match.kind === 'not_found') return finish(errorReply(404, 'not_found', 'No such route.'));
			if (match.kind === 'method_not_allowed') {
				return finish(errorReply(405, 'method_not_allowed', `Allowed: ${[...new Set(match.allowed)].join(', ')}.`));
			}
			routeName = match.route.pattern;
			if (typeof match.params.id === 'string' && /^[0-9a-fA-F-]{36}$/.test(match.params.id)) sessionId = match.params.id.toLowerCase();
			let bodyPromise: Promise<unknown> | null = null;
			const limit = match.route.bodyLimit ?? bodyLimit;
			const reply = await match.route.handler({
				req,
				params: match.params,
				query,
				body: () => (bodyPromise ??= readJsonBody(req, limit)),
			});
			finish(reply);
		})().catch((err: unknown) => {
			if (err instanceof SidecarError) {
				finish(errorReply(err.status, err.code, err.message, err.field), err.status === 413);
				return;
			}
			log.error({ route: routeName, err: safeError(err) }, 'request failed');
			finish(errorReply(500, 'internal_error', 'Internal error.'));
		});
	});
	server.headersTimeout = 30000;
	server.requestTimeout = 120000;
	return server;
}
