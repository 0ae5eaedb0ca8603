/**
 * One WhatsApp Web session on whatsapp-web.js: a `Client` with
 * `LocalAuth({ clientId: sessionId, dataPath: sessionDir })` on Debian's
 * Chromium, its events mapped onto the driver's, its calls bounded by timeouts.
 *
 * Rules learnt running whatsapp-web.js offline against Debian's Chromium (the
 * tests in test/sidecar/webjs-*.test.ts hold the driver to them):
 * - `initialize()` that rejects (offline: net::ERR_NAME_NOT_RESOLVED; or the
 *   string 'auth timeout') leaves the browser running: always destroy it.
 * - `message_create`, not `message`, carries both directions.
 * - Disconnect must delete the auth directory, or the session comes back on the
 *   next restart.
 * - Stale profile locks and orphaned browsers from a killed sidecar are cleared
 *   before launch.
 * - No phone number or text in a log line: session ids, counts and error kinds.
 */
import { promises as fs } from 'node:fs';
import type {
	DriverChat,
	DriverEventName,
	DriverLocation,
	DriverMedia,
	DriverMediaDownload,
	DriverMessage,
	DriverProfile,
	DriverSendOptions,
	MediaSendOptions,
	DriverSession,
	DriverSessionEvents,
	HistoryPage,
} from '../driver';
import { redactText, safeError } from '../../util/log-safety';
import { withTimeout } from '../../util/timeout';
import { TypedEmitter } from '../../util/typed-emitter';
import { clearStaleChromiumLocks } from './chromium-locks';
import { killOrphanedChromium } from './chromium-orphans';
import { SessionUnavailableError, toError } from './errors';
import { pageBackHistory, sortOldestFirst } from './history';
import { createLidResolver, type LidResolver } from './lid-resolver';
import type { ChatLike, ClientLike, WebJsLibrary } from './library';
import { MessageIdError, messageIdOf } from './message-id';
import { buildClientOptions, type ResolvedWebJsOptions } from './options';
import { readChatHistoryInPage, type StoreHistoryResult } from './store-history';
import { chatIdOf, editToDriverMessage, reactionToDriverMessage, toDriverMessage, type WebJsMessageLike, type WebJsReactionLike } from './to-driver-message';
import { isGroupJid, isLidJid, isPhoneJid, serializeWid } from './wid';
import { ensurePrivateDir } from '../../storage/private-files';
import { sessionFolder } from '../session-id';

export interface WebJsSessionDeps {
	options: ResolvedWebJsOptions;
	/** whatsapp-web.js, loaded on first start (tests pass their own). */
	library: () => WebJsLibrary;
	/** Runs before launch: end orphaned browsers on the profile, clear stale locks. */
	prepareProfile?: (profileDir: string) => Promise<void>;
}

export class WebJsSession implements DriverSession {
	private client: ClientLike | null = null;
	private starting: Promise<void> | null = null;
	private readonly events: TypedEmitter<DriverSessionEvents>;
	/** Library events are handled one after another, so async work (LID lookups) never reorders them. */
	private queue: Promise<void> = Promise.resolve();
	private readonly lids: LidResolver;
	private readonly profileDir: string;
	/** Bumped by stop() and logout(), so a start still preparing the profile does not launch afterwards. */
	private generation = 0;

	constructor(
		readonly sessionId: string,
		private readonly deps: WebJsSessionDeps,
	) {
		// LocalAuth keeps the whole Chromium profile (the link to the phone) in `${dataPath}/session-${clientId}`.
		this.profileDir = sessionFolder(deps.options.sessionDir, sessionId);
		this.events = new TypedEmitter<DriverSessionEvents>((event, err) =>
			this.log.error({ sessionId, event, err: safeError(err) }, 'webjs: a listener threw'),
		);
		// LID lookups run inside the event queue: bound them, or one slow page call would hold every later event.
		this.lids = createLidResolver(() => {
			const client = this.client;
			const lookup = client?.getContactLidAndPhone;
			if (!client || typeof lookup !== 'function') return null;
			return {
				getContactLidAndPhone: (ids: string[]) => withTimeout(lookup.call(client, ids), this.timeouts.callTimeoutMs, 'getContactLidAndPhone'),
			};
		}, {
			onError: (err) => this.log.warn({ sessionId, err: safeError(err) }, 'webjs: LID lookup failed'),
		});
	}

	private get log() {
		return this.deps.options.logger;
	}

	private get timeouts() {
		return this.deps.options;
	}

