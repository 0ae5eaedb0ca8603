/**
 * One simulated linked phone. It behaves towards the service exactly as the
 * webjs driver's session does (same events, same failures), and is steered by
 * the simulator control endpoints: link by QR, receive messages, send from the
 * phone, seed history, drop the link, go zombie, lose the browser.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type {
	DriverChat,
	DriverLocation,
	DriverMedia,
	DriverMediaDownload,
	DriverMessage,
	DriverSendOptions,
	MediaSendOptions,
	DriverMessageContent,
	DriverProfile,
	DriverSession,
	DriverSessionEvents,
	HistoryPage,
} from '../driver';
import { ensurePrivateDir } from '../../storage/private-files';
import { fsyncDirSync, writeFileDurably, writeFileDurablySync } from '../../util/durable-file';
import { TypedEmitter } from '../../util/typed-emitter';
import { downloadSimulatedMedia, isSimulatedMediaType, simulatedMediaContent, SIMULATOR_MEDIA_MAX_SIZE } from './media';
import { addMessage, emptyStore, seedHistory, type SeedOptions, type SeedResult, type SimChat, type SimStore } from './history';
import { newMessageKey, newQrText, serializeMessageId } from './ids';

/** File names inside the session's auth folder (`<SESSION_DIR>/session-<id>/`, as LocalAuth lays it out). */
export const SIMULATOR_AUTH_FILE = 'simulator-auth.json';
export const SIMULATOR_STORE_FILE = 'simulator-store.json';
/**
 * Messages WhatsApp's servers hold for the linked device while it is offline
 * (the sidecar is down): one JSON message per line, merged into the store when
 * the session starts again — without a `message` event unless `announce` was set.
 */
export const SIMULATOR_OFFLINE_FILE = 'simulator-offline.jsonl';

/** Errors as puppeteer/whatsapp-web.js raise them. */
const BROWSER_GONE = 'Protocol error (Runtime.callFunctionOn): Session closed. Most likely the page has been closed.';
const PAGE_TIMEOUT = 'Runtime.callFunctionOn timed out. Increase the protocolTimeout setting in launch/connect calls for a higher timeout if needed.';

export class SimulatorError extends Error {
	constructor(
		readonly code: 'not_waiting_for_qr' | 'not_connected' | 'bad_input' | 'browser_gone',
		message: string,
	) {
		super(message);
		this.name = 'SimulatorError';
	}
}

type Phase = 'idle' | 'qr' | 'connected' | 'unpaired' | 'stopped';

export interface SimulatorSessionOptions {
	/** Delay before a restored session reports `ready` (emulates a slow restore). */
	readyDelayMs?: number;
}

export interface InboundInput {
	/** The sender: a JID or an international number (`+5511987654321`, `5511987654321`). */
	from: string;
	text?: string;
	type?: string;
	caption?: string;
	/** The message key (`3EB0…`) or a full serialized id; random when absent. */
	id?: string;
	timestamp?: number;
	/** A group JID (or `true` for the simulator's default group): the message is posted there by `from`. */
	group?: string | boolean;
	/** A status update by `from`. */
	status?: boolean;
	notifyName?: string;
	/** For an `@lid` sender: the phone JID the device knows for it. */
	resolvedPhoneJid?: string | null;
	/** What the message carries beyond its text, as the webjs driver lifts it (a reaction, a location, …). */
	content?: DriverMessageContent | null;
	/** A media message's file (drivers/simulator/media.ts): its size in bytes (default 2048), MIME type and file name. */
	size?: number;
	mimeType?: string;
	fileName?: string;
	/** WhatsApp no longer has the file (a download answers `media_unavailable`). */
	mediaExpired?: boolean;
}

export interface SimulatorSnapshot {
	sessionId: string;
	phase: Phase;
	zombie: boolean;
	browserGone: boolean;
	linkedPhoneJid: string | null;
	qr: string | null;
	chats: number;
	messages: number;
	profileLookups: number;
	notOnWhatsApp: number;
}

