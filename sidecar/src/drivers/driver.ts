/**
 * The one seam between the sidecar's service code and WhatsApp. Two drivers
 * implement it: `webjs` (whatsapp-web.js on Chromium) and `simulator` (a linked
 * phone without WhatsApp's servers, for the demo and the end-to-end tests).
 * Everything above this interface — sessions, events, outbox, backfill, health,
 * HTTP API — is shared, so the simulator exercises exactly the service code the
 * real driver does.
 *
 * Drivers speak plain data (no library objects cross this line) and never log
 * phone numbers or message text.
 */

/** A message as a driver reports it, already lifted out of the library's structures. */
export interface DriverMessage {
	/** Serialized WhatsApp message id (`true_5511987654321@c.us_3EB0…`); rebuilt from its parts when the library lost it. */
	id: string;
	fromMe: boolean;
	/** The chat's JID: the other person for a 1:1 chat, the group for a group. */
	chatId: string;
	/** In a group: the sender's JID; otherwise null. */
	author: string | null;
	/** whatsapp-web.js's type name: `chat` for text, `image`, `ptt`, `revoked`, … */
	type: string;
	/** The text (or media caption). */
	body: string;
	/** Unix seconds. */
	timestamp: number;
	hasMedia: boolean;
	/** A status (story) update. */
	isStatus: boolean;
	/**
	 * For a chat whose id is a privacy id (`…@lid`): the phone JID the driver
	 * resolved it to, or null when it could not (the service then marks the
	 * party unresolvable instead of inventing a number).
	 */
	resolvedPhoneJid: string | null;
	/** The sender's push name when the library has it. */
	notifyName: string | null;
	/** What the message carries beyond its text (media details, a reaction, a location, …); absent for plain text. */
	content?: DriverMessageContent | null;
}

/**
 * A message's content as whatsapp-web.js's raw model (`Message._data`) has it,
 * already plain data. Every field is optional: a driver sets what it knows.
 */
export interface DriverMessageContent {
	/** Media: `_data.mimetype`, `size` (bytes), `filehash` (base64 SHA-256), `filename`. */
	mimeType?: string | null;
	size?: number | null;
	fileHash?: string | null;
	fileName?: string | null;
	/** The serialized id of the message this one quotes (replies to). */
	quotedMessageId?: string | null;
	/** A reaction: the emoji ('' or null when taken back) and the serialized id of the message reacted to. */
	reaction?: { emoji: string | null; messageId: string } | null;
	/** A reply button, list row or template button chosen: its id, title and (list rows) description. */
	selected?: { id: string | null; title: string | null; description: string | null } | null;
	/** A poll's question. */
	pollName?: string | null;
	/** A shared location: `_data.lat`, `lng`, `loc` (name, newline, address), `clientUrl`. */
	location?: { latitude: number; longitude: number; name: string | null; address: string | null; url: string | null } | null;
	/** Shared contact cards: `vcardList[]`, or the single card of a `vcard` message. */
	vcards?: Array<{ displayName: string | null; vcard: string }> | null;
	/** This message edits another: the edited message's serialized id and its new text. */
	edit?: { messageId: string; text: string | null } | null;
	/** A message deleted for everyone: the serialized id of the message deleted, when known. */
	revokedMessageId?: string | null;
}

export interface DriverAck {
	messageId: string;
	chatId: string;
	/** whatsapp-web.js ACK: -1 error, 0 pending, 1 server, 2 device, 3 read, 4 played. */
	ack: number;
	timestamp: number;
}

export interface DriverChat {
	chatId: string;
	isGroup: boolean;
	/** Resolved phone JID for an `@lid` chat, or null. */
	resolvedPhoneJid: string | null;
	name: string | null;
}

export interface DriverProfile {
	name: string | null;
	about: string | null;
}

export interface HistoryPage {
	/** Messages of the chat at or after `sinceUnix`, oldest first. */
	messages: DriverMessage[];
	/** True when the linked device had nothing older than what was returned (the history on the device ends inside the window). */
	reachedOldestAvailable: boolean;
}

/** Events a driver session emits; the service maps them to normalized events. */
export interface DriverSessionEvents {
	qr: (qr: string) => void;
	authenticated: () => void;
	auth_failure: (reason: string) => void;
	ready: (info: { linkedPhoneJid: string | null }) => void;
	change_state: (state: string) => void;
	disconnected: (reason: string) => void;
	/** Every new message, in both directions (whatsapp-web.js's `message_create`). */
	message: (message: DriverMessage) => void;
	message_ack: (ack: DriverAck) => void;
}

