/**
 * The whole path inside a real n8n (2.41.1 on Node 24, this package installed as a
 * community package, test/support/n8n): WhatsApp CRM Trigger → No-op against n8n's
 * own Webhook node (POST, respond immediately) → No-op on the same n8n, in
 * alternating rounds, at 1 and 16 requests in flight. Three n8n configurations, one
 * after the other (never two n8n at once): the settings `npm start` ships
 * (scripts/lib/n8n-server.js), n8n's defaults for the expression engine, and the
 * shipped settings with successful executions not saved.
 *
 * Request counts come from the environment so a run fits the time at hand:
 *   BENCH_E2E_REQUESTS           per target at 16 in flight, shipped settings (default 400;
 *                                the issue's headline figure is 2000)
 *   BENCH_E2E_REQUESTS_C1        per target one at a time (default: BENCH_E2E_REQUESTS)
 *   BENCH_E2E_DEFAULTS_REQUESTS  per target and concurrency under n8n's defaults (default 100: they are slow)
 *   BENCH_E2E_ROUNDS             rounds each count is split into, alternating the order (default 2)
 *   BENCH_E2E_CONFIGS            which configurations (default shipped,defaults,no-saving)
 */
import { buildStaleSync } from '../scripts/lib/build';
import { EXPRESSION_ENGINE_SETTINGS } from '../scripts/lib/n8n-server';
import { startN8n } from '../test/support/n8n';
import { check, defineBench, type BenchContext } from './lib/harness';
import { runBatch, type BatchResult } from './lib/n8n-load';
import { createCredentials, deployTarget, TARGETS, type Target } from './lib/n8n-targets';

const intFromEnv = (name: string, fallback: number) => {
	const value = Number(process.env[name]);
	return Number.isInteger(value) && value > 0 ? value : fallback;
};

interface Config {
	key: string;
	label: string;
	env: Record<string, string>;
	saveSuccess: boolean;
	/** Requests per target: one at a time, and 16 in flight. */
	requests: { c1: number; c16: number };
}

const CONCURRENCIES = [1, 16];

interface Totals {
	requests: number;
	answered2xx: number;
	refused: number;
	durationMs: number;
	cpuMs: number;
	success: number;
	failed: number;
	unfinished: number;
	latenciesMs: number[];
}

function add(totals: Totals | undefined, batch: BatchResult): Totals {
	const t = totals ?? { requests: 0, answered2xx: 0, refused: 0, durationMs: 0, cpuMs: 0, success: 0, failed: 0, unfinished: 0, latenciesMs: [] };
	t.requests += batch.requests;
	t.answered2xx += batch.answered2xx;
	t.refused += Object.values(batch.refused).reduce((a, b) => a + b, 0);
	t.durationMs += batch.durationMs;
	t.cpuMs += batch.cpuMs;
	t.success += (batch.executions.success ?? 0) + batch.successNotSaved;
	t.failed += (batch.executions.error ?? 0) + (batch.executions.crashed ?? 0) + (batch.executions.canceled ?? 0);
	t.unfinished += Object.entries(batch.executions)
		.filter(([status]) => !['success', 'error', 'crashed', 'canceled'].includes(status))
		.reduce((a, [, n]) => a + n, 0);
	t.latenciesMs.push(...batch.latenciesMs);
	return t;
}

async function startConfigured(ctx: BenchContext, config: Config) {
	const n8n = await startN8n({ env: config.env });
	ctx.onCleanup(() => n8n.stop());
	const credentials = await createCredentials(n8n);
	const workflows = new Map<string, string>();
	for (const target of TARGETS) workflows.set(target.key, await deployTarget(n8n, target, credentials));
	return { n8n, workflows };
}

