/**
 * One webhook POST: the exact body bytes, the signed headers, a deadline.
 * Reports the status (and Retry-After) or the failure; never throws.
 */
import http from 'node:http';
import https from 'node:https';

export type PostResult =
	| { ok: true; status: number; retryAfter: string | undefined }
	| { ok: false; error: string; code: string | null };

export interface Transport {
	post(headers: Record<string, string>, body: Buffer, timeoutMs: number): Promise<PostResult>;
	close(): void;
}

export function createTransport(webhookUrl: string): Transport {
	const url = new URL(webhookUrl);
	if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		throw new TypeError('webhookUrl must be an http:// or https:// URL');
	}
	const secure = url.protocol === 'https:';
	const agent = secure ? new https.Agent({ keepAlive: true, maxSockets: 16 }) : new http.Agent({ keepAlive: true, maxSockets: 16 });
	const request = secure ? https.request : http.request;

	return {
		post(headers, body, timeoutMs) {
			return new Promise<PostResult>((resolve) => {
				let settled = false;
				const finish = (result: PostResult) => {
					if (settled) return;
					settled = true;
					clearTimeout(timer);
					resolve(result);
				};
				const req = request(url, {
					method: 'POST',
					agent,
					headers: {
						...headers,
						'Content-Type': 'application/json',
						'Content-Length': String(body.length),
						'User-Agent': 'whatsapp-crm-sidecar',
					},
				});
				const timer = setTimeout(() => {
					req.destroy(new Error(`timeout after ${timeoutMs} ms`));
				}, timeoutMs);
				req.on('response', (res) => {
					const status = res.statusCode ?? 0;
					const retryAfter = res.headers['retry-after'];
					// Drain the answer so the connection can be reused; its content is not needed.
					res.on('error', () => undefined);
					res.on('end', () => finish({ ok: true, status, retryAfter }));
					res.on('close', () => finish({ ok: true, status, retryAfter }));
					res.resume();
				});
				req.on('error', (err: NodeJS.ErrnoException) => {
					finish({ ok: false, error: err.message, code: typeof err.code === 'string' ? err.code : null });
				});
				req.end(body);
			});
		},
		close() {
			agent.destroy();
		},
	};
}
