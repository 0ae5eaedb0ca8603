export { startN8n, freePort } from './instance';
export type { N8nInstance, StartN8nOptions, WaitForWebhookOptions } from './instance';
export { executionData, isFinishedExecution, nodeOutputItems, triggerOutputItems } from './executions';
export type { ExecutionData, N8nExecution, N8nExecutionSummary, NodeRun } from './executions';
export {
	E2E_CACHE_DIR,
	installCommunityPackage,
	packPackage,
	preparedPackageDir,
	pruneE2eCache,
	PACKAGE_NAME,
	TARBALL_ENV,
} from './community-package';
export { n8nRuntime, REPO_ROOT } from './runtime';
export type { N8nRuntime } from './runtime';
export { thenNoOp, toCreateWorkflowBody } from './workflow-json';
export type { WorkflowJson, WorkflowNodeJson } from './workflow-json';
