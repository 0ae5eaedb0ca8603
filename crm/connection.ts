/**
 * A PostgreSQL connection for the CRM store, from plain settings (the fields
 * of n8n's Postgres credential). Framework-free: the n8n
 * nodes read their credential into these settings (nodes/shared/postgres-connection.ts).
 */
import { Pool, type PoolConfig } from 'pg';

/**
 * SSL as n8n's Postgres credential offers it ('disable', 'allow', 'require')
 * plus libpq's verifying modes. As in n8n's own Postgres node, every mode but
 * 'disable' connects with TLS and checks the server's certificate; set
 * `allowUnauthorizedCerts` to connect with TLS without checking it.
 */
export type PostgresSslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify' | 'verify-ca' | 'verify-full';

export interface PostgresSettings {
	host: string;
	port: number;
	database: string;
	user: string;
	password?: string;
	ssl?: PostgresSslMode;
	/** TLS without checking the server's certificate (insecure; n8n's "Ignore SSL Issues"). */
	allowUnauthorizedCerts?: boolean;
	/** Upper bound for this pool; the pool itself stays small (see DEFAULT_MAX_CONNECTIONS). */
	maxConnections?: number;
}

/** The CRM does a few short statements per item: a handful of connections per n8n process is plenty. */
export const DEFAULT_MAX_CONNECTIONS = 5;
/** Idle connections are closed after this long. */
export const IDLE_TIMEOUT_MS = 30_000;
/** Give up connecting after this long (a wrong host should fail the node, not hang it). */
export const CONNECT_TIMEOUT_MS = 10_000;

/** pg's `ssl` option for the settings (see PostgresSslMode). */
export function sslOption(settings: Pick<PostgresSettings, 'ssl' | 'allowUnauthorizedCerts'>): PoolConfig['ssl'] {
	if (settings.allowUnauthorizedCerts === true) return { rejectUnauthorized: false };
	if (settings.ssl === undefined || settings.ssl === 'disable') return false;
	return true;
}

/** Pool settings for `settings`: small, closing idle connections, never keeping the process alive. */
export function toPoolConfig(settings: PostgresSettings): PoolConfig {
	const requested = Number(settings.maxConnections);
	const max = Number.isFinite(requested) && requested >= 1 ? Math.min(Math.floor(requested), DEFAULT_MAX_CONNECTIONS) : DEFAULT_MAX_CONNECTIONS;
	return {
		host: settings.host,
		port: settings.port,
		database: settings.database,
		user: settings.user,
		password: settings.password,
		ssl: sslOption(settings),
		max,
		idleTimeoutMillis: IDLE_TIMEOUT_MS,
		connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
		allowExitOnIdle: true,
		keepAlive: true,
		application_name: 'n8n-nodes-whatsapp-crm',
	};
}

/**
 * A pool that survives a dropped idle connection: pg emits 'error' on the pool
 * when an idle client dies (server restart, network cut), and an unhandled
 * 'error' event would crash the whole n8n process. The broken client is
 * discarded by pg; the next query opens a fresh one.
 */
export function createCrmPool(config: PoolConfig): Pool {
	const pool = new Pool(config);
	pool.on('error', () => {
		// Nothing to do: pg already removed the client. Not logged, not rethrown (see above).
	});
	return pool;
}
