/**
 * What every error of the WhatsApp CRM action nodes carries: a message for the
 * person running the workflow (what went wrong and what to do) and a short
 * machine code (`not_connected`, `not_on_whatsapp`, Meta's `131047`, …) in
 * the error's `context.code`, which "Continue On Fail" items expose as `code`
 * (nodes/shared/execute-items.ts). The wording lives by source:
 * ./sidecar-errors.ts, ./meta-errors.ts, ./crm-errors.ts.
 *
 * No message quotes a phone number or message text: n8n may log errors.
 */
import type { INode, JsonObject } from 'n8n-workflow';
import { NodeError, NodeOperationError } from 'n8n-workflow';

export type ErrorCode = string | number;

/** Puts a machine code on a node error (read back with `errorCodeOf`). */
export function withErrorCode<E extends NodeError>(error: E, code: ErrorCode): E {
	error.context.code = code;
	return error;
}

/** The machine code of a node error, or null. */
export function errorCodeOf(error: unknown): ErrorCode | null {
	if (!(error instanceof NodeError)) return null;
	const { code } = error.context;
	return typeof code === 'string' || typeof code === 'number' ? code : null;
}

/** A problem with the node's own parameters (nothing was sent). */
export function inputError(
	node: INode,
	message: string,
	options: { itemIndex: number; code: ErrorCode; description?: string },
): NodeOperationError {
	const error = new NodeOperationError(node, message, { itemIndex: options.itemIndex, description: options.description, level: 'warning' });
	error.failure = { cause: 'configuration-invalid' };
	return withErrorCode(error, options.code);
}

/** An answer's body as the JSON a NodeApiError keeps (text cut to 500 characters). */
export function responseAsJson(body: unknown, status: number): JsonObject {
	if (body && typeof body === 'object' && !Array.isArray(body)) return body as JsonObject;
	return { status, body: typeof body === 'string' ? body.slice(0, 500) : null };
}

export function messageOf(error: unknown): string {
	if (error instanceof Error) return error.message;
	return typeof error === 'string' ? error : 'Unknown error';
}

/** `ECONNREFUSED`, `ENOTFOUND`, `ETIMEDOUT`, … from an error or its cause chain. */
export function networkCodeOf(error: unknown): string | null {
	let current: unknown = error;
	for (let depth = 0; depth < 5 && current !== null && typeof current === 'object'; depth++) {
		const code = (current as { code?: unknown }).code;
		if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
		current = (current as { cause?: unknown }).cause;
	}
	return null;
}
