/**
 * One webhook POST: the exact body bytes, the signed headers, a deadline.
 * Reports the status (and Retry-After) or the failure; never throws.
 *
 * With several webhook URLs (WEBHOOK_URL, comma separated — e.g. two n8n
 * webhook processes), a POST goes to the URL that answered last (the first
 * at start) and, when that one cannot be reached (refused, reset, unknown
 * host, timeout) or answers 502, 503 or 504 (a proxy without a backend, a
 * process not ready), to the next, each at most once per attempt. The
 * attempt's outcome is the last answer; the outbox retries it with backoff
 * as with one URL. Any other answer is what the receivers behind every URL
 * would say, so it ends the attempt — 500 included: the trigger answers 500
 * when the workflow failed, and running it again at once elsewhere would
 * only spend the trigger's "give up after" runs twice as fast.
 * At-least-once stays: a receiver that ran the event but failed to answer in
 * time gets it again, with the same X-Webhook-Id, from another URL.
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

/** Whether the next URL is tried after this outcome. */
export function failsOver(result: PostResult): boolean {
	return !result.ok || result.status === 502 || result.status === 503 || result.status === 504;
}

export function createTransport(webhookUrls: string | readonly string[]): Transport {
	const list = typeof webhookUrls === 'string' ? [webhookUrls] : [...webhookUrls];
	if (list.length === 0) throw new TypeError('webhookUrl must list at least one URL');
	const targets = list.map(singleTarget);
	let current = 0;
	return {
		async post(headers, body, timeoutMs) {
			const start = current;
			let result: PostResult = { ok: false, error: 'not sent', code: null };
			for (let i = 0; i < targets.length; i++) {
				const index = (start + i) % targets.length;
				result = await (targets[index] as Transport).post(headers, body, timeoutMs);
				if (!failsOver(result)) {
					current = index;
					return result;
				}
			}
			return result;
		},
		close() {
			for (const target of targets) target.close();
		},
	};
}

function singleTarget(webhookUrl: string): Transport {
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
