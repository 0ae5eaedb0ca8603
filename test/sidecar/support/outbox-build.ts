/**
 * A sidecar module as plain JavaScript in a private folder, so a child process
 * (which ts-jest cannot reach) can require it with plain node: the folder gets a
 * copy of the sidecar's build, made once per jest run (../helpers/spawn.ts).
 * Packages (pino, …) resolve through NODE_PATH set to the repository's node_modules.
 */
import fs from 'node:fs';
import path from 'node:path';
import { copySidecarBuild } from '../helpers/spawn';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** Copies the sidecar's build into `outDir`; returns the .js path of `entry` (a .ts path inside the repository, e.g. sidecar/src/outbox/index.ts). */
export function buildForChild(entry: string, outDir: string): string {
	copySidecarBuild(outDir);
	const js = path.join(outDir, entry).replace(/\.ts$/, '.js');
	if (!fs.existsSync(js)) throw new Error(`${entry} is not part of the sidecar's build`);
	return js;
}
