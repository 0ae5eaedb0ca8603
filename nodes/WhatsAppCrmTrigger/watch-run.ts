/**
 * While n8n runs a workflow whose trigger acknowledges "when the workflow has
 * finished successfully", the events it carries stay claimed in the delivery
 * ledger: the claim is renewed every third of its lease, and released with
 * the run's outcome as soon as n8n decides the answer — 2xx (done) or
 * anything else (failed: the sender's next delivery runs it again).
 *
 * n8n decides the answer by setting the response's status (`res.status(…)`),
 * then sending it (`res.end`). The outcome is recorded between the two: the
 * answer leaves only once the ledger holds it (or after a few seconds if the
 * database does not answer), so a sender that delivers again right after a
 * 500 finds the event claimable, not still "processing". The status is
 * observed when it is set rather than when it is written: a sender that gave
 * up waiting (its request timed out) has closed the connection, n8n then
 * writes nothing, but still sets the status of the run's outcome — and that
 * outcome is what the sender's next delivery must find in the ledger.
 */
import { sleep } from 'n8n-workflow';
import type { DeliveryLedger } from '../../core/webhooks/delivery-ledger';

/** The part of an express response this module touches. */
export interface StatusSettingResponse {
	status(code: number): unknown;
	end(...args: unknown[]): unknown;
	statusCode: number;
}

/** Renewing stops after this long even without an answer (a run that never ends must not hold its events forever). */
export const MAX_RUN_WATCH_MS = 2 * 60 * 60 * 1000;
/** How long the answer may wait for the ledger to record the outcome. */
export const RECORD_OUTCOME_WAIT_MS = 5000;

/**
 * Calls `onAnswer` once with the status n8n sets on `res` (or the status it
 * ends the response with) and holds back the end of the response until the
 * promise `onAnswer` returns has settled.
 */
export function onAnswerStatus(res: StatusSettingResponse, onAnswer: (status: number) => Promise<unknown>): void {
	let recorded: Promise<unknown> | null = null;
	const answer = (status: number): Promise<unknown> => {
		recorded ??= onAnswer(status).catch(() => undefined);
		return recorded;
	};
	const setStatus = res.status.bind(res);
	res.status = (code: number) => {
		if (Number.isInteger(code)) void answer(code);
		return setStatus(code);
	};
	const end = res.end.bind(res);
	res.end = (...args: unknown[]) => {
		const waiting = new AbortController();
		const waited = Promise.race([answer(res.statusCode), pause(RECORD_OUTCOME_WAIT_MS, waiting.signal)]);
		void waited.then(() => {
			waiting.abort();
			end(...args);
		});
		return res;
	};
}

export interface RunWatch {
	ledger: DeliveryLedger;
	scope: string;
	keys: string[];
	leaseSeconds: number;
	/** Called when the ledger could not record something (the claim then simply expires). */
	onLedgerError?: (error: unknown) => void;
}

/** Holds the events' claims while the run goes on and releases them with its outcome. */
export function watchRun(res: StatusSettingResponse, watch: RunWatch): void {
	const { ledger, scope, keys } = watch;
	const report = (error: unknown) => watch.onLedgerError?.(error);
	const watching = new AbortController();
	void renewWhileRunning(watch, watching.signal, report);

	onAnswerStatus(res, async (status) => {
		watching.abort();
		const outcome = status >= 200 && status < 300 ? 'done' : 'failed';
		try {
			await ledger.complete(scope, keys, outcome);
		} catch {
			// One more try a moment later (a dropped connection); after that the claim expires on its own.
			await sleep(500);
			await ledger.complete(scope, keys, outcome).catch(report);
		}
	});
}

/** Renews the claims every third of their lease until `stop` fires or MAX_RUN_WATCH_MS has passed. */
async function renewWhileRunning(watch: RunWatch, stop: AbortSignal, report: (error: unknown) => void): Promise<void> {
	const every = Math.max(1000, (watch.leaseSeconds * 1000) / 3);
	const until = Date.now() + MAX_RUN_WATCH_MS;
	for (;;) {
		await pause(every, stop);
		if (stop.aborted || Date.now() >= until) return;
		watch.ledger.renew(watch.scope, watch.keys, watch.leaseSeconds).catch(report);
	}
}

/** n8n-workflow's sleep (n8n's rules for nodes allow no timers of their own), ended early by `stop`; never rejects. */
async function pause(ms: number, stop: AbortSignal): Promise<void> {
	await sleep(ms, stop).catch(() => undefined);
}
