/**
 * A CPU profile of n8n while it receives WhatsApp events: a real n8n (the shipped
 * settings, test/support/n8n) started with `--cpu-prof`, one of bench 8's workflows
 * (bench/lib/n8n-targets.ts), `PROFILE_REQUESTS` requests (default 1000) with
 * `PROFILE_CONCURRENCY` in flight (default 16), then n8n is stopped cleanly so that
 * Node writes the profile. Prints the folder of the .cpuprofile files (open them in
 * Chrome's DevTools → Performance, or summarize with
 * `node bench/lib/cpuprofile-summary.js <file> --requests <n>`).
 *
 *   node -e "require('./bench/lib/ts-register.js').register(); require('./bench/profile-trigger.ts')"
 *
 * PROFILE_TARGET: sidecar (the trigger fed signed sidecar events, the default), meta (the
 * trigger fed Cloud API bodies of 10 messages) or webhook (n8n's Webhook node, for
 * comparison); PROFILE_ENV='{"N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE":"false"}' adds n8n settings.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startN8n } from '../test/support/n8n';
import { runBatch } from './lib/n8n-load';
import { createCredentials, deployTarget, TARGETS } from './lib/n8n-targets';

async function main(): Promise<void> {
	const requests = Number(process.env.PROFILE_REQUESTS ?? 1000);
	const concurrency = Number(process.env.PROFILE_CONCURRENCY ?? 16);
	const wanted = process.env.PROFILE_TARGET ?? 'sidecar';
	const target = TARGETS.find((t) => t.key === wanted);
	if (!target) throw new Error(`PROFILE_TARGET must be one of ${TARGETS.map((t) => t.key).join(', ')}, got ${wanted}`);
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wacrm-n8n-profile-'));
	const n8n = await startN8n({
		env: { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${dir}`, ...(JSON.parse(process.env.PROFILE_ENV ?? '{}') as Record<string, string>) },
	});
	try {
		const workflowId = await deployTarget(n8n, target, await createCredentials(n8n));
		const result = await runBatch({
			n8n,
			url: n8n.webhookUrl(target.path),
			workflowId,
			count: requests,
			concurrency,
			requestAt: () => target.request(),
			saveSuccess: true,
		});
		process.stderr.write(
			`${target.key}: ${requests} requests, ${(result.cpuMs / requests).toFixed(1)} ms CPU per request, ` +
				`${((result.executions.success ?? 0) / (result.durationMs / 1000)).toFixed(1)} executions/s, executions ${JSON.stringify(result.executions)}\n`,
		);
	} finally {
		await n8n.stop();
	}
	process.stdout.write(`${dir}\n`);
}

main().catch((error) => {
	process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
	process.exitCode = 1;
});
