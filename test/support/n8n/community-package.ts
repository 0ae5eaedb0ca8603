/**
 * Puts this package into an n8n user folder the way n8n installs a community package
 * (n8n 2.41.1, community-packages.service.ts `downloadPackage`), with the steps
 * `npm start` uses (scripts/lib/community-package.js): the `npm pack` tarball is
 * unpacked, `devDependencies`, `peerDependencies` and `optionalDependencies` are
 * deleted from its package.json, and `npm install --install-strategy=shallow
 * --ignore-scripts` runs inside it; the result is copied into
 * `<N8N_USER_FOLDER>/.n8n/nodes/node_modules/<name>`. What the harness adds: one
 * tarball per jest run and one prepared copy per tarball content, under the OS temp dir.
 *
 * `n8n-workflow` is NOT installed next to the package, nor linked (unlike `npm start`,
 * whose user folder lies inside this repository): its `require('n8n-workflow')` walks up
 * from the package without finding one and then falls back to NODE_PATH, which n8n sets
 * at start-up to its own module paths (load-nodes-and-credentials.ts, `init`:
 * `process.env.NODE_PATH = module.paths…; Module._initPaths()`). So the package gets
 * n8n's own copy, as on a real install, and `instanceof NodeOperationError` holds inside
 * n8n. That only works if no `node_modules/n8n-workflow` exists on the way up from the
 * user folder — hence user folders and the prepared copy live under the OS temp dir,
 * never inside this repository (which has its own copy).
 */
import { createHash } from 'node:crypto';
import {
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
import * as communityPackage from '../../../scripts/lib/community-package';
import { REPO_ROOT } from './runtime';

export const PACKAGE_NAME = communityPackage.PACKAGE_NAME;
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
	packedHere = communityPackage.packPackage(REPO_ROOT, mkdtempSync(path.join(E2E_CACHE_DIR, 'pack-')));
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
	communityPackage.preparePackage(tarball, work);
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
 * records it in `<userFolder>/.n8n/nodes/package.json`, as n8n does after an install
 * (no n8n-workflow link: see the file comment). Returns the package's directory inside
 * the user folder.
 */
export function installCommunityPackage(userFolder: string, source = preparedPackageDir()): string {
	return communityPackage.installCommunityPackage(userFolder, source);
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