async function measureConfig(ctx: BenchContext, config: Config, rounds: number, results: Map<string, Totals>): Promise<void> {
	ctx.log(`starting n8n: ${config.label}`);
	const { n8n, workflows } = await startConfigured(ctx, config);
	const batch = (target: Target, count: number, concurrency: number) =>
		runBatch({
			n8n,
			url: n8n.webhookUrl(target.path),
			workflowId: workflows.get(target.key)!,
			count,
			concurrency,
			requestAt: () => target.request(),
			saveSuccess: config.saveSuccess,
		});

	// Each target answers correctly before anything is timed, and V8 and the pools warm up.
	for (const target of TARGETS) {
		const warm = await batch(target, 20, 4);
		check(warm.answered2xx === 20, `${config.key}/${target.key}: warm-up requests refused ${JSON.stringify(warm.refused)}`);
		check(warm.executions.error === undefined, `${config.key}/${target.key}: warm-up executions failed`);
		check((warm.executions.success ?? 0) + warm.successNotSaved === 20, `${config.key}/${target.key}: warm-up executions ${JSON.stringify(warm.executions)}`);
	}

	for (const concurrency of CONCURRENCIES) {
		const perRound = Math.max(concurrency, Math.ceil((concurrency === 1 ? config.requests.c1 : config.requests.c16) / rounds));
		for (let round = 0; round < rounds; round++) {
			const order = round % 2 === 0 ? TARGETS : [...TARGETS].reverse();
			for (const target of order) {
				const result = await batch(target, perRound, concurrency);
				const key = `${config.key}|${target.key}|${concurrency}`;
				results.set(key, add(results.get(key), result));
				ctx.log(
					`${config.key} ${target.key} c${concurrency} round ${round + 1}: ${(((result.executions.success ?? 0) + result.successNotSaved) / (result.durationMs / 1000)).toFixed(1)} executions/s, ` +
						`${(result.cpuMs / result.requests).toFixed(1)} ms CPU/request, executions ${JSON.stringify(result.executions)}${Object.keys(result.refused).length ? `, refused ${JSON.stringify(result.refused)}` : ''}`,
				);
			}
		}
	}
	await n8n.stop();
}