/**
 * What the simulated phone was asked to send, in order, so tests can check
 * it: never the bytes of a file (its size and SHA-256 instead).
 */
export type SimulatorSent =
	| { kind: 'text'; messageId: string; chatId: string; quotedMessageId: string | null }
	| {
			kind: 'media';
			messageId: string;
			chatId: string;
			type: string;
			mimeType: string;
			fileName: string | null;
			size: number;
			sha256: string;
			caption: string | null;
			asDocument: boolean;
			quotedMessageId: string | null;
	  }
	| { kind: 'location'; messageId: string; chatId: string; latitude: number; longitude: number; name: string | null; address: string | null; quotedMessageId: string | null }
	| { kind: 'reaction'; messageId: string; emoji: string }
	| { kind: 'read'; chatId: string };

export const DEFAULT_GROUP_JID = '120363000000000001@g.us';

/** A sender or recipient as a JID: JIDs pass through; numbers become `<digits>@c.us`. */
export function simulatorJid(input: string): string {
	const trimmed = input.trim();
	if (trimmed.includes('@')) return trimmed;
	const digits = trimmed.replace(/\D/g, '');
	if (digits.length < 6) throw new SimulatorError('bad_input', 'not a number or JID');
	return `${digits}@c.us`;
}

export class SimulatorSession implements DriverSession {
	private readonly events = new TypedEmitter<DriverSessionEvents>();
	private phase: Phase = 'idle';
	private zombie = false;
	private zombieHangs = false;
	private browserGone = false;
	private linkedPhoneJid: string | null = null;
	private qr: string | null = null;
	private store: SimStore;
	private readonly notOnWhatsApp = new Set<string>();
	private profileLookups = 0;
	/** What this session sent through the API, for tests (GET /simulator/sessions/:id/sent). */
	private readonly sentLog: SimulatorSent[] = [];
	/** Media messages whose file WhatsApp no longer has. */
	private readonly expiredMedia = new Set<string>();
	private readonly timers = new Set<NodeJS.Timeout>();
	/** The store's writes: one write at a time, and one more for everything remembered meanwhile (group commit). */
	private writeChain: Promise<void> = Promise.resolve();
	private nextWrite: Promise<void> | null = null;
	/** Messages taken in whose store write has not finished yet: not yet readable from the phone's history. */
	private readonly unwritten = new Set<string>();
	/** The auth folder was deleted by a logout or by the phone removing the device. */
	private authDeleted = false;
	/** stop() has written everything out: nothing more is written. */
	private writesClosed = false;
	/** Offline messages merged at start that the device also announces, once ready. */
	private announceAfterReady: DriverMessage[] = [];

	constructor(
		readonly sessionId: string,
		private readonly authDir: string,
		private readonly options: SimulatorSessionOptions = {},
	) {
		this.store = this.readStore();
	}

	on<E extends keyof DriverSessionEvents>(event: E, listener: DriverSessionEvents[E]): void {
		this.events.on(event, listener);
	}

	// ---- DriverSession -------------------------------------------------------

	async start(): Promise<void> {
		if (this.phase === 'qr' || this.phase === 'connected') return;
		this.zombie = false;
		this.browserGone = false;
		this.authDeleted = false;
		this.writesClosed = false;
		const auth = this.readAuth();
		if (auth) {
			this.mergeOfflineInbox();
			this.phase = 'connected';
			this.linkedPhoneJid = auth.linkedPhoneJid;
			this.later(this.options.readyDelayMs ?? 0, () => {
				if (this.phase !== 'connected') return;
				this.events.emit('authenticated');
				this.events.emit('change_state', 'CONNECTED');
				this.events.emit('ready', { linkedPhoneJid: this.linkedPhoneJid });
				const announced = this.announceAfterReady;
				this.announceAfterReady = [];
				for (const message of announced) this.emitSoon('message', message);
			});
			return;
		}
		this.phase = 'qr';
		this.qr = newQrText();
		const qr = this.qr;
		this.later(0, () => {
			if (this.phase === 'qr') this.events.emit('qr', qr);
		});
	}

