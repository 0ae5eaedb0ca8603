/**
 * The measuring kit every bench uses, and the code that runs one bench file in
 * its own process (scripts/run-bench.js forks one child per file, so the heap
 * and RSS figures of one bench are never inflated by another).
 *
 * Nothing here asserts anything about speed: a bench reports figures, and a
 * bench fails only when the code under test does not do its job (a wrong
 * answer is a failure; a slow one is a figure).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

export interface LatencySummary {
	/** Milliseconds. */
	p50: number;
	p99: number;
	mean: number;
	min: number;
	max: number;
}

export interface MemoryFigures {
	/** Megabytes (2^20 bytes), after a full garbage collection. */
	rssMB: number;
	heapUsedMB: number;
	heapTotalMB: number;
	externalMB: number;
	arrayBuffersMB: number;
}

export interface Measurement {
	name: string;
	kind: 'rate' | 'memory' | 'value';
	/** rate: operations completed per second of wall time. */
	opsPerSec?: number;
	/** rate: what one operation is (`verification`, `request`, `enqueue`, …). */
	opLabel?: string;
	/** rate: items handled per second when one operation handles several (messages in a body). */
	itemsPerSec?: number;
	itemLabel?: string;
	/** rate: operations measured (after warm-up), wall time they took, and how many ran at once. */
	iterations?: number;
	durationMs?: number;
	concurrency?: number;
	/** rate: time of one operation, per call. */
	latencyMs?: LatencySummary;
	memory?: MemoryFigures;
	value?: number;
	unit?: string;
	note?: string;
}

export interface BenchResult {
	file: string;
	title: string;
	measures: string;
	status: 'ok' | 'skipped' | 'failed';
	durationMs: number;
	measurements: Measurement[];
	notes: string[];
	error?: string;
}

export interface RateOptions {
	/** How long to measure (default 800 ms; a quarter with --quick). */
	timeMs?: number;
	/** How long to run before measuring (default 150 ms). */
	warmupMs?: number;
	/** Stop after this many measured operations even if time is left. */
	maxIterations?: number;
	opLabel?: string;
	/** Items one operation handles (e.g. messages per webhook body), to report items/s too. */
	itemsPerOp?: number;
	itemLabel?: string;
	note?: string;
}

export interface ConcurrentOptions {
	/** Operations in flight at once. */
	concurrency: number;
	/** Total operations to run (the measurement ends when they are all done)… */
	total?: number;
	/** …or keep starting operations for this long (default 800 ms). */
	timeMs?: number;
	opLabel?: string;
	itemsPerOp?: number;
	itemLabel?: string;
	note?: string;
}

export interface SamplesOptions {
	opLabel?: string;
	note?: string;
	/** Throughput the bench measured itself (operations per second of wall time), shown with the latencies. */
	opsPerSec?: number;
	/** Items one operation handles, to report items/s too (with opsPerSec). */
	itemsPerOp?: number;
	itemLabel?: string;
	/** Wall time the throughput was measured over. */
	durationMs?: number;
	concurrency?: number;
}

export interface BenchContext {
	/** True with `npm run bench -- --quick`: shorter measurements, same figures' meaning. */
	readonly quick: boolean;
	readonly repoRoot: string;
	/** Measures a function called over and over, one call at a time (sync or async). */
	rate(name: string, fn: () => unknown, options?: RateOptions): Promise<Measurement>;
	/** Measures `fn(i)` with `concurrency` calls in flight at once. */
	concurrent(name: string, fn: (i: number) => Promise<unknown>, options: ConcurrentOptions): Promise<Measurement>;
	/** Memory of this process after a full garbage collection. */
	memory(name: string, note?: string): Promise<Measurement>;
	/** Any other figure (a count, a time to settle, a size). */
	value(name: string, value: number, unit: string, note?: string): Measurement;
	/** Latency figures collected by the bench itself (milliseconds per sample). */
	samples(name: string, samplesMs: number[], options?: SamplesOptions): Measurement;
	/** A sentence printed with the results (assumptions, what is not measured). */
	note(text: string): void;
	/** Ends the bench as skipped (e.g. no PostgreSQL); figures so far are kept. */
	skip(reason: string): never;
	/** A fresh temporary folder, removed when the bench ends. */
	tempDir(prefix: string): string;
	/** Runs when the bench ends, pass or fail, newest first. */
	onCleanup(fn: () => unknown): void;
	/** Progress line on stderr. */
	log(message: string): void;
}

export interface BenchDefinition {
	title: string;
	/** One sentence: what is measured, with what real code. */
	measures: string;
	run(ctx: BenchContext): Promise<void>;
	/**
	 * How long the bench may run before scripts/run-bench.js ends it (default
	 * BENCH_TIMEOUT_MS, 90 s): for benches that drive a whole n8n.
	 */
	timeoutMs?: number;
}

export function defineBench(definition: BenchDefinition): BenchDefinition {
	return definition;
}