export type DriverEventName = keyof DriverSessionEvents;

export interface DriverSession {
	readonly sessionId: string;
	on<E extends DriverEventName>(event: E, listener: DriverSessionEvents[E]): void;
	/** Launch and link (or restore from saved auth data). Resolves once started; linking progress arrives as events. */
	start(): Promise<void>;
	/** Stop the client, keeping auth data (shutdown, restart). Never throws. */
	stop(): Promise<void>;
	/** Log out, stop the client and delete this session's auth data. */
	logout(): Promise<void>;
	/** The client's state (`CONNECTED`, `OPENING`, `UNPAIRED`, …). Throws when the browser or page is gone. */
	getState(): Promise<string | null>;
	/** Whether the page still answers a trivial evaluation. Throws when the browser is gone. */
	ping(): Promise<boolean>;
	/** The JID a phone number (digits, no `+`) is registered under, or null when it is not on WhatsApp. */
	lookupNumber(digits: string): Promise<string | null>;
	sendText(chatId: string, text: string, options?: DriverSendOptions): Promise<DriverMessage>;
	/**
	 * Send a file (whatsapp-web.js MessageMedia): an image, video or audio shows as such, anything else
	 * (or `as: 'document'`) as a document; `as: 'voice'` shows audio as a voice message (`ptt`),
	 * `as: 'sticker'` an image as a sticker.
	 */
	sendMedia(chatId: string, media: DriverMedia, options?: MediaSendOptions): Promise<DriverMessage>;
	sendLocation(chatId: string, location: DriverLocation, options?: DriverSendOptions): Promise<DriverMessage>;
	/** Whether the linked device knows a message with this serialized id (to reply to, react to or mark read). */
	hasMessage(messageId: string): Promise<boolean>;
	/** React to a message the device knows; an empty emoji removes the reaction. */
	react(messageId: string, emoji: string): Promise<void>;
	/** Mark a chat as read (whatsapp-web.js Chat.sendSeen): the sender sees blue ticks. */
	markChatRead(chatId: string): Promise<void>;
	listChats(): Promise<DriverChat[]>;
	/** A chat's history from `sinceUnix` on, oldest first (the driver pages back as far as it must). */
	fetchHistory(chatId: string, sinceUnix: number): Promise<HistoryPage>;
	getProfile(jid: string): Promise<DriverProfile>;
	/**
	 * The file of a media message the linked device knows (whatsapp-web.js
	 * `getMessageById` then `downloadMedia`). A file whose known size is over
	 * `maxBytes` is not fetched. The bytes are never logged.
	 */
	downloadMedia(messageId: string, maxBytes: number): Promise<DriverMediaDownload>;
}

/** Options every send takes. */
export interface DriverSendOptions {
	/** The serialized id of the message this one replies to (quotes); the service checks it exists first. */
	quotedMessageId?: string;
}

/** How a file is shown: as its type says (default), as a document, a voice message or a sticker. */
export type MediaSendAs = 'document' | 'voice' | 'sticker';

export interface MediaSendOptions extends DriverSendOptions {
	caption?: string;
	as?: MediaSendAs;
}

/** A file to send; `data` is base64, as whatsapp-web.js's MessageMedia holds it. Never logged. */
export interface DriverMedia {
	mimeType: string;
	data: string;
	fileName: string | null;
}

export interface DriverLocation {
	latitude: number;
	longitude: number;
	name?: string;
	address?: string;
}
/**
 * What fetching a message's file gave: the file, or why not — the device does
 * not know the message, the message has no file, WhatsApp no longer has the
 * file (expired, being re-uploaded), or its known size is over the limit.
 */
export type DriverMediaDownload =
	| { status: 'ok'; mimeType: string; fileName: string | null; data: Buffer }
	| { status: 'unknown_message' }
	| { status: 'not_media' }
	| { status: 'unavailable' }
	| { status: 'too_large'; size: number };

export interface DriverContext {
	/** Root folder; a session keeps its auth data in its own sub-folder. */
	sessionDir: string;
}

export interface Driver {
	readonly name: 'webjs' | 'simulator';
	createSession(sessionId: string): DriverSession;
	/** Session ids that have auth data on disk (restored at start-up). */
	listStoredSessions(): Promise<string[]>;
	/** Where a session's auth data lives (deleted by logout). */
	authDataPath(sessionId: string): string;
}
