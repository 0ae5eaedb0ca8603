/**
 * The sidecar's settings, read from the environment. Every bad setting is
 * reported at once, by name, so a misconfigured deployment is fixed in one go.
 */
import path from 'node:path';
import { isSupportedCountry, type CountryCode } from 'libphonenumber-js';
import { sidecarUrlList, splitSidecarUrls } from '../../core/sidecar-api/session-owner';

export type DriverName = 'webjs' | 'simulator';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface SidecarConfig {
	port: number;
	host: string;
	apiKey: string;
	/** The first of `webhookUrls`. */
	webhookUrl: string;
	/**
	 * WEBHOOK_URL, comma separated: where events go — the first, and on a
	 * connection failure or a 5xx the next (e.g. two n8n webhook processes).
	 */
	webhookUrls: string[];
	/**
	 * With several sidecars: every sidecar's URL as n8n's credential lists it
	 * (SIDECAR_PEERS, normalized), and this one's (SIDECAR_SELF_URL). The
	 * sidecar then refuses to start a session another one owns
	 * (core/sidecar-api/session-owner.ts). Null: no such check.
	 */
	peers: { urls: string[]; self: string } | null;
	webhookSecret: string;
	/** Absolute: one sub-folder per session holds its auth data. */
	sessionDir: string;
	/** Absolute: the outbox and backfill checkpoints. */
	dataDir: string;
	chromiumPath: string;
	driver: DriverName;
	backfillDays: number;
	backfillBatchSize: number;
	/** Start a backfill by itself when a phone is linked by QR (not on restore). */
	backfillOnLink: boolean;
	/** Forward live text messages of group chats too (FORWARD_GROUP_MESSAGES, default false). */
	forwardGroupMessages: boolean;
	maxSessions: number;
	/** Largest file `POST /sessions/:id/media` accepts (decoded bytes). */
	maxMediaBytes: number;
	defaultCountry: CountryCode | null;
	logLevel: LogLevel;
	/** How long one health probe (getState, ping) may take. */
	healthTimeoutMs: number;
	/** How long a restored session may stay `starting` before health calls it unhealthy. */
	startGraceMs: number;
	/** How long `POST /sessions/:id` waits for the first QR or connection before answering. */
	startWaitMs: number;
	/**
	 * Outbox delivery: how long an event may keep failing, or (when set) how many
	 * attempts it gets, before it goes to the dead letters; and the backoff bounds.
	 */
	outboxMaxFailingHours: number;
	outboxMaxAttempts: number | undefined;
	outboxBaseDelayMs: number;
	outboxMaxDelayMs: number;
	outboxRequestTimeoutMs: number;
	/** Simulator only: delay before a restored session reports ready (to see `starting` in health). */
	simulatorReadyDelayMs: number;
}

export interface ConfigProblem {
	setting: string;
	problem: string;
}

export class ConfigError extends Error {
	readonly problems: ConfigProblem[];
	constructor(problems: ConfigProblem[]) {
		super(
			`Invalid sidecar configuration:\n${problems.map((p) => `  - ${p.setting}: ${p.problem}`).join('\n')}`,
		);
		this.name = 'ConfigError';
		this.problems = problems;
	}
}

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

type Env = Record<string, string | undefined>;

