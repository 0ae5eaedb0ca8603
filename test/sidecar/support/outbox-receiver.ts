/**
 * A real webhook receiver on loopback for the outbox and backfill tests: it
 * verifies every delivery with the core's verifySidecarSignature and records
 * what arrived, in arrival order. How it answers is up to the test.
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
	respond: Responder;
	/** Stops listening and drops open connections (an outage). */
	close(): Promise<void>;
	/** Listens again on the same port. */
	reopen(): Promise<void>;
}

export async function startReceiver(options: { secret: string; now?: () => number; port?: number }): Promise<Receiver> {
	const attempts = new Map<string, number>();
	let server: http.Server | null = null;
	const receiver: Receiver = {
		url: '',
		port: options.port ?? 0,
		all: [],
		accepted: () => receiver.all.filter((d) => d.status >= 200 && d.status < 300),
		respond: (d) => ({ status: d.signatureOk ? 200 : 401 }),
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
			server = http.createServer((req, res) => {
				const chunks: Buffer[] = [];
				req.on('data', (c: Buffer) => chunks.push(c));
				req.on('end', () => {
					const raw = Buffer.concat(chunks);
					const verification = verifySidecarSignature({
						secrets: options.secret,
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
					const base = {
						id,
						timestamp: Number(req.headers['x-webhook-timestamp']),
						signatureOk: verification.ok,
						contentType: req.headers['content-type'],
						raw,
						event,
					};
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
					};
					if (reply.delayMs) setTimeout(answer, reply.delayMs);
					else answer();
				});
			});
			const s = server;
			await new Promise<void>((resolve, reject) => {
				s.once('error', reject);
				s.listen(receiver.port, '127.0.0.1', () => {
					s.off('error', reject);
					resolve();
				});
			});
			receiver.port = (s.address() as AddressInfo).port;
			receiver.url = `http://127.0.0.1:${receiver.port}/webhook/sidecar`;
		},
	};
	await receiver.reopen();
	return receiver;
}

/** Polls until `check` is true (no timed assertion: the test's own timeout is the only limit). */
export async function waitFor(check: () => boolean, intervalMs = 10): Promise<void> {
	while (!check()) await new Promise((r) => setTimeout(r, intervalMs));
}

/** First occurrence of each id, in arrival order. */
export function dedupeById(deliveries: Delivery[]): Delivery[] {
	const seen = new Set<string>();
	return deliveries.filter((d) => (seen.has(d.id) ? false : (seen.add(d.id), true)));
}
