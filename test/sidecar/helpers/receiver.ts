/**
 * A real webhook receiver on loopback: verifies every delivery's signature
 * with the core verifier (401 when it fails) and keeps the events it accepted.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySidecarSignature } from '../../../core/signatures';
import type { NormalizedEvent } from '../../../core/events/types';

export interface Delivery {
	eventId: string;
	event: NormalizedEvent;
	raw: string;
}

export interface Receiver {
	url: string;
	deliveries: Delivery[];
	/** Deliveries whose signature did not verify (should stay empty). */
	rejected: Array<{ reason: string; raw: string }>;
	events(): NormalizedEvent[];
	/** Answer with this status instead of 200 (e.g. 503 for an outage, 400 for a permanent refusal). */
	respondWith(status: number): void;
	waitFor<T extends NormalizedEvent>(predicate: (e: NormalizedEvent) => e is T, timeoutMs?: number): Promise<T>;
	waitFor(predicate: (e: NormalizedEvent) => boolean, timeoutMs?: number): Promise<NormalizedEvent>;
	close(): Promise<void>;
}

/** Listens on `port` when given (e.g. a receiver that comes up where a sidecar already sends), else on any free port. */
export async function startReceiver(secret: string, options: { port?: number } = {}): Promise<Receiver> {
	const deliveries: Delivery[] = [];
	const rejected: Receiver['rejected'] = [];
	let status = 200;
	const listeners = new Set<() => void>();

	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const body = Buffer.concat(chunks);
			const raw = body.toString('utf8');
			const verdict = verifySidecarSignature({ secrets: secret, headers: req.headers, body });
			if (!verdict.ok) {
				rejected.push({ reason: verdict.reason, raw });
				res.writeHead(401).end();
				return;
			}
			if (status !== 200) {
				res.writeHead(status).end();
				return;
			}
			const event = JSON.parse(raw) as NormalizedEvent;
			if (event.eventId !== verdict.id) {
				rejected.push({ reason: 'event id differs from X-Webhook-Id', raw });
				res.writeHead(400).end();
				return;
			}
			deliveries.push({ eventId: verdict.id, event, raw });
			res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
			for (const l of listeners) l();
		});
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, '127.0.0.1', resolve);
	});
	const { port } = server.address() as AddressInfo;

	const waitFor = (predicate: (e: NormalizedEvent) => boolean, timeoutMs = 10000): Promise<NormalizedEvent> =>
		new Promise((resolve, reject) => {
			const check = () => {
				const found = deliveries.find((d) => predicate(d.event));
				if (found) {
					cleanup();
					resolve(found.event);
				}
			};
			const timer = setTimeout(() => {
				cleanup();
				reject(new Error(`no matching event within ${timeoutMs} ms; got types: ${deliveries.map((d) => d.event.type).join(', ')}`));
			}, timeoutMs);
			const cleanup = () => {
				clearTimeout(timer);
				listeners.delete(check);
			};
			listeners.add(check);
			check();
		});

	return {
		url: `http://127.0.0.1:${port}/webhook`,
		deliveries,
		rejected,
		events: () => deliveries.map((d) => d.event),
		respondWith: (s) => {
			status = s;
		},
		waitFor: waitFor as Receiver['waitFor'],
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}
