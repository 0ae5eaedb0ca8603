'use strict';
/**
 * Puts this package into an n8n user folder the way n8n installs a community
 * package (n8n 2.41.1, community-packages.service.ts `downloadPackage`): the
 * `npm pack` tarball is unpacked into `<N8N_USER_FOLDER>/.n8n/nodes/node_modules/<name>`,
 * `devDependencies`, `peerDependencies` and `optionalDependencies` are deleted
 * from its package.json, and `npm install --install-strategy=shallow
 * --ignore-scripts` runs inside it, so its own dependencies land in
 * `<package>/node_modules`. Used by `npm start` (ensureCommunityPackage) and by
 * the e2e harness (test/support/n8n/community-package.ts).
 *
 * n8n-workflow is a peer dependency: inside n8n the package must get n8n's own
 * copy (n8n puts its module paths on NODE_PATH at start-up), or
 * `instanceof NodeOperationError` fails across the two copies. A user folder
 * inside this repository (the start script's `.data/`) would find the
 * repository's node_modules/n8n-workflow first on the way up, so
 * `nodes/node_modules/n8n-workflow` is made a symlink to the runtime's copy
 * (installCommunityPackage's `n8nWorkflowDir`): Node caches modules by real
 * path, so both resolve to one module. (n8n only loads `n8n-nodes-*` and
 * `@*\/n8n-nodes-*` folders from there as packages.) The e2e harness keeps its
 * user folders under the OS temp dir, where nothing is found on the way up, and
 * passes no `n8nWorkflowDir`: its package reaches n8n's copy through NODE_PATH,
 * as on a real install.
 */
const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const PACKAGE_NAME = 'n8n-nodes-whatsapp-crm';
const MARKER = '.whatsapp-crm-installed-from';

/** `npm pack`s the repository (dist/ must be built) into destDir; returns the tarball's path. */
function packPackage(repoRoot, destDir) {
	fs.mkdirSync(destDir, { recursive: true });
	const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', destDir], {
		cwd: repoRoot,
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	const [info] = JSON.parse(out);
	return path.join(destDir, info.filename);
}

function sha256File(file) {
	return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/**
 * Unpacks the tarball into `<workDir>/<name>`, drops the dependency kinds n8n
 * drops, and installs the package's dependencies as n8n does. Returns the
 * package's directory.
 */
function preparePackage(tarball, workDir) {
	const pkgDir = path.join(workDir, PACKAGE_NAME);
	fs.rmSync(pkgDir, { recursive: true, force: true });
	fs.mkdirSync(pkgDir, { recursive: true });
	execFileSync('tar', ['-xzf', tarball, '-C', pkgDir, '--strip-components=1']);
	const pkgJsonPath = path.join(pkgDir, 'package.json');
	const pkgJson = JSON.parse(fs.readFileSync(pkgJsonPath, 'utf8'));
	delete pkgJson.devDependencies;
	delete pkgJson.peerDependencies;
	delete pkgJson.optionalDependencies;
	fs.writeFileSync(pkgJsonPath, JSON.stringify(pkgJson, null, 2));
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
	return pkgDir;
}

/**
 * Copies a prepared package into `<userFolder>/.n8n/nodes/node_modules/<name>`
 * (replacing what is there), records it in `<userFolder>/.n8n/nodes/package.json`
 * as n8n does after an install, and, when `n8nWorkflowDir` is given, links
 * `nodes/node_modules/n8n-workflow` to it (see the file comment). Returns the
 * package's directory inside the user folder.
 */
function installCommunityPackage(userFolder, sourceDir, { n8nWorkflowDir, marker } = {}) {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	const dest = path.join(nodesDir, 'node_modules', PACKAGE_NAME);
	fs.mkdirSync(path.dirname(dest), { recursive: true });
	const staging = `${dest}.installing-${process.pid}`;
	fs.rmSync(staging, { recursive: true, force: true });
	fs.cpSync(sourceDir, staging, { recursive: true });
	if (marker) fs.writeFileSync(path.join(staging, MARKER), marker);
	fs.rmSync(dest, { recursive: true, force: true });
	fs.renameSync(staging, dest);
	const { version } = JSON.parse(fs.readFileSync(path.join(dest, 'package.json'), 'utf8'));
	fs.writeFileSync(
		path.join(nodesDir, 'package.json'),
		JSON.stringify({ name: 'installed-nodes', private: true, dependencies: { [PACKAGE_NAME]: version } }, null, 2),
	);
	if (n8nWorkflowDir) linkN8nWorkflow(userFolder, n8nWorkflowDir);
	return dest;
}

/** Makes `<userFolder>/.n8n/nodes/node_modules/n8n-workflow` a symlink to n8n's own copy. */
function linkN8nWorkflow(userFolder, n8nWorkflowDir) {
	const link = path.join(userFolder, '.n8n', 'nodes', 'node_modules', 'n8n-workflow');
	try {
		if (fs.readlinkSync(link) === n8nWorkflowDir) return;
	} catch {
		// missing or not a link
	}
	fs.rmSync(link, { recursive: true, force: true });
	fs.symlinkSync(n8nWorkflowDir, link, 'dir');
}

/** The folder of the n8n-workflow that n8n itself loads, from a runtime's `require`. */
function n8nWorkflowDirOf(runtimeRequire) {
	const entry = runtimeRequire.resolve('n8n-workflow');
	let dir = path.dirname(entry);
	while (!fs.existsSync(path.join(dir, 'package.json')) || path.basename(dir) !== 'n8n-workflow') {
		const parent = path.dirname(dir);
		if (parent === dir) throw new Error(`cannot find n8n-workflow's folder from ${entry}`);
		dir = parent;
	}
	return dir;
}

/**
 * Packs the repository and installs the result into the user folder unless the
 * very same tarball is already installed there. Returns { dir, changed }.
 * options.cacheDir: where the tarball and the prepared copy are kept;
 * options.runtimeRequire: the runtime's require (for the n8n-workflow link).
 */
function ensureCommunityPackage({ repoRoot, userFolder, cacheDir, runtimeRequire }) {
	const packDir = path.join(cacheDir, 'pack');
	fs.rmSync(packDir, { recursive: true, force: true });
	const tarball = packPackage(repoRoot, packDir);
	const digest = sha256File(tarball);
	const dest = path.join(userFolder, '.n8n', 'nodes', 'node_modules', PACKAGE_NAME);
	const n8nWorkflowDir = runtimeRequire ? n8nWorkflowDirOf(runtimeRequire) : undefined;
	let installed;
	try {
		installed = fs.readFileSync(path.join(dest, MARKER), 'utf8');
	} catch {
		installed = undefined;
	}
	if (installed === digest) {
		if (n8nWorkflowDir) linkN8nWorkflow(userFolder, n8nWorkflowDir);
		fs.rmSync(packDir, { recursive: true, force: true });
		return { dir: dest, changed: false };
	}
	const prepared = preparePackage(tarball, path.join(cacheDir, 'prepared'));
	installCommunityPackage(userFolder, prepared, { n8nWorkflowDir, marker: digest });
	fs.rmSync(path.join(cacheDir, 'prepared'), { recursive: true, force: true });
	fs.rmSync(packDir, { recursive: true, force: true });
	return { dir: dest, changed: true };
}

module.exports = {
	PACKAGE_NAME,
	packPackage,
	preparePackage,
	installCommunityPackage,
	linkN8nWorkflow,
	n8nWorkflowDirOf,
	ensureCommunityPackage,
};
