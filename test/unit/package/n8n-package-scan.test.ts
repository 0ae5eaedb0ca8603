/**
 * n8n's package scanner (@n8n/scan-community-package), its offline checks, on the
 * packed package and its source (scripts/scan-package.mjs): nothing but the
 * documented exceptions, and no exception that matches nothing any more.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

interface Finding {
	leg: string;
	file: string;
	line: number;
	rule: string;
	message: string;
}

test("n8n's package scanner reports nothing but the package's documented exceptions", () => {
	const scan = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'scan-package.mjs'), '--json'], { cwd: REPO_ROOT, encoding: 'utf8' });
	if (scan.stdout.trim() === '') throw new Error(`the scan did not run:\n${scan.stderr}`);
	const result = JSON.parse(scan.stdout) as { unexpected: Finding[]; excepted: Finding[]; unusedExceptions: string[] };
	expect(result.unexpected).toEqual([]);
	expect(result.unusedExceptions).toEqual([]);
	// It did lint the package: the runtime dependencies are there, excepted.
	expect(result.excepted.some((finding) => finding.rule === '@n8n/community-nodes/no-runtime-dependencies')).toBe(true);
}, 120_000);
