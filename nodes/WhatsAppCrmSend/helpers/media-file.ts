/**
 * The file of "Send Media": from a binary field of the input item (through
 * n8n's binary helpers, so every binary data mode — memory, filesystem,
 * database, S3 — works) or from a URL. File bytes are never logged or put into
 * an error message.
 */
import type { IExecuteFunctions, IN8nHttpFullResponse, INode } from 'n8n-workflow';
import { MAX_MEDIA_BYTES } from '../../../core/cloud-api/message-bodies';
import { bareMimeType, cloudApiFileTypeProblem, fileNameFromUrl, KIND_WORDS, mediaKindOf, mimeTypeFromName } from '../../../core/cloud-api/media-kind';
import type { MetaMediaKind } from '../../../core/cloud-api/types';
import { inputError, withErrorCode } from '../../shared/node-errors';
import { NodeOperationError } from 'n8n-workflow';

export type MediaFile =
	| { from: 'bytes'; data: Buffer; mimeType: string; fileName: string | null }
	| { from: 'url'; url: string; mimeType: string | null; fileName: string | null };

const DOWNLOAD_TIMEOUT_MS = 60_000;

/** The file the parameters point at: a binary field's bytes, or a checked http(s) URL (not downloaded). */
export async function readMediaFile(ctx: IExecuteFunctions, itemIndex: number): Promise<MediaFile> {
	const node = ctx.getNode();
	const from = ctx.getNodeParameter('mediaSource', itemIndex, 'binary') as string;
	if (from === 'url') {
		const url = String(ctx.getNodeParameter('mediaUrl', itemIndex, '') ?? '').trim();
		let parsed: URL | null = null;
		try {
			parsed = new URL(url);
		} catch {
			parsed = null;
		}
		if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
			throw inputError(node, "File URL is not a web address. Give the file's full public address, such as https://example.com/invoice.pdf.", {
				itemIndex,
				code: 'invalid_media_url',
			});
		}
		return { from: 'url', url, mimeType: mimeTypeFromName(url), fileName: fileNameFromUrl(url) };
	}
	return await readBinaryFile(ctx, itemIndex, String(ctx.getNodeParameter('binaryPropertyName', itemIndex, 'data') ?? ''));
}

/** The file in an input item's binary field (`data` when the name is blank). */
export async function readBinaryFile(ctx: IExecuteFunctions, itemIndex: number, fieldName: string): Promise<Extract<MediaFile, { from: 'bytes' }>> {
	const node = ctx.getNode();
	const field = fieldName.trim() || 'data';
	let binary;
	try {
		binary = ctx.helpers.assertBinaryData(itemIndex, field);
	} catch {
		throw inputError(
			node,
			`The input item has no file in its binary field "${field}". Set Input Binary Field to the name the earlier node gave the file (its output's Binary tab shows it), or send from a URL instead.`,
			{ itemIndex, code: 'missing_binary' },
		);
	}
	const data = await ctx.helpers.getBinaryDataBuffer(itemIndex, field);
	if (data.length === 0) throw inputError(node, `The file in the binary field "${field}" is empty.`, { itemIndex, code: 'empty_media' });
	const fileName = typeof binary.fileName === 'string' && binary.fileName.trim() !== '' ? binary.fileName.trim() : null;
	const mimeType = bareMimeType(binary.mimeType) || mimeTypeFromName(fileName ?? undefined) || 'application/octet-stream';
	return { from: 'bytes', data, mimeType, fileName };
}

/**
 * Refuses, before anything is uploaded to Meta, a file Meta would refuse as
 * `kind`: of another type (a PNG as a sticker, a PDF in a picture header), or,
 * for bytes in hand, over what WhatsApp accepts for the kind (MAX_MEDIA_BYTES).
 * Each error says what to do instead.
 */
export function checkFileForCloudApi(node: INode, itemIndex: number, file: MediaFile, kind: MetaMediaKind): void {
	const problem = cloudApiFileTypeProblem(kind, file.mimeType, nameOrUrlOf(file));
	if (problem) throw inputError(node, problem, { itemIndex, code: 'media_type_mismatch' });
	if (file.from !== 'bytes') return;
	const limit = MAX_MEDIA_BYTES[kind];
	if (file.data.length <= limit) return;
	throw inputError(
		node,
		`The file is ${megabytes(file.data.length)} MB; WhatsApp accepts at most ${megabytes(limit)} MB for ${KIND_WORDS[kind]}. Send a smaller file${kind === 'document' ? '' : ', or send it as a document (up to 100 MB)'}.`,
		{ itemIndex, code: 'media_too_large' },
	);
}

/** What tells a file's type besides its MIME type: its name, else its URL. */
function nameOrUrlOf(file: MediaFile): string | undefined {
	return file.fileName ?? (file.from === 'url' ? file.url : undefined);
}

function megabytes(bytes: number): string {
	return (bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '');
}

/**
 * Send As: the kind chosen (a voice note is audio shown as a voice message), or
 * (Automatic) the kind the file's MIME type or name stands for.
 */
export function sendAsFor(choice: unknown, file: MediaFile): { kind: MetaMediaKind; voice: boolean } {
	if (choice === 'voice') return { kind: 'audio', voice: true };
	if (choice === 'image' || choice === 'video' || choice === 'audio' || choice === 'document' || choice === 'sticker') return { kind: choice, voice: false };
	return { kind: mediaKindOf(file.mimeType, nameOrUrlOf(file)), voice: false };
}

/**
 * A URL's file, downloaded by n8n (its proxy and SSRF settings apply), for a
 * source that cannot fetch URLs itself (the sidecar).
 */
export async function downloadMediaFile(ctx: IExecuteFunctions, itemIndex: number, file: Extract<MediaFile, { from: 'url' }>): Promise<Extract<MediaFile, { from: 'bytes' }>> {
	let response: IN8nHttpFullResponse;
	try {
		response = (await ctx.helpers.httpRequest({
			method: 'GET',
			url: file.url,
			encoding: 'arraybuffer',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: DOWNLOAD_TIMEOUT_MS,
		})) as IN8nHttpFullResponse;
	} catch {
		throw withErrorCode(
			new NodeOperationError(ctx.getNode(), 'Could not download the file from File URL. Check that the address is right and reachable from n8n.', { itemIndex }),
			'media_download_failed',
		);
	}
	if (response.statusCode >= 400) {
		throw withErrorCode(
			new NodeOperationError(ctx.getNode(), `Could not download the file from File URL (HTTP ${response.statusCode}). Check that the address is public and the file still exists.`, {
				itemIndex,
			}),
			'media_download_failed',
		);
	}
	const body = response.body as unknown;
	const data = Buffer.isBuffer(body) ? body : body instanceof ArrayBuffer ? Buffer.from(body) : Buffer.from(String(body ?? ''));
	if (data.length === 0) throw inputError(ctx.getNode(), 'The file at File URL is empty.', { itemIndex, code: 'empty_media' });
	const header = response.headers?.['content-type'];
	const mimeType = bareMimeType(Array.isArray(header) ? header[0] : header);
	return {
		from: 'bytes',
		data,
		mimeType: mimeType && mimeType !== 'application/octet-stream' ? mimeType : (file.mimeType ?? 'application/octet-stream'),
		fileName: file.fileName,
	};
}
