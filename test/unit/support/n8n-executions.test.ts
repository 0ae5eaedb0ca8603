/** What the e2e harness counts as a finished n8n execution (waitForExecutions, listExecutions). */
import { isFinishedExecution } from '../../support/n8n/executions';

test.each(['success', 'error', 'canceled', 'crashed'])('an execution with status %s is finished', (status) => {
	expect(isFinishedExecution({ status })).toBe(true);
});

// n8n's public list shows these too: it leaves out only executions running in the answering process.
test.each(['new', 'running', 'waiting', 'unknown'])('an execution with status %s is not', (status) => {
	expect(isFinishedExecution({ status })).toBe(false);
});
