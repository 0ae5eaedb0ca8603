/**
 * The one webhook receiver of the sidecar tests (and of the node tests that run
 * the real sidecar): a real node:http server on loopback that verifies every
 * delivery with core's verifySidecarSignature and records every request, in
 * arrival order, with what it answered. By default it answers 200 to a
 * verified delivery whose X-Webhook-Id is the body's eventId, 400 when they
 * differ and 401 when the signature fails; `respondWith` changes the answer to
 * verified deliveries (an outage, a permanent refusal), `respond` takes over
 * completely (slow answers, a sender killed mid-delivery).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySidecarSignature } from '../../../core/signatures';
import type { NormalizedEvent } from '../../../core/events/types';

export interface Delivery {
	/** X-Webhook-Id. */
	id: string;
	/** X-Webhook-Timestamp as a number. */
	timestamp: number;
	signatureOk: boolean;
	contentType: string | undefined;
	/** The raw body bytes as received. */
	raw: Buffer;
	/** The parsed body (an empty object when it is not JSON). */
	event: NormalizedEvent;
	/** What the receiver answered; 0 when the sender was gone before the answer could be sent. */
	status: number;
}

export interface Reply {
	status: number;
	headers?: Record<string, string>;
	/** Hold the answer back this long (a slow receiver). */
	delayMs?: number;
	/** Called once the request is fully read, before answering (e.g. to kill the sender mid-delivery). */
	beforeAnswer?: () => void;
}

export type Responder = (d: Omit<Delivery, 'status'>, attemptsForId: number) => Reply;

export interface Receiver {
	url: string;
	port: number;
	/** Every request, in arrival order, whatever was answered. */
	all: Delivery[];
	/** Requests answered 2xx (acknowledged to a sender still there), in arrival order. */
	accepted(): Delivery[];
	/** The events of the accepted requests. */
	events(): NormalizedEvent[];
	/** Requests whose signature did not verify or whose X-Webhook-Id is not the body's eventId (should stay empty). */
	rejected(): Delivery[];
	/** How the next requests are answered. */
	respond: Responder;
	/** Answer verified deliveries with this status (e.g. 503 for an outage, 400 for a permanent refusal; 200 again to end it). */
	respondWith(status: number): void;
	/** The first accepted event matching, once it has arrived. */
	waitFor<T extends NormalizedEvent>(predicate: (e: NormalizedEvent) => e is T, timeoutMs?: number): Promise<T>;
	waitFor(predicate: (e: NormalizedEvent) => boolean, timeoutMs?: number): Promise<NormalizedEvent>;
	/** Stops listening and drops open connections (an outage). */
	close(): Promise<void>;
	/** Listens again on the same port. */
	reopen(): Promise<void>;
}

const isRejected = (d: Omit<Delivery, 'status'>) => !d.signatureOk || d.event.eventId !== d.id;

/**
 * Listens on `options.port` when given (e.g. a receiver that comes up where a
 * sidecar already sends), else on any free port; `options.now` is the clock
 * the signature's timestamp is checked against.
 */
export async function startReceiver(secret: string, options: { port?: number; now?: () => number } = {}): Promise<Receiver> {
	const attempts = new Map<string, number>();
	const listeners = new Set<() => void>();
	let answerVerified = 200;
	let server: http.Server | null = null;

	const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const raw = Buffer.concat(chunks);
			const verification = verifySidecarSignature({
				secrets: secret,
				headers: req.headers,
				body: raw,
				...(options.now ? { now: Math.floor(options.now() / 1000) } : {}),
			});
			const id = String(req.headers['x-webhook-id'] ?? '');
			let event: NormalizedEvent;
			try {
				event = JSON.parse(raw.toString('utf8')) as NormalizedEvent;
			} catch {
				event = {} as NormalizedEvent;
			}
			const base = { id, timestamp: Number(req.headers['x-webhook-timestamp']), signatureOk: verification.ok, contentType: req.headers['content-type'], raw, event };
			const n = (attempts.get(id) ?? 0) + 1;
			attempts.set(id, n);
			const reply = receiver.respond(base, n);
			const delivery: Delivery = { ...base, status: reply.status };
			receiver.all.push(delivery);
			reply.beforeAnswer?.();
			const answer = () => {
				if (res.destroyed || req.socket.destroyed) {
					// The sender went away before it could hear the answer: not acknowledged.
					delivery.status = 0;
					return;
				}
				res.writeHead(reply.status, { 'Content-Type': 'application/json', ...(reply.headers ?? {}) });
				res.end(JSON.stringify({ ok: reply.status < 300 }));
				for (const l of listeners) l();
			};
			if (reply.delayMs) setTimeout(answer, reply.delayMs);
			else answer();
		});
	};

	const waitFor = (predicate: (e: NormalizedEvent) => boolean, timeoutMs = 10000): Promise<NormalizedEvent> =>
		new Promise((resolve, reject) => {
			const check = () => {
				const found = receiver.events().find(predicate);
				if (found) {
					cleanup();
					resolve(found);
				}
			};
			const timer = setTimeout(() => {
				cleanup();
				reject(new Error(`no matching event within ${timeoutMs} ms; got types: ${receiver.events().map((e) => e.type).join(', ')}`));
			}, timeoutMs);
			const cleanup = () => {
				clearTimeout(timer);
				listeners.delete(check);
			};
			listeners.add(check);
			check();
		});

	const receiver: Receiver = {
		url: '',
		port: options.port ?? 0,
		all: [],
		accepted: () => receiver.all.filter((d) => d.status >= 200 && d.status < 300),
		events: () => receiver.accepted().map((d) => d.event),
		rejected: () => receiver.all.filter(isRejected),
		respond: (d) => ({ status: !d.signatureOk ? 401 : d.event.eventId !== d.id ? 400 : answerVerified }),
		respondWith: (status) => {
			answerVerified = status;
		},
		waitFor: waitFor as Receiver['waitFor'],
		close: async () => {
			const s = server;
			server = null;
			if (!s) return;
			await new Promise<void>((resolve) => {
				s.close(() => resolve());
				s.closeAllConnections();
			});
		},
		reopen: async () => {
			const s = http.createServer(handle);
			server = s;
			await new Promise<void>((resolve, reject) => {
				s.once('error', reject);
				s.listen(receiver.port, '127.0.0.1', () => {
					s.off('error', reject);
					resolve();
				});
			});
			receiver.port = (s.address() as AddressInfo).port;
			receiver.url = `http://127.0.0.1:${receiver.port}/webhook`;
		},
	};
	await receiver.reopen();
	return receiver;
}

/** Polls until `check` is true (no timed assertion: the test's own timeout is the only limit). */
export async function until(check: () => boolean, intervalMs = 10): Promise<void> {
	while (!check()) await new Promise((r) => setTimeout(r, intervalMs));
}

/** First occurrence of each id, in arrival order. */
export function dedupeById(deliveries: Delivery[]): Delivery[] {
	const seen = new Set<string>();
	return deliveries.filter((d) => (seen.has(d.id) ? false : (seen.add(d.id), true)));
}
