'use strict';
/**
 * n8n's queue mode as this package is deployed on it: one main process
 * (editor, API, timers, test webhooks — production webhooks switched off),
 * `n8n webhook` processes behind a load balancer taking the production
 * webhooks (the WhatsApp CRM Trigger's deliveries), `n8n worker` processes
 * running the executions, Redis (Bull) between them, PostgreSQL as n8n's
 * database, and the same encryption key everywhere.
 *
 * The one definition of the environment each n8n process gets. Both the
 * process-level queue-mode test (test/support/n8n/queue-mode.ts) and the
 * deployment kit (deploy/docker-compose.queue.yml, checked by
 * test/unit/deploy/compose.test.ts against this module) use it, so the
 * topology tested and the one shipped cannot drift apart.
 *
 * Names checked against n8n 2.41.1's @n8n/config (executions, database,
 * scaling-mode, endpoints, redis configs).
 */

/** The n8n processes of a queue-mode deployment, and the n8n command each runs. */
const ROLES = {
	main: { command: ['start'] },
	webhook: { command: ['webhook'] },
	worker: { command: ['worker', '--concurrency=5'] },
};

/** Port every n8n process listens on in its container (the worker: its health server). */
const N8N_CONTAINER_PORT = 5678;

/** How many webhook and worker processes, and sidecars, the queue-mode test and deploy/docker-compose.queue.yml run. */
const TOPOLOGY = { webhookProcesses: 2, workers: 2, sidecars: 2 };

/**
 * The environment of one n8n process in queue mode.
 * role: 'main' | 'webhook' | 'worker';
 * database: { host, port, database, user, password } — n8n's own database (not the CRM's);
 * redis: { host, port, db };
 * bullPrefix: QUEUE_BULL_PREFIX (n8n's Redis keys are prefixed with it);
 * encryptionKey: N8N_ENCRYPTION_KEY, the same for every process (credentials are
 *   encrypted by the main process and decrypted by workers and webhook processes);
 * healthPort: the worker's health server port (QUEUE_HEALTH_CHECK_PORT).
 * Values are strings, as in a process environment or a compose file.
 */
function queueModeEnvironment(role, { database, redis, bullPrefix, encryptionKey, healthPort = N8N_CONTAINER_PORT }) {
	if (!ROLES[role]) throw new Error(`unknown n8n queue-mode role: ${role}`);
	const shared = {
		EXECUTIONS_MODE: 'queue',
		N8N_ENCRYPTION_KEY: String(encryptionKey),
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: String(database.host),
		DB_POSTGRESDB_PORT: String(database.port),
		DB_POSTGRESDB_DATABASE: String(database.database),
		DB_POSTGRESDB_USER: String(database.user),
		DB_POSTGRESDB_PASSWORD: String(database.password),
		QUEUE_BULL_REDIS_HOST: String(redis.host),
		QUEUE_BULL_REDIS_PORT: String(redis.port),
		QUEUE_BULL_REDIS_DB: String(redis.db ?? 0),
		QUEUE_BULL_PREFIX: String(bullPrefix),
		// n8n's other Redis keys (pub/sub between the processes, the cache) under the same prefix.
		N8N_REDIS_KEY_PREFIX: String(bullPrefix),
		// Binary data (the Connect form's QR code) in n8n's database, where every process finds it.
		N8N_DEFAULT_BINARY_DATA_MODE: 'database',
		// Finished jobs stay in Redis for a while (n8n's default removes them at once). A webhook
		// process answering "when the workflow has finished" waits on Bull's job.finished(), which
		// looks the job up in the completed/failed sets when it starts waiting and every 5 s. A job
		// a worker finished before that first look (a fast run, a busy webhook process) and that was
		// removed at once is never found: the answer never comes, the delivery stays "in progress".
		// Seen in the queue-mode test (1 delivery in ~900); with the jobs kept, it is found.
		N8N_EXECUTIONS_QUEUE_KEEP_LAST_COMPLETED: '1000',
		N8N_EXECUTIONS_QUEUE_KEEP_LAST_FAILED: '1000',
	};
	const byRole = {
		// Production webhooks go to the webhook processes only (the load balancer's /webhook/).
		main: { N8N_DISABLE_PRODUCTION_MAIN_PROCESS: 'true' },
		webhook: {},
		// A worker serves no HTTP unless asked: /healthz and /healthz/readiness (database and Redis reachable).
		worker: { QUEUE_HEALTH_CHECK_ACTIVE: 'true', QUEUE_HEALTH_CHECK_PORT: String(healthPort) },
	};
	return { ...shared, ...byRole[role] };
}

module.exports = { ROLES, N8N_CONTAINER_PORT, TOPOLOGY, queueModeEnvironment };
