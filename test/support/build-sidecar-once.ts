/**
 * The unit project's global setup, once per jest run before any test file: the
 * sidecar's build (sidecar/dist, `tsc -p sidecar/tsconfig.json`, the same as
 * `npm run build --workspace sidecar`) is made when it is missing or older than
 * its sources. Under `npm test` the build step has just made it, so this costs
 * a look at modification times; the tests that run the sidecar as a child
 * process copy that build (test/sidecar/helpers/spawn.ts buildSidecar,
 * test/sidecar/support/outbox-build.ts buildForChild) instead of compiling it
 * each time.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { sidecarBuildNeeded } from '../../scripts/lib/build';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

export default function buildSidecarOnce(): void {
	const reason = sidecarBuildNeeded(REPO_ROOT);
	if (reason === undefined) return;
	const started = Date.now();
	const tsc = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
	const result = spawnSync(process.execPath, [tsc, '-p', path.join(REPO_ROOT, 'sidecar', 'tsconfig.json')], { cwd: REPO_ROOT, encoding: 'utf8' });
	// tsc emits even with type errors (type checking is `npm run typecheck`'s job): go on if it built.
	if (sidecarBuildNeeded(REPO_ROOT) !== undefined) throw new Error(`the sidecar did not build:\n${result.stdout}\n${result.stderr}`);
	if (result.status !== 0) process.stderr.write(`tsc reported type errors in the sidecar (the build was still emitted):\n${result.stdout}\n`);
	process.stderr.write(`[unit setup] built sidecar/dist (${reason}) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
