/** Why `npm run build` is needed (dist/ or sidecar/dist missing or older than the sources), or undefined. */
export function buildNeeded(repoRoot: string): string | undefined;
/** Why the package's build (dist/) is needed (missing or older than core, crm, nodes, credentials), or undefined. */
export function packageBuildNeeded(repoRoot: string): string | undefined;
/** Why the sidecar's build (sidecar/dist) is needed (missing or older than sidecar/src and core), or undefined. */
export function sidecarBuildNeeded(repoRoot: string): string | undefined;
/** Builds what is stale (dist/, sidecar/dist) synchronously, type errors or not; returns what it built. */
export function buildStaleSync(repoRoot: string): string[];
export function runBuild(repoRoot: string): Promise<void>;
/** Why `npm install` is needed (node_modules missing, or older than package-lock.json), or undefined. */
export function installNeeded(repoRoot: string): string | undefined;
export function runInstall(repoRoot: string): Promise<void>;
