/**
 * Puts this package into an n8n user folder the way n8n installs a community package
 * (n8n 2.41.1, packages/cli/src/modules/community-packages/community-packages.service.ts,
 * `downloadPackage`): the `npm pack` tarball is unpacked into
 * `<N8N_USER_FOLDER>/.n8n/nodes/node_modules/<name>`, `devDependencies`,
 * `peerDependencies` and `optionalDependencies` are deleted from its package.json, and
 * `npm install --install-strategy=shallow --ignore-scripts` runs inside it, so its own
 * dependencies land in `<package>/node_modules`.
 *
 * `n8n-workflow` is therefore NOT installed next to the package: its
 * `require('n8n-workflow')` walks up from the package without finding one and then
 * falls back to NODE_PATH, which n8n sets at start-up to its own module paths
 * (load-nodes-and-credentials.ts, `init`: `process.env.NODE_PATH = module.paths…;
 * Module._initPaths()`). So the package gets n8n's own copy and `instanceof
 * NodeOperationError` holds inside n8n. That only works if no `node_modules/n8n-workflow`
 * exists on the way up from the user folder — hence user folders and the prepared copy
 * live under the OS temp dir, never inside this repository (which has its own copy).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
	cpSync,
	existsSync,
	mkdirSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	renameSync,
	rmSync,
	statSync,
	utimesSync,
	writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './runtime';

export const PACKAGE_NAME = 'n8n-nodes-whatsapp-crm';
/** Set by the e2e global setup to the tarball it packed, so workers do not pack again. */
export const TARBALL_ENV = 'WHATSAPP_CRM_E2E_TARBALL';

export const E2E_CACHE_DIR = path.join(os.tmpdir(), 'n8n-nodes-whatsapp-crm-e2e');

let packedHere: string | undefined;

/**
 * `npm pack`s the repository (dist/ must be built) into a fresh folder under the OS temp
 * dir and returns the tarball's path. Once per process; the global setup does it once per
 * jest run and hands the path to the workers through WHATSAPP_CRM_E2E_TARBALL.
 */
export function packPackage(): string {
	const fromSetup = process.env[TARBALL_ENV];
	if (fromSetup && existsSync(fromSetup)) return fromSetup;
	if (packedHere && existsSync(packedHere)) return packedHere;
	if (!existsSync(path.join(REPO_ROOT, 'dist'))) {
		throw new Error('dist/ is missing: run `npm run build` before the e2e tests');
	}
	mkdirSync(E2E_CACHE_DIR, { recursive: true });
	const dest = mkdtempSync(path.join(E2E_CACHE_DIR, 'pack-'));
	const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dest], {
		cwd: REPO_ROOT,
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	const [info] = JSON.parse(out) as Array<{ filename: string }>;
	packedHere = path.join(dest, info.filename);
	return packedHere;
}

/**
 * The package unpacked and installed as n8n would (see the file comment), once per
 * tarball content, under the OS temp dir. Safe when several jest workers race: each
 * prepares its own copy and the first rename wins.
 */
export function preparedPackageDir(tarball = packPackage()): string {
	const digest = createHash('sha256').update(readFileSync(tarball)).digest('hex').slice(0, 16);
	const finalDir = path.join(E2E_CACHE_DIR, `installed-${digest}`);
	const ready = path.join(finalDir, '.ready');
	if (existsSync(ready)) {
		const now = new Date();
		utimesSync(finalDir, now, now); // in use: keep pruneE2eCache() away from it
		return path.join(finalDir, PACKAGE_NAME);
	}

	mkdirSync(E2E_CACHE_DIR, { recursive: true });
	const work = mkdtempSync(path.join(E2E_CACHE_DIR, 'installing-'));
	const pkgDir = path.join(work, PACKAGE_NAME);
	mkdirSync(pkgDir);
	execFileSync('tar', ['-xzf', tarball, '-C', pkgDir, '--strip-components=1']);
	const pkgJsonPath = path.join(pkgDir, 'package.json');
	const { devDependencies, peerDependencies, optionalDependencies, ...pkgJson } = JSON.parse(
		readFileSync(pkgJsonPath, 'utf8'),
	) as Record<string, unknown>;
	void devDependencies;
	void peerDependencies;
	void optionalDependencies;
	writeFileSync(pkgJsonPath, JSON.stringify(pkgJson, null, 2));
	execFileSync(
		'npm',
		[
			'install',
			'--audit=false',
			'--fund=false',
			'--bin-links=false',
			'--install-strategy=shallow',
			'--ignore-scripts=true',
			'--package-lock=false',
			'--prefer-offline',
			'--loglevel=error',
		],
		{ cwd: pkgDir, stdio: ['ignore', 'pipe', 'pipe'] },
	);
	writeFileSync(path.join(work, '.ready'), tarball);
	try {
		renameSync(work, finalDir);
	} catch {
		// Another worker won the race: use its copy.
		rmSync(work, { recursive: true, force: true });
		if (!existsSync(ready)) throw new Error(`could not prepare ${PACKAGE_NAME} in ${finalDir}`);
	}
	return path.join(finalDir, PACKAGE_NAME);
}

/**
 * Copies the prepared package into `<userFolder>/.n8n/nodes/node_modules/<name>` and
 * records it in `<userFolder>/.n8n/nodes/package.json`, as n8n does after an install.
 * Returns the package's directory inside the user folder.
 */
export function installCommunityPackage(userFolder: string, source = preparedPackageDir()): string {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	const dest = path.join(nodesDir, 'node_modules', PACKAGE_NAME);
	mkdirSync(path.dirname(dest), { recursive: true });
	cpSync(source, dest, { recursive: true });
	const { version } = JSON.parse(readFileSync(path.join(dest, 'package.json'), 'utf8')) as { version: string };
	writeFileSync(
		path.join(nodesDir, 'package.json'),
		JSON.stringify({ name: 'installed-nodes', private: true, dependencies: { [PACKAGE_NAME]: version } }, null, 2),
	);
	return dest;
}

/**
 * Removes what earlier runs left in the e2e cache folder (tarballs, prepared copies,
 * user folders of n8n instances that were never stopped) once older than `maxAgeMs`
 * (default 6 h), so runs going on at the same time keep theirs.
 */
export function pruneE2eCache(maxAgeMs = 6 * 3600_000): void {
	if (!existsSync(E2E_CACHE_DIR)) return;
	const cutoff = Date.now() - maxAgeMs;
	for (const entry of readdirSync(E2E_CACHE_DIR)) {
		const full = path.join(E2E_CACHE_DIR, entry);
		try {
			if (statSync(full).mtimeMs < cutoff) rmSync(full, { recursive: true, force: true });
		} catch {
			// removed by another run meanwhile
		}
	}
}