	/**
	 * The client stops; the phone keeps what it received. Resolves once every message
	 * already taken in is in the store file, so a client started afterwards (a restart
	 * of the session in this process) reads it; no write happens after that.
	 */
	async stop(): Promise<void> {
		this.phase = 'stopped';
		this.clearTimers();
		for (let chain = this.writeChain; ; chain = this.writeChain) {
			await chain;
			if (chain === this.writeChain) break;
		}
		this.writesClosed = true;
	}

	async logout(): Promise<void> {
		const browserGone = this.browserGone;
		this.phase = 'stopped';
		this.clearTimers();
		// whatsapp-web.js logs out through the page first: with the browser gone it throws before LocalAuth deletes anything.
		if (browserGone) throw new Error(BROWSER_GONE);
		this.linkedPhoneJid = null;
		this.authDeleted = true;
		fs.rmSync(this.authDir, { recursive: true, force: true });
	}

	async getState(): Promise<string | null> {
		this.assertBrowser();
		switch (this.phase) {
			case 'connected':
				return 'CONNECTED';
			case 'qr':
			case 'unpaired':
				return 'UNPAIRED';
			default:
				throw new Error(BROWSER_GONE);
		}
	}

	async ping(): Promise<boolean> {
		this.assertBrowser();
		if (this.phase === 'idle' || this.phase === 'stopped') throw new Error(BROWSER_GONE);
		if (this.zombie) {
			if (this.zombieHangs) return new Promise<boolean>(() => undefined);
			throw new Error(PAGE_TIMEOUT);
		}
		return true;
	}

	async lookupNumber(digits: string): Promise<string | null> {
		this.assertConnected();
		const clean = digits.replace(/\D/g, '');
		if (clean.length === 0 || this.notOnWhatsApp.has(clean)) return null;
		return `${clean}@c.us`;
	}

	async sendText(chatId: string, text: string, options: DriverSendOptions = {}): Promise<DriverMessage> {
		this.assertConnected();
		const message = this.recordOutbound(chatId, text, undefined, options.quotedMessageId ? { quotedMessageId: options.quotedMessageId } : null);
		this.sentLog.push({ kind: 'text', messageId: message.id, chatId, quotedMessageId: options.quotedMessageId ?? null });
		await this.flush();
		return message;
	}

	async sendMedia(chatId: string, media: DriverMedia, options: MediaSendOptions = {}): Promise<DriverMessage> {
		this.assertConnected();
		const bytes = Buffer.from(media.data, 'base64');
		const major = media.mimeType.split('/')[0];
		// whatsapp-web.js's message types: a voice message is `ptt`, a sticker `sticker`.
		const type =
			options.as === 'document' ? 'document'
			: options.as === 'voice' ? 'ptt'
			: options.as === 'sticker' ? 'sticker'
			: major === 'image' || major === 'video' || major === 'audio' ? major
			: 'document';
		const sha256 = createHash('sha256').update(bytes);
		const message = this.recordOutbound(
			chatId,
			options.caption ?? '',
			{ type, hasMedia: true },
			{
				mimeType: media.mimeType,
				size: bytes.length,
				fileHash: sha256.copy().digest('base64'),
				fileName: media.fileName ?? null,
				quotedMessageId: options.quotedMessageId ?? null,
			},
		);
		this.sentLog.push({
			kind: 'media',
			messageId: message.id,
			chatId,
			type,
			mimeType: media.mimeType,
			fileName: media.fileName,
			size: bytes.length,
			sha256: sha256.digest('hex'),
			caption: options.caption ?? null,
			asDocument: options.as === 'document',
			quotedMessageId: options.quotedMessageId ?? null,
		});
		await this.flush();
		return message;
	}