export default defineBench({
	title: 'End to end in a real n8n: WhatsApp CRM Trigger vs the Webhook node',
	measures:
		"Executions completed per second, answer latency, CPU per request of n8n's process group and failed/unfinished executions for WhatsApp CRM Trigger → No-op (sidecar event; Cloud API body with 10 messages) and n8n's Webhook node → No-op on the same n8n 2.41.1, alternating rounds, 1 and 16 in flight; shipped settings, n8n's defaults, and without saving successful executions.",
	timeoutMs: 45 * 60_000,
	async run(ctx) {
		const scale = ctx.quick ? 0.25 : 1;
		const rounds = intFromEnv('BENCH_E2E_ROUNDS', 2);
		const c16 = Math.max(16, Math.round(intFromEnv('BENCH_E2E_REQUESTS', 400) * scale));
		const shippedRequests = { c16, c1: Math.max(16, Math.round(intFromEnv('BENCH_E2E_REQUESTS_C1', c16 / scale) * scale)) };
		const defaults100 = Math.max(16, Math.round(intFromEnv('BENCH_E2E_DEFAULTS_REQUESTS', 100) * scale));
		const defaultsRequests = { c1: defaults100, c16: defaults100 };
		const wanted = (process.env.BENCH_E2E_CONFIGS ?? 'shipped,defaults,no-saving').split(',').map((s) => s.trim());
		const defaults = Object.fromEntries(Object.keys(EXPRESSION_ENGINE_SETTINGS).map((key) => [key, key.endsWith('LAZY_ACQUIRE') ? 'false' : '1']));
		const configs: Config[] = [
			{ key: 'shipped', label: `shipped settings (${Object.entries(EXPRESSION_ENGINE_SETTINGS).map(([k, v]) => `${k}=${v}`).join(', ')})`, env: {}, saveSuccess: true, requests: shippedRequests },
			{ key: 'defaults', label: "n8n's defaults (N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=false, N8N_EXPRESSION_ENGINE_POOL_SIZE=1)", env: defaults, saveSuccess: true, requests: defaultsRequests },
			{ key: 'no-saving', label: 'shipped settings, successful executions not saved (EXECUTIONS_DATA_SAVE_ON_SUCCESS=none)', env: { EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'none' }, saveSuccess: false, requests: shippedRequests },
		].filter((c) => wanted.includes(c.key));
		check(configs.length > 0, `BENCH_E2E_CONFIGS names no configuration: ${process.env.BENCH_E2E_CONFIGS}`);

		const built = buildStaleSync(ctx.repoRoot);
		if (built.length > 0) ctx.log(`built ${built.join(', ')}`);

		const results = new Map<string, Totals>();
		for (const config of configs) await measureConfig(ctx, config, rounds, results);

		const rate = (t: Totals) => t.success / (t.durationMs / 1000);
		for (const config of configs) {
			for (const concurrency of CONCURRENCIES) {
				for (const target of TARGETS) {
					const t = results.get(`${config.key}|${target.key}|${concurrency}`);
					if (!t) continue;
					ctx.samples(`${config.key}: ${target.label}`, t.latenciesMs, {
						opLabel: 'execution',
						opsPerSec: rate(t),
						itemsPerOp: target.itemsPerRequest > 1 ? target.itemsPerRequest : undefined,
						itemLabel: 'message',
						durationMs: t.durationMs,
						concurrency,
						note: 'throughput: executions completed per second; latency: the answer',
					});
				}
			}
		}
		for (const config of configs) {
			for (const concurrency of CONCURRENCIES) {
				for (const target of TARGETS) {
					const t = results.get(`${config.key}|${target.key}|${concurrency}`);
					if (!t) continue;
					const where = `${config.key}, ${target.key}, ${concurrency} at once`;
					ctx.value(`CPU per request (${where})`, t.cpuMs / t.requests, 'ms', "n8n's process group: n8n and its task runner");
					// Accepted (2xx) but no execution to be found: lost.
					const lost = Math.max(0, t.answered2xx - t.success - t.failed - t.unfinished);
					ctx.value(
						`failed or unfinished executions (${where})`,
						t.failed + t.unfinished + t.refused + lost,
						'executions',
						`of ${t.requests} requests: ${t.failed} failed, ${t.unfinished} unfinished, ${t.refused} not answered 2xx, ${lost} answered without an execution`,
					);
				}
			}
		}
		for (const concurrency of CONCURRENCIES) {
			for (const target of TARGETS.filter((t) => t.key !== 'webhook')) {
				for (const config of configs) {
					const mine = results.get(`${config.key}|${target.key}|${concurrency}`);
					const theirs = results.get(`${config.key}|webhook|${concurrency}`);
					if (mine && theirs) ctx.value(`${target.key} / Webhook node (${config.key}, ${concurrency} at once)`, rate(mine) / rate(theirs), '×', 'executions per second, same n8n, alternating rounds');
				}
				const shipped = results.get(`shipped|${target.key}|${concurrency}`);
				const defaultsResult = results.get(`defaults|${target.key}|${concurrency}`);
				if (shipped && defaultsResult) ctx.value(`${target.key}: shipped settings / n8n's defaults (${concurrency} at once)`, rate(shipped) / rate(defaultsResult), '×', 'executions per second');
			}
		}
		ctx.note(`Configurations: ${configs.map((c) => `${c.key} = ${c.label}, ${c.requests.c1} requests per target one at a time and ${c.requests.c16} at 16 in flight`).join('; ')}. ${rounds} rounds each, target order alternating.`);
		ctx.note('Executions completed per second: executions that finished successfully, divided by the time from the first request until no execution of the workflow was running any more. All three workflows answer at once (the trigger with acknowledge "as soon as they arrive").');
		ctx.note('The load generator runs on the same machine as n8n (2 cores shared): both sides pay for it equally.');
	},
});
