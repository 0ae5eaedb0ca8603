/**
 * The real sidecar for the action nodes' tests: in process (createSidecar with
 * the simulator driver, real HTTP on loopback, signed deliveries to a real
 * receiver — test/sidecar/helpers/harness.ts), reached through a pass-through
 * on loopback that records every request the node sent, so a test can say what
 * went over the wire (or that nothing did). A test may also change one answer
 * on its way back (`alterAnswer`), to give the node a reply the simulator does
 * not produce on demand, such as a backfill job that failed.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
	API_KEY,
	linkSession,
	startSidecarUnderTest,
	stopSidecarUnderTest,
	type SidecarUnderTest,
} from '../../../sidecar/helpers/harness';

export interface RecordedRequest {
	method: string;
	path: string;
	headers: http.IncomingHttpHeaders;
	/** The body as text ('' when none). */
	rawBody: string;
	/** The body parsed as JSON, or undefined. */
	body: unknown;
	/** What the node got back (once it has). */
	answer?: SidecarAnswer;
}

export interface SidecarAnswer {
	status: number;
	body: unknown;
}

export interface NodeTestSidecar extends SidecarUnderTest {
	/** The pass-through's URL: what the node's credential points at. */
	url: string;
	apiKey: string;
	/** Every request the node sent, in order. */
	requests: RecordedRequest[];
	/** Returns a different answer for a request, or undefined to pass the sidecar's on. */
	alterAnswer?: (request: RecordedRequest, answer: SidecarAnswer) => SidecarAnswer | undefined;
	/** Starts a session and links a phone to it through the simulator (not recorded). */
	link(sessionId: string, phone?: string): Promise<void>;
	/** Starts a session that waits for its QR code to be scanned (not recorded). */
	startUnlinked(sessionId: string): Promise<void>;
	/** A call to the simulator's controls (`/simulator/sessions/:id/<control>`, not recorded). */
	simulate(sessionId: string, control: string, body?: unknown): Promise<void>;
	close(): Promise<void>;
}

export async function startNodeTestSidecar(env: Record<string, string> = {}): Promise<NodeTestSidecar> {
	const under = await startSidecarUnderTest(env);
	const requests: RecordedRequest[] = [];
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const rawBody = Buffer.concat(chunks).toString('utf8');
			let body: unknown;
			try {
				body = rawBody === '' ? undefined : (JSON.parse(rawBody) as unknown);
			} catch {
				body = undefined;
			}
			const request: RecordedRequest = { method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0]!, headers: req.headers, rawBody, body };
			requests.push(request);
			void forward(req, rawBody).then(
				async (answer) => {
					const altered = sidecar.alterAnswer?.(request, { status: answer.status, body: parse(answer.text) });
					if (altered) {
						request.answer = altered;
						res.writeHead(altered.status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(altered.body));
						return;
					}
					request.answer = { status: answer.status, body: parse(answer.text) };
					res.writeHead(answer.status, { 'content-type': answer.contentType }).end(answer.text);
				},
				() => res.writeHead(502).end(),
			);
		});
	});
	const forward = async (req: http.IncomingMessage, rawBody: string) => {
		const headers: Record<string, string> = {};
		for (const [name, value] of Object.entries(req.headers)) {
			if (value !== undefined && !['host', 'connection', 'content-length'].includes(name)) headers[name] = String(value);
		}
		const answer = await fetch(`${under.run.sidecar.url}${req.url ?? '/'}`, {
			method: req.method,
			headers,
			body: rawBody === '' ? undefined : rawBody,
		});
		return { status: answer.status, contentType: answer.headers.get('content-type') ?? 'application/json', text: await answer.text() };
	};
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

	const control = async (path: string, body?: unknown) => {
		const answer = await under.run.api('POST', path, body);
		if (answer.status !== 200) throw new Error(`POST ${path} gave ${answer.status} ${answer.text}`);
	};
	const sidecar: NodeTestSidecar = {
		...under,
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		apiKey: API_KEY,
		requests,
		link: (sessionId, phone) => linkSession(under.run, (p) => under.receiver.waitFor(p), sessionId, phone),
		async startUnlinked(sessionId) {
			const started = await under.run.api('POST', `/sessions/${sessionId}`);
			if (started.status !== 200 || started.body.state !== 'qr') throw new Error(`start gave ${started.status} ${started.text}`);
		},
		simulate: (sessionId, name, body = {}) => control(`/simulator/sessions/${sessionId}/${name}`, body),
		async close() {
			await new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			});
			await stopSidecarUnderTest(under);
		},
	};
	return sidecar;
}

function parse(text: string): unknown {
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return text;
	}
}

/** Credential data for the sidecar, as a user would save it in n8n. */
export function sidecarCredential(sidecar: NodeTestSidecar, overrides: Record<string, string> = {}): Record<string, string> {
	return { baseUrl: sidecar.url, apiKey: sidecar.apiKey, webhookSecret: 'not-used-by-action-nodes', ...overrides };
}
