'use strict';
/**
 * A running n8n, over HTTP: the owner's session for the internal REST API
 * (`/rest`, needed once to create an API key) and the public API
 * (`/api/v1`, `X-N8N-API-KEY`) for credentials and workflows. Written against
 * n8n 2.41.1; used by `npm start` and by the e2e harness (test/support/n8n).
 */
const { randomUUID } = require('node:crypto');
const { toCreateWorkflowBody } = require('./workflow-json');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

class HttpError extends Error {
	constructor(method, url, status, text) {
		super(`${method} ${url}: ${status} ${text.slice(0, 500)}`);
		this.name = 'HttpError';
		this.status = status;
	}
}

class N8nClient {
	/** baseUrl: `http://127.0.0.1:<port>`; apiKey: a public API key, when known. */
	constructor({ baseUrl, apiKey = '', browserId = 'whatsapp-crm-start' }) {
		this.baseUrl = baseUrl.replace(/\/+$/, '');
		this.apiKey = apiKey;
		this.browserId = browserId;
		this.cookie = '';
	}

	/** Polls `/healthz/readiness` until 200; `exited` (a promise) ends the wait early when n8n dies. */
	async waitUntilReady({ timeoutMs = 180_000, exited } = {}) {
		const deadline = Date.now() + timeoutMs;
		let gone;
		void exited?.then((result) => (gone = result ?? { code: null }));
		while (Date.now() < deadline) {
			if (gone) throw new Error(`n8n exited (code ${gone.code}, signal ${gone.signal ?? 'none'}) before it was ready`);
			try {
				const res = await fetch(`${this.baseUrl}/healthz/readiness`, { signal: AbortSignal.timeout(2000) });
				await res.arrayBuffer();
				if (res.status === 200) return;
			} catch {
				// not listening yet
			}
			await sleep(250);
		}
		throw new Error(`n8n's /healthz/readiness did not answer 200 within ${timeoutMs} ms`);
	}

