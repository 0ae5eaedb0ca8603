/**
 * A local HTTP server speaking Meta's Graph API wire format for the calls
 * this package makes with the WhatsApp Cloud API credential:
 *
 * - `POST /{version}/{phone_number_id}/messages` → 200
 *   `{ messaging_product: 'whatsapp', contacts: [{ input, wa_id }], messages: [{ id: 'wamid.…' }] }`
 *   for text, template (header / body / button components checked against the
 *   approved template), image / document / video / audio (exactly one of `id`
 *   — an uploaded one — or `link`; no caption on audio; `filename` on documents
 *   only), location, reaction, with an optional `context.message_id`; and
 *   `{ messaging_product, status: 'read', message_id }` → `{ success: true }`
 * - `POST /{version}/{phone_number_id}/media` (multipart: messaging_product,
 *   type, file) → `{ id }`; Meta's size limits per kind
 * - `GET /{version}/{phone_number_id}?fields=…` (the credential test) →
 *   `{ display_phone_number, verified_name, id }`
 * - Media a customer sent (`receiveMedia` puts it there, as Meta does before
 *   the webhook carries its id): `GET /{version}/{media id}[?phone_number_id=…]`
 *   → `{ messaging_product, url, mime_type, sha256, file_size, id }` (Meta's
 *   "Retrieve Media URL"; `file_size` as the string Meta's reference shows), and
 *   `GET <url>` with `Authorization: Bearer <token>` → the bytes with their
 *   Content-Type (Meta's "Download Media"; the URL is on another path, like
 *   lookaside.fbsbx.com, and valid for 5 minutes: later, 404). Without the
 *   token the URL answers 401; an unknown, deleted (`expireMedia`) or other
 *   phone number's media id answers 400, code 100, subcode 33.
 *
 * Errors use Meta's envelope `{ error: { message, type, code, error_subcode?,
 * error_data?: { messaging_product, details }, fbtrace_id } }` with Meta's
 * HTTP statuses: a missing token (400, code 104), a wrong one (401, 190, with
 * `WWW-Authenticate`), an unknown phone number id (400, 100/33), missing
 * parameters (400, 100), an unknown template (404, 132001), a wrong number of
 * template parameters (400, 132000), and any error a test scripts for a
 * recipient (`failFor`), e.g. 131047 for a customer outside the 24-hour window.
 */
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GraphRequest {
	method: string;
	/** Path without the query string. */
	path: string;
	query: URLSearchParams;
	headers: http.IncomingHttpHeaders;
	rawBody: string;
	body: unknown;
}

export interface ScriptedGraphError {
	/** HTTP status (default 400). */
	status?: number;
	code: number;
	subcode?: number;
	/** Meta's message; defaults to Meta's own wording for known codes. */
	message?: string;
	/** `error_data.details`; defaults to Meta's wording for known codes. */
	details?: string;
	type?: string;
}

export interface ApprovedTemplate {
	name: string;
	language: string;
	/** How many `{{n}}` variables the body has. */
	bodyParameters: number;
	/** A header that takes a parameter: a text variable or a media file. */
	header?: 'text' | 'image' | 'video' | 'document';
	/** The template's buttons that take a parameter, by index. */
	buttons?: Record<number, 'quick_reply' | 'url'>;
}

/** A file received on `POST /{phone_number_id}/media` (its bytes' size and SHA-256, not the bytes). */
export interface UploadedMedia {
	id: string;
	type: string;
	fileName: string | null;
	mimeType: string | null;
	size: number;
	sha256: string;
}

export interface MetaGraphStandIn {
	/** `http://127.0.0.1:<port>`: the credential's Graph API Base URL. */
	url: string;
	accessToken: string;
	phoneNumberId: string;
	requests: GraphRequest[];
	/** Every send request received, in order. */
	sends(): GraphRequest[];
	/** Answer sends to this recipient (`to` digits) with this error. */
	failFor(toDigits: string, error: ScriptedGraphError): void;
	/** Meta resolves some numbers to another wa_id (e.g. Brazil's 8-digit mobiles); default: the digits sent. */
	waIds: Map<string, string>;
	templates: ApprovedTemplate[];
	/** Files uploaded, in order. */
	uploads: UploadedMedia[];
	/** A file a customer sent: Meta holds it under a new media id (returned), as the webhook's `image.id` etc. would say. */
	receiveMedia(bytes: Buffer, mimeType: string, options?: { phoneNumberId?: string }): string;
	/** Meta no longer has this media (deleted, or older than 30 days). */
	expireMedia(mediaId: string): void;
	/** Download URLs handed out from now on are already expired (older than 5 minutes). */
	expireUrlsAfterMs: number;
	close(): Promise<void>;
}

