/** Why `npm run build` is needed (dist/ or sidecar/dist missing or older than the sources), or undefined. */
export function buildNeeded(repoRoot: string): string | undefined;
export function runBuild(repoRoot: string): Promise<void>;
/** Why `npm install` is needed (node_modules missing, or older than package-lock.json), or undefined. */
export function installNeeded(repoRoot: string): string | undefined;
export function runInstall(repoRoot: string): Promise<void>;
