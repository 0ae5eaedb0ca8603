/**
 * Once per jest run, before any e2e test: the n8n runtime is installed (Node 24 + n8n,
 * scripts/install-runtime.sh — minutes the first time, instant afterwards), this package
 * and the sidecar are built when missing or older than their sources (../support/build-once.ts,
 * the unit project's setup too), and the package is `npm pack`ed and
 * installed once into a cache folder that every n8n instance copies from. The tarball's
 * path reaches the test workers through WHATSAPP_CRM_E2E_TARBALL.
 *
 * WHATSAPP_CRM_E2E_SKIP_BUILD=1 uses dist/ as it is.
 */
import { packPackage, preparedPackageDir, pruneE2eCache, TARBALL_ENV } from '../support/n8n/community-package';
import { n8nRuntime } from '../support/n8n/runtime';
import buildOnce from '../support/build-once';

function timed<T>(label: string, fn: () => T): T {
	const started = Date.now();
	const result = fn();
	process.stderr.write(`[e2e setup] ${label}: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
	return result;
}

export default function globalSetup(): void {
	process.stderr.write('\n');
	const runtime = timed('n8n runtime (scripts/install-runtime.sh)', () => n8nRuntime());
	process.stderr.write(`[e2e setup] runtime at ${runtime.root}\n`);

	buildOnce();

	pruneE2eCache();
	const tarball = timed('npm pack', () => packPackage());
	process.env[TARBALL_ENV] = tarball;
	timed('install the package as n8n does (once)', () => preparedPackageDir(tarball));
}