	/** Logs in as a user (the owner); keeps the session cookie for rest(). */
	async login(email, password) {
		const res = await fetch(`${this.baseUrl}/rest/login`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'browser-id': this.browserId },
			body: JSON.stringify({ emailOrLdapLoginId: email, password }),
		});
		const text = await res.text();
		if (!res.ok) throw new HttpError('POST', '/rest/login', res.status, text);
		this.cookie = res.headers
			.getSetCookie()
			.map((c) => c.split(';')[0])
			.join('; ');
	}

	/** A call to the internal REST API as the logged-in user; returns `data` of the answer. */
	async rest(method, restPath, body) {
		const res = await fetch(`${this.baseUrl}/rest${restPath}`, {
			method,
			headers: {
				cookie: this.cookie,
				'browser-id': this.browserId,
				...(body === undefined ? {} : { 'content-type': 'application/json' }),
			},
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await res.text();
		if (!res.ok) throw new HttpError(method, `/rest${restPath}`, res.status, text);
		const parsed = text ? JSON.parse(text) : {};
		return parsed.data ?? parsed;
	}

	/** A GET of a path that needs the logged-in user's session (e.g. `/types/nodes.json`). */
	async getAsUser(urlPath) {
		return await fetch(`${this.baseUrl}${urlPath}`, { headers: { cookie: this.cookie, 'browser-id': this.browserId } });
	}

	/** A call to the public API; throws an HttpError (with `status`) on a non-2xx answer. */
	async api(method, apiPath, body) {
		const res = await fetch(`${this.baseUrl}/api/v1${apiPath}`, {
			method,
			headers: {
				'X-N8N-API-KEY': this.apiKey,
				accept: 'application/json',
				...(body === undefined ? {} : { 'content-type': 'application/json' }),
			},
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await res.text();
		if (!res.ok) throw new HttpError(method, `/api/v1${apiPath}`, res.status, text);
		return text ? JSON.parse(text) : undefined;
	}

	/** True when the current API key is accepted. */
	async apiKeyWorks() {
		if (!this.apiKey) return false;
		try {
			await this.api('GET', '/workflows?limit=1');
			return true;
		} catch (error) {
			if (error.status === 401 || error.status === 403) return false;
			throw error;
		}
	}

	/** Creates an API key with every scope the user may grant (needs login()); returns and keeps it. */
	async createApiKey(label = `whatsapp-crm-${randomUUID()}`) {
		const scopes = await this.rest('GET', '/api-keys/scopes');
		const created = await this.rest('POST', '/api-keys', { label, expiresAt: null, scopes });
		this.apiKey = created.rawApiKey;
		return this.apiKey;
	}

	/** Every item of a paginated public API list (`data` + `nextCursor`). */
	async listAll(apiPath) {
		const all = [];
		let cursor;
		do {
			const query = new URLSearchParams({ limit: '250' });
			if (cursor) query.set('cursor', cursor);
			const page = await this.api('GET', `${apiPath}${apiPath.includes('?') ? '&' : '?'}${query}`);
			all.push(...page.data);
			cursor = page.nextCursor ?? undefined;
		} while (cursor);
		return all;
	}

	/** The item, or undefined on 404. */
	async getOrUndefined(apiPath) {
		try {
			return await this.api('GET', apiPath);
		} catch (error) {
			if (error.status === 404) return undefined;
			throw error;
		}
	}

	listCredentials() {
		return this.listAll('/credentials');
	}

	async getCredential(id) {
		return await this.getOrUndefined(`/credentials/${encodeURIComponent(id)}`);
	}

	/** Creates a credential (with the given id, when one is given and unused); returns its id. */
	async createCredential({ id, type, name, data }) {
		if (id) {
			try {
				return (await this.api('POST', '/credentials', { id, name, type, data })).id;
			} catch (error) {
				// An id n8n does not accept (taken, or not 1–16 of [A-Za-z0-9_-]): let n8n choose one.
				if (error.status !== 400 && error.status !== 409) throw error;
			}
		}
		const created = await this.api('POST', '/credentials', { name, type, data });
		return created.id;
	}

	/** Replaces a credential's data (and name). */
	async updateCredential(id, { type, name, data }) {
		await this.api('PATCH', `/credentials/${encodeURIComponent(id)}`, { name, type, data, isPartialData: false });
	}

	listWorkflows() {
		return this.listAll('/workflows');
	}

	async getWorkflow(id) {
		return await this.getOrUndefined(`/workflows/${encodeURIComponent(id)}`);
	}

	/** Creates a workflow from exported JSON; returns its id. options: toCreateWorkflowBody()'s. */
	async importWorkflow(json, options) {
		const created = await this.api('POST', '/workflows', toCreateWorkflowBody(json, options));
		return created.id;
	}

	/** Activates (publishes) a workflow; its production webhooks and schedules then register. */
	async activate(id) {
		await this.api('POST', `/workflows/${encodeURIComponent(id)}/activate`, {});
	}

	async deactivate(id) {
		await this.api('POST', `/workflows/${encodeURIComponent(id)}/deactivate`, {});
	}

	/**
	 * Waits until n8n has registered a production webhook at `/<prefix>/<path>`
	 * for `method` (`/healthz/readiness` says 200 before the active workflows'
	 * webhooks are registered). The probe:
	 * - 'options' (default): a CORS preflight (`OPTIONS` with an `Origin`), which
	 *   n8n answers with the methods registered at the path, and which never
	 *   starts an execution, whatever the methods;
	 * - 'get': `GET` until the 404 says the path is registered for another method
	 *   ("Did you mean to make a POST request?"), or, when `method` is GET, until
	 *   the GET stops answering 404 (that GET reaches the workflow's webhook).
	 */
	async waitForWebhook(webhookPath, { method = 'POST', prefix = 'webhook', timeoutMs = 30_000, probe = 'options' } = {}) {
		const url = `${this.baseUrl}/${prefix}/${webhookPath.replace(/^\/+/, '')}`;
		const wanted = method.toUpperCase();
		const deadline = Date.now() + timeoutMs;
		let last = '';
		while (Date.now() < deadline) {
			try {
				if (probe === 'options') {
					const res = await fetch(url, {
						method: 'OPTIONS',
						headers: { origin: this.baseUrl, 'access-control-request-method': wanted },
					});
					await res.arrayBuffer();
					const allowed = (res.headers.get('access-control-allow-methods') ?? '')
						.split(',')
						.map((m) => m.trim().toUpperCase());
					if (res.status < 400 && allowed.includes(wanted)) return;
					last = `OPTIONS → ${res.status}, allowed: ${allowed.join(' ') || 'none'}`;
				} else {
					const res = await fetch(url, { method: 'GET' });
					const text = await res.text();
					const registered =
						wanted === 'GET'
							? res.status !== 404
							: res.status === 404 && new RegExp(`Did you mean to make a .*\\b${wanted}\\b.* request`).test(text);
					if (registered) return;
					last = `GET → ${res.status} ${text.slice(0, 200)}`;
				}
			} catch (error) {
				last = error.message;
			}
			await sleep(200);
		}
		throw new Error(`webhook ${wanted} /${prefix}/${webhookPath} not registered within ${timeoutMs} ms (last probe: ${last})`);
	}
}

module.exports = { N8nClient, HttpError };