	async sendLocation(chatId: string, location: DriverLocation, options: DriverSendOptions = {}): Promise<DriverMessage> {
		this.assertConnected();
		const message = this.recordOutbound(
			chatId,
			'',
			{ type: 'location', hasMedia: false },
			{
				location: { latitude: location.latitude, longitude: location.longitude, name: location.name ?? null, address: location.address ?? null, url: null },
				quotedMessageId: options.quotedMessageId ?? null,
			},
		);
		this.sentLog.push({
			kind: 'location',
			messageId: message.id,
			chatId,
			latitude: location.latitude,
			longitude: location.longitude,
			name: location.name ?? null,
			address: location.address ?? null,
			quotedMessageId: options.quotedMessageId ?? null,
		});
		await this.flush();
		return message;
	}

	async hasMessage(messageId: string): Promise<boolean> {
		this.assertConnected();
		return Object.values(this.store.chats).some((chat) => chat.messages.some((m) => m.id === messageId));
	}

	async react(messageId: string, emoji: string): Promise<void> {
		this.assertConnected();
		if (!(await this.hasMessage(messageId))) throw new SimulatorError('bad_input', 'no such message');
		this.sentLog.push({ kind: 'reaction', messageId, emoji });
	}

	async markChatRead(chatId: string): Promise<void> {
		this.assertConnected();
		this.sentLog.push({ kind: 'read', chatId });
	}

	/** What the API had this phone send, oldest first (copies). */
	sent(): SimulatorSent[] {
		return this.sentLog.map((entry) => ({ ...entry }));
	}

	async listChats(): Promise<DriverChat[]> {
		this.assertConnected();
		return Object.values(this.store.chats)
			.filter((c) => c.chatId !== 'status@broadcast')
			.map((c) => ({ chatId: c.chatId, isGroup: c.isGroup, resolvedPhoneJid: c.resolvedPhoneJid, name: c.name }));
	}

	async fetchHistory(chatId: string, sinceUnix: number): Promise<HistoryPage> {
		this.assertConnected();
		const chat = this.store.chats[chatId];
		if (!chat) return { messages: [], reachedOldestAvailable: true };
		// A message is read from the phone once the phone has it (in its store file): a client killed while
		// the phone is still writing one must not have handed it on, or the phone would deny what was logged.
		const messages = chat.messages.filter((m) => m.timestamp >= sinceUnix && !this.unwritten.has(m.id)).sort((a, b) => a.timestamp - b.timestamp);
		return {
			messages: messages.map((m) => ({ ...m })),
			reachedOldestAvailable: !chat.messages.some((m) => m.timestamp < sinceUnix),
		};
	}

	async getProfile(jid: string): Promise<DriverProfile> {
		this.assertConnected();
		this.profileLookups++;
		const contact = this.store.contacts[jid];
		return { name: contact?.name ?? null, about: contact?.about ?? null };
	}

	async downloadMedia(messageId: string, maxBytes: number): Promise<DriverMediaDownload> {
		this.assertConnected();
		let found: DriverMessage | null = null;
		for (const chat of Object.values(this.store.chats)) {
			found = chat.messages.find((m) => m.id === messageId) ?? null;
			if (found) break;
		}
		return downloadSimulatedMedia(found, maxBytes, this.expiredMedia.has(messageId));
	}

	// ---- simulator controls --------------------------------------------------

	/** The phone scans the QR: auth data is written, then `authenticated` and `ready`. */
	link(phone?: string): { linkedPhoneJid: string } {
		if (this.phase !== 'qr') throw new SimulatorError('not_waiting_for_qr', 'the session is not showing a QR code');
		const linkedPhoneJid = simulatorJid(phone ?? '5511900000001');
		ensurePrivateDir(this.authDir);
		writeFileDurablySync(path.join(this.authDir, SIMULATOR_AUTH_FILE), JSON.stringify({ linkedPhoneJid, linkedAt: new Date().toISOString() }));
		this.phase = 'connected';
		this.qr = null;
		this.linkedPhoneJid = linkedPhoneJid;
		this.later(0, () => {
			this.events.emit('authenticated');
			this.events.emit('change_state', 'CONNECTED');
			this.events.emit('ready', { linkedPhoneJid });
		});
		return { linkedPhoneJid };
	}

