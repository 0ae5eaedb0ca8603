/** Reads a JSON request body: at most `limit` bytes (413), JSON only (415), valid JSON (422). */
import type { IncomingMessage } from 'node:http';
import { SidecarError } from '../errors';

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

export async function readJsonBody(req: IncomingMessage, limit = DEFAULT_BODY_LIMIT): Promise<unknown> {
	const declared = Number(req.headers['content-length'] ?? NaN);
	if (Number.isFinite(declared) && declared > limit) {
		throw new SidecarError(413, 'body_too_large', `The request body is larger than ${limit} bytes.`);
	}
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of req) {
		const buf = chunk as Buffer;
		size += buf.length;
		// Stop reading at once; the server answers 413 and closes the connection.
		if (size > limit) throw new SidecarError(413, 'body_too_large', `The request body is larger than ${limit} bytes.`);
		chunks.push(buf);
	}
	if (size === 0) return {};
	const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
	if (type !== 'application/json' && !/^application\/[\w.+-]+\+json$/.test(type)) {
		throw new SidecarError(415, 'unsupported_media_type', 'Send the body as JSON (Content-Type: application/json).');
	}
	try {
		return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
	} catch {
		throw new SidecarError(422, 'invalid_json', 'The request body is not valid JSON.', 'body');
	}
}

/** The body as an object (arrays and scalars are refused with 422). */
export function asObject(body: unknown): Record<string, unknown> {
	if (body === null || typeof body !== 'object' || Array.isArray(body)) {
		throw new SidecarError(422, 'invalid_input', 'The request body must be a JSON object.', 'body');
	}
	return body as Record<string, unknown>;
}
