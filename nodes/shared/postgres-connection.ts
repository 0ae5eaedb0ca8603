/**
 * The CRM database as the nodes reach it: n8n's standard Postgres credential
 * (type `postgres`, the one n8n's own Postgres node uses, so an admin
 * configures one connection for the nodes and the workflows' SQL alike),
 * read into a small pg Pool that is reused across executions — one per
 * distinct connection setting, for the life of the n8n process.
 *
 * A community node may declare a credential type of another package: n8n
 * 2.41's credentials helper refuses one only when that type sets
 * `restrictToSupportedNodes`, which `postgres` does not.
 */
import { createHash } from 'node:crypto';
import type { ICredentialDataDecryptedObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import type { Pool } from 'pg';
import { createCrmPool, toPoolConfig, type PostgresSettings, type PostgresSslMode } from '../../crm/connection';
import { POSTGRES_CREDENTIAL_TYPE } from './credential-types';


/** Distinct connection settings kept at once; the oldest pool is closed beyond that (e.g. after many password changes). */
const MAX_POOLS = 16;

const pools = new Map<string, Pool>();

const SSL_MODES: readonly PostgresSslMode[] = ['disable', 'allow', 'prefer', 'require', 'verify', 'verify-ca', 'verify-full'];

function text(value: unknown, fallback: string): string {
	return typeof value === 'string' && value.trim() !== '' ? value.trim() : fallback;
}

/**
 * The fields of n8n's Postgres credential (packages/nodes-base/credentials/Postgres.credentials.ts:
 * host, port, database, user, password, maxConnections, allowUnauthorizedCerts, ssl, sshTunnel…)
 * as connection settings, with that credential's defaults for empty fields.
 * Throws (a plain Error, safe to show: no password in it) for the SSH tunnel,
 * which these nodes do not open.
 */
export function postgresSettingsFromCredential(credentials: ICredentialDataDecryptedObject): PostgresSettings {
	if (credentials.sshTunnel === true) {
		throw new Error(
			'The Postgres credential uses an SSH tunnel, which the WhatsApp CRM nodes do not support. Use a credential that connects to the database directly.',
		);
	}
	const port = Number(credentials.port);
	const ssl = typeof credentials.ssl === 'string' && (SSL_MODES as readonly string[]).includes(credentials.ssl) ? (credentials.ssl as PostgresSslMode) : 'disable';
	return {
		host: text(credentials.host, 'localhost'),
		port: Number.isInteger(port) && port > 0 && port < 65536 ? port : 5432,
		database: text(credentials.database, 'postgres'),
		user: text(credentials.user, 'postgres'),
		password: typeof credentials.password === 'string' ? credentials.password : '',
		ssl,
		allowUnauthorizedCerts: credentials.allowUnauthorizedCerts === true,
		maxConnections: Number(credentials.maxConnections) || undefined,
	};
}

/** A key naming the connection settings without exposing them (the password is part of the hash). */
function keyOf(settings: PostgresSettings): string {
	const ordered = [
		settings.host,
		settings.port,
		settings.database,
		settings.user,
		settings.password ?? '',
		settings.ssl ?? 'disable',
		settings.allowUnauthorizedCerts === true,
		settings.maxConnections ?? null,
	];
	return createHash('sha256').update(JSON.stringify(ordered)).digest('hex');
}

/** The shared pool for these settings, created on first use. */
export function poolForSettings(settings: PostgresSettings): Pool {
	const key = keyOf(settings);
	const existing = pools.get(key);
	if (existing) return existing;
	const pool = createCrmPool(toPoolConfig(settings));
	pools.set(key, pool);
	while (pools.size > MAX_POOLS) {
		const [oldestKey, oldest] = pools.entries().next().value as [string, Pool];
		pools.delete(oldestKey);
		void oldest.end().catch(() => {});
	}
	return pool;
}

/** The CRM pool of the node's Postgres credential. */
export async function getCrmPool(ctx: IExecuteFunctions): Promise<Pool> {
	const credentials = await ctx.getCredentials(POSTGRES_CREDENTIAL_TYPE);
	try {
		return poolForSettings(postgresSettingsFromCredential(credentials));
	} catch (error) {
		throw new NodeOperationError(ctx.getNode(), error instanceof Error ? error.message : String(error));
	}
}

/** Closes every pool (tests; a process shutting down). */
export async function closePostgresPools(): Promise<void> {
	const all = [...pools.values()];
	pools.clear();
	await Promise.all(all.map((pool) => pool.end().catch(() => {})));
}
