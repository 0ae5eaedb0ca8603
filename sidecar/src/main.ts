/**
 * The sidecar service: config → logger → driver → outbox → backfill runner →
 * session manager (restoring stored sessions) → HTTP API.
 *
 * `createSidecar(config)` runs the whole service in-process (tests do this);
 * running this file starts it for real, with SIGINT/SIGTERM stopping it
 * cleanly: stop accepting requests, stop sessions (keeping their auth data),
 * let the outbox finish what is in flight, exit 0.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createBackfillRunner } from './backfill';
import { CaptureLedger } from './capture/ledger';
import { ConfigError, loadConfig, type SidecarConfig } from './config';
import type { Driver } from './drivers/driver';
import { createSimulatorDriver, type SimulatorDriver } from './drivers/simulator';
import { toMessagePayload } from './drivers/to-message-payload';
import { registerBackfillRoutes } from './http/routes/backfill';
import { registerHealthRoutes } from './http/routes/health';
import { registerOutboxRoutes } from './http/routes/outbox';
import { registerSessionRoutes } from './http/routes/sessions';
import { misplacedSessions, ownershipCheck } from './sessions/ownership';
import { registerSendRoutes } from './http/routes/send';
import { registerMediaRoutes } from './http/routes/media';
import { registerSimulatorRoutes } from './http/routes/simulator';
import { Router } from './http/router';
import { createHttpServer } from './http/server';
import { createLogger, type Logger } from './logger';
import { Metrics } from './metrics';
import { createOutbox } from './outbox/outbox';
import type { Outbox } from './outbox/types';
import { ProfileCache } from './sessions/profile-cache';
import { SessionManager } from './sessions/session-manager';
import { openDurableStore } from './storage/durable-store';
import { ensurePrivateDir } from './storage/private-files';
import { safeError } from './util/log-safety';

export interface Sidecar {
	/** `http://host:port` the API listens on. */
	url: string;
	port: number;
	manager: SessionManager;
	outbox: Outbox;
	driver: Driver;
	logger: Logger;
	/** Stops accepting requests, stops sessions (keeping auth data) and the outbox. Idempotent. */
	close(): Promise<void>;
}

export interface SidecarOverrides {
	logger?: Logger;
	/** Use this driver instead of the one the config names. */
	driver?: Driver;
}

/** The driver the config names. The webjs driver is required only here, so the simulator never loads puppeteer. */
export function createDriver(config: SidecarConfig, logger: Logger): Driver {
	if (config.driver === 'simulator') {
		return createSimulatorDriver({ sessionDir: config.sessionDir, readyDelayMs: config.simulatorReadyDelayMs });
	}
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const webjs = require('./drivers/webjs') as typeof import('./drivers/webjs');
	return webjs.createWebJsDriver({
		sessionDir: config.sessionDir,
		chromiumPath: config.chromiumPath,
		logger: logger.child({ component: 'webjs' }),
	});
}

