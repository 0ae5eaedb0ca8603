/**
 * The slice of whatsapp-web.js the driver uses, typed structurally (the
 * library's own typings lag its behaviour: `_serialized` is typed as always
 * present, `getContactLidAndPhone` is recent), and loaded lazily so that
 * requiring the driver never loads puppeteer or launches anything.
 */
import type { WebJsMessageLike } from './to-driver-message';
import type { WidLike } from './wid';

export interface PageLike {
	evaluate(fn: unknown, ...args: unknown[]): Promise<unknown>;
	isClosed?: () => boolean;
}

export interface BrowserLike {
	isConnected?: () => boolean;
	process?: () => { pid?: number; kill(signal?: NodeJS.Signals): boolean } | null;
}

export interface ChatLike {
	id?: WidLike;
	name?: unknown;
	isGroup?: unknown;
	fetchMessages(options: { limit: number }): Promise<WebJsMessageLike[]>;
}

export interface ContactLike {
	id?: WidLike;
	name?: unknown;
	pushname?: unknown;
	verifiedName?: unknown;
	getAbout(): Promise<string | null>;
}

export interface ClientLike {
	pupPage: PageLike | null;
	pupBrowser: BrowserLike | null;
	info?: { wid?: WidLike } | null;
	on(event: string, listener: (...args: any[]) => void): unknown; // eslint-disable-line @typescript-eslint/no-explicit-any
	removeAllListeners(event?: string): unknown;
	initialize(): Promise<void>;
	/** The library's (re-)injection into the page; run by initialize() and after every navigation. */
	inject?: (...args: unknown[]) => Promise<void>;
	destroy(): Promise<void>;
	logout(): Promise<void>;
	getState(): Promise<string | null>;
	getNumberId(number: string): Promise<WidLike>;
	/** `content`: a text, or a MessageMedia / Location made by the library (createMedia, createLocation). */
	sendMessage(chatId: string, content: unknown, options?: Record<string, unknown>): Promise<WebJsMessageLike | undefined>;
	/** The message (whatsapp-web.js Message) the device knows by its serialized id, or null (or undefined) when WhatsApp Web does not know it. */
	getMessageById(messageId: string): Promise<(WebJsMessageLike & MediaMessageLike & { react(reaction: string): Promise<unknown> }) | null | undefined>;
	/** Marks the chat as seen (read receipts to the sender). */
	sendSeen(chatId: string): Promise<boolean>;
	getChats(): Promise<ChatLike[]>;
	getChatById(chatId: string): Promise<ChatLike | undefined>;
	getContactById(contactId: string): Promise<ContactLike>;
	getContactLidAndPhone?: (ids: string[]) => Promise<Array<{ lid?: unknown; pn?: unknown }>>;
}

/** whatsapp-web.js's `MessageMedia`: `data` is base64. */
export interface MessageMediaLike {
	mimetype?: unknown;
	data?: unknown;
	filename?: unknown;
	filesize?: unknown;
}

/** A `Message` whose file can be fetched: `downloadMedia()` resolves undefined or null when WhatsApp cannot give it. */
export interface MediaMessageLike {
	downloadMedia?: () => Promise<MessageMediaLike | null | undefined>;
}

/** Options handed to `new Client(…)` (see whatsapp-web.js's Client constructor docs). */
export interface WebJsClientOptions {
	authStrategy: unknown;
	puppeteer: Record<string, unknown>;
	webVersion: string;
	webVersionCache: { type: 'local'; path: string; strict?: boolean };
	authTimeoutMs: number;
	qrMaxRetries: number;
	takeoverOnConflict: boolean;
}

export interface WebJsLibrary {
	createClient(options: WebJsClientOptions): ClientLike;
	createLocalAuth(clientId: string, dataPath: string): unknown;
	/** whatsapp-web.js's own Message structure, built from a raw page model. */
	createMessage(client: ClientLike, raw: Record<string, unknown>): WebJsMessageLike;
	/** `new MessageMedia(mimetype, base64, filename)`. */
	createMedia(mimeType: string, data: string, fileName: string | null): unknown;
	/** `new Location(latitude, longitude, { name, address })`. */
	createLocation(latitude: number, longitude: number, options: { name?: string; address?: string }): unknown;
}

let loaded: WebJsLibrary | null = null;

/** Load whatsapp-web.js (and with it puppeteer) on first use. */
export function loadWebJsLibrary(): WebJsLibrary {
	if (loaded) return loaded;
	/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any */
	const lib = require('whatsapp-web.js') as any;
	const { Message } = require('whatsapp-web.js/src/structures') as any;
	loaded = {
		createClient: (options) => new lib.Client(options) as ClientLike,
		createLocalAuth: (clientId, dataPath) => new lib.LocalAuth({ clientId, dataPath }),
		createMessage: (client, raw) => new Message(client, raw) as WebJsMessageLike,
		createMedia: (mimeType, data, fileName) => new lib.MessageMedia(mimeType, data, fileName ?? undefined),
		createLocation: (latitude, longitude, options) => new lib.Location(latitude, longitude, options),
	};
	/* eslint-enable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any */
	return loaded;
}
