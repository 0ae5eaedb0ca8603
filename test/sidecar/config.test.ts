import path from 'node:path';
import { ConfigError, loadConfig } from '../../sidecar/src/config';

const valid = {
	SIDECAR_API_KEY: 'k'.repeat(24),
	WEBHOOK_URL: 'https://n8n.example.com/webhook/whatsapp',
	WEBHOOK_SECRET: 's'.repeat(32),
};

function problemsOf(env: Record<string, string>): Record<string, string> {
	try {
		loadConfig(env, '/srv/app');
	} catch (err) {
		expect(err).toBeInstanceOf(ConfigError);
		return Object.fromEntries((err as ConfigError).problems.map((p) => [p.setting, p.problem]));
	}
	throw new Error('expected a ConfigError');
}

describe('sidecar configuration', () => {
	it('applies the documented defaults', () => {
		const config = loadConfig(valid, '/srv/app');
		expect(config).toMatchObject({
			port: 3100,
			host: '127.0.0.1',
			chromiumPath: '/usr/bin/chromium',
			driver: 'webjs',
			backfillDays: 30,
			backfillBatchSize: 50,
			maxSessions: 50,
			defaultCountry: null,
			logLevel: 'info',
			backfillOnLink: false,
			forwardGroupMessages: false,
		});
		expect(config.sessionDir).toBe(path.resolve('/srv/app', '.data/sessions'));
		expect(config.dataDir).toBe(path.resolve('/srv/app', '.data/sidecar'));
	});

	it('names every missing required setting at once', () => {
		const problems = problemsOf({});
		expect(Object.keys(problems).sort()).toEqual(['SIDECAR_API_KEY', 'WEBHOOK_SECRET', 'WEBHOOK_URL']);
	});

	it('names each invalid setting', () => {
		const problems = problemsOf({
			...valid,
			SIDECAR_API_KEY: 'short',
			WEBHOOK_URL: 'ftp://example.com/x',
			PORT: 'eighty',
			WHATSAPP_DRIVER: 'baileys',
			BACKFILL_BATCH_SIZE: '501',
			BACKFILL_DAYS: '-3',
			MAX_SESSIONS: '0',
			DEFAULT_COUNTRY: 'XX',
			LOG_LEVEL: 'loud',
			FORWARD_GROUP_MESSAGES: 'sometimes',
		});
		expect(Object.keys(problems).sort()).toEqual(
			[
				'BACKFILL_BATCH_SIZE',
				'BACKFILL_DAYS',
				'DEFAULT_COUNTRY',
				'FORWARD_GROUP_MESSAGES',
				'LOG_LEVEL',
				'MAX_SESSIONS',
				'PORT',
				'SIDECAR_API_KEY',
				'WEBHOOK_URL',
				'WHATSAPP_DRIVER',
			].sort(),
		);
		expect(problems.SIDECAR_API_KEY).toMatch(/16 characters/);
	});

	it('refuses a webhook URL that is not a URL and a secret that is too short', () => {
		const problems = problemsOf({ ...valid, WEBHOOK_URL: 'not a url', WEBHOOK_SECRET: 'abc' });
		expect(problems.WEBHOOK_URL).toMatch(/not a valid URL/);
		expect(problems.WEBHOOK_SECRET).toMatch(/16 characters/);
	});

	it('reads the optional settings', () => {
		const config = loadConfig(
			{
				...valid,
				PORT: '8080',
				HOST: '0.0.0.0',
				WHATSAPP_DRIVER: 'simulator',
				BACKFILL_DAYS: '7',
				BACKFILL_BATCH_SIZE: '500',
				DEFAULT_COUNTRY: 'br',
				SESSION_DIR: '/var/lib/sidecar/sessions',
				LOG_LEVEL: 'WARN',
				FORWARD_GROUP_MESSAGES: 'true',
			},
			'/srv/app',
		);
		expect(config).toMatchObject({
			port: 8080,
			host: '0.0.0.0',
			driver: 'simulator',
			backfillDays: 7,
			backfillBatchSize: 500,
			defaultCountry: 'BR',
			sessionDir: '/var/lib/sidecar/sessions',
			logLevel: 'warn',
			forwardGroupMessages: true,
		});
	});

	it('the error message lists the settings by name', () => {
		expect(() => loadConfig({ ...valid, WEBHOOK_SECRET: '' })).toThrow(/WEBHOOK_SECRET: is required/);
	});
});

describe('several webhook URLs and several sidecars', () => {
	it('reads WEBHOOK_URL as a comma-separated list, in order, each once; webhookUrl is the first', () => {
		const config = loadConfig({ ...valid, WEBHOOK_URL: ' http://n8n-webhook-1:5678/webhook/x , http://n8n-webhook-2:5678/webhook/x,http://n8n-webhook-1:5678/webhook/x' }, '/srv/app');
		expect(config.webhookUrls).toEqual(['http://n8n-webhook-1:5678/webhook/x', 'http://n8n-webhook-2:5678/webhook/x']);
		expect(config.webhookUrl).toBe('http://n8n-webhook-1:5678/webhook/x');
		expect(loadConfig(valid, '/srv/app').webhookUrls).toEqual([valid.WEBHOOK_URL]);
	});

	it('names the entry of WEBHOOK_URL that is not a URL', () => {
		expect(problemsOf({ ...valid, WEBHOOK_URL: 'http://n8n-webhook-1:5678/x, n8n-webhook-2' }).WEBHOOK_URL).toBe('"n8n-webhook-2" is not a valid URL');
	});

	it('without SIDECAR_PEERS, the sidecar starts any session (peers: null)', () => {
		expect(loadConfig(valid, '/srv/app').peers).toBeNull();
	});

	it('reads SIDECAR_PEERS and SIDECAR_SELF_URL normalized, as the credential lists them', () => {
		const config = loadConfig({ ...valid, SIDECAR_PEERS: 'http://sidecar-1:3100, HTTP://Sidecar-2:3100/', SIDECAR_SELF_URL: 'http://sidecar-2:3100' }, '/srv/app');
		expect(config.peers).toEqual({ urls: ['http://sidecar-1:3100', 'http://sidecar-2:3100'], self: 'http://sidecar-2:3100' });
	});

	it('needs both, and this sidecar among its peers', () => {
		expect(problemsOf({ ...valid, SIDECAR_PEERS: 'http://sidecar-1:3100,http://sidecar-2:3100' })).toEqual({
			SIDECAR_SELF_URL: expect.stringMatching(/is required with SIDECAR_PEERS/),
		});
		expect(problemsOf({ ...valid, SIDECAR_SELF_URL: 'http://sidecar-1:3100' })).toEqual({ SIDECAR_PEERS: expect.stringMatching(/is required with SIDECAR_SELF_URL/) });
		expect(problemsOf({ ...valid, SIDECAR_PEERS: 'http://sidecar-1:3100,http://sidecar-2:3100', SIDECAR_SELF_URL: 'http://sidecar-3:3100' })).toEqual({
			SIDECAR_SELF_URL: 'must be one of the URLs in SIDECAR_PEERS',
		});
		expect(problemsOf({ ...valid, SIDECAR_PEERS: 'http://sidecar-1:3100,sidecar-2', SIDECAR_SELF_URL: 'http://sidecar-1:3100' })).toEqual({
			SIDECAR_PEERS: '"sidecar-2" is not an http or https URL',
		});
	});
});
