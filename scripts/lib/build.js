'use strict';
/**
 * Is the build (dist/ for the n8n package, sidecar/dist for the sidecar) missing
 * or older than its sources? Compares the newest modification times. And the
 * build itself, for callers that need it fresh (npm start, the test setups).
 */
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

function newestMtime(dir, accept) {
	let entries;
	try {
		entries = fs.readdirSync(dir, { withFileTypes: true });
	} catch {
		return 0;
	}
	let newest = 0;
	for (const entry of entries) {
		if (entry.name === 'node_modules' || entry.name === 'dist') continue;
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full, accept));
		else if (accept(full)) newest = Math.max(newest, fs.statSync(full).mtimeMs);
	}
	return newest;
}

function mtimeOf(file) {
	try {
		return fs.statSync(file).mtimeMs;
	} catch {
		return 0;
	}
}

const isSource = (file) => /\.(ts|svg|png|json)$/.test(file) && !file.endsWith('.d.ts');

/**
 * Why the sidecar's build is needed, or undefined when sidecar/dist is newer
 * than every source it is compiled from (sidecar/src, core, its package.json
 * and tsconfig.json).
 */
function sidecarBuildNeeded(repoRoot) {
	const sidecarMain = path.join(repoRoot, 'sidecar', 'dist', 'sidecar', 'src', 'main.js');
	if (!fs.existsSync(sidecarMain)) return 'sidecar/dist is missing';
	const builtSidecar = newestMtime(path.join(repoRoot, 'sidecar', 'dist'), (f) => f.endsWith('.js'));
	const sidecarSources = Math.max(
		newestMtime(path.join(repoRoot, 'sidecar', 'src'), isSource),
		newestMtime(path.join(repoRoot, 'core'), isSource),
		mtimeOf(path.join(repoRoot, 'sidecar', 'package.json')),
		mtimeOf(path.join(repoRoot, 'sidecar', 'tsconfig.json')),
	);
	if (sidecarSources > builtSidecar) return 'sources changed since the last build of sidecar/dist';
	return undefined;
}

/**
 * Why the n8n package's build (dist/) is needed, or undefined when it is newer
 * than every source it is built from (core, crm, nodes, credentials, icons, package.json,
 * tsconfig.build.json).
 */
function packageBuildNeeded(repoRoot) {
	const builtPackage = newestMtime(path.join(repoRoot, 'dist'), (f) => f.endsWith('.js'));
	if (builtPackage === 0) return 'dist/ is missing';
	const packageSources = Math.max(
		...['core', 'crm', 'nodes', 'credentials', 'icons'].map((d) => newestMtime(path.join(repoRoot, d), isSource)),
		mtimeOf(path.join(repoRoot, 'package.json')),
		mtimeOf(path.join(repoRoot, 'tsconfig.build.json')),
	);
	if (packageSources > builtPackage) return 'sources changed since the last build of dist/';
	return undefined;
}

/**
 * Why a build is needed, or undefined when dist/ and sidecar/dist are newer than
 * every source file (core, crm, nodes, credentials, sidecar/src, package.json files).
 */
function buildNeeded(repoRoot) {
	return packageBuildNeeded(repoRoot) ?? sidecarBuildNeeded(repoRoot);
}

/**
 * `npm run build`'s steps for what is stale only (dist/ emptied and rebuilt with
 * its icons; sidecar/dist), synchronously. A type error does not stop it: tsc
 * still emits, and `npm run typecheck` is what reports type errors. Returns
 * what it built, e.g. ['dist/ (sources changed …)'].
 */
function buildStaleSync(repoRoot) {
	const bin = (name) => path.join(repoRoot, 'node_modules', '.bin', name);
	const run = (command, args) => spawnSync(command, args, { cwd: repoRoot, encoding: 'utf8' });
	const built = [];
	const packageReason = packageBuildNeeded(repoRoot);
	if (packageReason) {
		fs.rmSync(path.join(repoRoot, 'dist'), { recursive: true, force: true });
		const tsc = run(bin('tsc'), ['-p', 'tsconfig.build.json']);
		const icons = run(bin('gulp'), ['build:icons']);
		if (packageBuildNeeded(repoRoot) || icons.status !== 0) throw new Error(`dist/ did not build:\n${tsc.stdout}${tsc.stderr}${icons.stderr}`);
		built.push(`dist/ (${packageReason})`);
	}
	const sidecarReason = sidecarBuildNeeded(repoRoot);
	if (sidecarReason) {
		const tsc = run(bin('tsc'), ['-p', path.join('sidecar', 'tsconfig.json')]);
		if (sidecarBuildNeeded(repoRoot)) throw new Error(`sidecar/dist did not build:\n${tsc.stdout}${tsc.stderr}`);
		built.push(`sidecar/dist (${sidecarReason})`);
	}
	return built;
}

/**
 * Why `npm install` is needed in the repository — node_modules missing, or
 * package-lock.json changed since npm last installed (npm writes
 * node_modules/.package-lock.json at each install) — or undefined.
 */
function installNeeded(repoRoot) {
	const installed = mtimeOf(path.join(repoRoot, 'node_modules', '.package-lock.json'));
	if (installed === 0) return 'node_modules is missing';
	if (mtimeOf(path.join(repoRoot, 'package-lock.json')) > installed) return 'package-lock.json changed since the last npm install';
	return undefined;
}

/** `npm install` in the repository (never letting puppeteer download a browser), output passed through. */
function runInstall(repoRoot) {
	return runNpm(repoRoot, ['install', '--no-audit', '--no-fund'], { PUPPETEER_SKIP_DOWNLOAD: 'true' });
}

/** Runs `npm run build` in the repository, output passed through; rejects on failure. */
function runBuild(repoRoot) {
	return runNpm(repoRoot, ['run', 'build', '--silent']);
}

function runNpm(repoRoot, args, extraEnv = {}) {
	return new Promise((resolve, reject) => {
		const child = spawn('npm', args, { cwd: repoRoot, env: { ...process.env, ...extraEnv }, stdio: ['ignore', 'inherit', 'inherit'] });
		child.once('error', reject);
		child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`npm ${args.join(' ')} failed (exit ${code})`))));
	});
}

module.exports = { buildNeeded, packageBuildNeeded, sidecarBuildNeeded, buildStaleSync, runBuild, installNeeded, runInstall };