	/**
	 * A message arrives from someone: it is in the phone's store, durably, when
	 * `stored` resolves, and reaches the service as an event after that. A
	 * zombie session swallows the event (that is what makes it a zombie).
	 */
	inbound(input: InboundInput): { message: DriverMessage; delivered: boolean; stored: Promise<void> } {
		this.assertConnected();
		const message = inboundMessage(input, this.store.contacts);
		if (input.mediaExpired) this.expiredMedia.add(message.id);
		const stored = this.remember(message);
		if (this.zombie) return { message, delivered: false, stored };
		stored.then(
			() => this.emitSoon('message', message),
			() => undefined,
		);
		return { message, delivered: true, stored };
	}

	/** The user types a message on the linked phone itself. */
	outboundFromPhone(to: string, text: string): DriverMessage {
		this.assertConnected();
		return this.recordOutbound(simulatorJid(to), text);
	}

	seed(options: SeedOptions): SeedResult {
		const result = seedHistory(this.store, options);
		this.writeStoreSync();
		return result;
	}

	/** Resolves once everything the phone holds now is in its store file (fsynced). */
	flush(): Promise<void> {
		if (this.nextWrite) return this.nextWrite;
		const write = this.writeChain.then(async () => {
			this.nextWrite = null;
			// Everything in memory now goes into this write.
			const including = [...this.unwritten];
			await this.writeStore();
			for (const id of including) this.unwritten.delete(id);
		});
		this.nextWrite = write;
		this.writeChain = write.catch(() => undefined);
		return write;
	}

	/** The device is removed from the phone: WhatsApp logs it out (LocalAuth deletes its folder). */
	dropLink(): void {
		this.assertConnected();
		this.phase = 'unpaired';
		this.linkedPhoneJid = null;
		this.authDeleted = true;
		fs.rmSync(this.authDir, { recursive: true, force: true });
		this.later(0, () => {
			this.events.emit('change_state', 'UNPAIRED');
			this.events.emit('disconnected', 'LOGOUT');
		});
	}

	/** The session keeps saying CONNECTED but the page no longer answers and nothing arrives. */
	becomeZombie(hang = false): void {
		this.zombie = true;
		this.zombieHangs = hang;
	}

	/** Chromium died: every call into the page throws. */
	killBrowser(): void {
		this.browserGone = true;
	}

	setNotOnWhatsApp(numbers: string[]): void {
		for (const n of numbers) {
			const digits = n.replace(/\D/g, '');
			if (digits.length > 0) this.notOnWhatsApp.add(digits);
		}
	}

	setContact(jid: string, profile: { name?: string | null; about?: string | null }): Promise<void> {
		this.store.contacts[jid] = { name: profile.name ?? null, about: profile.about ?? null };
		return this.flush();
	}

	snapshot(): SimulatorSnapshot {
		return {
			sessionId: this.sessionId,
			phase: this.phase,
			zombie: this.zombie,
			browserGone: this.browserGone,
			linkedPhoneJid: this.linkedPhoneJid,
			qr: this.qr,
			chats: Object.keys(this.store.chats).length,
			messages: Object.values(this.store.chats).reduce((n, c) => n + c.messages.length, 0),
			profileLookups: this.profileLookups,
			notOnWhatsApp: this.notOnWhatsApp.size,
		};
	}

	// ---- internals -----------------------------------------------------------

	private recordOutbound(
		chatId: string,
		text: string,
		kind: { type: string; hasMedia: boolean } = { type: 'chat', hasMedia: false },
		content: DriverMessageContent | null = null,
	): DriverMessage {
		const message: DriverMessage = {
			id: this.messageId(true, chatId, undefined, null),
			fromMe: true,
			chatId,
			author: null,
			type: kind.type,
			body: text,
			timestamp: nowSeconds(),
			hasMedia: kind.hasMedia,
			isStatus: false,
			resolvedPhoneJid: chatId.endsWith('@lid') ? (this.store.chats[chatId]?.resolvedPhoneJid ?? null) : null,
			notifyName: null,
			// What whatsapp-web.js's Message._data carries for a sent message: the file's details, the location, the quote.
			...(content ? { content } : {}),
		};
		const stored = this.remember(message);
		if (!this.zombie) {
			stored.then(
				() => {
					this.emitSoon('message', message);
					this.later(0, () => this.events.emit('message_ack', { messageId: message.id, chatId, ack: 1, timestamp: nowSeconds() }));
				},
				() => undefined,
			);
		}
		return { ...message };
	}

