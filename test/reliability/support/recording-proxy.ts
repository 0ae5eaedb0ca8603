/**
 * A transparent HTTP proxy between the sidecar and n8n that records every
 * delivery exactly as it was sent (bytes and signed headers) — what someone
 * capturing the traffic would have — and can lose n8n's acknowledgement of a
 * delivery (n8n ran it, the sidecar hears 503), which makes the sidecar's
 * outbox deliver it again with a fresh signature.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedDelivery {
	eventId: string;
	headers: Record<string, string>;
	body: Buffer;
	/** n8n's status; the sidecar got 503 instead when the acknowledgement was lost. */
	status: number;
	acknowledgementLost: boolean;
}

export interface RecordingProxy {
	readonly url: string;
	/** The target (n8n's trigger URL), set once known. */
	target: string;
	readonly deliveries: RecordedDelivery[];
	/** Loses the first acknowledgement of every event whose id starts with one of these prefixes. */
	readonly loseFirstAcknowledgementOf: Set<string>;
	close(): Promise<void>;
}

const FORWARDED = ['content-type', 'x-webhook-id', 'x-webhook-timestamp', 'x-webhook-signature', 'user-agent'];

function pick(headers: IncomingHttpHeaders): Record<string, string> {
	const out: Record<string, string> = {};
	for (const name of FORWARDED) {
		const value = headers[name];
		if (typeof value === 'string') out[name] = value;
	}
	return out;
}

export async function startRecordingProxy(): Promise<RecordingProxy> {
	const deliveries: RecordedDelivery[] = [];
	const loseFirstAcknowledgementOf = new Set<string>();
	const acknowledgementLostOnce = new Set<string>();
	const proxy: RecordingProxy = {
		url: '',
		target: '',
		deliveries,
		loseFirstAcknowledgementOf,
		close: async () => {},
	};
	const server: Server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', async () => {
			const body = Buffer.concat(chunks);
			const headers = pick(req.headers);
			const eventId = headers['x-webhook-id'] ?? '';
			try {
				const answer = await fetch(proxy.target, { method: 'POST', headers, body, signal: AbortSignal.timeout(120_000) });
				const text = await answer.text();
				const lose =
					answer.ok && !acknowledgementLostOnce.has(eventId) && [...loseFirstAcknowledgementOf].some((prefix) => eventId.startsWith(prefix));
				if (lose) acknowledgementLostOnce.add(eventId);
				deliveries.push({ eventId, headers, body, status: answer.status, acknowledgementLost: lose });
				if (lose) {
					res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"acknowledgement lost on the way"}');
					return;
				}
				const type = answer.headers.get('content-type');
				const retryAfter = answer.headers.get('retry-after');
				res.writeHead(answer.status, { ...(type ? { 'content-type': type } : {}), ...(retryAfter ? { 'retry-after': retryAfter } : {}) }).end(text);
			} catch {
				res.writeHead(502).end();
			}
		});
	});
	server.listen(0, '127.0.0.1');
	await new Promise((resolve) => server.once('listening', resolve));
	Object.assign(proxy, {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/deliveries`,
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	});
	return proxy;
}
