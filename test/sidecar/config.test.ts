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
		});
		expect(Object.keys(problems).sort()).toEqual(
			['BACKFILL_BATCH_SIZE', 'BACKFILL_DAYS', 'DEFAULT_COUNTRY', 'LOG_LEVEL', 'MAX_SESSIONS', 'PORT', 'SIDECAR_API_KEY', 'WEBHOOK_URL', 'WHATSAPP_DRIVER'].sort(),
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
		});
	});

	it('the error message lists the settings by name', () => {
		expect(() => loadConfig({ ...valid, WEBHOOK_SECRET: '' })).toThrow(/WEBHOOK_SECRET: is required/);
	});
});