	on<E extends DriverEventName>(event: E, listener: DriverSessionEvents[E]): void {
		this.events.on(event, listener);
	}

	// ---- lifecycle -------------------------------------------------------

	async start(): Promise<void> {
		if (this.starting) return this.starting;
		if (this.client && isAlive(this.client)) return;
		this.starting = this.launch().finally(() => {
			this.starting = null;
		});
		return this.starting;
	}

	private async launch(): Promise<void> {
		const generation = this.generation;
		const stale = this.client;
		this.client = null;
		if (stale) await this.destroyClient(stale);

		const { options } = this.deps;
		// The login data: SESSION_DIR and the session's profile folder are private (0700).
		ensurePrivateDir(options.sessionDir);
		ensurePrivateDir(this.profileDir);
		try {
			await (this.deps.prepareProfile ?? ((dir: string) => this.prepareProfile(dir)))(this.profileDir);
		} catch (err) {
			this.log.warn({ sessionId: this.sessionId, err: safeError(err) }, 'webjs: could not prepare the browser profile');
		}

		if (generation !== this.generation) throw new Error('the session was stopped while starting');

		const library = this.deps.library();
		const client = library.createClient(buildClientOptions(options, library.createLocalAuth(this.sessionId, options.sessionDir)));
		this.client = client;
		this.attach(client);
		const markInitialized = this.guardReinjection(client);
		this.log.info({ sessionId: this.sessionId, webVersion: options.webVersion }, 'webjs: launching');
		const initializing = client.initialize();
		try {
			await withTimeout(initializing, options.startTimeoutMs, 'initialize');
			markInitialized();
		} catch (err) {
			// Offline, initialize() rejects and leaves the browser running; a string
			// such as 'auth timeout' is a failure too. Never leave a browser behind.
			if (this.client === client) this.client = null;
			this.log.warn({ sessionId: this.sessionId, err: safeError(err) }, 'webjs: initialize failed; destroying the browser');
			await this.destroyClient(client);
			// After a start timeout initialize() may still be launching: destroy whatever it ends up with.
			const late = (): Promise<void> => this.destroyClient(client);
			initializing.then(late, late);
			throw toError(err);
		}
	}

	/** Stop the client, keep auth data. Never throws. */
	async stop(): Promise<void> {
		this.generation++;
		const pending = this.starting;
		const client = this.client;
		this.client = null;
		if (client) await this.destroyClient(client);
		if (pending) await pending.catch(() => undefined);
		await this.queue;
	}

