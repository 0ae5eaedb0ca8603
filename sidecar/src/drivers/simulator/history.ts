/**
 * A simulated phone's chats: the store the simulator keeps, and a seeded
 * history of N days (1:1 text, media, voice notes, a group, status updates and
 * privacy-id chats) at realistic times of day, reproducible from a seed.
 */
import type { DriverMessage } from '../driver';
import { newMessageKey, seededRandom, serializeMessageId } from './ids';

export interface SimChat {
	chatId: string;
	name: string | null;
	isGroup: boolean;
	/** For an `@lid` chat: the phone JID the simulated device knows for it, or null. */
	resolvedPhoneJid: string | null;
	messages: DriverMessage[];
}

export interface SimContact {
	name: string | null;
	about: string | null;
}

export interface SimStore {
	chats: Record<string, SimChat>;
	contacts: Record<string, SimContact>;
}

export function emptyStore(): SimStore {
	return { chats: {}, contacts: {} };
}

export interface SeedOptions {
	/** Days of history (default 30). */
	days?: number;
	/** 1:1 chats with phone JIDs (default 5). */
	directChats?: number;
	/** Group chats (default 1). */
	groups?: number;
	/** Average messages per chat on a day with a conversation (default 4). */
	messagesPerDay?: number;
	/** PRNG seed (default 1): the same seed gives the same history. */
	seed?: number;
	/** Include media, voice notes, stickers and documents (default true). */
	media?: boolean;
	/** Include status updates (default true). */
	status?: boolean;
	/** Include two `@lid` chats, one resolvable to a phone and one not (default true). */
	lid?: boolean;
	/** Unix seconds to count back from (default: now). */
	now?: number;
}

export interface SeedResult {
	/** Unix seconds: the oldest possible message time (now − days). */
	since: number;
	chats: { direct: number; lid: number; group: number };
	messages: number;
	/** Ids of the text messages in 1:1 chats (phone and `@lid` chats), oldest first: what a backfill must deliver. */
	directTextMessageIds: string[];
	/** The 1:1 contacts' phone JIDs. */
	contacts: string[];
}

const PHRASES = [
	'Hi, is the offer from last week still available?',
	'Thanks, I will check and get back to you',
	'Can we move our call to Thursday?',
	'Sent the documents by email just now',
	'Perfect, see you tomorrow then',
	'What is the price for the premium plan?',
	'Could you send me the invoice again please',
	'Good morning! Any news about my order?',
	'Yes, that works for me',
	'I am running 10 minutes late, sorry',
	'Great talking to you today',
	'Let me ask my manager and confirm',
];
const NAMES = ['Ana Souza', 'Bruno Lima', 'Carla Mendes', 'Diego Rocha', 'Elisa Prado', 'Felipe Costa', 'Gabriela Reis', 'Hugo Alves'];
const ABOUTS = ['Hey there! I am using WhatsApp.', 'Available', 'At work', null, 'Busy — text only'];
const MEDIA_TYPES: Array<{ type: string; caption: boolean }> = [
	{ type: 'image', caption: true },
	{ type: 'ptt', caption: false },
	{ type: 'document', caption: true },
	{ type: 'sticker', caption: false },
	{ type: 'video', caption: true },
];

function digits(random: () => number, count: number): string {
	let out = '';
	for (let i = 0; i < count; i++) out += Math.floor(random() * 10).toString();
	return out;
}

function pick<T>(random: () => number, items: readonly T[]): T {
	return items[Math.floor(random() * items.length)] as T;
}

function chatFor(store: SimStore, chatId: string, init: Omit<SimChat, 'messages' | 'chatId'>): SimChat {
	const existing = store.chats[chatId];
	if (existing) return existing;
	const chat: SimChat = { chatId, messages: [], ...init };
	store.chats[chatId] = chat;
	return chat;
}

/** Adds a message to its chat unless a message with the same id is there already; keeps chats ordered by time. */
export function addMessage(store: SimStore, chat: SimChat, message: DriverMessage): boolean {
	if (chat.messages.some((m) => m.id === message.id)) return false;
	chat.messages.push(message);
	if (chat.messages.length > 1 && chat.messages[chat.messages.length - 2]!.timestamp > message.timestamp) {
		chat.messages.sort((a, b) => a.timestamp - b.timestamp);
	}
	void store;
	return true;
}

