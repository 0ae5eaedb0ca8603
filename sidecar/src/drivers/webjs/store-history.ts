/**
 * Reading a chat's history straight from WhatsApp Web's own store — the
 * fallback for when `Chat.fetchMessages` breaks (it did in April 2026, when
 * WhatsApp Web changed `loadEarlierMsgs`).
 *
 * `readChatHistoryInPage` runs INSIDE the page (puppeteer serializes it with
 * `Function.prototype.toString`), so it must be self-contained: no imports, no
 * closures, no helpers from outside. It asks the store for earlier messages with
 * every loader WhatsApp Web has been known to offer, stops at the cutoff, and
 * returns raw message models in the shape whatsapp-web.js's `Message` is built
 * from (via `window.WWebJS.getMessageModel` when injected).
 */

export interface StoreHistoryResult {
	/** False when the chat is not in the store at all. */
	found: boolean;
	/** Raw message models (`{ id: { fromMe, remote, id, _serialized }, type, body, t, … }`), any order. */
	messages: Array<Record<string, unknown>>;
	/** True only when the store says there is nothing earlier, or a loader that worked brings no more (not merely when loading failed). */
	reachedOldestAvailable: boolean;
	/** The oldest message the store holds for the chat (unix seconds), also when older than the cutoff. */
	oldestTimestamp: number | null;
	/** How many loader calls brought messages. */
	loads: number;
}

/* eslint-disable @typescript-eslint/no-explicit-any */
export async function readChatHistoryInPage(chatId: string, sinceUnix: number, maxMessages: number): Promise<StoreHistoryResult> {
	// `window` in the page (globalThis.window is the page itself); a test may install a fake one.
	const w = ((globalThis as any).window ?? globalThis) as any;
	const need = (name: string): any => {
		try {
			return w.require(name);
		} catch {
			return null;
		}
	};
	const collections = need('WAWebCollections');
	const widFactory = need('WAWebWidFactory');
	if (!collections || !collections.Chat) return { found: false, messages: [], oldestTimestamp: null, reachedOldestAvailable: false, loads: 0 };
	const wid = widFactory ? widFactory.createWid(chatId) : chatId;
	let chat = collections.Chat.get(wid) || collections.Chat.get(chatId);
	if (!chat && typeof collections.Chat.find === 'function') {
		try {
			chat = await collections.Chat.find(wid);
		} catch {
			chat = null;
		}
	}
	if (!chat) return { found: false, messages: [], oldestTimestamp: null, reachedOldestAvailable: false, loads: 0 };

	const serializedOf = (x: any): string | null =>
		typeof x === 'string' ? x : x && typeof x._serialized === 'string' ? x._serialized : x && x.user && x.server ? x.user + '@' + x.server : null;
	const collect = (): any[] => {
		const seen = new Map<string, any>();
		const add = (m: any): void => {
			if (!m || !m.id || m.isNotification) return;
			const key = serializedOf(m.id) || [m.id.fromMe, serializedOf(m.id.remote), m.id.id, serializedOf(m.id.participant)].join('_');
			if (!seen.has(key)) seen.set(key, m);
		};
		const own = chat.msgs && typeof chat.msgs.getModelsArray === 'function' ? chat.msgs.getModelsArray() : [];
		own.forEach(add);
		if (collections.Msg && typeof collections.Msg.getModelsArray === 'function') {
			for (const m of collections.Msg.getModelsArray()) {
				if (m && m.id && serializedOf(m.id.remote) === chatId) add(m);
			}
		}
		return [...seen.values()];
	};
	const noEarlier = (): boolean => Boolean(chat.msgs && chat.msgs.msgLoadState && chat.msgs.msgLoadState.noEarlierMsgs);
	const loaders: Array<() => Promise<any>> = [];
	const loadModule = need('WAWebChatLoadMessages');
	if (loadModule && typeof loadModule.loadEarlierMsgs === 'function') {
		loaders.push(() => loadModule.loadEarlierMsgs({ chat }));
		loaders.push(() => loadModule.loadEarlierMsgs(chat));
	}
	if (typeof chat.loadEarlierMsgs === 'function') loaders.push(() => chat.loadEarlierMsgs());
	if (chat.msgs && typeof chat.msgs.loadEarlierMsgs === 'function') loaders.push(() => chat.msgs.loadEarlierMsgs());

	let loads = 0;
	let exhausted = false;
	let working: (() => Promise<any>) | null = null;
	for (let round = 0; round < 1000; round++) {
		const msgs = collect();
		if (msgs.length >= maxMessages || noEarlier()) break;
		if (msgs.length > 0 && Math.min(...msgs.map((m) => Number(m.t) || 0)) < sinceUnix) break;
		const before = msgs.length;
		let progressed = false;
		const candidates: Array<() => Promise<any>> = working ? [working] : loaders;
		for (const load of candidates) {
			try {
				await load();
			} catch {
				continue;
			}
			// A loader that brought messages before and now brings none: the device has nothing older.
			if (load === working && collect().length === before) exhausted = true;
			if (collect().length > before) {
				working = load;
				progressed = true;
				break;
			}
		}
		if (!progressed) break;
		loads++;
	}

	const toModel = (m: any): Record<string, unknown> => {
		let model: any;
		if (w.WWebJS && typeof w.WWebJS.getMessageModel === 'function') {
			model = w.WWebJS.getMessageModel(m);
		} else {
			model = typeof m.serialize === 'function' ? m.serialize() : { ...m };
			model.isStatusV3 = m.isStatusV3;
		}
		const key = model.id || m.id;
		model.id = {
			fromMe: key.fromMe,
			remote: serializedOf(key.remote),
			id: key.id,
			participant: key.participant ? serializedOf(key.participant) : undefined,
			_serialized: typeof key._serialized === 'string' ? key._serialized : undefined,
		};
		for (const field of ['from', 'to', 'author']) {
			if (model[field] && typeof model[field] === 'object') model[field] = serializedOf(model[field]);
		}
		return model;
	};
	const all = collect();
	return {
		found: true,
		oldestTimestamp: all.length > 0 ? Math.min(...all.map((m) => Number(m.t) || 0)) : null,
		messages: all.filter((m) => (Number(m.t) || 0) >= sinceUnix).map(toModel),
		reachedOldestAvailable: noEarlier() || exhausted,
		loads,
	};
}
/* eslint-enable @typescript-eslint/no-explicit-any */
