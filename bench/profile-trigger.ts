/**
 * A CPU profile of n8n while it receives WhatsApp events: a real n8n (the shipped
 * settings, test/support/n8n) started with `--cpu-prof`, a trigger → No-op workflow,
 * `PROFILE_REQUESTS` signed sidecar events (default 1000) with `PROFILE_CONCURRENCY`
 * in flight (default 16), then n8n is stopped cleanly so that Node writes the profile.
 * Prints the folder of the .cpuprofile files (open them in Chrome's DevTools →
 * Performance, or summarize with `node bench/lib/cpuprofile-summary.js <file>`).
 *
 *   node -e "require('./bench/lib/ts-register.js').register(); require('./bench/profile-trigger.ts')"
 *
 * PROFILE_TARGET=webhook profiles n8n's Webhook node → No-op instead, for comparison;
 * PROFILE_ENV='{"N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE":"false"}' adds n8n settings.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { messageEvent, signedDelivery } from '../test/support/sidecar-deliveries';
import { PACKAGE_NAME, startN8n, thenNoOp } from '../test/support/n8n';
import { runBatch } from './lib/n8n-load';

const SECRET = 'profile-sidecar-webhook-secret-0123456789';
const HOOK = 'e6b4f5a7-8c9d-4e0f-9a1b-3c4d5e6f7a8b';

async function main(): Promise<void> {
	const requests = Number(process.env.PROFILE_REQUESTS ?? 1000);
	const concurrency = Number(process.env.PROFILE_CONCURRENCY ?? 16);
	const target = process.env.PROFILE_TARGET === 'webhook' ? 'webhook' : 'trigger';
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wacrm-n8n-profile-'));
	const n8n = await startN8n({
		env: { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${dir}`, ...(JSON.parse(process.env.PROFILE_ENV ?? '{}') as Record<string, string>) },
	});
	try {
		const credential = await n8n.createCredential('whatsAppSidecarApi', 'Sidecar', {
			baseUrl: 'http://127.0.0.1:9',
			apiKey: 'unused',
			webhookSecret: SECRET,
			toleranceSeconds: 300,
		});
		const first =
			target === 'trigger'
				? {
						id: 'trigger',
						name: 'Start',
						type: `${PACKAGE_NAME}.whatsAppCrmTrigger`,
						typeVersion: 2,
						position: [0, 0] as [number, number],
						webhookId: HOOK,
						parameters: { source: 'sidecar', events: ['inbound'], acknowledge: 'onReceived', options: {} },
						credentials: { whatsAppSidecarApi: { id: credential, name: 'Sidecar' } },
					}
				: {
						id: 'webhook',
						name: 'Start',
						type: 'n8n-nodes-base.webhook',
						typeVersion: 2,
						position: [0, 0] as [number, number],
						webhookId: HOOK,
						parameters: { httpMethod: 'POST', path: 'profile-webhook', responseMode: 'onReceived', options: {} },
					};
		const workflowId = await n8n.importWorkflow(thenNoOp(`Profile ${target}`, first));
		await n8n.activate(workflowId);
		const webhookPath = target === 'trigger' ? `${HOOK}/webhook` : 'profile-webhook';
		await n8n.waitForWebhook(webhookPath, 'POST');
		const result = await runBatch({
			n8n,
			url: n8n.webhookUrl(webhookPath),
			workflowId,
			count: requests,
			concurrency,
			requestAt: () => signedDelivery(messageEvent(), SECRET),
			saveSuccess: true,
		});
		process.stderr.write(
			`${target}: ${requests} requests, ${(result.cpuMs / requests).toFixed(1)} ms CPU per request, ` +
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