export async function createSidecar(config: SidecarConfig, overrides: SidecarOverrides = {}): Promise<Sidecar> {
	const logger = overrides.logger ?? createLogger(config.logLevel);
	// Login data and chats: private folders (0700), whatever the umask.
	ensurePrivateDir(config.sessionDir);
	ensurePrivateDir(config.dataDir);

	const metrics = new Metrics();
	const driver = overrides.driver ?? createDriver(config, logger);
	const outbox = createOutbox({
		dataDir: config.dataDir,
		webhookUrl: config.webhookUrls,
		secret: config.webhookSecret,
		logger,
		maxAttempts: config.outboxMaxAttempts,
		maxFailingMs: config.outboxMaxFailingHours * 60 * 60 * 1000,
		baseDelayMs: config.outboxBaseDelayMs,
		maxDelayMs: config.outboxMaxDelayMs,
		requestTimeoutMs: config.outboxRequestTimeoutMs,
	});
	outbox.start();
	// The capture ledger shares the outbox's durable store: a message's cursor is committed with its event.
	const state = openDurableStore(config.dataDir);
	const capture = new CaptureLedger(state);
	metrics.addCollector(() => {
		const s = outbox.stats();
		metrics.gauge('whatsapp_sidecar_outbox_pending', 'Events waiting in the outbox.', s.pending);
		metrics.gauge('whatsapp_sidecar_outbox_dead_letters', 'Events in the dead-letter list.', s.deadLetters);
		metrics.setCounter('whatsapp_sidecar_outbox_delivered_total', 'Events delivered since start-up.', s.delivered);
		metrics.setCounter('whatsapp_sidecar_outbox_failed_attempts_total', 'Failed delivery attempts since start-up.', s.failedAttempts);
		metrics.gauge('whatsapp_sidecar_resident_memory_bytes', 'Resident memory of the sidecar process (not its browsers).', process.memoryUsage().rss);
	});

	const profiles = new ProfileCache({ timeoutMs: config.healthTimeoutMs });
	const backfill = createBackfillRunner({
		dataDir: config.dataDir,
		outbox,
		days: config.backfillDays,
		batchSize: config.backfillBatchSize,
		logger,
		toMessagePayload: (sessionId, message, profile) => toMessagePayload(sessionId, message, profile, { origin: 'backfill' }),
		profileFor: (sessionId, session, chatId) => profiles.get(sessionId, session, chatId),
	});

	const manager: SessionManager = new SessionManager({
		driver,
		outbox,
		capture,
		logger,
		metrics,
		maxSessions: config.maxSessions,
		defaultCountry: config.defaultCountry,
		healthTimeoutMs: config.healthTimeoutMs,
		startGraceMs: config.startGraceMs,
		startWaitMs: config.startWaitMs,
		backfillOnLink: config.backfillOnLink,
		forwardGroups: config.forwardGroupMessages,
		backfill,
		profiles,
		// A backfill left unfinished by a restart continues once its session is connected again.
		onConnected: () => backfill.resumePending((id) => manager.driverSession(id)),
	});

	const router = new Router();
	registerHealthRoutes(router, manager, metrics);
	registerSessionRoutes(router, manager, ownershipCheck(config.peers));
	registerSendRoutes(router, manager, { maxMediaBytes: config.maxMediaBytes });
	registerMediaRoutes(router, manager, { maxMediaBytes: config.maxMediaBytes });
	registerBackfillRoutes(router, manager, backfill);
	registerOutboxRoutes(router, outbox);
	if (driver.name === 'simulator') registerSimulatorRoutes(router, driver as SimulatorDriver);
	const server = createHttpServer({ apiKey: config.apiKey, logger, metrics, router });

	await manager.restoreAll();
	for (const { sessionId, owner } of misplacedSessions(config.peers, manager.list().map((view) => view.sessionId))) {
		logger.warn(
			{ sessionId, owner },
			'session held here belongs to another sidecar by SIDECAR_PEERS: n8n looks for it there; move its folder (sidecar/README.md, "Several sidecars")',
		);
	}
	backfill.resumePending((id) => manager.driverSession(id));

	await listen(server, config.port, config.host);
	const port = (server.address() as AddressInfo).port;
	const host = config.host.includes(':') ? `[${config.host}]` : config.host;
	logger.info({ port, driver: driver.name }, 'sidecar listening');

	let closing: Promise<void> | null = null;
	const close = () =>
		(closing ??= (async () => {
			logger.info('sidecar stopping');
			const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
			server.closeIdleConnections();
			await backfill.stop().catch((err: unknown) => logger.error({ err: safeError(err) }, 'backfill runner did not stop cleanly'));
			await manager.stopAll();
			await outbox.stop().catch((err: unknown) => logger.error({ err: safeError(err) }, 'outbox did not stop cleanly'));
			await state.close();

			server.closeAllConnections();
			await serverClosed;
			logger.info('sidecar stopped');
		})());

	return { url: `http://${host}:${port}`, port, manager, outbox, driver, logger, close };
}

function listen(server: Server, port: number, host: string): Promise<void> {
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, () => {
			server.off('error', reject);
			resolve();
		});
	});
}

/** Runs the sidecar as a process: exits 1 on a configuration error, 0 after a clean SIGINT/SIGTERM shutdown. */
export async function main(): Promise<void> {
	// Everything this process and its browsers create holds login data or chats: private to its user.
	process.umask(0o077);
	let config: SidecarConfig;
	try {
		config = loadConfig();
	} catch (err) {
		if (err instanceof ConfigError) {
			process.stderr.write(`${err.message}\n`);
			process.exit(1);
		}
		throw err;
	}
	const logger = createLogger(config.logLevel);
	let sidecar: Sidecar;
	try {
		sidecar = await createSidecar(config, { logger });
	} catch (err) {
		logger.fatal({ err: safeError(err) }, 'sidecar failed to start');
		process.exit(1);
	}
	let signals = 0;
	const stop = (signal: NodeJS.Signals) => {
		signals++;
		if (signals > 1) {
			logger.warn({ signal }, 'second signal: exiting at once');
			process.exit(1);
		}
		logger.info({ signal }, 'signal received; shutting down');
		const force = setTimeout(() => {
			logger.error('shutdown took too long; exiting');
			process.exit(1);
		}, 30000);
		force.unref();
		sidecar.close().then(
			() => process.exit(0),
			(err: unknown) => {
				logger.error({ err: safeError(err) }, 'shutdown failed');
				process.exit(1);
			},
		);
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
	process.on('unhandledRejection', (reason) => logger.error({ err: safeError(reason) }, 'unhandled rejection'));
}

if (require.main === module) {
	void main();
}
