/**
 * The core's input checks (core/cloud-api/message-bodies.ts) as node errors:
 * a CloudApiInputError becomes a NodeOperationError with its code, before
 * anything is sent. Used by every operation, for both sources, so both refuse
 * the same input with the same words.
 */
import type { INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { checkMessageId, CloudApiInputError } from '../../../core/cloud-api/message-bodies';
import { inputError } from '../../shared/node-errors';
import type { SendOptions } from '../actions/common.descriptions';

/** Runs a core builder or check; its input errors become the node's. */
export function fromCore<T>(node: INode, itemIndex: number, build: () => T): T {
	try {
		return build();
	} catch (error) {
		if (error instanceof CloudApiInputError) throw inputError(node, error.message, { itemIndex, code: error.code });
		throw new NodeOperationError(node, error as Error, { itemIndex });
	}
}

/** A required message id parameter (Message ID), checked. */
export function messageIdOf(node: INode, value: unknown, itemIndex: number): string {
	return fromCore(node, itemIndex, () => checkMessageId(typeof value === 'number' ? String(value) : value, 'messageId'));
}

/** Options > Reply To Message ID: undefined when empty, else checked. */
export function replyToOf(node: INode, options: SendOptions, itemIndex: number): string | undefined {
	const value = options.replyToMessageId;
	if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return undefined;
	return fromCore(node, itemIndex, () => checkMessageId(value, 'replyToMessageId'));
}