/** A file Meta holds for a phone number. */
interface HeldMedia {
	bytes: Buffer;
	mimeType: string;
	phoneNumberId: string;
}

/** Meta's media URLs are valid for 5 minutes. */
const MEDIA_URL_LIFETIME_MS = 5 * 60 * 1000;
/** Where the stand-in serves media files (Meta: https://lookaside.fbsbx.com/whatsapp_business/attachments/). */
const MEDIA_DOWNLOAD_PATH = '/whatsapp_business/attachments/';

/** Meta's wording for the errors tests script. */
const META_WORDING: Record<number, { message: string; details?: string; status?: number }> = {
	131026: { message: '(#131026) Message Undeliverable.', details: 'Message Undeliverable.' },
	131030: {
		message: '(#131030) Recipient phone number not in allowed list',
		details: 'Recipient phone number not in allowed list: Add recipient phone number to recipient list and try again.',
	},
	131047: {
		message: '(#131047) Re-engagement message',
		details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
	},
	131056: {
		message: '(#131056) (Business Account, Consumer Account) pair rate limit hit',
		details: 'Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.',
	},
	130429: { message: '(#130429) Rate limit hit', details: 'Cloud API message throughput has been reached.' },
	368: { message: 'Temporarily blocked for policies violations' },
	80007: { message: '(#80007) There have been too many calls to this WhatsApp Business account.' },
};

function fbtraceId(): string {
	return randomBytes(9).toString('base64').replace(/[+/=]/g, 'A');
}

function wamid(): string {
	return `wamid.HBgN${randomBytes(30).toString('base64')}`;
}

