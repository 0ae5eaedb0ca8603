'use strict';
/**
 * Lets the bench processes `require()` the project's TypeScript sources
 * directly (core/, crm/, sidecar/src/, bench/): each .ts file is transpiled
 * with the project's own compiler options (tsconfig.json), the way ts-jest
 * runs the tests. The benches therefore always measure the sources as they
 * are now, never a stale dist/. Transpile-only is sound because the project
 * builds with `isolatedModules`; type checking stays with `npm run typecheck`
 * (tsconfig.json includes bench/**).
 *
 * Transpiled output is cached on disk, keyed by the file's path and content,
 * the TypeScript version and tsconfig.json. The runner warms the cache before
 * starting the benches (`warm()`), so bench processes never load the
 * TypeScript compiler itself (about 100 MB of RSS that would otherwise show
 * up in the memory figures).
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const TSCONFIG = path.join(REPO_ROOT, 'tsconfig.json');
const CACHE_DIR = path.join(os.tmpdir(), `wacrm-bench-ts-${sha1(REPO_ROOT).slice(0, 10)}`);
/** Folders whose .ts files the benches load. */
const SOURCE_DIRS = ['core', 'crm', 'sidecar/src', 'bench', 'test/support', 'test/e2e/support'];

function sha1(text) {
	return crypto.createHash('sha1').update(text).digest('hex');
}

let salt = null;
/** What, besides the file itself, changes the output: the compiler's version and the project's options. */
function cacheSalt() {
	if (salt === null) {
		const tsVersion = require('typescript/package.json').version;
		salt = `${tsVersion}\0${fs.readFileSync(TSCONFIG, 'utf8')}`;
	}
	return salt;
}

let compiler = null;
function loadCompiler() {
	if (compiler === null) {
		const ts = require('typescript');
		const read = ts.readConfigFile(TSCONFIG, ts.sys.readFile);
		if (read.error) throw new Error(`cannot read ${TSCONFIG}: ${ts.flattenDiagnosticMessageText(read.error.messageText, '\n')}`);
		const { options } = ts.convertCompilerOptionsFromJson(read.config.compilerOptions ?? {}, REPO_ROOT);
		compiler = {
			ts,
			options: {
				...options,
				module: ts.ModuleKind.CommonJS,
				isolatedModules: true,
				declaration: false,
				sourceMap: false,
				inlineSourceMap: true,
				inlineSources: false,
				noEmit: false,
			},
		};
	}
	return compiler;
}

/** JavaScript for a .ts file, from the cache or freshly transpiled (and then cached). */
function transpile(filename, source, usedKeys) {
	const key = sha1(`${cacheSalt()}\0${filename}\0${source}`);
	if (usedKeys) usedKeys.add(`${key}.js`);
	const cached = path.join(CACHE_DIR, `${key}.js`);
	try {
		return fs.readFileSync(cached, 'utf8');
	} catch {
		// not cached yet
	}
	const { ts, options } = loadCompiler();
	const { outputText } = ts.transpileModule(source, { compilerOptions: options, fileName: filename, reportDiagnostics: false });
	try {
		fs.mkdirSync(CACHE_DIR, { recursive: true });
		const tmp = `${cached}.${process.pid}.tmp`;
		fs.writeFileSync(tmp, outputText);
		fs.renameSync(tmp, cached);
	} catch {
		// a cache that cannot be written only costs time
	}
	return outputText;
}

function* tsFiles(dir) {
	let entries;
	try {
		entries = fs.readdirSync(dir, { withFileTypes: true });
	} catch {
		return;
	}
	for (const entry of entries) {
		if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) continue;
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) yield* tsFiles(full);
		else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) yield full;
	}
}

/**
 * Transpiles every source file the benches may load into the cache and
 * removes cached output of older versions of the files. Returns how many files
 * are cached.
 */
function warm() {
	const used = new Set();
	for (const dir of SOURCE_DIRS) {
		for (const file of tsFiles(path.join(REPO_ROOT, dir))) transpile(file, fs.readFileSync(file, 'utf8'), used);
	}
	try {
		for (const name of fs.readdirSync(CACHE_DIR)) {
			if (name.endsWith('.js') && !used.has(name)) fs.rmSync(path.join(CACHE_DIR, name), { force: true });
		}
	} catch {
		// nothing cached
	}
	return used.size;
}

let registered = false;

function register() {
	if (registered) return;
	registered = true;
	require.extensions['.ts'] = function loadTypeScript(module, filename) {
		module._compile(transpile(filename, fs.readFileSync(filename, 'utf8')), filename);
	};
	if (typeof process.setSourceMapsEnabled === 'function') process.setSourceMapsEnabled(true);
}

module.exports = { register, warm, REPO_ROOT, CACHE_DIR };