	/** Log out (unlinks the device on the phone when the page still answers), stop, and delete the auth data. */
	async logout(): Promise<void> {
		this.generation++;
		const pending = this.starting;
		const client = this.client;
		this.client = null;
		if (client) {
			if (isAlive(client)) {
				try {
					await withTimeout(client.logout(), this.timeouts.stopTimeoutMs, 'logout');
				} catch (err) {
					this.log.warn({ sessionId: this.sessionId, err: safeError(err) }, 'webjs: logout on the page failed; removing auth data anyway');
				}
			}
			await this.destroyClient(client);
		}
		if (pending) await pending.catch(() => undefined);
		try {
			await killOrphanedChromium(this.profileDir, { graceMs: 1000 });
		} catch {
			// nothing to end
		}
		await fs.rm(this.profileDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
		this.log.info({ sessionId: this.sessionId }, 'webjs: logged out; auth data removed');
	}

	private async prepareProfile(profileDir: string): Promise<void> {
		const ended = await killOrphanedChromium(profileDir);
		if (ended.length > 0) this.log.warn({ sessionId: this.sessionId, processes: ended.length }, 'webjs: ended orphaned Chromium processes on the profile');
		const locks = await clearStaleChromiumLocks(profileDir);
		if (locks.removed.length > 0) this.log.info({ sessionId: this.sessionId, removed: locks.removed }, 'webjs: removed stale Chromium locks');
		if (locks.heldBy) this.log.warn({ sessionId: this.sessionId, pid: locks.heldBy.pid }, 'webjs: the profile is held by a live Chromium');
	}

	/**
	 * whatsapp-web.js re-injects after every navigation of the page from an
	 * async 'framenavigated' listener that nobody awaits: when that fails (the
	 * browser closing under it, or WhatsApp Web not loading) the rejection is
	 * unhandled. Failures of the first injection still reach initialize(); later
	 * ones are absorbed here — silently while the session is being stopped,
	 * otherwise reported as disconnected('REINJECT_FAILED') so the service sees
	 * a session that will not come back by itself.
	 */
	private guardReinjection(client: ClientLike): () => void {
		const original = client.inject;
		let initialized = false;
		if (typeof original !== 'function') return () => undefined;
		client.inject = async (...args: unknown[]): Promise<void> => {
			try {
				await original.apply(client, args);
			} catch (err) {
				if (!initialized) throw err;
				if (this.client !== client || !isAlive(client)) {
					this.log.debug({ sessionId: this.sessionId, err: safeError(err) }, 'webjs: re-injection stopped with the browser');
					return;
				}
				this.log.warn({ sessionId: this.sessionId, err: safeError(err) }, 'webjs: re-injection after a page navigation failed');
				this.enqueue(() => this.events.emit('disconnected', 'REINJECT_FAILED'));
			}
		};
		return () => {
			initialized = true;
		};
	}

	/** destroy() bounded by a timeout, then SIGKILL for a browser that would not close. Never throws. */
	private async destroyClient(client: ClientLike): Promise<void> {
		try {
			await withTimeout(client.destroy(), this.timeouts.stopTimeoutMs, 'destroy');
		} catch (err) {
			this.log.warn({ sessionId: this.sessionId, err: safeError(err) }, 'webjs: destroy failed; killing the browser');
		}
		try {
			const browserProcess = client.pupBrowser?.process?.();
			if (browserProcess && client.pupBrowser?.isConnected?.() !== false) browserProcess.kill('SIGKILL');
		} catch {
			// already gone
		}
		client.removeAllListeners();
	}

	// ---- events ----------------------------------------------------------

	private enqueue(task: () => Promise<void> | void): void {
		this.queue = this.queue.then(task).catch((err: unknown) => {
			this.log.error({ sessionId: this.sessionId, err: safeError(err) }, 'webjs: event handling failed');
		});
	}

	private attach(client: ClientLike): void {
		const sessionId = this.sessionId;
		client.on('qr', (qr: unknown) => this.enqueue(() => this.events.emit('qr', String(qr))));
		client.on('authenticated', () => this.enqueue(() => this.events.emit('authenticated')));
		client.on('auth_failure', (message: unknown) =>
			this.enqueue(() => this.events.emit('auth_failure', typeof message === 'string' && message.length > 0 ? message : 'auth_failure')),
		);
		client.on('ready', () =>
			this.enqueue(async () => {
				const linkedPhoneJid = await this.linkedPhoneJid(client);
				this.log.info({ sessionId, linked: linkedPhoneJid !== null }, 'webjs: ready');
				this.events.emit('ready', { linkedPhoneJid });
			}),
		);
		client.on('change_state', (state: unknown) => this.enqueue(() => this.events.emit('change_state', String(state))));
		client.on('disconnected', (reason: unknown) =>
			this.enqueue(() => {
				this.log.warn({ sessionId, reason: redactText(String(reason)).slice(0, 200) }, 'webjs: disconnected');
				this.events.emit('disconnected', String(reason));
			}),
		);
		// message_create: both directions (message skips own messages).
		const forward = (msg: WebJsMessageLike, map?: (resolvedPhoneJid: string | null) => DriverMessage | null) =>
			this.enqueue(async () => {
				const mapped = await this.mapMessage(msg, map);
				if (mapped) this.events.emit('message', mapped);
			});
		client.on('message_create', (msg: WebJsMessageLike) => forward(msg));
		// Reactions are not messages in WhatsApp Web's store: whatsapp-web.js reports them (sent, received, changed, taken back) here.
		client.on('message_reaction', (reaction: WebJsReactionLike) => forward({ id: reaction?.id }, (resolved) => reactionToDriverMessage(reaction, resolved)));
		// Edits: the edited message with its new body (also fired for body changes that are no edit: those map to null).
		client.on('message_edit', (msg: WebJsMessageLike, newBody: unknown) => forward(msg, (resolved) => editToDriverMessage(msg, newBody, resolved)));
		// Deleted for everyone: `msg` is the message in its current state, with the revoke's own id
		// and the deleted message's key (protocolMessageKey); its former content is not used.
		client.on('message_revoke_everyone', (msg: WebJsMessageLike) => forward(msg));
		client.on('message_ack', (msg: WebJsMessageLike, ack: unknown) =>
			this.enqueue(() => {
				try {
					this.events.emit('message_ack', {
						messageId: messageIdOf(msg),
						chatId: chatIdOf(msg),
						ack: typeof ack === 'number' ? ack : typeof (msg as { ack?: unknown }).ack === 'number' ? ((msg as { ack: number }).ack) : 0,
						timestamp: Math.floor(Date.now() / 1000),
					});
				} catch (err) {
					this.log.warn({ sessionId, err: safeError(err) }, 'webjs: ack without a usable message id skipped');
				}
			}),
		);
	}

	private async linkedPhoneJid(client: ClientLike): Promise<string | null> {
		const wid = serializeWid(client.info?.wid);
		if (wid === null) return null;
		if (isPhoneJid(wid)) return wid;
		if (isLidJid(wid)) return this.lids.resolve(wid);
		return null;
	}

	/**
	 * A message as a driver message (or what `map` makes of it: a reaction, an
	 * edit), the phone behind an `@lid` chat resolved; null when it has no usable id.
	 */
	private async mapMessage(
		msg: WebJsMessageLike,
		map: (resolvedPhoneJid: string | null) => DriverMessage | null = (resolved) => toDriverMessage(msg, resolved),
	): Promise<DriverMessage | null> {
		try {
			const chatId = chatIdOf(msg);
			const resolved = isLidJid(chatId) ? await this.lids.resolve(chatId) : null;
			return map(resolved);
		} catch (err) {
			if (err instanceof MessageIdError || (err instanceof Error && /chat id/.test(err.message))) {
				this.log.warn({ sessionId: this.sessionId, err: safeError(err) }, 'webjs: message without a usable id skipped');
				return null;
			}
			throw err;
		}
	}

	// ---- calls -----------------------------------------------------------

	/** The running client, or SessionUnavailableError when there is no browser or page. */
	private requireClient(): ClientLike {
		const client = this.client;
		if (!client || !client.pupPage) throw new SessionUnavailableError('the session is not started');
		if (!isAlive(client)) throw new SessionUnavailableError('the session\'s browser or page is gone');
		return client;
	}

	/** Run a page call; an error after which the browser is gone becomes SessionUnavailableError. */
	private async call<T>(what: string, run: (client: ClientLike) => Promise<T>, ms = this.timeouts.callTimeoutMs): Promise<T> {
		const client = this.requireClient();
		try {
			return await withTimeout(run(client), ms, what);
		} catch (err) {
			if (!isAlive(client)) throw new SessionUnavailableError(`the session's browser went away during ${what}`);
			throw toError(err);
		}
	}

	async getState(): Promise<string | null> {
		const state = await this.call('getState', (client) => client.getState());
		return typeof state === 'string' ? state : null;
	}

	async ping(): Promise<boolean> {
		const client = this.requireClient();
		try {
			const answer = await withTimeout((client.pupPage as NonNullable<ClientLike['pupPage']>).evaluate('1+1'), this.timeouts.pingTimeoutMs, 'ping');
			return answer === 2;
		} catch (err) {
			if (!isAlive(client)) throw new SessionUnavailableError('the session\'s browser went away during ping');
			this.log.debug({ sessionId: this.sessionId, err: safeError(err) }, 'webjs: ping did not answer');
			return false;
		}
	}

	async lookupNumber(digits: string): Promise<string | null> {
		const clean = digits.replace(/^\+/, '');
		if (!/^\d{6,15}$/.test(clean)) throw new Error('lookupNumber expects 6 to 15 digits');
		const wid = await this.call('getNumberId', (client) => client.getNumberId(clean));
		return serializeWid(wid);
	}

	async sendText(chatId: string, text: string, options: DriverSendOptions = {}): Promise<DriverMessage> {
		return this.send(chatId, text, quoted(options));
	}

	async sendMedia(chatId: string, media: DriverMedia, options: MediaSendOptions = {}): Promise<DriverMessage> {
		// whatsapp-web.js makes a sticker only of an exact `image/webp` (or converts other images): no parameters.
		const mimeType = options.as === 'sticker' ? (media.mimeType.split(';')[0] ?? media.mimeType).trim() : media.mimeType;
		const content = this.deps.library().createMedia(mimeType, media.data, media.fileName);
		return this.send(chatId, content, {
			...quoted(options),
			...(options.caption ? { caption: options.caption } : {}),
			...(options.as === 'document' ? { sendMediaAsDocument: true } : {}),
			...(options.as === 'voice' ? { sendAudioAsVoice: true } : {}),
			...(options.as === 'sticker' ? { sendMediaAsSticker: true } : {}),
		});
	}

	async sendLocation(chatId: string, location: DriverLocation, options: DriverSendOptions = {}): Promise<DriverMessage> {
		const content = this.deps.library().createLocation(location.latitude, location.longitude, {
			...(location.name ? { name: location.name } : {}),
			...(location.address ? { address: location.address } : {}),
		});
		return this.send(chatId, content, quoted(options));
	}

	async hasMessage(messageId: string): Promise<boolean> {
		const message = await this.call('getMessageById', (client) => client.getMessageById(messageId));
		return message !== null && message !== undefined;
	}

	async react(messageId: string, emoji: string): Promise<void> {
		const message = await this.call('getMessageById', (client) => client.getMessageById(messageId));
		if (!message) throw new Error('the message to react to is not known to WhatsApp Web');
		await this.call('react', () => message.react(emoji));
	}

	async markChatRead(chatId: string): Promise<void> {
		await this.call('sendSeen', (client) => client.sendSeen(chatId));
	}

	/** One Client.sendMessage (a text, a MessageMedia or a Location), mapped back to a driver message. */
	private async send(chatId: string, content: unknown, options: Record<string, unknown>): Promise<DriverMessage> {
		const target = /^\d{6,15}$/.test(chatId) ? `${chatId}@c.us` : chatId;
		if (!target.includes('@')) throw new Error('send expects a JID or digits');
		// sendSeen: false — sending must not mark the customer's messages as read
		// (and WhatsApp Web's sendSeen has broken sends before). ignoreQuoteErrors: false —
		// a reply whose quote cannot be built fails instead of going out as a plain message.
		const sendOptions = { ...options, sendSeen: false, ...(options.quotedMessageId ? { ignoreQuoteErrors: false } : {}) };
		const sent = await this.call('sendMessage', (client) => client.sendMessage(target, content, sendOptions), this.timeouts.callTimeoutMs * 2);
		if (!sent) throw new Error('the chat does not exist on WhatsApp');
		const mapped = await this.mapMessage(sent);
		if (!mapped) throw new Error('the sent message came back without an id');
		return mapped;
	}

	async listChats(): Promise<DriverChat[]> {
		const chats = await this.call('getChats', (client) => client.getChats(), this.timeouts.callTimeoutMs * 4);
		const ids: Array<{ chatId: string; chat: ChatLike }> = [];
		for (const chat of chats) {
			const chatId = serializeWid(chat.id);
			if (chatId !== null) ids.push({ chatId, chat });
		}
		const resolved = await this.lids.resolveMany(ids.map((entry) => entry.chatId).filter(isLidJid));
		return ids.map(({ chatId, chat }) => ({
			chatId,
			isGroup: isGroupJid(chatId),
			resolvedPhoneJid: isLidJid(chatId) ? (resolved.get(chatId) ?? null) : null,
			name: typeof chat.name === 'string' && chat.name.length > 0 ? chat.name : null,
		}));
	}

	async fetchHistory(chatId: string, sinceUnix: number): Promise<HistoryPage> {
		const client = this.requireClient();
		const long = this.timeouts.callTimeoutMs * 10;
		let raw: WebJsMessageLike[];
		let reachedOldestAvailable: boolean;
		try {
			const chat = await withTimeout(client.getChatById(chatId), this.timeouts.callTimeoutMs, 'getChatById');
			if (!chat) return { messages: [], reachedOldestAvailable: true };
			const bounded = { fetchMessages: (o: { limit: number }) => withTimeout(chat.fetchMessages(o), long, 'fetchMessages') };
			const paged = await pageBackHistory(bounded, sinceUnix, {
				initialLimit: this.timeouts.historyInitialLimit,
				maxMessages: this.timeouts.historyMaxMessages,
			});
			if (paged.truncated) this.log.warn({ sessionId: this.sessionId, fetched: paged.messages.length }, 'webjs: history capped before the window start');
			raw = paged.messages;
			const oldest = paged.messages[0];
			reachedOldestAvailable = paged.exhausted && (oldest === undefined || timestampOf(oldest) >= sinceUnix);
		} catch (err) {
			if (!isAlive(client)) throw new SessionUnavailableError('the session\'s browser went away during fetchHistory');
			// fetchMessages broke when WhatsApp Web changed loadEarlierMsgs (2026): read the store instead.
			this.log.warn({ sessionId: this.sessionId, err: safeError(err) }, 'webjs: fetchMessages failed; reading history from the WhatsApp Web store');
			const store = await this.readStoreHistory(client, chatId, sinceUnix, long);
			raw = store.messages.map((model) => this.deps.library().createMessage(client, model));
			reachedOldestAvailable = store.reachedOldestAvailable && (store.oldestTimestamp === null || store.oldestTimestamp >= sinceUnix);
		}

		const resolved = isLidJid(chatId) ? await this.lids.resolve(chatId) : null;
		const seen = new Set<string>();
		const messages: DriverMessage[] = [];
		let skipped = 0;
		for (const msg of sortOldestFirst(raw)) {
			if (timestampOf(msg) < sinceUnix) continue;
			let mapped: DriverMessage;
			try {
				mapped = toDriverMessage(msg, resolved);
			} catch {
				skipped++;
				continue;
			}
			if (seen.has(mapped.id)) continue;
			seen.add(mapped.id);
			messages.push(mapped);
		}
		if (skipped > 0) this.log.warn({ sessionId: this.sessionId, skipped }, 'webjs: history messages without a usable id skipped');
		return { messages, reachedOldestAvailable };
	}

	private async readStoreHistory(client: ClientLike, chatId: string, sinceUnix: number, ms: number): Promise<StoreHistoryResult> {
		try {
			const page = client.pupPage as NonNullable<ClientLike['pupPage']>;
			const result = (await withTimeout(
				page.evaluate(readChatHistoryInPage, chatId, sinceUnix, this.timeouts.historyMaxMessages),
				ms,
				'store history',
			)) as StoreHistoryResult;
			return result;
		} catch (err) {
			if (!isAlive(client)) throw new SessionUnavailableError('the session\'s browser went away during fetchHistory');
			throw toError(err);
		}
	}

	async getProfile(jid: string): Promise<DriverProfile> {
		const contact = await this.call('getContactById', (client) => client.getContactById(jid));
		const name = [contact.pushname, contact.name, contact.verifiedName].find((v): v is string => typeof v === 'string' && v.trim().length > 0) ?? null;
		let about: string | null = null;
		try {
			const text = await withTimeout(contact.getAbout(), this.timeouts.callTimeoutMs, 'getAbout');
			about = typeof text === 'string' ? text : null;
		} catch (err) {
			// Hidden About: the page answers no status (the library then throws reading it).
			this.log.debug({ sessionId: this.sessionId, err: safeError(err) }, 'webjs: About not available');
			about = null;
		}
		return { name, about };
	}

	async downloadMedia(messageId: string, maxBytes: number): Promise<DriverMediaDownload> {
		const message = await this.call('getMessageById', (client) => client.getMessageById(messageId));
		if (!message) return { status: 'unknown_message' };
		if (message.hasMedia !== true || typeof message.downloadMedia !== 'function') return { status: 'not_media' };
		const known = message._data?.size;
		if (typeof known === 'number' && known > maxBytes) return { status: 'too_large', size: known };
		// The page fetches and decrypts the file from WhatsApp's servers: a download gets more time than a page call.
		const media = await this.call('downloadMedia', () => (message.downloadMedia as NonNullable<typeof message.downloadMedia>)(), this.timeouts.callTimeoutMs * 4);
		if (!media || typeof media.data !== 'string') return { status: 'unavailable' };
		const data = Buffer.from(media.data, 'base64');
		if (data.length > maxBytes) return { status: 'too_large', size: data.length };
		return {
			status: 'ok',
			mimeType: typeof media.mimetype === 'string' && media.mimetype !== '' ? media.mimetype : 'application/octet-stream',
			fileName: typeof media.filename === 'string' && media.filename !== '' ? media.filename : null,
			data,
		};
	}
}

function timestampOf(msg: WebJsMessageLike): number {
	return typeof msg.timestamp === 'number' && Number.isFinite(msg.timestamp) ? msg.timestamp : 0;
}

/** The client's page still exists and its browser is connected (a client without a real browser, as in tests, counts when it has a page). */
function quoted(options: DriverSendOptions): { quotedMessageId?: string } {
	return options.quotedMessageId ? { quotedMessageId: options.quotedMessageId } : {};
}

function isAlive(client: ClientLike): boolean {
	const page = client.pupPage;
	if (!page) return false;
	if (typeof page.isClosed === 'function' && page.isClosed()) return false;
	if (client.pupBrowser && typeof client.pupBrowser.isConnected === 'function' && !client.pupBrowser.isConnected()) return false;
	return true;
}

