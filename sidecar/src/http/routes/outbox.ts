/** The outbox's dead letters: list and replay. */
import { invalid } from '../../errors';
import { asObject } from '../body';
import type { Outbox } from '../../outbox';
import type { Router } from '../router';

export type DeadLetterService = Pick<Outbox, 'listDeadLetters' | 'replayDeadLetters'>;

export function registerOutboxRoutes(router: Router, outbox: DeadLetterService): void {
	router.add('GET', '/outbox/dead-letters', async () => {
		const { deadLetters, unreadable } = await outbox.listDeadLetters();
		return { status: 200, body: { count: deadLetters.length, deadLetters, unreadable } };
	});

	router.add('POST', '/outbox/dead-letters/replay', async ({ body }) => {
		const input = asObject(await body());
		let ids: string[] | undefined;
		if (input.ids !== undefined && input.ids !== null) {
			if (!Array.isArray(input.ids) || !input.ids.every((x) => typeof x === 'string' && x.length > 0 && x.length <= 200)) {
				throw invalid('ids', 'ids must be a list of dead-letter ids');
			}
			ids = input.ids as string[];
		}
		const { replayed, unreadable } = await outbox.replayDeadLetters(ids);
		return { status: 200, body: { replayed, unreadable } };
	});
}