	private messageId(fromMe: boolean, chatId: string, id: string | undefined, author: string | null): string {
		return messageIdFor(fromMe, chatId, id, author);
	}

	/** Adds a message to the phone's store; resolves once it is on disk. */
	private remember(message: DriverMessage): Promise<void> {
		this.addToStore(message);
		this.unwritten.add(message.id);
		return this.flush();
	}

	private addToStore(message: DriverMessage): void {
		const chat: SimChat =
			this.store.chats[message.chatId] ??
			(this.store.chats[message.chatId] = {
				chatId: message.chatId,
				name: null,
				isGroup: message.chatId.endsWith('@g.us'),
				resolvedPhoneJid: message.resolvedPhoneJid,
				messages: [],
			});
		addMessage(this.store, chat, { ...message });
	}

	/** Moves what arrived while the device was offline into the store (before the session reports ready). */
	private mergeOfflineInbox(): void {
		const file = path.join(this.authDir, SIMULATOR_OFFLINE_FILE);
		let text: string;
		try {
			text = fs.readFileSync(file, 'utf8');
		} catch {
			return;
		}
		for (const line of text.split('\n')) {
			if (line.trim() === '') continue;
			let entry: { message: DriverMessage; announce?: boolean };
			try {
				entry = JSON.parse(line) as { message: DriverMessage; announce?: boolean };
			} catch {
				continue; // a line torn by a crash of the writer: it was never acknowledged
			}
			this.addToStore(entry.message);
			if (entry.announce) this.announceAfterReady.push(entry.message);
		}
		this.writeStoreSync();
		fs.rmSync(file, { force: true });
	}

	private emitSoon(event: 'message', message: DriverMessage): void {
		const copy = { ...message };
		this.later(0, () => this.events.emit(event, copy));
	}

	private later(ms: number, fn: () => void): void {
		const timer = setTimeout(() => {
			this.timers.delete(timer);
			if (this.browserGone && this.phase !== 'unpaired') return;
			fn();
		}, ms);
		this.timers.add(timer);
	}

	private clearTimers(): void {
		for (const t of this.timers) clearTimeout(t);
		this.timers.clear();
	}

	private assertBrowser(): void {
		if (this.browserGone) throw new Error(BROWSER_GONE);
	}

	private assertConnected(): void {
		this.assertBrowser();
		if (this.phase !== 'connected') throw new SimulatorError('not_connected', 'the simulated phone is not connected');
		if (this.zombie && this.zombieHangs) throw new Error(PAGE_TIMEOUT);
	}

	private readAuth(): { linkedPhoneJid: string } | null {
		try {
			const raw = JSON.parse(fs.readFileSync(path.join(this.authDir, SIMULATOR_AUTH_FILE), 'utf8')) as { linkedPhoneJid?: unknown };
			return typeof raw.linkedPhoneJid === 'string' ? { linkedPhoneJid: raw.linkedPhoneJid } : null;
		} catch {
			return null;
		}
	}

	private readStore(): SimStore {
		try {
			const raw = JSON.parse(fs.readFileSync(path.join(this.authDir, SIMULATOR_STORE_FILE), 'utf8')) as SimStore;
			if (raw && typeof raw.chats === 'object' && typeof raw.contacts === 'object') return raw;
		} catch {
			// no history yet
		}
		return emptyStore();
	}

	/**
	 * Not once its auth folder is deleted (logged out, device removed: a write would bring
	 * it back), nor after stop() has settled (whoever stopped it may delete the folder next).
	 */
	private storeWritable(): boolean {
		return !this.authDeleted && !this.writesClosed;
	}

