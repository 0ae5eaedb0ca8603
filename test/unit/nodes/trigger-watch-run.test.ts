/**
 * The trigger's run watcher (acknowledging when the workflow has finished):
 * the claims are renewed while the run goes on, released with the run's
 * outcome as soon as n8n sets the answer's status, and the answer leaves only
 * once the ledger holds the outcome — or after RECORD_OUTCOME_WAIT_MS when the
 * database does not answer. Fake timers stand for the minutes a run may take.
 */
import type { DeliveryLedger } from '../../../core/webhooks/delivery-ledger';
import { MAX_RUN_WATCH_MS, RECORD_OUTCOME_WAIT_MS, watchRun, type StatusSettingResponse } from '../../../nodes/WhatsAppCrmTrigger/watch-run';

type Call = [string, ...unknown[]];

function recordingLedger(completeFails = 0): { ledger: DeliveryLedger; calls: Call[]; holdComplete: (hold: boolean) => void } {
	const calls: Call[] = [];
	let failures = completeFails;
	let held: Promise<void> | null = null;
	let release: (() => void) | null = null;
	const ledger: DeliveryLedger = {
		durable: true,
		claim: async () => [],
		renew: async (scope, keys) => {
			calls.push(['renew', scope, keys]);
		},
		complete: async (scope, keys, outcome) => {
			calls.push(['complete', scope, keys, outcome]);
			if (held) await held;
			if (failures-- > 0) throw new Error('connection terminated');
		},
		park: async () => undefined,
	};
	return {
		ledger,
		calls,
		holdComplete: (hold) => {
			if (hold) held = new Promise((r) => (release = r));
			else release?.();
		},
	};
}

function response(): StatusSettingResponse & { ended: boolean } {
	const res = {
		statusCode: 200,
		ended: false,
		status(code: number) {
			res.statusCode = code;
			return res;
		},
		end() {
			res.ended = true;
			return res;
		},
	};
	return res;
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

it('renews the claims every third of the lease while the run goes on, and completes them as done after a 2xx', async () => {
	const { ledger, calls } = recordingLedger();
	const res = response();
	watchRun(res, { ledger, scope: 'wf:node', keys: ['e1', 'e2'], leaseSeconds: 30 });
	await jest.advanceTimersByTimeAsync(35_000);
	expect(calls).toEqual([
		['renew', 'wf:node', ['e1', 'e2']],
		['renew', 'wf:node', ['e1', 'e2']],
		['renew', 'wf:node', ['e1', 'e2']],
	]);
	res.status(200);
	res.end();
	await jest.advanceTimersByTimeAsync(0);
	expect(res.ended).toBe(true);
	await jest.advanceTimersByTimeAsync(60_000);
	expect(calls.slice(3)).toEqual([['complete', 'wf:node', ['e1', 'e2'], 'done']]);
});

it('completes them as failed after a 500, holding the answer back until the ledger has recorded it', async () => {
	const { ledger, calls, holdComplete } = recordingLedger();
	const res = response();
	watchRun(res, { ledger, scope: 'wf:node', keys: ['e1'], leaseSeconds: 30 });
	holdComplete(true);
	res.status(500);
	res.end();
	await jest.advanceTimersByTimeAsync(1000);
	expect(calls).toEqual([['complete', 'wf:node', ['e1'], 'failed']]);
	expect(res.ended).toBe(false);
	holdComplete(false);
	await jest.advanceTimersByTimeAsync(0);
	expect(res.ended).toBe(true);
	await jest.advanceTimersByTimeAsync(60_000);
	expect(calls).toHaveLength(1);
});

it('sends the answer after RECORD_OUTCOME_WAIT_MS when the ledger does not answer', async () => {
	const { ledger, holdComplete } = recordingLedger();
	const res = response();
	watchRun(res, { ledger, scope: 'wf:node', keys: ['e1'], leaseSeconds: 30 });
	holdComplete(true);
	res.end();
	await jest.advanceTimersByTimeAsync(RECORD_OUTCOME_WAIT_MS - 1);
	expect(res.ended).toBe(false);
	await jest.advanceTimersByTimeAsync(1);
	expect(res.ended).toBe(true);
	holdComplete(false);
});

it('tries once more half a second after a failed completion, then reports', async () => {
	const { ledger, calls } = recordingLedger(2);
	const errors: unknown[] = [];
	const res = response();
	watchRun(res, { ledger, scope: 'wf:node', keys: ['e1'], leaseSeconds: 30, onLedgerError: (e) => errors.push(e) });
	res.status(200);
	await jest.advanceTimersByTimeAsync(499);
	expect(calls).toHaveLength(1);
	await jest.advanceTimersByTimeAsync(1);
	expect(calls).toEqual([
		['complete', 'wf:node', ['e1'], 'done'],
		['complete', 'wf:node', ['e1'], 'done'],
	]);
	expect(errors).toHaveLength(1);
});

it('stops renewing a run that never answers after MAX_RUN_WATCH_MS', async () => {
	const { ledger, calls } = recordingLedger();
	watchRun(response(), { ledger, scope: 'wf:node', keys: ['e1'], leaseSeconds: 30 });
	await jest.advanceTimersByTimeAsync(MAX_RUN_WATCH_MS);
	const renewals = calls.length;
	expect(renewals).toBeGreaterThanOrEqual(MAX_RUN_WATCH_MS / 10_000 - 1);
	await jest.advanceTimersByTimeAsync(60_000);
	expect(calls).toHaveLength(renewals);
});
