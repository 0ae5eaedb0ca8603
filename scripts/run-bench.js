#!/usr/bin/env node
'use strict';
/**
 * `npm run bench`: runs every bench/*.bench.ts (or .js), each in its own Node
 * process (so one bench's memory never shows up in another's figures), and
 * writes bench/results/latest.json and bench/results/latest.md.
 *
 *   npm run bench                      all benches
 *   npm run bench -- signatures phone  only files whose name contains one of the words
 *   npm run bench -- --quick           shorter measurements (a smoke run; figures are noisier)
 *   npm run bench -- --list            list the bench files
 *
 * Benches report figures; nothing here fails because something is slow. The
 * exit code is 1 only when a bench crashed or its code under test gave a
 * wrong answer (a bench that cannot run, e.g. without PostgreSQL, is
 * "skipped"). No build is needed: TypeScript sources are transpiled on load
 * (bench/lib/ts-register.js). See bench/README.md.
 */
const { execFileSync, fork } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const REPO_ROOT = path.resolve(__dirname, '..');
const BENCH_DIR = path.join(REPO_ROOT, 'bench');
const RESULTS_DIR = path.join(BENCH_DIR, 'results');
const BENCH_FILE = /\.bench\.(ts|js)$/;
/** A bench that has not finished after this long is ended and reported as failed. */
const BENCH_TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS) || 90_000;

// ---------------------------------------------------------------------------
// Child: run one bench file and send its result to the parent.
// ---------------------------------------------------------------------------

async function runChild(file, quick) {
	// Ended by the runner: exit through process.exit, so 'exit' handlers run (the n8n harness
	// kills the n8n it started in one).
	process.once('SIGTERM', () => process.exit(143));
	require(path.join(BENCH_DIR, 'lib', 'ts-register.js')).register();
	const { runBenchFile } = require(path.join(BENCH_DIR, 'lib', 'harness.ts'));
	const result = await runBenchFile(file, { quick });
	await new Promise((resolve) => process.send({ type: 'result', result }, resolve));
	// Handles a bench forgot (a pool, a timer) must not keep the process alive.
	process.exit(0);
}

// ---------------------------------------------------------------------------
// Parent: machine facts, one child per bench, the two result files.
// ---------------------------------------------------------------------------

function git(args) {
	try {
		return execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
	} catch {
		return null;
	}
}

function fsTypeOf(dir) {
	const names = { 0xef53: 'ext2/3/4', 0x01021994: 'tmpfs', 0x58465342: 'xfs', 0x9123683e: 'btrfs', 0x794c7630: 'overlayfs' };
	try {
		const type = fs.statfsSync(dir).type;
		return names[type] ?? `0x${type.toString(16)}`;
	} catch {
		return null;
	}
}

function machineInfo() {
	const cpus = os.cpus();
	const commit = git(['rev-parse', 'HEAD']);
	const status = git(['status', '--porcelain']);
	return {
		node: process.version,
		v8: process.versions.v8,
		platform: process.platform,
		arch: process.arch,
		osRelease: os.release(),
		cpus: cpus.length,
		cpuModel: cpus[0]?.model?.trim() ?? null,
		availableParallelism: typeof os.availableParallelism === 'function' ? os.availableParallelism() : cpus.length,
		totalMemoryMB: Math.round(os.totalmem() / 1024 / 1024),
		freeMemoryMB: Math.round(os.freemem() / 1024 / 1024),
		loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
		tmpDir: os.tmpdir(),
		tmpDirFilesystem: fsTypeOf(os.tmpdir()),
		git: { commit, dirty: status === null ? null : status.length > 0 },
	};
}

function benchFiles(filters) {
	const files = fs
		.readdirSync(BENCH_DIR)
		.filter((name) => BENCH_FILE.test(name))
		.sort()
		.map((name) => path.join(BENCH_DIR, name));
	if (filters.length === 0) return files;
	return files.filter((file) => filters.some((word) => path.basename(file).includes(word)));
}

function runOne(file, quick) {
	return new Promise((resolve) => {
		const started = Date.now();
		const relative = path.relative(REPO_ROOT, file);
		let result = null;
		let stderrTail = '';
		const child = fork(__filename, ['--child', file].concat(quick ? ['--quick'] : []), {
			cwd: REPO_ROOT,
			execArgv: ['--expose-gc'],
			stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
		});
		child.stderr.on('data', (chunk) => {
			process.stderr.write(chunk);
			stderrTail = (stderrTail + chunk.toString('utf8')).slice(-4000);
		});
		let timeoutMs = BENCH_TIMEOUT_MS;
		const endIt = () => {
			process.stderr.write(`  [${path.basename(file)}] still running after ${timeoutMs} ms: ending it\n`);
			// SIGTERM first: a bench that started an n8n stops it in its cleanup.
			child.kill('SIGTERM');
			setTimeout(() => child.kill('SIGKILL'), 20_000).unref();
		};
		let timer = setTimeout(endIt, timeoutMs);
		child.on('message', (message) => {
			if (message && message.type === 'result') result = message.result;
			// A bench that drives a whole n8n declares its own budget (defineBench's timeoutMs);
			// BENCH_TIMEOUT_MS, when set, still wins.
			if (message && message.type === 'timeout' && !process.env.BENCH_TIMEOUT_MS && Number.isFinite(message.timeoutMs)) {
				clearTimeout(timer);
				timeoutMs = message.timeoutMs;
				timer = setTimeout(endIt, Math.max(0, timeoutMs - (Date.now() - started)));
			}
		});
		child.on('exit', (code, signal) => {
			clearTimeout(timer);
			if (result) {
				resolve(result);
				return;
			}
			resolve({
				file: relative,
				title: relative,
				measures: '',
				status: 'failed',
				durationMs: Date.now() - started,
				measurements: [],
				notes: [],
				error: `the bench process ended (${signal ?? `exit code ${code}`}) without a result${stderrTail ? `:\n${stderrTail}` : ''}`,
			});
		});
	});
}

