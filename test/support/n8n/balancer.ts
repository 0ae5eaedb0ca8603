/**
 * A tiny round-robin load balancer on loopback, in front of n8n's webhook
 * processes — what nginx or a cloud load balancer is in a queue-mode
 * deployment (deploy/docker-compose.queue.yml). Each request goes to the next
 * backend; one that refuses the connection (a process that is down) is
 * skipped for the next. Answers are passed through unchanged, and a client
 * that gives up closes the request to the backend too (as nginx does).
 *
 * It records every request it forwarded (bytes and headers, as sent): what
 * someone capturing the traffic would have, for replaying a delivery.
 */
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface BalancedRequest {
	method: string;
	path: string;
	headers: Record<string, string>;
	body: Buffer;
	/** The backend that answered (its base URL), and its status. */
	backend: string;
	status: number;
}

export interface Balancer {
	/** `http://127.0.0.1:<port>` */
	readonly url: string;
	/** Base URLs of the backends, in round-robin order (set or changed at any time). */
	backends: string[];
	/** Every request that reached a backend and got an answer, in order of answer. */
	readonly forwarded: BalancedRequest[];
	/** How many answers each backend gave. */
	answersBy(backend: string): number;
	close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'host', 'content-length']);

function forwardable(headers: IncomingHttpHeaders): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [name, value] of Object.entries(headers)) {
		if (HOP_BY_HOP.has(name) || value === undefined) continue;
		out[name] = Array.isArray(value) ? value.join(', ') : value;
	}
	return out;
}

export async function startBalancer(backends: string[] = []): Promise<Balancer> {
	let next = 0;
	const forwarded: BalancedRequest[] = [];
	const answers = new Map<string, number>();
	const balancer = {
		url: '',
		backends,
		forwarded,
		answersBy: (backend: string) => answers.get(backend) ?? 0,
		close: async () => {},
	};

	const tryBackend = (
		backend: string,
		method: string,
		path: string,
		headers: Record<string, string>,
		body: Buffer,
		clientGone: AbortSignal,
	): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer } | 'refused'> =>
		new Promise((resolve, reject) => {
			const target = new URL(path, backend);
			const upstream = request(
				target,
				{ method, headers: { ...headers, 'content-length': String(body.length) }, signal: clientGone },
				(res) => {
					const chunks: Buffer[] = [];
					res.on('data', (chunk: Buffer) => chunks.push(chunk));
					res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
					res.on('error', reject);
				},
			);
			upstream.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNREFUSED' ? resolve('refused') : reject(error)));
			upstream.end(body);
		});

	const server: Server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', async () => {
			const body = Buffer.concat(chunks);
			const headers = forwardable(req.headers);
			const method = req.method ?? 'GET';
			const path = req.url ?? '/';
			const gone = new AbortController();
			res.on('close', () => {
				if (!res.writableFinished) gone.abort();
			});
			const list = balancer.backends;
			for (let tried = 0; tried < list.length; tried++) {
				const backend = list[next++ % list.length];
				try {
					const answer = await tryBackend(backend, method, path, headers, body, gone.signal);
					if (answer === 'refused') continue;
					forwarded.push({ method, path, headers, body, backend, status: answer.status });
					answers.set(backend, (answers.get(backend) ?? 0) + 1);
					const passed = forwardable(answer.headers);
					res.writeHead(answer.status, passed).end(answer.body);
					return;
				} catch {
					// The backend dropped the connection (killed mid-request) or the client left.
					if (!res.headersSent && !gone.signal.aborted) res.writeHead(502).end();
					else res.destroy();
					return;
				}
			}
			res.writeHead(502, { 'content-type': 'text/plain' }).end('no backend is up');
		});
	});
	server.keepAliveTimeout = 1000;
	server.listen(0, '127.0.0.1');
	await new Promise((resolve) => server.once('listening', resolve));
	balancer.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	balancer.close = () =>
		new Promise<void>((resolve) => {
			server.closeAllConnections();
			server.close(() => resolve());
		});
	return balancer;
}
