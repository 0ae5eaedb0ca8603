#!/usr/bin/env node
'use strict';
/**
 * Summarizes a V8 .cpuprofile (from `node --cpu-prof`): self time per function and
 * total (inclusive) time per function, with the share of the profile, and the share
 * spent in files whose path matches a pattern (default: this package's dist/).
 *
 *   node bench/lib/cpuprofile-summary.js <file.cpuprofile> [--top 30] [--match n8n-nodes-whatsapp-crm/dist] [--requests <n>]
 *
 * With --requests: only the request window (from the first to the last sample with n8n's
 * `executeWebhook` on the stack, so n8n's start and stop are left out), idle time left
 * out, and each figure also per request (the window's busy time divided by <n>).
 */
const fs = require('node:fs');

function summarize(profile, { top = 30, match = 'n8n-nodes-whatsapp-crm/dist', requests } = {}) {
	const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
	const parent = new Map();
	for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
	const selfUs = new Map();
	const deltas = profile.timeDeltas;
	const [from, to] = requests ? requestWindow(profile, nodes, parent) : [0, profile.samples.length - 1];
	for (let i = from; i <= to; i++) {
		const id = profile.samples[i];
		if (requests && nodes.get(id).callFrame.functionName === '(idle)') continue;
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
	const perRequest = (us) => (requests ? `${(us / 1000 / requests).toFixed(3).padStart(8)} ms/request` : '');
	const rows = (m) =>
		[...m.entries()]
			.sort((a, b) => b[1] - a[1])
			.slice(0, top)
			.map(([k, us]) => `${(us / 1000).toFixed(0).padStart(7)} ms ${pct(us).padStart(6)}${perRequest(us)}  ${k}`);
	return [
		`${requests ? `request window, busy (idle left out), ${requests} requests` : 'profile'}: ${(total / 1000).toFixed(0)} ms sampled${perRequest(total)}; under ${match}: ${(matched / 1000).toFixed(0)} ms (${pct(matched)})`,
		'',
		'self time:',
		...rows(self),
		'',
		'total time (inclusive):',
		...rows(inclusive),
	].join('\n');
}

/** The first and last sample with n8n's executeWebhook on the stack. */
function requestWindow(profile, nodes, parent) {
	const handling = new Map();
	const onStack = (id) => {
		if (handling.has(id)) return handling.get(id);
		const node = nodes.get(id);
		const parentId = parent.get(id);
		const result = node.callFrame.functionName === 'executeWebhook' || (parentId !== undefined && onStack(parentId));
		handling.set(id, result);
		return result;
	};
	let first = -1;
	let last = -1;
	profile.samples.forEach((id, i) => {
		if (!onStack(id)) return;
		if (first < 0) first = i;
		last = i;
	});
	if (first < 0) throw new Error('no sample has executeWebhook on its stack: not a profile of n8n receiving webhooks');
	return [first, last];
}

if (require.main === module) {
	const args = process.argv.slice(2);
	const file = args.find((a) => !a.startsWith('--'));
	const opt = (name, fallback) => {
		const i = args.indexOf(`--${name}`);
		return i >= 0 ? args[i + 1] : fallback;
	};
	if (!file) {
		console.error('usage: cpuprofile-summary.js <file.cpuprofile> [--top 30] [--match <path part>] [--requests <n>]');
		process.exit(2);
	}
	console.log(
		summarize(JSON.parse(fs.readFileSync(file, 'utf8')), { top: Number(opt('top', 30)), match: opt('match', 'n8n-nodes-whatsapp-crm/dist'), requests: opt('requests') ? Number(opt('requests')) : undefined }),
	);
}

module.exports = { summarize };