// ---------------------------------------------------------------------------
// Markdown
// ---------------------------------------------------------------------------

function significant(n, digits = 3) {
	if (!Number.isFinite(n)) return String(n);
	if (n === 0) return '0';
	const magnitude = Math.floor(Math.log10(Math.abs(n)));
	const decimals = Math.max(0, digits - 1 - magnitude);
	return n.toLocaleString('en-US', { maximumFractionDigits: decimals, minimumFractionDigits: 0 });
}

function duration(ms) {
	if (ms === undefined || ms === null || !Number.isFinite(ms)) return '–';
	if (ms < 1) return `${significant(ms * 1000)} µs`;
	if (ms < 1000) return `${significant(ms)} ms`;
	return `${significant(ms / 1000)} s`;
}

function plural(label) {
	if (!label) return 'ops';
	if (/(s|sh|ch|x)$/.test(label)) return `${label}es`;
	if (/[^aeiou]y$/.test(label)) return `${label.slice(0, -1)}ies`;
	return `${label}s`;
}

function cell(text) {
	return String(text).replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function renderBench(bench, index) {
	const lines = [];
	lines.push(`## ${index + 1}. ${bench.title}`);
	lines.push('');
	lines.push(`\`${bench.file}\` — ${bench.status}, ${duration(bench.durationMs)}${bench.measures ? `. ${bench.measures}` : ''}`);
	lines.push('');
	const rates = bench.measurements.filter((m) => m.kind === 'rate');
	const memory = bench.measurements.filter((m) => m.kind === 'memory');
	const values = bench.measurements.filter((m) => m.kind === 'value');
	if (rates.length > 0) {
		lines.push('| Measurement | Throughput | p50 | p99 | mean | max | n |');
		lines.push('|---|---:|---:|---:|---:|---:|---:|');
		for (const m of rates) {
			let throughput = '–';
			if (m.opsPerSec !== undefined) {
				throughput = `${significant(m.opsPerSec)} ${plural(m.opLabel)}/s`;
				if (m.itemsPerSec !== undefined) throughput += ` (${significant(m.itemsPerSec)} ${plural(m.itemLabel)}/s)`;
			}
			const name = `${m.name}${m.concurrency !== undefined ? ` [${m.concurrency} at once]` : ''}${m.note ? ` — ${m.note}` : ''}`;
			const l = m.latencyMs ?? {};
			lines.push(`| ${cell(name)} | ${throughput} | ${duration(l.p50)} | ${duration(l.p99)} | ${duration(l.mean)} | ${duration(l.max)} | ${m.iterations ?? '–'} |`);
		}
		lines.push('');
	}
	if (memory.length > 0) {
		lines.push('| Memory (after full GC) | RSS | heap used | heap total | external | array buffers |');
		lines.push('|---|---:|---:|---:|---:|---:|');
		for (const m of memory) {
			const f = m.memory;
			lines.push(`| ${cell(m.name + (m.note ? ` — ${m.note}` : ''))} | ${f.rssMB} MB | ${f.heapUsedMB} MB | ${f.heapTotalMB} MB | ${f.externalMB} MB | ${f.arrayBuffersMB} MB |`);
		}
		lines.push('');
	}
	if (values.length > 0) {
		lines.push('| Figure | Value |');
		lines.push('|---|---:|');
		for (const m of values) lines.push(`| ${cell(m.name + (m.note ? ` — ${m.note}` : ''))} | ${significant(m.value, 4)} ${m.unit} |`);
		lines.push('');
	}
	for (const note of bench.notes) lines.push(`- ${note}`);
	if (bench.notes.length > 0) lines.push('');
	if (bench.error) {
		lines.push(bench.status === 'skipped' ? `Skipped: ${bench.error}` : 'Error:');
		if (bench.status !== 'skipped') {
			lines.push('');
			lines.push('```');
			lines.push(bench.error);
			lines.push('```');
		}
		lines.push('');
	}
	return lines.join('\n');
}

function renderMarkdown(report) {
	const m = report.machine;
	const lines = [];
	lines.push('# Benchmark results');
	lines.push('');
	lines.push(`Written by \`npm run bench\` (scripts/run-bench.js); how to read it: bench/README.md.${report.quick ? ' **Quick run (--quick): shorter measurements, noisier figures.**' : ''}${report.partial ? ` **Partial run: only ${report.filters.join(', ')}.**` : ''}`);
	lines.push('');
	lines.push(`- Date: ${report.date}`);
	lines.push(`- Commit: ${m.git.commit ?? 'unknown'}${m.git.dirty ? ' (with uncommitted changes)' : ''}`);
	lines.push(`- Node ${m.node} (V8 ${m.v8}), ${m.platform}/${m.arch}, kernel ${m.osRelease}`);
	lines.push(`- CPU: ${m.cpus} × ${m.cpuModel ?? 'unknown'}; memory ${m.totalMemoryMB} MB (${m.freeMemoryMB} MB free at start); load average (1/5/15 min) ${m.loadAverage.join(' / ')} at start${m.loadAverageAtEnd ? `, ${m.loadAverageAtEnd.join(' / ')} at end` : ''}`);
	lines.push(`- Temporary files (outbox fsync): ${m.tmpDir} on ${m.tmpDirFilesystem ?? 'unknown filesystem'}`);
	lines.push(`- Whole run: ${duration(report.durationMs)}`);
	lines.push('');
	lines.push('| # | Bench | Status | Time |');
	lines.push('|---|---|---|---:|');
	report.benches.forEach((b, i) => lines.push(`| ${i + 1} | ${cell(b.title)} | ${b.status} | ${duration(b.durationMs)} |`));
	lines.push('');
	report.benches.forEach((b, i) => lines.push(renderBench(b, i)));
	return `${lines.join('\n').replace(/\n{3,}/g, '\n\n').trim()}\n`;
}

function writeAtomic(file, text) {
	const tmp = `${file}.${process.pid}.tmp`;
	fs.writeFileSync(tmp, text);
	fs.renameSync(tmp, file);
}

async function main(argv) {
	const quick = argv.includes('--quick');
	const filters = argv.filter((a) => !a.startsWith('--'));
	const files = benchFiles(filters);
	if (argv.includes('--list')) {
		for (const file of files) console.log(path.relative(REPO_ROOT, file));
		return 0;
	}
	if (files.length === 0) {
		console.error(`no bench file matches ${filters.join(', ') || 'bench/*.bench.ts'}`);
		return 1;
	}
	const started = Date.now();
	const date = new Date().toISOString();
	const machine = machineInfo();
	console.error(`Running ${files.length} bench(es) on ${machine.cpus} × ${machine.cpuModel}, Node ${machine.node}${quick ? ' (quick)' : ''}`);
	const warmStart = Date.now();
	const cached = require(path.join(BENCH_DIR, 'lib', 'ts-register.js')).warm();
	console.error(`TypeScript sources ready (${cached} files transpiled or cached, ${duration(Date.now() - warmStart)})`);
	const benches = [];
	for (const file of files) {
		console.error(`\n▶ ${path.relative(REPO_ROOT, file)}`);
		const result = await runOne(file, quick);
		console.error(`  ${result.status} in ${duration(result.durationMs)}${result.status !== 'ok' && result.error ? `: ${result.error.split('\n')[0]}` : ''}`);
		benches.push(result);
	}
	machine.loadAverageAtEnd = os.loadavg().map((l) => Math.round(l * 100) / 100);
	const report = {
		schemaVersion: 1,
		date,
		durationMs: Date.now() - started,
		quick,
		partial: filters.length > 0,
		filters,
		machine,
		benches,
	};
	fs.mkdirSync(RESULTS_DIR, { recursive: true });
	const jsonFile = path.join(RESULTS_DIR, 'latest.json');
	const mdFile = path.join(RESULTS_DIR, 'latest.md');
	writeAtomic(jsonFile, `${JSON.stringify(report, null, 2)}\n`);
	writeAtomic(mdFile, renderMarkdown(report));
	const failed = benches.filter((b) => b.status === 'failed');
	const skipped = benches.filter((b) => b.status === 'skipped');
	console.error(
		`\nDone in ${duration(report.durationMs)}: ${benches.length - failed.length - skipped.length} ok, ${skipped.length} skipped, ${failed.length} failed.` +
			`\nResults: ${path.relative(REPO_ROOT, jsonFile)}, ${path.relative(REPO_ROOT, mdFile)}`,
	);
	return failed.length > 0 ? 1 : 0;
}

if (require.main === module) {
	const argv = process.argv.slice(2);
	const childAt = argv.indexOf('--child');
	if (childAt >= 0) {
		runChild(argv[childAt + 1], argv.includes('--quick')).catch((err) => {
			process.stderr.write(`${err && err.stack ? err.stack : String(err)}\n`);
			process.exit(1);
		});
	} else {
		main(argv).then(
			(code) => {
				process.exitCode = code;
			},
			(err) => {
				process.stderr.write(`${err && err.stack ? err.stack : String(err)}\n`);
				process.exitCode = 1;
			},
		);
	}
}

module.exports = { renderMarkdown };
