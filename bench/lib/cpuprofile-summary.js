#!/usr/bin/env node
'use strict';
/**
 * Summarizes a V8 .cpuprofile (from `node --cpu-prof`): self time per function and
 * total (inclusive) time per function, with the share of the profile, and the share
 * spent in files whose path matches a pattern (default: this package's dist/).
 *
 *   node bench/lib/cpuprofile-summary.js <file.cpuprofile> [--top 30] [--match n8n-nodes-whatsapp-crm/dist]
 */
const fs = require('node:fs');

function summarize(profile, { top = 30, match = 'n8n-nodes-whatsapp-crm/dist' } = {}) {
	const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
	const parent = new Map();
	for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
	const selfUs = new Map();
	const deltas = profile.timeDeltas;
	for (let i = 0; i < profile.samples.length; i++) {
		const id = profile.samples[i];
		selfUs.set(id, (selfUs.get(id) ?? 0) + (deltas[i + 1] ?? deltas[i] ?? 0));
	}
	const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
	const key = (n) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*node_modules\//, '')}:${n.callFrame.lineNumber + 1}`;
	const self = new Map();
	const inclusive = new Map();
	let matched = 0;
	for (const [id, us] of selfUs) {
		const node = nodes.get(id);
		self.set(key(node), (self.get(key(node)) ?? 0) + us);
		// Inclusive: every distinct function on the stack gets the sample once.
		const seen = new Set();
		let inOurs = false;
		for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
			const n = nodes.get(cur);
			if (match && n.callFrame.url.includes(match)) inOurs = true;
			const k = key(n);
			if (seen.has(k)) continue;
			seen.add(k);
			inclusive.set(k, (inclusive.get(k) ?? 0) + us);
		}
		if (inOurs) matched += us;
	}
	const pct = (us) => `${((100 * us) / total).toFixed(1)}%`;
	const rows = (m) =>
		[...m.entries()]
			.sort((a, b) => b[1] - a[1])
			.slice(0, top)
			.map(([k, us]) => `${(us / 1000).toFixed(0).padStart(7)} ms ${pct(us).padStart(6)}  ${k}`);
	return [
		`profile: ${(total / 1000).toFixed(0)} ms sampled; under ${match}: ${(matched / 1000).toFixed(0)} ms (${pct(matched)})`,
		'',
		'self time:',
		...rows(self),
		'',
		'total time (inclusive):',
		...rows(inclusive),
	].join('\n');
}

if (require.main === module) {
	const args = process.argv.slice(2);
	const file = args.find((a) => !a.startsWith('--'));
	const opt = (name, fallback) => {
		const i = args.indexOf(`--${name}`);
		return i >= 0 ? args[i + 1] : fallback;
	};
	if (!file) {
		console.error('usage: cpuprofile-summary.js <file.cpuprofile> [--top 30] [--match <path part>]');
		process.exit(2);
	}
	console.log(summarize(JSON.parse(fs.readFileSync(file, 'utf8')), { top: Number(opt('top', 30)), match: opt('match', 'n8n-nodes-whatsapp-crm/dist') }));
}

module.exports = { summarize };
