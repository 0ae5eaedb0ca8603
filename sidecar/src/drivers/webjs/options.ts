/**
 * The webjs driver's options and the whatsapp-web.js `Client` options built
 * from them (a pure function, so the launch configuration is testable without
 * a browser).
 *
 * WhatsApp Web version pin
 * ------------------------
 * whatsapp-web.js injects code that reaches into WhatsApp Web's internal
 * modules, so a WhatsApp Web build the library was not written against can
 * break it. The driver therefore pins `webVersion` to the build the installed
 * whatsapp-web.js release declares as its default (`DefaultOptions.webVersion`
 * in node_modules/whatsapp-web.js/src/util/Constants.js — 2.3000.1017054665 for
 * 1.34.7) and keeps the version cache local (`webVersionCache: { type: 'local' }`,
 * never a remote URL at run time):
 * - when `<webVersionCachePath>/<webVersion>.html` exists, that exact build's
 *   index page is served in place of web.whatsapp.com;
 * - when it does not, whatsapp-web.js loads the live page and, once linked,
 *   saves it as `<webVersionCachePath>/<running version>.html`.
 * To bump: upgrade whatsapp-web.js, set PINNED_WEB_VERSION below to its new
 * default (or pass `webVersion` for one deployment), and optionally drop the
 * matching `<version>.html` into the cache folder. See ./README.md.
 */
import path from 'node:path';

/** The WhatsApp Web build whatsapp-web.js 1.34.7 is written against (its DefaultOptions.webVersion). */
export const PINNED_WEB_VERSION = '2.3000.1017054665';

/**
 * Chromium flags: run as a container's non-root user without a sandbox helper,
 * without /dev/shm limits or a GPU, and without Chrome's own background traffic.
 */
export const CHROMIUM_ARGS: readonly string[] = [
	'--no-sandbox',
	'--disable-setuid-sandbox',
	'--disable-dev-shm-usage',
	'--disable-gpu',
	'--no-first-run',
	'--no-default-browser-check',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--disable-default-apps',
	'--disable-extensions',
	'--disable-features=Translate,MediaRouter,OptimizationHints',
	'--metrics-recording-only',
	'--mute-audio',
	'--password-store=basic',
];

/** Log calls the driver makes (a pino logger fits). Only ids and counts are ever passed. */
export interface DriverLogger {
	debug(obj: object, msg?: string): void;
	info(obj: object, msg?: string): void;
	warn(obj: object, msg?: string): void;
	error(obj: object, msg?: string): void;
}

export interface WebJsDriverOptions {
	/** SESSION_DIR: each session's auth data (its Chromium profile) lives in `${sessionDir}/session-<id>`. */
	sessionDir: string;
	/** CHROMIUM_PATH, e.g. Debian's /usr/bin/chromium. */
	chromiumPath: string;
	/** WhatsApp Web build to pin (default PINNED_WEB_VERSION). */
	webVersion?: string;
	/** Folder of `<version>.html` files (default `${sessionDir}/.wwebjs_cache`). */
	webVersionCachePath?: string;
	logger: DriverLogger;
	headless?: boolean;
	/** How long the library waits for WhatsApp Web to load before failing with 'auth timeout' (default 60 s). */
	authTimeoutMs?: number;
	/** Upper bound on start(): launch, page load and injection (default 120 s). */
	startTimeoutMs?: number;
	/** Upper bound on getState(), lookups, sends and other page calls (default 15 s; history gets 10×). */
	callTimeoutMs?: number;
	/** Upper bound on ping() (default 5 s). */
	pingTimeoutMs?: number;
	/** Upper bound on stop()/destroy() before the browser is killed (default 10 s). */
	stopTimeoutMs?: number;
	/** Refresh the QR this many times, then give up with disconnected('Max qrcode retries reached'); 0 = forever (default 0). */
	qrMaxRetries?: number;
	/** First and maximum `fetchMessages` limits when paging back (defaults 100 and 20000). */
	historyInitialLimit?: number;
	historyMaxMessages?: number;
	/** Extra Chromium flags, appended. */
	extraChromiumArgs?: string[];
}

export interface ResolvedWebJsOptions extends Required<Omit<WebJsDriverOptions, 'extraChromiumArgs'>> {
	extraChromiumArgs: string[];
}

export function resolveOptions(options: WebJsDriverOptions): ResolvedWebJsOptions {
	if (!options.sessionDir) throw new Error('webjs driver: sessionDir is required');
	if (!options.chromiumPath) throw new Error('webjs driver: chromiumPath is required');
	const sessionDir = path.resolve(options.sessionDir);
	return {
		sessionDir,
		chromiumPath: options.chromiumPath,
		webVersion: options.webVersion && options.webVersion.length > 0 ? options.webVersion : PINNED_WEB_VERSION,
		webVersionCachePath: path.resolve(options.webVersionCachePath ?? path.join(sessionDir, '.wwebjs_cache')),
		logger: options.logger,
		headless: options.headless ?? true,
		authTimeoutMs: options.authTimeoutMs ?? 60_000,
		startTimeoutMs: options.startTimeoutMs ?? 120_000,
		callTimeoutMs: options.callTimeoutMs ?? 15_000,
		pingTimeoutMs: options.pingTimeoutMs ?? 5_000,
		stopTimeoutMs: options.stopTimeoutMs ?? 10_000,
		qrMaxRetries: options.qrMaxRetries ?? 0,
		historyInitialLimit: options.historyInitialLimit ?? 100,
		historyMaxMessages: options.historyMaxMessages ?? 20_000,
		extraChromiumArgs: options.extraChromiumArgs ?? [],
	};
}

/**
 * `new Client(…)` options for one session. `authStrategy` is the session's
 * `LocalAuth({ clientId: sessionId, dataPath: sessionDir })`, which sets the
 * profile (userDataDir) itself — passing `puppeteer.userDataDir` too would throw.
 */
export function buildClientOptions(options: ResolvedWebJsOptions, authStrategy: unknown) {
	return {
		authStrategy,
		puppeteer: {
			executablePath: options.chromiumPath,
			headless: options.headless,
			args: [...CHROMIUM_ARGS, ...options.extraChromiumArgs],
			// The service owns shutdown (it stops every session on SIGTERM/SIGINT);
			// puppeteer's own handlers would exit the process or swallow SIGTERM.
			handleSIGINT: false,
			handleSIGTERM: false,
			handleSIGHUP: false,
		},
		webVersion: options.webVersion,
		webVersionCache: { type: 'local' as const, path: options.webVersionCachePath, strict: false },
		authTimeoutMs: options.authTimeoutMs,
		qrMaxRetries: options.qrMaxRetries,
		takeoverOnConflict: false,
	};
}
