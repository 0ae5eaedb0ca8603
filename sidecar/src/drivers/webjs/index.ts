/**
 * The `webjs` driver: WhatsApp Web through whatsapp-web.js on Debian's Chromium.
 *
 * Requiring this module loads neither whatsapp-web.js nor puppeteer and
 * launches nothing; the library is loaded when the first session starts.
 */
import type { Driver, DriverSession } from '../driver';
import { loadWebJsLibrary, type WebJsLibrary } from './library';
import { resolveOptions, type WebJsDriverOptions } from './options';
import { WebJsSession } from './session';
import { sessionFolder, storedSessionIds } from '../session-id';

export interface WebJsDriver extends Driver {
	readonly name: 'webjs';
	createSession(sessionId: string): DriverSession;
}

export interface WebJsDriverTestHooks {
	/** Replace whatsapp-web.js (tests build real `Client`s whose page is canned). */
	library?: WebJsLibrary;
	/** Replace the pre-launch profile cleanup. */
	prepareProfile?: (profileDir: string) => Promise<void>;
}

export function createWebJsDriver(options: WebJsDriverOptions, hooks: WebJsDriverTestHooks = {}): WebJsDriver {
	const resolved = resolveOptions(options);
	const library = (): WebJsLibrary => hooks.library ?? loadWebJsLibrary();
	return {
		name: 'webjs',
		createSession(sessionId: string): DriverSession {
			return new WebJsSession(sessionId, { options: resolved, library, ...(hooks.prepareProfile ? { prepareProfile: hooks.prepareProfile } : {}) });
		},
		listStoredSessions: () => storedSessionIds(resolved.sessionDir),
		authDataPath: (sessionId: string) => sessionFolder(resolved.sessionDir, sessionId),
	};
}

export { PINNED_WEB_VERSION, CHROMIUM_ARGS, buildClientOptions, resolveOptions } from './options';
export type { WebJsDriverOptions, DriverLogger, ResolvedWebJsOptions } from './options';
export { messageIdOf, rebuildMessageId, MessageIdError } from './message-id';
export { createLidResolver } from './lid-resolver';
export type { LidResolver } from './lid-resolver';
export { clearStaleChromiumLocks, parseLockTarget, isChromiumPidAlive, SINGLETON_FILES } from './chromium-locks';
export { killOrphanedChromium, findOrphanedChromium, readProcesses } from './chromium-orphans';
export { toDriverMessage, chatIdOf, reactionToDriverMessage, editToDriverMessage } from './to-driver-message';
export type { WebJsMessageLike, WebJsReactionLike } from './to-driver-message';
export { pageBackHistory, sortOldestFirst } from './history';
export { readChatHistoryInPage } from './store-history';
export { SessionUnavailableError, toError } from './errors';
export { WebJsSession } from './session';
export type { WebJsLibrary, ClientLike } from './library';
export { loadWebJsLibrary } from './library';
