export const PACKAGE_NAME: 'n8n-nodes-whatsapp-crm';
export function packPackage(repoRoot: string, destDir: string): string;
export function preparePackage(tarball: string, workDir: string): string;
export function installCommunityPackage(
	userFolder: string,
	sourceDir: string,
	options?: { n8nWorkflowDir?: string; marker?: string },
): string;
export function linkN8nWorkflow(userFolder: string, n8nWorkflowDir: string): void;
export function n8nWorkflowDirOf(runtimeRequire: NodeRequire): string;
export function ensureCommunityPackage(options: {
	repoRoot: string;
	userFolder: string;
	cacheDir: string;
	runtimeRequire?: NodeRequire;
}): { dir: string; changed: boolean };
