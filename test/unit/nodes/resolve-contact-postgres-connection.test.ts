/** n8n's Postgres credential → a shared, small pg Pool (nodes/shared/postgres-connection.ts). */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { closePostgresPools, poolForSettings, postgresSettingsFromCredential } from '../../../nodes/shared/postgres-connection';
import { PG_HOST, PG_PORT, PG_USER } from '../crm/test-database';

afterEach(async () => {
	await closePostgresPools();
});

const credential = (overrides: ICredentialDataDecryptedObject = {}): ICredentialDataDecryptedObject => ({
	host: PG_HOST,
	port: PG_PORT,
	database: 'postgres',
	user: PG_USER,
	password: '',
	maxConnections: 100,
	allowUnauthorizedCerts: false,
	ssl: 'disable',
	sshTunnel: false,
	...overrides,
});

describe('postgresSettingsFromCredential', () => {
	it("reads the fields of n8n's Postgres credential, with its defaults for empty ones", () => {
		expect(postgresSettingsFromCredential(credential({ host: ' db.internal ', port: 6543, ssl: 'require', password: 's3cret' }))).toEqual({
			host: 'db.internal',
			port: 6543,
			database: 'postgres',
			user: PG_USER,
			password: 's3cret',
			ssl: 'require',
			allowUnauthorizedCerts: false,
			maxConnections: 100,
		});
		expect(postgresSettingsFromCredential({ host: '', port: '', database: '', user: '', ssl: 'bogus' })).toEqual({
			host: 'localhost',
			port: 5432,
			database: 'postgres',
			user: 'postgres',
			password: '',
			ssl: 'disable',
			allowUnauthorizedCerts: false,
			maxConnections: undefined,
		});
	});
});

describe('poolForSettings', () => {
	it('shares one small pool per connection setting', async () => {
		const settings = postgresSettingsFromCredential(credential());
		const pool = poolForSettings(settings);
		expect(poolForSettings({ ...settings })).toBe(pool);
		expect(poolForSettings({ ...settings, password: 'other' })).not.toBe(pool);
		expect(pool.options.max).toBeLessThanOrEqual(5);
		expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
	});

	it('asks for TLS unless SSL is disabled (this server has none)', async () => {
		const tlsCredentials: ICredentialDataDecryptedObject[] = [{ ssl: 'require' }, { ssl: 'allow' }, { allowUnauthorizedCerts: true }];
		for (const overrides of tlsCredentials) {
			const pool = poolForSettings(postgresSettingsFromCredential(credential(overrides)));
			await expect(pool.query('SELECT 1')).rejects.toThrow(/does not support SSL/);
		}
		const plain = poolForSettings(postgresSettingsFromCredential(credential({ ssl: 'disable' })));
		await expect(plain.query('SELECT 1')).resolves.toBeDefined();
	});
});
