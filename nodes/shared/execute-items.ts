/**
 * The item loop of every action node: runs the node's work once per input
 * item and pairs every output item with its input. With "Continue On Fail"
 * (or "On Error: Continue"), a failing item becomes
 * `{ json: { error, code }, pairedItem }` on the first output — with "On Error:
 * Continue (using error output)" it also carries the node error (`error`), which
 * is what sends it down n8n's error output — and the other items go on;
 * otherwise the error stops the node, tagged with the item's index.
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeError, NodeOperationError } from 'n8n-workflow';
import { errorCodeOf } from './node-errors';

/** Items for one output of a node with several (`outputs` of executeItems). */
export interface ToOutput {
	output: number;
	items: INodeExecutionData[];
}

/** What one input item produced: items for the first output, or for the output named. */
export type ItemResult = INodeExecutionData[] | ToOutput;

export function toOutput(output: number, ...items: INodeExecutionData[]): ToOutput {
	return { output, items };
}

export interface ExecuteItemsOptions {
	/** The node's number of outputs (default 1). */
	outputs?: number;
	/**
	 * The node error to show for what an item threw. By default a node error
	 * is kept (and given the item's index), anything else is wrapped in a
	 * NodeOperationError.
	 */
	toNodeError?: (error: unknown, itemIndex: number) => NodeError;
}

export async function executeItems(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
	perItem: (itemIndex: number, item: INodeExecutionData) => Promise<ItemResult>,
	options: ExecuteItemsOptions = {},
): Promise<INodeExecutionData[][]> {
	const outputs: INodeExecutionData[][] = Array.from({ length: options.outputs ?? 1 }, () => []);
	const toNodeError = options.toNodeError ?? ((error: unknown, itemIndex: number) => asNodeError(ctx, error, itemIndex));
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const pairedItem = { item: itemIndex };
		try {
			const result = await perItem(itemIndex, items[itemIndex]!);
			const { output, items: produced } = Array.isArray(result) ? { output: 0, items: result } : result;
			const target = outputs[output];
			if (target === undefined) throw new RangeError(`output ${output} does not exist (the node has ${outputs.length})`);
			for (const item of produced) target.push({ ...item, pairedItem });
		} catch (error) {
			const nodeError = toNodeError(error, itemIndex);
			if (nodeError.context.itemIndex === undefined) nodeError.context.itemIndex = itemIndex;
			if (!ctx.continueOnFail()) throw nodeError;
			const failed: INodeExecutionData = { json: { error: nodeError.message, code: errorCodeOf(nodeError) }, pairedItem };
			// n8n replaces the json of an item that carries its node error with `{ error: message }`
			// (WorkflowExecute.normalizeNodeErrors), which would drop the code that the next nodes
			// (e.g. a form's explanation page) read. Only "Continue (using error output)" needs the
			// node error on the item, to route it to the error output.
			if (ctx.getNode().onError === 'continueErrorOutput') failed.error = nodeError as NodeOperationError;
			outputs[0]!.push(failed);
		}
	}
	return outputs;
}

function asNodeError(ctx: IExecuteFunctions, error: unknown, itemIndex: number): NodeError {
	if (error instanceof NodeError) return error;
	return new NodeOperationError(ctx.getNode(), error instanceof Error ? error : String(error), { itemIndex });
}