class SkipBench extends Error {
	constructor(reason: string) {
		super(reason);
		this.name = 'SkipBench';
	}
}

/** A "this came out wrong" failure: the bench measured something that did not work. */
export function check(condition: unknown, message: string): asserts condition {
	if (!condition) throw new Error(`bench sanity check failed: ${message}`);
}

const MB = 1024 * 1024;

function round(value: number, digits = 3): number {
	if (!Number.isFinite(value)) return value;
	const factor = 10 ** digits;
	return Math.round(value * factor) / factor;
}

/** Nearest-rank percentile of sorted samples. */
function percentile(sorted: Float64Array | number[], p: number): number {
	if (sorted.length === 0) return NaN;
	const rank = Math.ceil((p / 100) * sorted.length);
	return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function summarize(samplesMs: ArrayLike<number>): LatencySummary {
	const sorted = Float64Array.from(samplesMs).sort();
	let sum = 0;
	for (const v of sorted) sum += v;
	return {
		p50: round(percentile(sorted, 50), 6),
		p99: round(percentile(sorted, 99), 6),
		mean: round(sum / Math.max(1, sorted.length), 6),
		min: round(sorted[0] ?? NaN, 6),
		max: round(sorted[sorted.length - 1] ?? NaN, 6),
	};
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
	return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** Grows as needed; keeps every sample (a few MB at most for the durations used here). */
class SampleBuffer {
	private data = new Float64Array(4096);
	length = 0;
	push(v: number): void {
		if (this.length === this.data.length) {
			const next = new Float64Array(this.data.length * 2);
			next.set(this.data);
			this.data = next;
		}
		this.data[this.length++] = v;
	}
	view(): Float64Array {
		return this.data.subarray(0, this.length);
	}
}

function rateMeasurement(
	name: string,
	iterations: number,
	elapsedMs: number,
	samples: ArrayLike<number>,
	extra: { opLabel?: string; itemsPerOp?: number; itemLabel?: string; note?: string; concurrency?: number },
): Measurement {
	const opsPerSec = iterations / (elapsedMs / 1000);
	const m: Measurement = {
		name,
		kind: 'rate',
		opsPerSec: round(opsPerSec, 1),
		opLabel: extra.opLabel ?? 'op',
		iterations,
		durationMs: round(elapsedMs, 1),
		latencyMs: summarize(samples),
	};
	if (extra.concurrency !== undefined) m.concurrency = extra.concurrency;
	if (extra.itemsPerOp !== undefined) {
		m.itemsPerSec = round(opsPerSec * extra.itemsPerOp, 1);
		m.itemLabel = extra.itemLabel ?? 'item';
	}
	if (extra.note) m.note = extra.note;
	return m;
}

function fullGc(): void {
	const gc = (globalThis as { gc?: () => void }).gc;
	if (gc) {
		gc();
		gc();
	}
}

export function memoryNow(): MemoryFigures {
	const u = process.memoryUsage();
	return {
		rssMB: round(u.rss / MB, 1),
		heapUsedMB: round(u.heapUsed / MB, 1),
		heapTotalMB: round(u.heapTotal / MB, 1),
		externalMB: round(u.external / MB, 1),
		arrayBuffersMB: round(u.arrayBuffers / MB, 1),
	};
}

function errorText(err: unknown): string {
	if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
	return String(err);
}

/** Runs one bench file in this process and returns its result (never throws). */
export async function runBenchFile(file: string, options: { quick: boolean }): Promise<BenchResult> {
	const relative = path.relative(REPO_ROOT, file);
	const measurements: Measurement[] = [];
	const notes: string[] = [];
	const cleanups: Array<() => unknown> = [];
	const started = performance.now();
	const scale = options.quick ? 0.25 : 1;
	let title = relative;
	let measures = '';

	const ctx: BenchContext = {
		quick: options.quick,
		repoRoot: REPO_ROOT,
		async rate(name, fn, opts = {}) {
			const timeMs = (opts.timeMs ?? 800) * scale;
			// Warm-up is not shortened by --quick below 100 ms: unoptimized first calls would skew the figures.
			const warmupMs = Math.max(Math.min(100, opts.warmupMs ?? 150), (opts.warmupMs ?? 150) * scale);
			const maxIterations = opts.maxIterations ?? 5_000_000;
			const first = fn();
			const isAsync = isThenable(first);
			if (isAsync) await first;
			// Warm-up: let V8 optimize the code path before anything is recorded.
			const warmEnd = performance.now() + warmupMs;
			if (isAsync) while (performance.now() < warmEnd) await fn();
			else while (performance.now() < warmEnd) fn();
			const samples = new SampleBuffer();
			const t0 = performance.now();
			const end = t0 + timeMs;
			let now = t0;
			if (isAsync) {
				while (now < end && samples.length < maxIterations) {
					const s = now;
					await fn();
					now = performance.now();
					samples.push(now - s);
				}
			} else {
				while (now < end && samples.length < maxIterations) {
					const s = now;
					fn();
					now = performance.now();
					samples.push(now - s);
				}
			}
			const m = rateMeasurement(name, samples.length, now - t0, samples.view(), opts);
			measurements.push(m);
			ctx.log(`${name}: ${m.opsPerSec} ${m.opLabel}/s`);
			return m;
		},
		async concurrent(name, fn, opts) {
			const timeMs = (opts.timeMs ?? 800) * scale;
			const samples = new SampleBuffer();
			let started = 0;
			const t0 = performance.now();
			const end = t0 + timeMs;
			const more = () => (opts.total !== undefined ? started < opts.total : performance.now() < end);
			const worker = async () => {
				while (more()) {
					const i = started++;
					const s = performance.now();
					await fn(i);
					samples.push(performance.now() - s);
				}
			};
			await Promise.all(Array.from({ length: Math.max(1, opts.concurrency) }, worker));
			const elapsed = performance.now() - t0;
			const m = rateMeasurement(name, samples.length, elapsed, samples.view(), { ...opts, concurrency: opts.concurrency });
			measurements.push(m);
			ctx.log(`${name}: ${m.opsPerSec} ${m.opLabel}/s (${opts.concurrency} at once)`);
			return m;
		},
		async memory(name, note) {
			fullGc();
			// Let finalizers and freed native buffers settle before reading.
			await new Promise((resolve) => setImmediate(resolve));
			fullGc();
			const m: Measurement = { name, kind: 'memory', memory: memoryNow() };
			if (note) m.note = note;
			measurements.push(m);
			ctx.log(`${name}: rss ${m.memory?.rssMB} MB, heap ${m.memory?.heapUsedMB} MB`);
			return m;
		},
		value(name, value, unit, note) {
			const m: Measurement = { name, kind: 'value', value: round(value, 3), unit };
			if (note) m.note = note;
			measurements.push(m);
			ctx.log(`${name}: ${m.value} ${unit}`);
			return m;
		},
		samples(name, samplesMs, opts = {}) {
			const m: Measurement = {
				name,
				kind: 'rate',
				opLabel: opts.opLabel ?? 'op',
				iterations: samplesMs.length,
				latencyMs: summarize(samplesMs),
			};
			if (opts.opsPerSec !== undefined) m.opsPerSec = round(opts.opsPerSec, 1);
			if (opts.opsPerSec !== undefined && opts.itemsPerOp !== undefined) {
				m.itemsPerSec = round(opts.opsPerSec * opts.itemsPerOp, 1);
				m.itemLabel = opts.itemLabel ?? 'item';
			}
			if (opts.durationMs !== undefined) m.durationMs = round(opts.durationMs, 1);
			if (opts.concurrency !== undefined) m.concurrency = opts.concurrency;
			if (opts.note) m.note = opts.note;
			measurements.push(m);
			ctx.log(`${name}: ${m.opsPerSec !== undefined ? `${m.opsPerSec} ${m.opLabel}/s, ` : ''}p50 ${m.latencyMs?.p50} ms, p99 ${m.latencyMs?.p99} ms over ${samplesMs.length}`);
			return m;
		},
		note(text) {
			notes.push(text);
		},
		skip(reason) {
			throw new SkipBench(reason);
		},
		tempDir(prefix) {
			const dir = fs.mkdtempSync(path.join(os.tmpdir(), `wacrm-bench-${prefix}-`));
			cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
			return dir;
		},
		onCleanup(fn) {
			cleanups.push(fn);
		},
		log(message) {
			process.stderr.write(`  [${path.basename(file)}] ${message}\n`);
		},
	};

	let status: BenchResult['status'] = 'ok';
	let error: string | undefined;
	try {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const mod = require(file) as { default?: BenchDefinition; bench?: BenchDefinition };
		const definition = mod.default ?? mod.bench;
		if (!definition || typeof definition.run !== 'function') throw new Error(`${relative} exports no bench (export default defineBench({...}))`);
		title = definition.title;
		measures = definition.measures;
		// The runner's timer starts with the default; a bench that needs longer says so before it starts.
		if (definition.timeoutMs !== undefined && process.send) process.send({ type: 'timeout', timeoutMs: definition.timeoutMs });
		await definition.run(ctx);
	} catch (err) {
		if (err instanceof SkipBench) {
			status = 'skipped';
			error = err.message;
		} else {
			status = 'failed';
			error = errorText(err);
		}
	}
	for (const cleanup of cleanups.reverse()) {
		try {
			await cleanup();
		} catch (err) {
			notes.push(`cleanup failed: ${err instanceof Error ? err.message : String(err)}`);
		}
	}
	const result: BenchResult = {
		file: relative,
		title,
		measures,
		status,
		durationMs: round(performance.now() - started, 0),
		measurements,
		notes,
	};
	if (error !== undefined) result.error = error;
	return result;
}
