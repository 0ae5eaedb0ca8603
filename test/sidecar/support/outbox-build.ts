/**
 * Compiles a sidecar module and everything it imports by relative path into a
 * private folder, so a child process (which ts-jest cannot reach) can require
 * it with plain node. Uses TypeScript's own transpiler per file — the same
 * output `tsc -p sidecar/tsconfig.json` emits — without touching sidecar/dist,
 * which other test files and helpers may be building at the same moment.
 * Packages (pino, …) resolve through NODE_PATH set to the repository's node_modules.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

function resolveRelative(fromFile: string, spec: string): string | null {
	const base = path.resolve(path.dirname(fromFile), spec);
	for (const candidate of [`${base}.ts`, path.join(base, 'index.ts')]) {
		if (fs.existsSync(candidate)) return candidate;
	}
	return null;
}

/** Transpiles `entry` (a .ts path inside the repository) and its relative imports; returns the .js path of `entry`. */
export function buildForChild(entry: string, outDir: string): string {
	const todo = [path.resolve(REPO_ROOT, entry)];
	const done = new Set<string>();
	while (todo.length > 0) {
		const file = todo.pop() as string;
		if (done.has(file)) continue;
		done.add(file);
		const source = fs.readFileSync(file, 'utf8');
		for (const imported of ts.preProcessFile(source, true, true).importedFiles) {
			if (!imported.fileName.startsWith('.')) continue;
			const target = resolveRelative(file, imported.fileName);
			if (target) todo.push(target);
		}
		const output = ts.transpileModule(source, {
			fileName: file,
			compilerOptions: {
				module: ts.ModuleKind.CommonJS,
				target: ts.ScriptTarget.ES2022,
				esModuleInterop: true,
				resolveJsonModule: true,
			},
		}).outputText;
		const outFile = path.join(outDir, path.relative(REPO_ROOT, file)).replace(/\.ts$/, '.js');
		fs.mkdirSync(path.dirname(outFile), { recursive: true });
		fs.writeFileSync(outFile, output);
	}
	return path.join(outDir, entry).replace(/\.ts$/, '.js');
}