/** Seeds `days` days of history into the store and tells what it added. */
export function seedHistory(store: SimStore, options: SeedOptions = {}): SeedResult {
	const days = options.days ?? 30;
	const random = seededRandom(options.seed ?? 1);
	const now = options.now ?? Math.floor(Date.now() / 1000);
	const since = now - days * 86400;
	const perDay = Math.max(1, options.messagesPerDay ?? 4);
	const withMedia = options.media ?? true;
	const withStatus = options.status ?? true;
	const withLid = options.lid ?? true;

	interface Party {
		chat: SimChat;
		/** Sender JID for inbound messages (the contact). */
		jid: string;
		name: string;
		lidPhoneJid: string | null;
	}
	const parties: Party[] = [];
	const contacts: string[] = [];
	for (let i = 0; i < (options.directChats ?? 5); i++) {
		const jid = `55119${'8'}${digits(random, 7)}@c.us`;
		const name = NAMES[i % NAMES.length] as string;
		store.contacts[jid] = { name, about: pick(random, ABOUTS) };
		contacts.push(jid);
		parties.push({ chat: chatFor(store, jid, { name, isGroup: false, resolvedPhoneJid: null }), jid, name, lidPhoneJid: null });
	}
	if (withLid) {
		const resolvedPhone = `55119${'7'}${digits(random, 7)}@c.us`;
		const lidA = `${digits(random, 15)}@lid`;
		const lidB = `${digits(random, 15)}@lid`;
		store.contacts[lidA] = { name: 'Ivo Nunes', about: 'Available' };
		store.contacts[resolvedPhone] = { name: 'Ivo Nunes', about: 'Available' };
		store.contacts[lidB] = { name: 'Julia Prates', about: null };
		parties.push({ chat: chatFor(store, lidA, { name: 'Ivo Nunes', isGroup: false, resolvedPhoneJid: resolvedPhone }), jid: lidA, name: 'Ivo Nunes', lidPhoneJid: resolvedPhone });
		parties.push({ chat: chatFor(store, lidB, { name: 'Julia Prates', isGroup: false, resolvedPhoneJid: null }), jid: lidB, name: 'Julia Prates', lidPhoneJid: null });
	}
	const groups: SimChat[] = [];
	for (let g = 0; g < (options.groups ?? 1); g++) {
		const gid = `1203630${digits(random, 11)}@g.us`;
		groups.push(chatFor(store, gid, { name: `Team ${g + 1}`, isGroup: true, resolvedPhoneJid: null }));
	}
	const statusChat = withStatus ? chatFor(store, 'status@broadcast', { name: null, isGroup: false, resolvedPhoneJid: null }) : null;

	let added = 0;
	const directText: DriverMessage[] = [];

	const makeMessage = (chat: SimChat, fromMe: boolean, author: string | null, ts: number, notifyName: string | null, allowMedia: boolean): DriverMessage => {
		const media = allowMedia && withMedia && random() < 0.18 ? pick(random, MEDIA_TYPES) : null;
		const key = newMessageKey(random);
		const caption = media && media.caption && random() < 0.5 ? pick(random, PHRASES) : '';
		const isStatus = chat.chatId === 'status@broadcast';
		return {
			id: serializeMessageId(fromMe, chat.chatId, key, author),
			fromMe,
			chatId: chat.chatId,
			author,
			type: media ? media.type : 'chat',
			body: media ? caption : pick(random, PHRASES),
			timestamp: ts,
			hasMedia: media !== null,
			isStatus,
			resolvedPhoneJid: chat.chatId.endsWith('@lid') ? chat.resolvedPhoneJid : null,
			notifyName: fromMe ? null : notifyName,
		};
	};

	const dayZero = Math.floor(since / 86400) * 86400;
	for (let day = dayZero; day < now; day += 86400) {
		const conversation = (chat: SimChat, senders: Array<{ jid: string | null; name: string }>, activity: number, mediaAllowed: boolean) => {
			if (random() > activity) return;
			let ts = day + (8 + Math.floor(random() * 13)) * 3600 + Math.floor(random() * 3600);
			const count = 1 + Math.floor(random() * (2 * perDay - 1));
			for (let i = 0; i < count; i++) {
				ts += 20 + Math.floor(random() * 600);
				if (ts < since || ts > now - 60) continue;
				const sender = pick(random, senders);
				const fromMe = sender.jid === null;
				const author = chat.isGroup || chat.chatId === 'status@broadcast' ? (fromMe ? null : sender.jid) : null;
				const message = makeMessage(chat, fromMe, author, ts, sender.name, mediaAllowed);
				if (addMessage(store, chat, message)) {
					added++;
					if (!chat.isGroup && chat.chatId !== 'status@broadcast' && message.type === 'chat') directText.push(message);
				}
			}
		};
		for (const party of parties) conversation(party.chat, [{ jid: null, name: 'me' }, { jid: party.jid, name: party.name }], 0.55, true);
		for (const group of groups) {
			const members = parties.slice(0, 3).map((p) => ({ jid: p.jid, name: p.name }));
			conversation(group, [{ jid: null, name: 'me' }, ...members], 0.6, true);
		}
		if (statusChat && parties.length > 0) {
			const poster = pick(random, parties);
			conversation(statusChat, [{ jid: poster.jid, name: poster.name }], 0.3, true);
		}
	}

	directText.sort((a, b) => a.timestamp - b.timestamp);
	return {
		since,
		chats: { direct: options.directChats ?? 5, lid: withLid ? 2 : 0, group: groups.length },
		messages: added,
		directTextMessageIds: directText.map((m) => m.id),
		contacts,
	};
}
