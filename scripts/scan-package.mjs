#!/usr/bin/env node
/**
 * n8n's package scanner (@n8n/scan-community-package, the gate n8n runs before
 * it verifies a community package), its offline checks, on this package as npm
 * would publish it: the scanner's own ESLint configuration (`buildScanConfig`:
 * the community-nodes rules in their n8n Cloud form plus eslint-plugin-n8n-nodes-base)
 * on the two things it lints — the packed tarball (compiled .js and
 * package.json) and the source it is built from (package.json, nodes/,
 * credentials/). The scanner's online steps (the registry, npm provenance,
 * downloading the attested source) need a published version and are left out.
 *
 * Findings listed in EXCEPTIONS are deliberate (README, "n8n's packaging
 * conventions"); any other finding fails, and so does an exception that no
 * longer matches anything (delete it). dist/ must be built (`npm run build`).
 *
 *   node scripts/scan-package.mjs          report; exit 1 on a finding that is not an exception
 *   node scripts/scan-package.mjs --json   the same as JSON: { unexpected, excepted, unusedExceptions }
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { buildScanConfig, SOURCE_FILE_PATTERNS } from '@n8n/scan-community-package/scanner/scanner.mjs';

// eslint-plugin-n8n-nodes-base treats every file as a node file named Test.node.ts when NODE_ENV is
// 'test' (its own test mode), which jest sets: the scan must see the real file names.
delete process.env.NODE_ENV;

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { packPackage } = require('./lib/community-package.js');
// The scanner's own file matcher, as it globs.
const glob = createRequire(require.resolve('@n8n/scan-community-package/package.json'))('fast-glob');

/** What the scanner lints in the tarball (scanner.mjs analyzePackageByName). */
const TARBALL_FILE_PATTERNS = ['**/*.js', 'package.json'];

const RUNTIME_DEPENDENCIES = "runtime dependencies: the CRM store needs pg, phone numbers need libphonenumber-js (README, \"n8n's packaging conventions\")";

/**
 * The deliberate exceptions. `rule`: one rule id or several; `file`: one path or
 * several, inside the package (or the repository, for the source); `message`: a pattern
 * the finding's message must match. Every given field must match.
 */
export const EXCEPTIONS = [
	{ because: RUNTIME_DEPENDENCIES, rule: '@n8n/community-nodes/no-runtime-dependencies', file: 'package.json' },
	{ because: `${RUNTIME_DEPENDENCIES}, where the code imports them`, rule: '@n8n/community-nodes/no-restricted-imports', message: /'(pg|libphonenumber-js)(\/[^']*)?'/ },
	{
		because: "db/migrate.js is the CRM store's migration command (`node db/migrate.js`), run by an admin, never loaded by n8n: a command-line tool that needs pg, the file system and the environment",
		file: 'db/migrate.js',
	},
	{
		because: "Resolve Contact reaches the CRM database (pg) through n8n's own Postgres credential, so an admin configures it once for the nodes and the workflows' Postgres nodes",
		file: 'nodes/WhatsAppCrmResolveContact/WhatsAppCrmResolveContact.node.ts',
		rule: [
			'@n8n/community-nodes/no-credential-reuse',
			'@n8n/community-nodes/valid-credential-references',
			'n8n-nodes-base/node-class-description-credentials-name-unsuffixed',
		],
	},
];

function matches(exception, finding) {
	if (exception.file !== undefined && ![exception.file].flat().includes(finding.file)) return false;
	if (exception.rule !== undefined && ![exception.rule].flat().includes(finding.rule)) return false;
	if (exception.message !== undefined && !exception.message.test(finding.message)) return false;
	return true;
}

/** The scanner's lint of `dir` (scanner.mjs analyzePackage, with every finding kept). */
async function lint(dir, patterns, leg) {
	const eslint = new ESLint({ cwd: dir, allowInlineConfig: false, overrideConfigFile: true, overrideConfig: await buildScanConfig() });
	const files = glob.sync(patterns, { cwd: dir, absolute: true, ignore: ['node_modules/**', '**/package-lock.json'] });
	const findings = [];
	for (const result of await eslint.lintFiles(files)) {
		for (const message of result.messages) {
			if (message.severity !== 2) continue;
			findings.push({
				leg,
				file: path.relative(dir, result.filePath).split(path.sep).join('/'),
				line: message.line,
				rule: message.ruleId ?? '(parse error)',
				message: message.message,
			});
		}
	}
	return findings;
}

export async function scanPackage() {
	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'whatsapp-crm-scan-'));
	try {
		const tarball = packPackage(REPO_ROOT, work);
		const unpacked = path.join(work, 'package');
		fs.mkdirSync(unpacked);
		execFileSync('tar', ['-xzf', tarball, '-C', unpacked, '--strip-components=1']);
		const findings = [
			...(await lint(unpacked, TARBALL_FILE_PATTERNS, 'tarball')),
			...(await lint(REPO_ROOT, SOURCE_FILE_PATTERNS, 'source')),
		];
		const excepted = [];
		const unexpected = [];
		const used = new Set();
		for (const finding of findings) {
			const exception = EXCEPTIONS.find((candidate) => matches(candidate, finding));
			if (exception) {
				used.add(exception);
				excepted.push({ ...finding, because: exception.because });
			} else {
				unexpected.push(finding);
			}
		}
		const unusedExceptions = EXCEPTIONS.filter((exception) => !used.has(exception)).map((exception) => exception.because);
		return { unexpected, excepted, unusedExceptions };
	} finally {
		fs.rmSync(work, { recursive: true, force: true });
	}
}

const format = (f) => `  ${f.leg} ${f.file}:${f.line}  ${f.rule}  ${f.message}`;

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	const result = await scanPackage();
	if (process.argv.includes('--json')) {
		process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
	} else {
		const lines = [`n8n's package scan (offline checks): ${result.excepted.length} finding(s) excepted on purpose`];
		if (result.unexpected.length > 0) lines.push(`${result.unexpected.length} finding(s) to fix:`, ...result.unexpected.map(format));
		if (result.unusedExceptions.length > 0) lines.push('exceptions that match nothing any more (delete them):', ...result.unusedExceptions.map((why) => `  ${why}`));
		if (result.unexpected.length === 0 && result.unusedExceptions.length === 0) lines.push('passed');
		process.stdout.write(`${lines.join('\n')}\n`);
	}
	process.exitCode = result.unexpected.length > 0 || result.unusedExceptions.length > 0 ? 1 : 0;
}
