'use strict';
/**
 * The order `npm test` starts test files in, with two jest workers on 2 cores.
 *
 * The reliability suite is the longest file (ten minutes), so it starts first and
 * runs beside everything else; the queue-mode file (five n8n processes) starts
 * last, so the two heaviest stacks overlap as little as possible. Between them:
 * the unit files, then the other end-to-end files, longest first. Jest's own
 * order (earlier failures and durations from its cache, else file size) would
 * put the largest files — the heaviest stacks — side by side on a fresh clone.
 */
const Sequencer = require('@jest/test-sequencer').default;

const FIRST = ['/test/reliability/'];
const LAST = ['/test/e2e/queue-mode.e2e.test.ts'];

const rank = (file) => {
	if (FIRST.some((part) => file.includes(part))) return 0;
	if (LAST.some((part) => file.includes(part))) return 3;
	return file.includes('/test/e2e/') ? 2 : 1;
};

class TestOrder extends Sequencer {
	sort(tests) {
		const bySize = super.sort(tests);
		return bySize
			.map((test, index) => ({ test, index }))
			.sort((a, b) => rank(a.test.path) - rank(b.test.path) || a.index - b.index)
			.map(({ test }) => test);
	}
}

module.exports = TestOrder;