	private async writeStore(): Promise<void> {
		if (!this.storeWritable()) return;
		ensurePrivateDir(this.authDir);
		await writeFileDurably(path.join(this.authDir, SIMULATOR_STORE_FILE), JSON.stringify(this.store));
	}

	private writeStoreSync(): void {
		if (!this.storeWritable()) return;
		ensurePrivateDir(this.authDir);
		writeFileDurablySync(path.join(this.authDir, SIMULATOR_STORE_FILE), JSON.stringify(this.store));
	}
}

function nowSeconds(): number {
	return Math.floor(Date.now() / 1000);
}

function messageIdFor(fromMe: boolean, chatId: string, id: string | undefined, author: string | null): string {
	if (id && /^(true|false)_/.test(id)) return id;
	return serializeMessageId(fromMe, chatId, id ?? newMessageKey(), author);
}

/** The message a sender's input makes, as WhatsApp Web would hand it over. */
function inboundMessage(input: InboundInput, contacts: SimStore['contacts']): DriverMessage {
	const sender = simulatorJid(input.from);
	let chatId = sender;
	let author: string | null = null;
	if (input.status) {
		chatId = 'status@broadcast';
		author = sender;
	} else if (input.group !== undefined && input.group !== false) {
		chatId = input.group === true ? DEFAULT_GROUP_JID : simulatorJid(input.group);
		author = sender;
	}
	const type = input.type ?? 'chat';
	if (type === 'chat' && typeof input.text !== 'string') throw new SimulatorError('bad_input', 'text is required for a chat message');
	if (input.size !== undefined && (!Number.isSafeInteger(input.size) || input.size < 0 || input.size > SIMULATOR_MEDIA_MAX_SIZE)) {
		throw new SimulatorError('bad_input', `size must be a whole number of bytes up to ${SIMULATOR_MEDIA_MAX_SIZE}`);
	}
	const id = messageIdFor(false, chatId, input.id, author);
	return {
		id,
		fromMe: false,
		chatId,
		author,
		type,
		body: type === 'chat' ? (input.text as string) : (input.caption ?? input.text ?? ''),
		timestamp: input.timestamp ?? nowSeconds(),
		hasMedia: !['chat', 'revoked', 'location', 'vcard', 'e2e_notification', 'notification_template', 'call_log'].includes(type),
		isStatus: chatId === 'status@broadcast',
		resolvedPhoneJid: chatId.endsWith('@lid') ? (input.resolvedPhoneJid ?? null) : null,
		notifyName: input.notifyName ?? contacts[sender]?.name ?? null,
		...(isSimulatedMediaType(type) || input.content
			? { content: { ...(isSimulatedMediaType(type) ? simulatedMediaContent(id, type, input) : {}), ...(input.content ?? {}) } }
			: {}),
	};
}

/**
 * WhatsApp's servers, while the sidecar (the linked device) is down: messages
 * for the session are queued for the device and reach its store when the
 * session starts again. Appends them (fsynced) to the session's offline file;
 * with `announce` the device also raises a `message` event for them once ready,
 * otherwise only the catch-up finds them. Returns the messages as they will
 * be stored. Only for a session no running sidecar holds.
 */
export function deliverWhileOffline(authDir: string, inputs: Array<InboundInput & { announce?: boolean }>): DriverMessage[] {
	ensurePrivateDir(authDir);
	const messages = inputs.map((input) => inboundMessage(input, {}));
	const file = path.join(authDir, SIMULATOR_OFFLINE_FILE);
	const isNew = !fs.existsSync(file);
	const fd = fs.openSync(file, 'a', 0o600);
	try {
		fs.writeSync(fd, messages.map((message, i) => `${JSON.stringify({ message, announce: inputs[i]!.announce === true })}\n`).join(''));
		fs.fsyncSync(fd);
	} finally {
		fs.closeSync(fd);
	}
	if (isNew) fsyncDirSync(authDir);
	return messages;
}

