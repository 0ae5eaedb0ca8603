/** Polling helpers for the end-to-end tests (they wait on state; they never assert on time). */
import type { N8nInstance } from '../../support/n8n';
import type { RunningSidecar } from './sidecar';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns something other than undefined; throws with `what` after the timeout. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000, everyMs = 200): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	let lastError: unknown;
	while (Date.now() < deadline) {
		try {
			const value = await probe();
			if (value !== undefined) return value;
		} catch (error) {
			lastError = error;
		}
		await sleep(everyMs);
	}
	throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`);
}

/**
 * Waits until the sidecar has nothing left to deliver and none of the workflows has an
 * execution still running — twice in a row, half a second apart, so that an execution
 * started by the last delivery is seen.
 */
export async function waitUntilSettled(n8n: N8nInstance, sidecar: RunningSidecar, workflowIds: string[], timeoutMs = 60_000): Promise<void> {
	let quietChecks = 0;
	await waitFor(
		'the sidecar outbox to drain and the executions to finish',
		async () => {
			const pending = sidecar.sidecar.outbox.stats().pending;
			const running = (await Promise.all(workflowIds.map((id) => n8n.listRunningExecutions(id)))).flat().length;
			quietChecks = pending === 0 && running === 0 ? quietChecks + 1 : 0;
			return quietChecks >= 2 ? true : undefined;
		},
		timeoutMs,
		500,
	);
}
