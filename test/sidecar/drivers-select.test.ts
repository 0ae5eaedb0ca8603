import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../sidecar/src/config';
import { createLogger } from '../../sidecar/src/logger';
import { createDriver } from '../../sidecar/src/main';

const env = { SIDECAR_API_KEY: 'k'.repeat(20), WEBHOOK_URL: 'http://127.0.0.1:9/x', WEBHOOK_SECRET: 's'.repeat(20), SESSION_DIR: '/var/lib/wa/sessions' };

describe('driver selection', () => {
	it.each(['webjs', 'simulator'] as const)('WHATSAPP_DRIVER=%s gives that driver, keeping auth data under SESSION_DIR/session-<id>', (name) => {
		const config = loadConfig({ ...env, WHATSAPP_DRIVER: name });
		const driver = createDriver(config, createLogger('silent'));
		expect(driver.name).toBe(name);
		const id = randomUUID();
		expect(driver.authDataPath(id)).toBe(path.join('/var/lib/wa/sessions', `session-${id}`));
		expect(() => driver.authDataPath('../etc')).toThrow();
	});

	it('defaults to the webjs driver', () => {
		expect(createDriver(loadConfig(env), createLogger('silent')).name).toBe('webjs');
	});
});
