/** The action nodes' one item loop (nodes/shared/execute-items.ts), in n8n's own execution context. */
import { NodeApiError, NodeOperationError, type INodeType } from 'n8n-workflow';
import { executeItems, toOutput } from '../../../nodes/shared/execute-items';
import { errorCodeOf, withErrorCode } from '../../../nodes/shared/node-errors';
import { createExecuteContext, failureOf } from './support/run-node';

const nodeType = {
	description: {
		displayName: 'Loop Test',
		name: 'loopTest',
		group: ['transform'],
		version: 1,
		description: '',
		defaults: { name: 'Loop Test' },
		inputs: ['main'],
		outputs: ['main', 'main'],
		properties: [],
	},
} as unknown as INodeType;

const items = [{ json: { n: 0 } }, { json: { n: 1 } }, { json: { n: 2 } }];
const context = (continueOnFail: boolean) => createExecuteContext({ nodeType, parameters: {}, items, continueOnFail });

describe('executeItems', () => {
	it('routes each item to its output and pairs every output item with its input', async () => {
		const ctx = context(false);
		const outputs = await executeItems(
			ctx,
			items,
			async (itemIndex, item) => (itemIndex === 1 ? toOutput(1, { json: { ...item.json, routed: true } }) : [{ json: { a: itemIndex } }, { json: { b: itemIndex } }]),
			{ outputs: 2 },
		);
		expect(outputs).toEqual([
			[
				{ json: { a: 0 }, pairedItem: { item: 0 } },
				{ json: { b: 0 }, pairedItem: { item: 0 } },
				{ json: { a: 2 }, pairedItem: { item: 2 } },
				{ json: { b: 2 }, pairedItem: { item: 2 } },
			],
			[{ json: { n: 1, routed: true }, pairedItem: { item: 1 } }],
		]);
	});

	it('with Continue On Fail: the failed item becomes { error, code } on the first output (no node error on it, which n8n would turn into { error }), and the others go on', async () => {
		const ctx = context(true);
		const outputs = await executeItems(
			ctx,
			items,
			async (itemIndex) => {
				if (itemIndex === 0) throw withErrorCode(new NodeApiError(ctx.getNode(), {}, { message: 'The sidecar is busy.' }), 'busy');
				if (itemIndex === 1) throw new Error('plain failure');
				return toOutput(1, { json: { ok: true } });
			},
			{ outputs: 2 },
		);
		expect(outputs[0]).toEqual([
			{ json: { error: 'The sidecar is busy.', code: 'busy' }, pairedItem: { item: 0 } },
			{ json: { error: 'plain failure', code: null }, pairedItem: { item: 1 } },
		]);
		expect(outputs[1]).toEqual([{ json: { ok: true }, pairedItem: { item: 2 } }]);
	});

	it('with On Error "Continue (using error output)": the failed item carries the node error, which routes it', async () => {
		const ctx = createExecuteContext({ nodeType, parameters: {}, items, continueOnFail: true, onError: 'continueErrorOutput' });
		const outputs = await executeItems(ctx, items.slice(0, 1), async () => {
			throw withErrorCode(new NodeApiError(ctx.getNode(), {}, { message: 'The sidecar is busy.' }), 'busy');
		});
		expect(outputs[0]).toEqual([{ json: { error: 'The sidecar is busy.', code: 'busy' }, error: expect.any(NodeApiError), pairedItem: { item: 0 } }]);
		expect(outputs[0]![0]!.error!.context).toMatchObject({ itemIndex: 0, code: 'busy' });
	});

	it('without it, stops at the first failure with a node error naming the item', async () => {
		const ctx = context(false);
		const seen: number[] = [];
		const error = await failureOf(
			executeItems(ctx, items, async (itemIndex) => {
				seen.push(itemIndex);
				if (itemIndex === 1) throw new TypeError('bad value');
				return [];
			}),
		);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe('bad value');
		expect(error.context?.itemIndex).toBe(1);
		expect(seen).toEqual([0, 1]);
	});

	it('turns errors into node errors with the converter it is given', async () => {
		const ctx = context(true);
		const [first] = await executeItems(
			ctx,
			items.slice(0, 1),
			async () => {
				throw new Error('connection refused');
			},
			{ toNodeError: (error, itemIndex) => withErrorCode(new NodeOperationError(ctx.getNode(), `Database: ${(error as Error).message}`, { itemIndex }), 'crm_unreachable') },
		);
		expect(first![0]!.json).toEqual({ error: 'Database: connection refused', code: 'crm_unreachable' });
	});
});

describe('the machine code of a node error', () => {
	it('lives in the error context, so it survives serialization', () => {
		const error = withErrorCode(new NodeOperationError({ name: 'n', type: 't', typeVersion: 1, position: [0, 0], parameters: {}, id: 'i' }, 'x'), 131047);
		expect(errorCodeOf(error)).toBe(131047);
		expect(JSON.parse(JSON.stringify(error.context))).toMatchObject({ code: 131047 });
		expect(errorCodeOf(new Error('x'))).toBeNull();
	});
});
