'use strict';
/**
 * What the start script generates once and keeps under DATA_DIR:
 * - secrets.json (mode 0600): the sidecar's API key and webhook secret, the n8n
 *   owner's password and n8n's encryption key, the embedded PostgreSQL's
 *   password, and the n8n API key it created for itself;
 * - state.json: ids of what it created in n8n (credentials, workflows), the
 *   embedded PostgreSQL's port — so that a restart reuses them.
 * Both are rewritten atomically (temp file + rename).
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

function readJson(file) {
	try {
		return JSON.parse(fs.readFileSync(file, 'utf8'));
	} catch (error) {
		if (error.code === 'ENOENT') return undefined;
		throw new Error(`${file} is not valid JSON (${error.message}): fix or delete it`);
	}
}

function writeJson(file, value, mode = 0o644) {
	fs.mkdirSync(path.dirname(file), { recursive: true });
	const tmp = `${file}.${process.pid}.tmp`;
	fs.writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode });
	fs.renameSync(tmp, file);
	fs.chmodSync(file, mode);
}

const hex = (bytes) => crypto.randomBytes(bytes).toString('hex');
/** A password n8n accepts (8+ characters, a digit, an upper-case letter). */
const ownerPassword = () => `Crm-${crypto.randomBytes(12).toString('base64url')}-9`;

const GENERATORS = {
	sidecarApiKey: () => hex(24),
	webhookSecret: () => hex(32),
	ownerPassword,
	encryptionKey: () => hex(24),
	postgresPassword: () => hex(16),
};

/**
 * Reads DATA_DIR/secrets.json, generating whatever is missing (all of it on
 * first run) and saving. Returns { secrets, created: [names generated now] }.
 */
function loadOrCreateSecrets(file) {
	const secrets = readJson(file) ?? {};
	const created = [];
	for (const [name, generate] of Object.entries(GENERATORS)) {
		if (typeof secrets[name] !== 'string' || secrets[name] === '') {
			secrets[name] = generate();
			created.push(name);
		}
	}
	if (created.length > 0) writeJson(file, secrets, 0o600);
	return { secrets, created };
}

/** Saves secrets (e.g. after adding the n8n API key). */
function saveSecrets(file, secrets) {
	writeJson(file, secrets, 0o600);
}

function loadState(file) {
	return readJson(file) ?? {};
}

function saveState(file, state) {
	writeJson(file, state);
}

/** A stable digest of a JSON-able value (key order does not matter). */
function digest(value) {
	const canonical = (v) =>
		Array.isArray(v)
			? v.map(canonical)
			: v && typeof v === 'object'
				? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical(v[k])]))
				: v;
	return crypto.createHash('sha256').update(JSON.stringify(canonical(value))).digest('hex');
}

module.exports = { loadOrCreateSecrets, saveSecrets, loadState, saveState, readJson, writeJson, digest };