export async function startMetaGraphStandIn(
	options: { accessToken?: string; phoneNumberId?: string; displayPhoneNumber?: string; verifiedName?: string } = {},
): Promise<MetaGraphStandIn> {
	const accessToken = options.accessToken ?? `EAAG${randomBytes(24).toString('hex')}`;
	const phoneNumberId = options.phoneNumberId ?? '106540352242922';
	const requests: GraphRequest[] = [];
	const failures = new Map<string, ScriptedGraphError>();
	const waIds = new Map<string, string>();
	const templates: ApprovedTemplate[] = [
		{ name: 'hello_world', language: 'en_US', bodyParameters: 0 },
		{ name: 'order_update', language: 'pt_BR', bodyParameters: 2 },
		{ name: 'order_update', language: 'en_US', bodyParameters: 2 },
		{ name: 'invoice_ready', language: 'en_US', bodyParameters: 1, header: 'document', buttons: { 0: 'url', 1: 'quick_reply' } },
		{ name: 'welcome_banner', language: 'pt_BR', bodyParameters: 0, header: 'image' },
		{ name: 'order_number_header', language: 'en_US', bodyParameters: 0, header: 'text' },
	];
	const uploads: UploadedMedia[] = [];

	const media = new Map<string, HeldMedia>();
	const urlLifetime = { ms: MEDIA_URL_LIFETIME_MS };
	let baseUrl = '';

	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const rawBytes = Buffer.concat(chunks);
			const rawBody = rawBytes.toString('utf8');
			const url = new URL(req.url ?? '/', 'http://stand-in');
			let body: unknown;
			try {
				body = rawBody === '' ? undefined : (JSON.parse(rawBody) as unknown);
			} catch {
				body = undefined;
			}
			const request: GraphRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, rawBody, body };
			requests.push(request);

			const send = (status: number, payload: unknown, headers: http.OutgoingHttpHeaders = {}) => {
				res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'x-fb-trace-id': fbtraceId(), ...headers });
				res.end(JSON.stringify(payload));
			};
			const fail = (status: number, error: Record<string, unknown>, headers: http.OutgoingHttpHeaders = {}) =>
				send(status, { error: { ...error, fbtrace_id: fbtraceId() } }, headers);
			const invalidParameter = (message: string) => fail(400, { message, type: 'OAuthException', code: 100 });
			const header = /^Bearer\s+(.+)$/i.exec(String(req.headers.authorization ?? ''));
			const token = header ? (header[1] as string).trim() : url.searchParams.get('access_token');

			// Download Media: the URL from Retrieve Media URL, with the same access token.
			if (url.pathname === MEDIA_DOWNLOAD_PATH) {
				if (request.method !== 'GET') return fail(405, { message: 'Method not allowed', type: 'OAuthException', code: 2500 });
				if (token !== accessToken) return fail(401, { message: 'Invalid OAuth access token - Cannot parse access token', type: 'OAuthException', code: 190 });
				const held = media.get(url.searchParams.get('mid') ?? '');
				const expires = Number(url.searchParams.get('ext') ?? '0') * 1000;
				if (!held || Date.now() > expires) {
					res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
					return res.end('<html><body>Not Found</body></html>');
				}
				res.writeHead(200, { 'content-type': held.mimeType, 'content-length': String(held.bytes.length), 'x-fb-trace-id': fbtraceId() });
				return res.end(held.bytes);
			}

			const segments = url.pathname.split('/').filter((segment) => segment !== '');
			const [version, objectId, edge] = segments;
			if (!version || !/^v\d+\.\d+$/.test(version) || segments.length < 2 || segments.length > 3) {
				return fail(400, { message: `Unknown path components: ${url.pathname}`, type: 'OAuthException', code: 2500 });
			}

			// Access token: the Authorization header (or access_token in the query, which Meta also takes).
			if (!token) {
				return fail(400, { message: 'An access token is required to request this resource.', type: 'OAuthException', code: 104 });
			}
			if (token !== accessToken) {
				return fail(
					401,
					{ message: 'Invalid OAuth access token - Cannot parse access token', type: 'OAuthException', code: 190 },
					{ 'www-authenticate': 'OAuth "Facebook Platform" "invalid_token" "Invalid OAuth access token - Cannot parse access token"' },
				);
			}
			// Retrieve Media URL: GET /{version}/{media id}, optionally only for one phone number's media.
			const held = objectId !== undefined ? media.get(objectId) : undefined;
			const askedNumber = url.searchParams.get('phone_number_id');
			if (request.method === 'GET' && edge === undefined && held && (askedNumber === null || askedNumber === held.phoneNumberId)) {
				const ext = Math.floor((Date.now() + urlLifetime.ms) / 1000);
				const hash = createHash('sha256').update(`${objectId}:${ext}`).digest('base64url').slice(0, 22);
				return send(200, {
					messaging_product: 'whatsapp',
					url: `${baseUrl}${MEDIA_DOWNLOAD_PATH}?mid=${objectId}&ext=${ext}&hash=${hash}`,
					mime_type: held.mimeType,
					sha256: createHash('sha256').update(held.bytes).digest('hex'),
					file_size: String(held.bytes.length),
					id: objectId,
				});
			}
			if (objectId !== phoneNumberId) {
				const verb = request.method === 'GET' ? 'get' : 'post';
				return fail(400, {
					message: `Unsupported ${verb} request. Object with ID '${objectId}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
					type: 'GraphMethodException',
					code: 100,
					error_subcode: 33,
				});
			}

			if (request.method === 'GET' && edge === undefined) {
				const all: Record<string, string> = {
					display_phone_number: options.displayPhoneNumber ?? '+1 555-010-4477',
					verified_name: options.verifiedName ?? 'Test Business',
					quality_rating: 'GREEN',
					id: phoneNumberId,
				};
				const fields = (url.searchParams.get('fields') ?? 'verified_name,display_phone_number,quality_rating').split(',').map((field) => field.trim());
				return send(200, { ...Object.fromEntries(fields.filter((field) => field in all).map((field) => [field, all[field]])), id: phoneNumberId });
			}
			if (request.method === 'POST' && edge === 'media') {
				const parts = parseMultipart(String(req.headers['content-type'] ?? ''), rawBytes);
				if (!parts) return invalidParameter('(#100) The parameter file is required.');
				const field = (name: string) => parts.find((part) => part.name === name);
				if (field('messaging_product')?.data.toString('utf8') !== 'whatsapp') return invalidParameter('(#100) The parameter messaging_product is required.');
				const file = field('file');
				if (!file || file.data.length === 0) return invalidParameter('(#100) The parameter file is required.');
				const type = field('type')?.data.toString('utf8') ?? '';
				if (!/^[a-z]+\/[\w.+-]+$/.test(type)) return invalidParameter('(#100) The parameter type is required.');
				const limit = type.startsWith('image/') ? 5 : type.startsWith('video/') || type.startsWith('audio/') ? 16 : 100;
				if (file.data.length > limit * 1024 * 1024) {
					return fail(400, { message: '(#131053) Media upload error', type: 'OAuthException', code: 131053, error_data: { messaging_product: 'whatsapp', details: `File too large: ${type} files must be ${limit}MB or smaller` } });
				}
				const id = String(1000000000000000 + Math.floor(Math.random() * 8999999999999999));
				uploads.push({ id, type, fileName: file.fileName, mimeType: file.contentType, size: file.data.length, sha256: createHash('sha256').update(file.data).digest('hex') });
				return send(200, { id });
			}
			if (request.method !== 'POST' || edge !== 'messages') {
				return fail(400, { message: `Unknown path components: /${edge ?? ''}`, type: 'OAuthException', code: 2500 });
			}

			// POST /{version}/{phone_number_id}/messages
			if (!body || typeof body !== 'object' || Array.isArray(body)) return invalidParameter('(#100) The parameter messaging_product is required.');
			const message = body as Record<string, unknown>;
			if (message.messaging_product !== 'whatsapp') return invalidParameter('(#100) The parameter messaging_product is required.');
			if (message.status !== undefined) {
				// Mark as read: exactly messaging_product, status 'read', message_id.
				if (message.status !== 'read') return invalidParameter('(#100) Param status must be one of {READ} - got "' + String(message.status) + '".');
				if (typeof message.message_id !== 'string' || message.message_id === '') return invalidParameter('(#100) The parameter message_id is required.');
				const extra = Object.keys(message).filter((key) => !['messaging_product', 'status', 'message_id', 'typing_indicator'].includes(key));
				if (extra.length > 0) return invalidParameter(`(#100) Unexpected key "${extra[0]}" on param.`);
				return send(200, { success: true });
			}
			if (message.context !== undefined) {
				const context = message.context as { message_id?: unknown } | null;
				if (!context || typeof context !== 'object' || typeof context.message_id !== 'string' || context.message_id === '') {
					return invalidParameter("(#100) The parameter context['message_id'] is required.");
				}
			}
			if (typeof message.to !== 'string' || message.to === '') return invalidParameter('(#100) The parameter to is required.');
			const type = message.type ?? 'text';
			if (type === 'text') {
				const text = message.text as { body?: unknown } | undefined;
				if (!text || typeof text.body !== 'string' || text.body === '') return invalidParameter("(#100) The parameter text['body'] is required.");
			} else if (type === 'template') {
				const template = message.template as { name?: unknown; language?: { code?: unknown }; components?: unknown } | undefined;
				if (!template || typeof template.name !== 'string') return invalidParameter("(#100) The parameter template['name'] is required.");
				if (!template.language || typeof template.language.code !== 'string') {
					return invalidParameter("(#100) The parameter template['language'] is required.");
				}
				const approved = templates.find((t) => t.name === template.name && t.language === template.language?.code);
				if (!approved) {
					return fail(404, {
						message: '(#132001) Template name does not exist in the translation',
						type: 'OAuthException',
						code: 132001,
						error_data: {
							messaging_product: 'whatsapp',
							details: `template name (${template.name}) does not exist in ${template.language.code}`,
						},
					});
				}
				const components = Array.isArray(template.components)
					? (template.components as Array<{ type?: unknown; sub_type?: unknown; index?: unknown; parameters?: unknown }>)
					: [];
				const mismatch = (where: string, given: number, expected: number) =>
					fail(400, {
						message: '(#132000) Number of parameters does not match the expected number of params',
						type: 'OAuthException',
						code: 132000,
						error_data: {
							messaging_product: 'whatsapp',
							details: `${where}: number of localizable_params (${given}) does not match the expected number of params (${expected})`,
						},
					});
				const bodyComponent = components.find((component) => component.type === 'body');
				const given = Array.isArray(bodyComponent?.parameters) ? bodyComponent.parameters.length : 0;
				if (given !== approved.bodyParameters) return mismatch('body', given, approved.bodyParameters);
				const headerComponent = components.find((component) => component.type === 'header');
				const headerParameters = Array.isArray(headerComponent?.parameters) ? (headerComponent.parameters as Array<Record<string, any>>) : [];
				if (headerParameters.length !== (approved.header ? 1 : 0)) return mismatch('header', headerParameters.length, approved.header ? 1 : 0);
				const headerParameter = headerParameters[0];
				if (headerParameter) {
					if (headerParameter.type !== approved.header) {
						return invalidParameter(`(#100) Header parameter type ${String(headerParameter.type)} does not match the template's header format ${String(approved.header).toUpperCase()}.`);
					}
					const format = approved.header as string;
					if (format === 'text' ? typeof headerParameter.text !== 'string' || headerParameter.text === '' : mediaProblem(headerParameter[format], format, uploads) !== null) {
						return invalidParameter(`(#100) Invalid parameter: header ${format}.`);
					}
				}
				const buttons = components.filter((component) => component.type === 'button');
				for (const [index, subType] of Object.entries(approved.buttons ?? {})) {
					const button = buttons.find((candidate) => candidate.index === index);
					if (!button) return mismatch(`button ${index}`, 0, 1);
					if (button.sub_type !== subType) return invalidParameter(`(#100) Button at index ${index} is a ${subType.toUpperCase()} button.`);
					const parameters = Array.isArray(button.parameters) ? (button.parameters as Array<Record<string, unknown>>) : [];
					const ok =
						parameters.length === 1 &&
						(subType === 'quick_reply'
							? parameters[0]!.type === 'payload' && typeof parameters[0]!.payload === 'string'
							: parameters[0]!.type === 'text' && typeof parameters[0]!.text === 'string');
					if (!ok) return invalidParameter(`(#100) Invalid parameter for button at index ${index}.`);
				}
				const extraButton = buttons.find((button) => !Object.keys(approved.buttons ?? {}).includes(String(button.index)));
				if (extraButton) return invalidParameter(`(#100) The template has no button with a parameter at index ${String(extraButton.index)}.`);
			} else if (type === 'image' || type === 'document' || type === 'video' || type === 'audio' || type === 'sticker') {
				const media = message[type] as Record<string, unknown> | undefined;
				const problem = mediaProblem(media, type, uploads);
				if (problem) return invalidParameter(problem);
			} else if (type === 'location') {
				const location = message.location as { latitude?: unknown; longitude?: unknown } | undefined;
				if (!location || typeof location.latitude !== 'number' || typeof location.longitude !== 'number') {
					return invalidParameter("(#100) The parameter location['latitude'] and location['longitude'] are required.");
				}
			} else if (type === 'reaction') {
				const reaction = message.reaction as { message_id?: unknown; emoji?: unknown } | undefined;
				if (!reaction || typeof reaction.message_id !== 'string' || reaction.message_id === '') return invalidParameter("(#100) The parameter reaction['message_id'] is required.");
				if (typeof reaction.emoji !== 'string') return invalidParameter("(#100) The parameter reaction['emoji'] is required.");
			} else {
				return invalidParameter(`(#100) Param type must be one of {AUDIO, CONTACTS, DOCUMENT, IMAGE, INTERACTIVE, LOCATION, REACTION, STICKER, TEMPLATE, TEXT, VIDEO} - got "${String(type)}".`);
			}

			const scripted = failures.get(message.to);
			if (scripted) {
				const wording = META_WORDING[scripted.code];
				return fail(scripted.status ?? wording?.status ?? 400, {
					message: scripted.message ?? wording?.message ?? `(#${scripted.code}) Error`,
					type: scripted.type ?? 'OAuthException',
					code: scripted.code,
					...(scripted.subcode !== undefined ? { error_subcode: scripted.subcode } : {}),
					...((scripted.details ?? wording?.details) !== undefined
						? { error_data: { messaging_product: 'whatsapp', details: scripted.details ?? wording?.details } }
						: {}),
				});
			}
			const to = message.to.replace(/^\+/, '');
			return send(200, {
				messaging_product: 'whatsapp',
				contacts: [{ input: message.to, wa_id: waIds.get(to) ?? to }],
				messages: [{ id: wamid(), ...(type === 'template' ? { message_status: 'accepted' } : {}) }],
			});
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	return {
		url: baseUrl,
		accessToken,
		phoneNumberId,
		requests,
		sends: () => requests.filter((request) => request.method === 'POST' && request.path.endsWith('/messages')),
		failFor: (toDigits, error) => failures.set(toDigits, error),
		waIds,
		templates,
		uploads,
		receiveMedia: (bytes, mimeType, mediaOptions = {}) => {
			const id = String(1000000000000000 + Math.floor(Math.random() * 8999999999999999));
			media.set(id, { bytes, mimeType, phoneNumberId: mediaOptions.phoneNumberId ?? phoneNumberId });
			return id;
		},
		expireMedia: (mediaId) => {
			media.delete(mediaId);
		},
		get expireUrlsAfterMs() {
			return urlLifetime.ms;
		},
		set expireUrlsAfterMs(ms: number) {
			urlLifetime.ms = ms;
		},
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}

/** Credential data for the stand-in, as a user would save it in n8n. */
export function cloudApiCredential(standIn: MetaGraphStandIn, overrides: Record<string, string> = {}): Record<string, string> {
	return {
		accessToken: standIn.accessToken,
		phoneNumberId: standIn.phoneNumberId,
		graphBaseUrl: standIn.url,
		graphApiVersion: 'v21.0',
		appSecret: 'not-used-for-sending',
		verifyToken: 'not-used-for-sending',
		...overrides,
	};
}

/** What Meta refuses in a media object (`image`, `document`, …), or null. */
function mediaProblem(media: unknown, type: string, uploads: UploadedMedia[]): string | null {
	if (!media || typeof media !== 'object') return `(#100) The parameter ${type} is required.`;
	const { id, link, caption, filename, voice, ...rest } = media as Record<string, unknown>;
	if (Object.keys(rest).length > 0) return `(#100) Unexpected key "${Object.keys(rest)[0]}" on param ${type}.`;
	if ((id === undefined) === (link === undefined)) return `(#100) Param ${type} must contain exactly one of id or link.`;
	if (id !== undefined && !uploads.some((upload) => upload.id === id)) return `(#100) Invalid parameter: ${type}['id'] is not a media id of this phone number.`;
	if (link !== undefined && (typeof link !== 'string' || !/^https?:\/\//.test(link))) return `(#100) Param ${type}['link'] must be a valid URL.`;
	if (caption !== undefined && (type === 'audio' || typeof caption !== 'string')) return `(#100) Unexpected key "caption" on param ${type}.`;
	if (filename !== undefined && type !== 'document') return `(#100) Unexpected key "filename" on param ${type}.`;
	if (caption !== undefined && type === 'sticker') return `(#100) Unexpected key "caption" on param ${type}.`;
	if (voice !== undefined && (type !== 'audio' || typeof voice !== 'boolean')) return `(#100) Unexpected key "voice" on param ${type}.`;
	return null;
}

interface MultipartPart {
	name: string;
	fileName: string | null;
	contentType: string | null;
	data: Buffer;
}

/** A multipart/form-data body's parts, or null when it is not one. */
function parseMultipart(contentType: string, body: Buffer): MultipartPart[] | null {
	const match = /^multipart\/form-data;\s*boundary=("?)([^";]+)\1/i.exec(contentType);
	if (!match) return null;
	const delimiter = Buffer.from(`--${match[2]}`);
	const parts: MultipartPart[] = [];
	let position = body.indexOf(delimiter);
	while (position !== -1) {
		const start = position + delimiter.length;
		if (body.subarray(start, start + 2).toString() === '--') break;
		const next = body.indexOf(delimiter, start);
		if (next === -1) return null;
		const part = body.subarray(start + 2, next - 2); // skip CRLF after the delimiter and before the next
		const headerEnd = part.indexOf('\r\n\r\n');
		if (headerEnd === -1) return null;
		const headers = part.subarray(0, headerEnd).toString('utf8');
		const name = /name="([^"]*)"/i.exec(headers)?.[1];
		if (name === undefined) return null;
		parts.push({
			name,
			fileName: /filename="([^"]*)"/i.exec(headers)?.[1] ?? null,
			contentType: /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1]?.trim() ?? null,
			data: part.subarray(headerEnd + 4),
		});
		position = next;
	}
	return parts;
}