/** Reads and validates the configuration. Throws a ConfigError naming every bad setting. */
export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): SidecarConfig {
	const problems: ConfigProblem[] = [];
	const value = (name: string): string | undefined => {
		const raw = env[name];
		if (raw === undefined) return undefined;
		const trimmed = raw.trim();
		return trimmed === '' ? undefined : trimmed;
	};
	const bad = (setting: string, problem: string) => problems.push({ setting, problem });

	const integer = (name: string, fallback: number, min: number, max: number): number => {
		const raw = value(name);
		if (raw === undefined) return fallback;
		if (!/^[0-9]+$/.test(raw)) {
			bad(name, `must be a whole number from ${min} to ${max}`);
			return fallback;
		}
		const n = Number(raw);
		if (n < min || n > max) {
			bad(name, `must be a whole number from ${min} to ${max}`);
			return fallback;
		}
		return n;
	};

	const secret = (name: string): string => {
		const raw = value(name);
		if (raw === undefined) {
			bad(name, 'is required (at least 16 characters)');
			return '';
		}
		if (raw.length < 16) bad(name, 'must be at least 16 characters long');
		return raw;
	};

	const port = integer('PORT', 3100, 0, 65535);
	const host = value('HOST') ?? '127.0.0.1';
	const apiKey = secret('SIDECAR_API_KEY');
	const webhookSecret = secret('WEBHOOK_SECRET');

	const webhookUrls: string[] = [];
	const rawUrl = value('WEBHOOK_URL');
	if (rawUrl === undefined) {
		bad('WEBHOOK_URL', 'is required (the http or https URL of the n8n webhook; several separated by commas)');
	} else {
		for (const entry of rawUrl.split(',').map((part) => part.trim()).filter((part) => part !== '')) {
			try {
				const url = new URL(entry);
				if (url.protocol !== 'http:' && url.protocol !== 'https:') bad('WEBHOOK_URL', 'must be an http or https URL');
				else if (!webhookUrls.includes(url.toString())) webhookUrls.push(url.toString());
			} catch {
				bad('WEBHOOK_URL', webhookUrls.length === 0 && !rawUrl.includes(',') ? 'is not a valid URL' : `"${entry}" is not a valid URL`);
			}
		}
		if (webhookUrls.length === 0 && problems.every((p) => p.setting !== 'WEBHOOK_URL')) bad('WEBHOOK_URL', 'is not a valid URL');
	}

	let peers: SidecarConfig['peers'] = null;
	const rawPeers = value('SIDECAR_PEERS');
	const rawSelf = value('SIDECAR_SELF_URL');
	if (rawPeers !== undefined || rawSelf !== undefined) {
		const list = sidecarUrlList(splitSidecarUrls(rawPeers ?? ''));
		const self = sidecarUrlList(rawSelf === undefined ? [] : [rawSelf]).urls[0];
		if (list.invalid.length > 0) bad('SIDECAR_PEERS', `"${list.invalid[0]}" is not an http or https URL`);
		else if (list.urls.length === 0) bad('SIDECAR_PEERS', 'is required with SIDECAR_SELF_URL (every sidecar\'s URL, as n8n\'s credential lists them, separated by commas)');
		if (self === undefined) bad('SIDECAR_SELF_URL', 'is required with SIDECAR_PEERS (this sidecar\'s URL, as it appears in SIDECAR_PEERS)');
		else if (list.urls.length > 0 && !list.urls.includes(self)) bad('SIDECAR_SELF_URL', 'must be one of the URLs in SIDECAR_PEERS');
		if (self !== undefined && list.invalid.length === 0 && list.urls.includes(self)) peers = { urls: list.urls, self };
	}

	const sessionDir = path.resolve(cwd, value('SESSION_DIR') ?? './.data/sessions');
	const dataDir = path.resolve(cwd, value('DATA_DIR') ?? './.data/sidecar');
	const chromiumPath = value('CHROMIUM_PATH') ?? '/usr/bin/chromium';

	let driver: DriverName = 'webjs';
	const rawDriver = value('WHATSAPP_DRIVER');
	if (rawDriver !== undefined) {
		if (rawDriver === 'webjs' || rawDriver === 'simulator') driver = rawDriver;
		else bad('WHATSAPP_DRIVER', 'must be "webjs" or "simulator"');
	}

	const backfillDays = integer('BACKFILL_DAYS', 30, 1, 3650);
	const backfillBatchSize = integer('BACKFILL_BATCH_SIZE', 50, 1, 500);
	const maxSessions = integer('MAX_SESSIONS', 50, 1, 10000);
	const maxMediaBytes = integer('MAX_MEDIA_MB', 16, 1, 100) * 1024 * 1024;
	const healthTimeoutMs = integer('HEALTH_TIMEOUT_MS', 5000, 100, 120000);
	const startGraceMs = integer('START_GRACE_MS', 180000, 0, 3600000);
	const startWaitMs = integer('START_WAIT_MS', 15000, 0, 120000);
	const outboxMaxFailingHours = integer('OUTBOX_MAX_FAILING_HOURS', 72, 1, 8760);
	const outboxMaxAttempts = value('OUTBOX_MAX_ATTEMPTS') === undefined ? undefined : integer('OUTBOX_MAX_ATTEMPTS', 0, 1, 100000);
	const outboxBaseDelayMs = integer('OUTBOX_BASE_DELAY_MS', 1000, 1, 3600000);
	const outboxMaxDelayMs = integer('OUTBOX_MAX_DELAY_MS', 300000, 1, 86400000);
	const outboxRequestTimeoutMs = integer('OUTBOX_REQUEST_TIMEOUT_MS', 60000, 100, 600000);
	const simulatorReadyDelayMs = integer('SIMULATOR_READY_DELAY_MS', 0, 0, 3600000);
	if (outboxMaxDelayMs < outboxBaseDelayMs) bad('OUTBOX_MAX_DELAY_MS', 'must not be smaller than OUTBOX_BASE_DELAY_MS');

	const flag = (setting: string): boolean => {
		const raw = value(setting);
		if (raw === undefined || /^(false|0|no)$/i.test(raw)) return false;
		if (/^(true|1|yes)$/i.test(raw)) return true;
		bad(setting, 'must be true or false');
		return false;
	};
	const backfillOnLink = flag('BACKFILL_ON_LINK');
	const forwardGroupMessages = flag('FORWARD_GROUP_MESSAGES');

	let defaultCountry: CountryCode | null = null;
	const rawCountry = value('DEFAULT_COUNTRY');
	if (rawCountry !== undefined) {
		const upper = rawCountry.toUpperCase();
		if (isSupportedCountry(upper)) defaultCountry = upper as CountryCode;
		else bad('DEFAULT_COUNTRY', 'must be a two-letter ISO country code (e.g. BR, DE, US)');
	}

	let logLevel: LogLevel = 'info';
	const rawLevel = value('LOG_LEVEL');
	if (rawLevel !== undefined) {
		const lower = rawLevel.toLowerCase() as LogLevel;
		if (LOG_LEVELS.includes(lower)) logLevel = lower;
		else bad('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
	}

	if (problems.length > 0) throw new ConfigError(problems);

	return {
		port,
		host,
		apiKey,
		webhookUrl: webhookUrls[0] as string,
		webhookUrls,
		peers,
		webhookSecret,
		sessionDir,
		dataDir,
		chromiumPath,
		driver,
		backfillDays,
		backfillBatchSize,
		backfillOnLink,
		forwardGroupMessages,
		maxSessions,
		maxMediaBytes,
		defaultCountry,
		logLevel,
		healthTimeoutMs,
		startGraceMs,
		startWaitMs,
		outboxMaxFailingHours,
		outboxMaxAttempts,
		outboxBaseDelayMs,
		outboxMaxDelayMs,
		outboxRequestTimeoutMs,
		simulatorReadyDelayMs,
	};
}
