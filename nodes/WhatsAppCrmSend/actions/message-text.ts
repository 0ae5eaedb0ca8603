import type { IExecuteFunctions } from 'n8n-workflow';
import { inputError } from '../../shared/node-errors';

/** The Text parameter; an empty text is refused before anything is sent. */
export function messageText(ctx: IExecuteFunctions, itemIndex: number): string {
	const value = ctx.getNodeParameter('text', itemIndex, '');
	const text = typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value);
	if (text.trim() === '') {
		throw inputError(ctx.getNode(), 'Text is empty. WhatsApp does not send empty messages: write the message in Text.', {
			itemIndex,
			code: 'empty_text',
		});
	}
	return text;
}
