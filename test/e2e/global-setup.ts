/**
 * Once per jest run, before any e2e test: the n8n runtime is installed (Node 24 + n8n,
 * scripts/install-runtime.sh — minutes the first time, instant afterwards), this package
 * is built when dist/ is missing or older than its sources, and it is `npm pack`ed and
 * installed once into a cache folder that every n8n instance copies from. The tarball's
 * path reaches the test workers through WHATSAPP_CRM_E2E_TARBALL.
 *
 * WHATSAPP_CRM_E2E_SKIP_BUILD=1 uses dist/ as it is.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { packPackage, preparedPackageDir, pruneE2eCache, TARBALL_ENV } from '../support/n8n/community-package';
import { n8nRuntime, REPO_ROOT } from '../support/n8n/runtime';

function newestMtime(dir: string, accept: (file: string) => boolean): number {
	if (!existsSync(dir)) return 0;
	let newest = 0;
	for (const entry of readdirSync(dir, { withFileTypes: true })) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full, accept));
		else if (accept(full)) newest = Math.max(newest, statSync(full).mtimeMs);
	}
	return newest;
}

function buildIsStale(): boolean {
	const dist = path.join(REPO_ROOT, 'dist');
	const built = newestMtime(dist, (f) => f.endsWith('.js'));
	if (built === 0) return true;
	const sources = Math.max(
		...['core', 'nodes', 'credentials'].map((d) =>
			newestMtime(path.join(REPO_ROOT, d), (f) => /\.(ts|svg|png|json)$/.test(f) && !f.endsWith('.d.ts')),
		),
		statSync(path.join(REPO_ROOT, 'package.json')).mtimeMs,
	);
	return sources > built;
}

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

	if (process.env.WHATSAPP_CRM_E2E_SKIP_BUILD !== '1' && buildIsStale()) {
		timed('build (tsc -p tsconfig.build.json, gulp build:icons)', () => {
			const bin = (name: string) => path.join(REPO_ROOT, 'node_modules', '.bin', name);
			execFileSync(bin('tsc'), ['-p', 'tsconfig.build.json'], { cwd: REPO_ROOT, stdio: 'inherit' });
			execFileSync(bin('gulp'), ['build:icons'], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
		});
	}

	pruneE2eCache();
	const tarball = timed('npm pack', () => packPackage());
	process.env[TARBALL_ENV] = tarball;
	timed('install the package as n8n does (once)', () => preparedPackageDir(tarball));
}
