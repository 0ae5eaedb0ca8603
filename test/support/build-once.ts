/**
 * The global setup of both jest projects, once per run before any test file:
 * what the tests run built — the package's dist/ (the package scan and the e2e
 * tests pack it) and sidecar/dist (the tests that run the sidecar as a child
 * process copy it) — is built when it is missing or older than its sources
 * (scripts/lib/build.js). Under `npm test` the build step has just made both,
 * so this costs a look at modification times.
 */
import path from 'node:path';
import { buildStaleSync } from '../../scripts/lib/build';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

export default function buildOnce(): void {
	if (process.env.WHATSAPP_CRM_E2E_SKIP_BUILD === '1') return;
	const started = Date.now();
	const built = buildStaleSync(REPO_ROOT);
	if (built.length > 0) process.stderr.write(`[test setup] built ${built.join(', ')} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
