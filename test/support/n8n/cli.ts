/**
 * n8n's command line (`n8n import:workflow`, `n8n execute`, …) against the user folder of
 * a running test instance, as an admin would run it on the server: same Node 24 runtime,
 * same N8N_USER_FOLDER (its SQLite database) and the same encryption key, which the
 * caller must know (start the instance with `env: { N8N_ENCRYPTION_KEY }`).
 * n8n 2.41.1 notes: `n8n execute --id=X` starts from the workflow's Manual Trigger (or
 * Execute Workflow Trigger) only — a workflow with just a Schedule Trigger is refused
 * ("Missing node to start execution") — exits 0 on success, 1 on failure, and prints the
 * run (with --rawOutput: only the JSON) through its logger, so N8N_LOG_LEVEL must be info.
 */
import { execFile } from 'node:child_process';
import { n8nCommandEnvironment } from '../../../scripts/lib/n8n-server';
import { freePort } from '../../../scripts/lib/ports';
import { inheritedEnv, type N8nInstance } from './instance';
import { n8nRuntime } from './runtime';

export interface N8nCliResult {
	code: number;
	stdout: string;
	stderr: string;
	/** Wall time of the command, for the test's log (never asserted). */
	ms: number;
}

export async function runN8nCli(
	instance: N8nInstance,
	args: string[],
	options: { encryptionKey: string; env?: Record<string, string>; timeoutMs?: number },
): Promise<N8nCliResult> {
	const runtime = n8nRuntime();
	const env: Record<string, string> = {
		...n8nCommandEnvironment({
			runtime,
			userFolder: instance.userFolder,
			brokerPort: await freePort(),
			encryptionKey: options.encryptionKey,
			// `n8n execute` prints its result through the logger at level info.
			logLevel: 'info',
			baseEnv: inheritedEnv(),
		}),
		...options.env,
	};
	const started = Date.now();
	return await new Promise((resolve) => {
		execFile(
			runtime.node,
			[runtime.n8n, ...args],
			{ cwd: instance.userFolder, env, timeout: options.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
			(error, stdout, stderr) => {
				const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : -1) : 0;
				resolve({ code, stdout, stderr, ms: Date.now() - started });
			},
		);
	});
}

/**
 * The JSON `n8n execute --rawOutput` prints between its log lines: from the first line starting
 * with `{` to the last line starting with `}` that closes it (n8n may log more lines after it,
 * e.g. while it shuts down).
 */
export function rawOutputJson<T = unknown>(stdout: string): T {
	const lines = stdout.split('\n');
	const start = lines.findIndex((line) => line.startsWith('{'));
	if (start < 0) throw new Error(`no JSON in the output of n8n execute:\n${stdout.slice(-2000)}`);
	let firstError: unknown;
	for (let end = lines.length; end > start; end--) {
		if (!lines[end - 1]!.startsWith('}') && end - 1 !== start) continue;
		try {
			return JSON.parse(lines.slice(start, end).join('\n')) as T;
		} catch (error) {
			firstError ??= error;
		}
	}
	throw new Error(`no complete JSON in the output of n8n execute (${String(firstError)}):\n${stdout.slice(-2000)}`);
}
