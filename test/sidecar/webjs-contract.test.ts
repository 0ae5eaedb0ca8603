/**
 * Contract tests for the webjs driver, without a browser.
 *
 * 1. Raw WhatsApp Web message models (test/fixtures/webjs/*.json, in the shape
 *    the library receives them from the page) are built into whatsapp-web.js's
 *    own `Message` structure, mapped to DriverMessage by the driver, and then
 *    through the service's `toMessagePayload` — what the sidecar would emit.
 * 2. Real whatsapp-web.js `Client`s (real LocalAuth, the library's real
 *    inject(), LoadUtils and event listeners) run against a fake WhatsApp Web
 *    (test/fixtures/webjs/fake-whatsapp-web.js) through a stand-in `pupPage`:
 *    linking, live messages both ways, acks, state, lookups, sending, chats,
 *    history paging (and its fallback when fetchMessages breaks), profiles,
 *    disconnects, logout and failed starts.
 */
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DriverMessage, DriverSession } from '../../sidecar/src/drivers/driver';
import { createWebJsDriver, editToDriverMessage, messageIdOf, pageBackHistory, reactionToDriverMessage, SessionUnavailableError, toDriverMessage } from '../../sidecar/src/drivers/webjs';
import { messagePayloadOf, toMessagePayload } from '../../sidecar/src/drivers/to-message-payload';
import { fakeWorld, rawFixture, textModel, type FakeData, type FakeWorld } from '../fixtures/webjs/fake-page';
import { captureLogger, recordEvents } from './helpers/driver-events';

// eslint-disable-next-line @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any
const { Message, PrivateChat, GroupChat, Contact, Reaction } = require('whatsapp-web.js/src/structures') as any;

const ME = '5511912345678';
const CONTACT = '5511987654321';
const CONTACT_JID = `${CONTACT}@c.us`;
const LID = '208745226723456@lid';
const SESSION = '0b6f2a62-5d7e-4c59-9d0b-7a3f9e1c2d44';
const DAY = 86400;



// ---------------------------------------------------------------------------
// 1. Raw models → whatsapp-web.js structures → DriverMessage → service payload
// ---------------------------------------------------------------------------

describe('whatsapp-web.js Message structures → DriverMessage → toMessagePayload', () => {
	const client = {}; // structures only keep a reference; nothing is called
	const build = async (name: string) => new Message(client, await rawFixture(name));

	it('exports the structures the contract is built on', () => {
		expect(typeof Message).toBe('function');
		expect(typeof PrivateChat).toBe('function');
		expect(typeof GroupChat).toBe('function');
		expect(typeof Contact).toBe('function');
	});

	it('incoming 1:1 text: an inbound text message keyed by its WhatsApp id, with the push name', async () => {
		const msg = await build('text-in');
		const driverMessage = toDriverMessage(msg, null);
		expect(driverMessage).toEqual({
			id: 'false_5511987654321@c.us_3EB0C767D26A1D2B8F4A',
			fromMe: false,
			chatId: CONTACT_JID,
			author: null,
			type: 'chat',
			body: 'Olá, quero saber o preço do plano anual',
			timestamp: 1763900000,
			hasMedia: false,
			isStatus: false,
			resolvedPhoneJid: null,
			notifyName: 'Maria Souza',
			content: null,
		});
		const payload = toMessagePayload(SESSION, driverMessage);
		expect(payload).toMatchObject({
			messageId: 'false_5511987654321@c.us_3EB0C767D26A1D2B8F4A',
			direction: 'inbound',
			chatKind: 'direct',
			chatId: CONTACT_JID,
			kind: 'text',
			isMedia: false,
			rawType: 'chat',
			text: 'Olá, quero saber o preço do plano anual',
			timestamp: '2025-11-23T12:13:20.000Z',
			participant: null,
		});
		expect(payload?.remote).toMatchObject({ idKind: 'person', phone: '+5511987654321', rawId: CONTACT_JID, name: 'Maria Souza' });
	});

	it('outgoing 1:1 text (sent from the phone, as message_create gives it): outbound, chat = the contact, not our own number', async () => {
		const msg = await build('text-out');
		expect(msg.from).toBe(`${ME}@c.us`); // the library's `from` is us …
		const driverMessage = toDriverMessage(msg, null);
		expect(driverMessage).toMatchObject({ id: 'true_5511987654321@c.us_3A9F2D4C1B0E8A7F6D5C', fromMe: true, chatId: CONTACT_JID, body: 'O plano anual custa R$ 1.200' });
		const payload = toMessagePayload(SESSION, driverMessage);
		expect(payload).toMatchObject({ direction: 'outbound', chatId: CONTACT_JID, text: 'O plano anual custa R$ 1.200' });
		expect(payload?.remote.phone).toBe('+5511987654321'); // … but the remote party is the contact
		expect(payload?.remote.name).toBeNull(); // our own push name is never the contact's name
	});

	it('image with caption: hasMedia from directPath, the caption (not the thumbnail) as body, forwarded with its media reference', async () => {
		const raw = await rawFixture('image-caption');
		const driverMessage = toDriverMessage(new Message(client, raw), null);
		expect(driverMessage).toMatchObject({ type: 'image', hasMedia: true, body: 'Foto do contrato' });
		expect(driverMessage.body).not.toBe(raw.body);
		expect(toMessagePayload(SESSION, driverMessage)).toMatchObject({ kind: 'image', text: 'Foto do contrato', media: { ref: `sidecar:${SESSION}:${driverMessage.id}` } });
		// A raw `hasMedia` flag is ignored by the library: only directPath counts.
		const noPath = toDriverMessage(new Message(client, { ...raw, directPath: undefined, hasMedia: true }), null);
		expect(noPath.hasMedia).toBe(false);
		expect(toMessagePayload(SESSION, noPath)).toMatchObject({ kind: 'image' }); // still an image, forwarded by its type
	});

	it('voice note (ptt): media without text, forwarded with its media reference', async () => {
		const driverMessage = toDriverMessage(await build('ptt'), null);
		expect(driverMessage).toMatchObject({ type: 'ptt', hasMedia: true, body: '' });
		expect(toMessagePayload(SESSION, driverMessage)).toMatchObject({ kind: 'voice', text: null, media: { kind: 'voice' } });
	});

	it('group message: chat = the group, author = the sender; not forwarded', async () => {
		const driverMessage = toDriverMessage(await build('group-text'), null);
		expect(driverMessage).toMatchObject({
			id: 'false_120363025555555555@g.us_3EB0A1B2C3D4E5F60718_5521998765432@c.us',
			chatId: '120363025555555555@g.us',
			author: '5521998765432@c.us',
			type: 'chat',
		});
		expect(toMessagePayload(SESSION, driverMessage)).toBeNull();
	});

	it('status update: isStatus, chat = status@broadcast; not forwarded', async () => {
		const driverMessage = toDriverMessage(await build('status'), null);
		expect(driverMessage).toMatchObject({ isStatus: true, chatId: 'status@broadcast', author: '5511987654321@c.us', type: 'chat' });
		expect(toMessagePayload(SESSION, driverMessage)).toBeNull();
		// isStatusV3 alone also marks it (the library's rule)
		const raw = await rawFixture('status');
		const v3only = new Message(client, { ...raw, id: { ...(raw.id as object), remote: 'status@broadcast' }, isStatusV3: true });
		expect(v3only.isStatus).toBe(true);
	});

	it('@lid chat resolved to a phone: forwarded with the resolved E.164, the LID kept as the raw id', async () => {
		const driverMessage = toDriverMessage(await build('lid-chat'), '5511987654321@c.us');
		expect(driverMessage).toMatchObject({ chatId: LID, resolvedPhoneJid: '5511987654321@c.us' });
		const payload = toMessagePayload(SESSION, driverMessage);
		expect(payload?.remote).toMatchObject({ idKind: 'lid', phone: '+5511987654321', rawId: LID, name: 'Ana Costa' });
	});

	it('@lid chat not resolved: forwarded as unresolvable — the LID digits never become a phone number', async () => {
		const driverMessage = toDriverMessage(await build('lid-chat'), null);
		expect(driverMessage.resolvedPhoneJid).toBeNull();
		const payload = toMessagePayload(SESSION, driverMessage);
		expect(payload?.remote).toMatchObject({ idKind: 'lid', phone: null, rawId: LID });
		expect(JSON.stringify(payload)).not.toContain('+208745226723456');
	});

	it('missing _serialized (the July 2026 drift): the id is rebuilt in WhatsApp Web’s own format', async () => {
		const msg = await build('missing-serialized');
		expect(msg.id._serialized).toBeUndefined();
		const driverMessage = toDriverMessage(msg, null);
		expect(driverMessage.id).toBe('false_5511987654321@c.us_3EB0D9C8B7A695847362');
		expect(toMessagePayload(SESSION, driverMessage)?.messageId).toBe('false_5511987654321@c.us_3EB0D9C8B7A695847362');

		const group = toDriverMessage(await build('missing-serialized-group'), null);
		expect(group.id).toBe('false_120363025555555555@g.us_3EB0112233445566778899_5521998765432@c.us');
		expect(group.chatId).toBe('120363025555555555@g.us');
	});

	it('revoked message: kept as its type, never as text; forwarded only when it names the message deleted', async () => {
		const driverMessage = toDriverMessage(await build('revoked'), null);
		expect(driverMessage).toMatchObject({ type: 'revoked', body: '', hasMedia: false });
		expect(toMessagePayload(SESSION, driverMessage)).toMatchObject({
			messageId: 'false_5511987654321@c.us_3EB0AABBCCDDEEFF0011',
			kind: 'revoked',
			text: null,
			revoked: { messageId: 'false_5511987654321@c.us_3EB0C767D26A1D2B8F4A' },
		});
		// A placeholder that does not say which message it was (an older WhatsApp Web): nothing to forward.
		const { protocolMessageKey: _omitted, ...placeholder } = await rawFixture('revoked');
		expect(toMessagePayload(SESSION, toDriverMessage(new Message(client, placeholder), null))).toBeNull();
	});

	it('a message with no key at all is refused rather than keyed by something invented', async () => {
		const raw = await rawFixture('text-in');
		// The library itself cannot build a Message without an id …
		expect(() => new Message(client, { ...raw, id: undefined })).toThrow();
		// … and a key stripped of its parts gives no id.
		expect(() => messageIdOf({ id: { fromMe: false } })).toThrow();
	});
});

// ---------------------------------------------------------------------------
// 1b. Schema version 2: the content of each type, from the same structures
// ---------------------------------------------------------------------------

describe('whatsapp-web.js structures → the content of schema version 2', () => {
	const client = {};
	const payloadOf = async (name: string) => toMessagePayload(SESSION, toDriverMessage(new Message(client, await rawFixture(name)), null));

	it('reaction (Client#message_reaction → Reaction): the emoji and the message reacted to; forwarded', async () => {
		const raw = await rawFixture('reaction');
		const reaction = new Reaction(client, raw);
		expect(reaction.reaction).toBe('\u2764\ufe0f');
		const driverMessage = reactionToDriverMessage(reaction, null);
		expect(driverMessage).toMatchObject({ id: 'false_5511987654321@c.us_3EB0REACT1F6789012345', type: 'reaction', chatId: CONTACT_JID, fromMe: false, timestamp: 1763900270 });
		const payload = toMessagePayload(SESSION, driverMessage);
		expect(payload).toMatchObject({
			kind: 'reaction',
			direction: 'inbound',
			text: null,
			contextMessageId: 'true_5511987654321@c.us_3A9F2D4C1B0E8A7F6D5C',
			reaction: { emoji: '\u2764\ufe0f', messageId: 'true_5511987654321@c.us_3A9F2D4C1B0E8A7F6D5C', removed: false },
		});
		// Taken back: whatsapp-web.js reports the same reaction with an empty text.
		const removed = toMessagePayload(SESSION, reactionToDriverMessage(new Reaction(client, { ...raw, reactionText: '' }), null));
		expect(removed?.reaction).toEqual({ emoji: null, messageId: 'true_5511987654321@c.us_3A9F2D4C1B0E8A7F6D5C', removed: true });
		// No key: refused like any message without one.
		expect(() => reactionToDriverMessage(new Reaction(client, { ...raw, msgKey: undefined }), null)).toThrow(/no usable id/);
	});

	it('location: lat/lng, name and address from `loc`, the URL; the thumbnail body never becomes text', async () => {
		const payload = await payloadOf('location');
		expect(payload).toMatchObject({
			kind: 'location',
			text: null,
			location: { latitude: -23.561414, longitude: -46.655881, name: 'MASP', address: 'Av. Paulista, 1578 - Bela Vista, São Paulo - SP', url: 'https://masp.org.br' },
		});
		expect(JSON.stringify(payload)).not.toContain('/9j/');
	});

	it('vcard and multi_vcard: one entry per card, read from the vCard text', async () => {
		expect((await payloadOf('vcard'))?.contacts).toEqual([
			{ name: 'Carlos Lima', phones: ['+55 21 99876-5432'], emails: ['carlos@example.com'], organization: 'Padaria Lima', vcard: expect.stringContaining('FN:Carlos Lima') },
		]);
		const multi = await payloadOf('multi-vcard');
		expect(multi).toMatchObject({ kind: 'contacts', text: null });
		expect(multi?.contacts?.map((c) => [c.name, c.phones])).toEqual([['Carlos Lima', ['+55 21 99876-5432']], ['Ana Rossi', ['+54 9 11 2345-6789']]]);
	});

	it('buttons_response and list_response: the id and title chosen; a reply button quotes the buttons message', async () => {
		const button = await payloadOf('buttons-response');
		expect(button).toMatchObject({
			kind: 'interactive',
			text: null,
			interactive: { type: 'button_reply', id: 'confirm-yes', title: 'Confirmar', description: null },
			contextMessageId: 'true_5511987654321@c.us_3EB0BUTTONS0011223344',
		});
		expect((await payloadOf('list-response'))?.interactive).toEqual({ type: 'list_reply', id: 'slot-14h', title: '14:00', description: 'Terça-feira', response: null });
	});

	it('a text that replies to one of ours: its quoted message id, serialized as WhatsApp Web does', async () => {
		expect(await payloadOf('reply')).toMatchObject({ kind: 'text', text: 'Sim, pode enviar', contextMessageId: 'true_5511987654321@c.us_3A9F2D4C1B0E8A7F6D5C' });
	});

	it('image and document: MIME type, size, SHA-256 (hex of the base64 filehash), file name, caption and the sidecar reference', async () => {
		const image = messagePayloadOf(SESSION, toDriverMessage(new Message(client, await rawFixture('image-caption')), null));
		const hex = Buffer.from('m/vnuBqWL/1bm5m6jATneokQ+RN4cg4EBIoJWMuxnZU=', 'base64').toString('hex');
		expect(image.media).toEqual({
			kind: 'image',
			mimeType: 'image/jpeg',
			size: 39418,
			sha256: hex,
			fileName: null,
			caption: 'Foto do contrato',
			ref: `sidecar:${SESSION}:false_5511987654321@c.us_AC4F0D1E2B3C4D5E6F708192A3B4C5D6`,
		});
		const doc = messagePayloadOf(SESSION, toDriverMessage(new Message(client, await rawFixture('document')), null));
		expect(doc).toMatchObject({ kind: 'document', text: 'Nota fiscal', media: { mimeType: 'application/pdf', size: 182044, fileName: 'NF-4471.pdf', caption: 'Nota fiscal' } });
	});

	it('edit (Client#message_edit): its own id, kind system, the edited message and its new text; a body change without an edit key is no edit', async () => {
		const edited = new Message(client, await rawFixture('edited'));
		const driverMessage = editToDriverMessage(edited, edited.body, null);
		expect(driverMessage).toMatchObject({ id: 'false_5511987654321@c.us_3EB0ED17A1B2C3D4E5F6', type: 'protocol', chatId: CONTACT_JID, timestamp: 1763900095 });
		expect(toMessagePayload(SESSION, driverMessage!)).toMatchObject({
			messageId: 'false_5511987654321@c.us_3EB0ED17A1B2C3D4E5F6',
			kind: 'system',
			rawType: 'protocol',
			text: null,
			edit: { messageId: 'false_5511987654321@c.us_3EB0C767D26A1D2B8F4A', text: 'Olá, quero saber o preço do plano mensal' },
		});
		expect(editToDriverMessage(new Message(client, await rawFixture('text-in')), 'decrypted late', null)).toBeNull();
	});

	it('revoked: the message deleted, from protocolMessageKey', async () => {
		const driverMessage = toDriverMessage(new Message(client, await rawFixture('revoked')), null);
		expect(messagePayloadOf(SESSION, driverMessage).revoked).toEqual({ messageId: 'false_5511987654321@c.us_3EB0C767D26A1D2B8F4A' });
	});
});

// ---------------------------------------------------------------------------
// 2. Real whatsapp-web.js Clients against a fake WhatsApp Web
// ---------------------------------------------------------------------------

describe('webjs driver sessions on a real whatsapp-web.js Client (fake page)', () => {
	let sessionDir: string;
	let world: FakeWorld;
	let logger: ReturnType<typeof captureLogger>;
	const sessions: DriverSession[] = [];

	beforeEach(async () => {
		sessionDir = await fs.mkdtemp(path.join(os.tmpdir(), 'webjs-contract-'));
		logger = captureLogger();
	});
	afterEach(async () => {
		for (const s of sessions.splice(0)) await s.stop();
		world?.uninstall();
		await fs.rm(sessionDir, { recursive: true, force: true });
	});

	function driverFor(
		data: FakeData,
		opts: { initializeError?: unknown; authTimeoutMs?: number; callTimeoutMs?: number; prepareProfile?: () => Promise<void> } = {},
	) {
		world = fakeWorld({ me: ME, version: '2.3000.1017054665', ...data }, { initializeError: opts.initializeError });
		const driver = createWebJsDriver(
			{ sessionDir, chromiumPath: '/usr/bin/chromium', logger, authTimeoutMs: opts.authTimeoutMs ?? 5000, callTimeoutMs: opts.callTimeoutMs ?? 3000 },
			{ library: world.library, prepareProfile: opts.prepareProfile ?? (async () => undefined) },
		);
		return driver;
	}

	async function linkedSession(data: FakeData = {}) {
		const driver = driverFor({ linked: true, ...data });
		const session = driver.createSession(SESSION);
		sessions.push(session);
		const rec = recordEvents(session, { timeoutMs: 5000, pollMs: 5 });
		await session.start();
		await rec.next('ready');
		return { driver, session, rec };
	}

	it('links with a QR: qr → authenticated → ready with the linked number; auth data lives where the driver says', async () => {
		const driver = driverFor({});
		const session = driver.createSession(SESSION);
		sessions.push(session);
		const rec = recordEvents(session, { timeoutMs: 5000, pollMs: 5 });
		await session.start();
		const [[qr]] = await rec.next('qr');
		expect(typeof qr).toBe('string');
		expect(String(qr).split(',')).toHaveLength(5); // ref,noiseKey,identityKey,advSecret,platform
		expect(String(qr).startsWith('fake-ref-1,')).toBe(true);

		world.fake().link();
		await rec.next('authenticated');
		const [[ready]] = await rec.next('ready');
		expect(ready).toEqual({ linkedPhoneJid: `${ME}@c.us` });
		expect(rec.events.map((e) => e.event).filter((e) => e !== 'change_state')).toEqual(['qr', 'authenticated', 'ready']);

		expect(driver.authDataPath(SESSION)).toBe(path.join(sessionDir, `session-${SESSION}`));
		expect(existsSync(driver.authDataPath(SESSION))).toBe(true);
		expect(await driver.listStoredSessions()).toEqual([SESSION]);
		expect(await session.getState()).toBe('CONNECTED');
		expect(await session.ping()).toBe(true);
	});

	it('a restored session reaches ready without a QR; a LID-only own id is not reported as a phone', async () => {
		const { rec } = await linkedSession({ me: undefined, meLid: '99887766554433' });
		expect(rec.events.some((e) => e.event === 'qr')).toBe(false);
		expect((await rec.next('ready'))[0]![0]).toEqual({ linkedPhoneJid: null });
	});

	it('emits reactions (Client#message_reaction) and edits (Client#message_edit) as messages the service forwards with their content', async () => {
		const { rec } = await linkedSession();
		const fake = world.fake();
		fake.receive(await rawFixture('text-in'));
		const contact = { server: 'c.us', user: CONTACT, _serialized: CONTACT_JID };
		const reaction = await rawFixture('reaction');
		fake.react({ id: reaction.msgKey, reactionParentKey: reaction.parentMsgKey, reactionText: '\u2764\ufe0f', reactionTimestamp: 1763900270000, author: contact, orphan: 0, read: false, ack: 1 });
		fake.edit('false_5511987654321@c.us_3EB0C767D26A1D2B8F4A', 'Olá, quero saber o preço do plano mensal', { fromMe: false, remote: CONTACT_JID, id: '3EB0ED17A1B2C3D4E5F6', _serialized: 'false_5511987654321@c.us_3EB0ED17A1B2C3D4E5F6' }, 1763900095000);
		await rec.next('message', 3);
		const [text, react, edit] = rec.messages().map((m) => toMessagePayload(SESSION, m));
		expect(text).toMatchObject({ kind: 'text' });
		expect(react).toMatchObject({
			messageId: 'false_5511987654321@c.us_3EB0REACT1F6789012345',
			kind: 'reaction',
			reaction: { emoji: '\u2764\ufe0f', messageId: 'true_5511987654321@c.us_3A9F2D4C1B0E8A7F6D5C', removed: false },
			timestamp: '2025-11-23T12:17:50.000Z',
		});
		expect(edit).toMatchObject({ messageId: 'false_5511987654321@c.us_3EB0ED17A1B2C3D4E5F6', kind: 'system', edit: { messageId: 'false_5511987654321@c.us_3EB0C767D26A1D2B8F4A', text: 'Olá, quero saber o preço do plano mensal' } });
	});

	it('emits a deletion for everyone (Client#message_revoke_everyone) under the revoke\'s own id, naming the message deleted', async () => {
		const { rec } = await linkedSession();
		const fake = world.fake();
		const textId = fake.receive(await rawFixture('text-in'));
		fake.revoke(textId, { fromMe: false, remote: CONTACT_JID, id: '3EB0DE1E7E0123456789', _serialized: 'false_5511987654321@c.us_3EB0DE1E7E0123456789' });
		await rec.next('message', 2);
		const [text, revoke] = rec.messages().map((m) => toMessagePayload(SESSION, m));
		expect(text).toMatchObject({ messageId: textId, kind: 'text' });
		// Its own id: the capture ledger, which has seen the text's id, lets it through, and the CRM's
		// key for the text is untouched.
		expect(revoke).toMatchObject({ messageId: 'false_5511987654321@c.us_3EB0DE1E7E0123456789', kind: 'revoked', text: null, revoked: { messageId: textId } });
	});

	it('emits every new message in both directions (message_create), in order, LIDs resolved, acks after their message', async () => {
		const { rec } = await linkedSession({ lids: { [LID]: CONTACT_JID } });
		const fake = world.fake();
		fake.receive(await rawFixture('text-in'));
		fake.receive(await rawFixture('lid-chat')); // needs an async LID lookup …
		fake.receive(await rawFixture('text-out')); // … yet nothing overtakes it
		fake.receive(await rawFixture('group-text'));
		fake.ack('true_5511987654321@c.us_3A9F2D4C1B0E8A7F6D5C', 3);
		await rec.next('message', 4);
		const [[ack]] = await rec.next('message_ack');

		const messages = rec.messages();
		expect(messages.map((m) => m.id)).toEqual([
			'false_5511987654321@c.us_3EB0C767D26A1D2B8F4A',
			'false_208745226723456@lid_3EB05F6E7D8C9BAA0B1C',
			'true_5511987654321@c.us_3A9F2D4C1B0E8A7F6D5C',
			'false_120363025555555555@g.us_3EB0A1B2C3D4E5F60718_5521998765432@c.us',
		]);
		expect(messages[1]).toMatchObject({ chatId: LID, resolvedPhoneJid: CONTACT_JID });
		expect(messages[2]).toMatchObject({ fromMe: true, chatId: CONTACT_JID });
		expect(messages[3]).toMatchObject({ author: '5521998765432@c.us' });
		expect(ack).toMatchObject({ messageId: 'true_5511987654321@c.us_3A9F2D4C1B0E8A7F6D5C', chatId: CONTACT_JID, ack: 3 });
		const order = rec.events.filter((e) => e.event === 'message' || e.event === 'message_ack').map((e) => e.event);
		expect(order).toEqual(['message', 'message', 'message', 'message', 'message_ack']);

		// What the service forwards: the three 1:1 texts, not the group.
		const forwarded = messages.map((m) => toMessagePayload(SESSION, m)).filter((p) => p !== null);
		expect(forwarded.map((p) => p!.direction)).toEqual(['inbound', 'inbound', 'outbound']);
		expect(forwarded[1]!.remote).toMatchObject({ idKind: 'lid', phone: '+5511987654321' });
	});

	it('a LID lookup that never answers delays, but does not block, the events behind it', async () => {
		const driver = driverFor({ linked: true }, { callTimeoutMs: 200 });
		const session = driver.createSession(SESSION);
		sessions.push(session);
		const rec = recordEvents(session, { timeoutMs: 5000, pollMs: 5 });
		await session.start();
		await rec.next('ready');
		world.clients[0]!.client.getContactLidAndPhone = () => new Promise(() => undefined); // hangs forever
		world.fake().receive(await rawFixture('lid-chat'));
		world.fake().receive(await rawFixture('text-in'));
		const [[lid], [text]] = await rec.next('message', 2);
		expect(lid).toMatchObject({ chatId: LID, resolvedPhoneJid: null });
		expect(text).toMatchObject({ chatId: CONTACT_JID });
	});

	it('stop() while a start is still preparing the profile: nothing is launched afterwards', async () => {
		let release!: () => void;
		const preparing = new Promise<void>((resolve) => (release = resolve));
		const driver = driverFor({ linked: true }, { prepareProfile: () => preparing });
		const session = driver.createSession(SESSION);
		const started = session.start();
		const stopped = session.stop();
		release();
		await expect(started).rejects.toThrow(/stopped while starting/);
		await stopped;
		expect(world.clients).toHaveLength(0);
	});

	it('a message whose key lost _serialized still arrives, with the rebuilt id', async () => {
		const { rec } = await linkedSession();
		world.fake().receive(await rawFixture('missing-serialized-group'));
		const [[message]] = await rec.next('message');
		expect((message as DriverMessage).id).toBe('false_120363025555555555@g.us_3EB0112233445566778899_5521998765432@c.us');
	});

	it('lookupNumber returns the JID WhatsApp registered the number under, or null', async () => {
		const { session } = await linkedSession({ registered: { [CONTACT]: '551187654321@c.us' } });
		expect(await session.lookupNumber(CONTACT)).toBe('551187654321@c.us');
		expect(await session.lookupNumber('+5511900000000')).toBeNull();
		await expect(session.lookupNumber('12ab')).rejects.toThrow(/digits/);
	});

	it('sendText sends through the library and returns the message id, the same id the live event carries', async () => {
		const { session, rec } = await linkedSession({ chats: [{ id: CONTACT_JID, name: 'Maria' }] });
		const sent = await session.sendText(CONTACT_JID, 'Seu pedido foi enviado');
		expect(sent).toMatchObject({ fromMe: true, chatId: CONTACT_JID, type: 'chat', body: 'Seu pedido foi enviado', hasMedia: false });
		expect(sent.id).toMatch(/^true_5511987654321@c\.us_3EB0FAKE\d{12}$/);
		const [[live]] = await rec.next('message');
		expect((live as DriverMessage).id).toBe(sent.id);
		expect(world.fake().calls).toContain('addAndSendMsgToChat');
		// to digits: the driver addresses the @c.us JID
		const again = await session.sendText(CONTACT, 'Outra');
		expect(again.chatId).toBe(CONTACT_JID);
	});

	it('sendMedia, sendLocation, replies, react and markChatRead call whatsapp-web.js as documented', async () => {
		const { session } = await linkedSession({ chats: [{ id: CONTACT_JID, name: 'Maria' }] });
		const client = world.clients.at(-1)!.client;
		const wweb = require('whatsapp-web.js') as any; // eslint-disable-line @typescript-eslint/no-require-imports
		// The fake page sends texts only: record the call, then let a text stand in for what comes back.
		const original = client.sendMessage.bind(client);
		const calls: Array<{ chatId: string; content: any; options: any }> = [];
		client.sendMessage = async (chatId: string, content: unknown, options: unknown) => {
			calls.push({ chatId, content, options });
			return original(chatId, 'stand-in', { sendSeen: false });
		};
		const quoted = `false_${CONTACT_JID}_3EB0AAAAAAAAAAAAAAAA`;
		const media = await session.sendMedia(CONTACT_JID, { mimeType: 'application/pdf', data: 'JVBERi0=', fileName: 'a.pdf' }, { caption: 'Fatura', quotedMessageId: quoted, as: 'document' });
		expect(media.id).toMatch(/^true_5511987654321@c\.us_/);
		expect(calls[0]!.content).toBeInstanceOf(wweb.MessageMedia);
		expect(calls[0]!.content).toMatchObject({ mimetype: 'application/pdf', data: 'JVBERi0=', filename: 'a.pdf' });
		expect(calls[0]!.options).toEqual({ quotedMessageId: quoted, caption: 'Fatura', sendMediaAsDocument: true, sendSeen: false, ignoreQuoteErrors: false });
		await session.sendLocation(CONTACT, { latitude: -23.5, longitude: -46.6, name: 'Loja' });
		expect(calls[1]!.chatId).toBe(CONTACT_JID);
		expect(calls[1]!.content).toBeInstanceOf(wweb.Location);
		expect(calls[1]!.content).toMatchObject({ latitude: -23.5, longitude: -46.6, name: 'Loja' });
		expect(calls[1]!.options).toEqual({ sendSeen: false });
		await session.sendText(CONTACT_JID, 'Sim', { quotedMessageId: quoted });
		expect(calls[2]!.options).toEqual({ quotedMessageId: quoted, sendSeen: false, ignoreQuoteErrors: false });
		// A voice message and a sticker: whatsapp-web.js's own send options for them.
		await session.sendMedia(CONTACT_JID, { mimeType: 'audio/ogg; codecs=opus', data: 'T2dnUw==', fileName: null }, { as: 'voice' });
		expect(calls[3]!.options).toEqual({ sendAudioAsVoice: true, sendSeen: false });
		await session.sendMedia(CONTACT_JID, { mimeType: 'image/webp', data: 'UklGRg==', fileName: null }, { as: 'sticker' });
		expect(calls[4]!.options).toEqual({ sendMediaAsSticker: true, sendSeen: false });

		const react = jest.fn(async () => undefined);
		client.getMessageById = async (id: string) => (id === quoted ? { react } : null);
		expect(await session.hasMessage(quoted)).toBe(true);
		expect(await session.hasMessage(`${quoted}X`)).toBe(false);
		await session.react(quoted, '👍');
		expect(react).toHaveBeenCalledWith('👍');
		await expect(session.react(`${quoted}X`, '👍')).rejects.toThrow(/not known/);
		const sendSeen = jest.fn(async () => true);
		client.sendSeen = sendSeen;
		await session.markChatRead(CONTACT_JID);
		expect(sendSeen).toHaveBeenCalledWith(CONTACT_JID);
	});

	it('downloadMedia fetches a file through the library (getMessageById, Message.downloadMedia → MessageMedia) and says why it cannot', async () => {
		const image = await rawFixture('image-caption');
		const expired = { ...image, id: { fromMe: false, remote: CONTACT_JID, id: 'EXPIRED01', _serialized: `false_${CONTACT_JID}_EXPIRED01` }, directPath: '/o1/expired' };
		const gone = { ...image, id: { fromMe: false, remote: CONTACT_JID, id: 'GONE01', _serialized: `false_${CONTACT_JID}_GONE01` }, directPath: '/o1/gone' };
		const text = await rawFixture('text-in');
		const bytes = Buffer.from(Array.from({ length: 39418 }, (_, i) => (i * 7 + 3) % 256));
		const { session } = await linkedSession({
			chats: [{ id: CONTACT_JID, name: 'Maria', messages: [image, expired, gone, text], loaded: 4 }],
			media: { [image.directPath as string]: bytes.toString('base64') },
			mediaStage: { '/o1/expired': 'REUPLOADING' },
		});
		const file = await session.downloadMedia((image.id as { _serialized: string })._serialized, 16 * 1024 * 1024);
		expect(file).toMatchObject({ status: 'ok', mimeType: 'image/jpeg', fileName: null });
		expect(file.status === 'ok' && file.data.equals(bytes)).toBe(true);
		expect(world.fake().calls).toContain('downloadAndMaybeDecrypt');
		// The size WhatsApp knows (39418) is checked before anything is fetched.
		const calls = world.fake().calls.length;
		expect(await session.downloadMedia((image.id as { _serialized: string })._serialized, 39417)).toEqual({ status: 'too_large', size: 39418 });
		expect(world.fake().calls.slice(calls)).not.toContain('downloadAndMaybeDecrypt');
		expect(await session.downloadMedia(`false_${CONTACT_JID}_EXPIRED01`, 1e8)).toEqual({ status: 'unavailable' });
		expect(await session.downloadMedia(`false_${CONTACT_JID}_GONE01`, 1e8)).toEqual({ status: 'unavailable' });
		expect(await session.downloadMedia((text.id as { _serialized: string })._serialized, 1e8)).toEqual({ status: 'not_media' });
		expect(await session.downloadMedia(`false_${CONTACT_JID}_3EB0NOSUCHMESSAGE`, 1e8)).toEqual({ status: 'unknown_message' });
	});

	it('listChats maps chats, tells groups by their id, and resolves LID chats', async () => {
		const { session } = await linkedSession({
			lids: { [LID]: CONTACT_JID },
			chats: [
				{ id: CONTACT_JID, name: 'Maria Souza' },
				{ id: '120363025555555555@g.us', name: 'Clientes VIP' },
				{ id: LID },
				{ id: 'status@broadcast' },
			],
		});
		const chats = await session.listChats();
		expect(chats).toEqual([
			{ chatId: CONTACT_JID, isGroup: false, resolvedPhoneJid: null, name: 'Maria Souza' },
			{ chatId: '120363025555555555@g.us', isGroup: true, resolvedPhoneJid: null, name: 'Clientes VIP' },
			{ chatId: LID, isGroup: false, resolvedPhoneJid: CONTACT_JID, name: null },
			{ chatId: 'status@broadcast', isGroup: false, resolvedPhoneJid: null, name: null },
		]);
	});

	describe('fetchHistory', () => {
		const now = 1_763_900_000;
		/** 300 messages, one every 4.8 hours over 60 days; the most recent 50 are in memory. */
		const longChat = () =>
			Array.from({ length: 300 }, (_, i) =>
				textModel({ chatId: CONTACT_JID, me: ME, fromMe: i % 3 === 0, id: `H${String(i).padStart(5, '0')}`, t: now - 60 * DAY + i * 0.2 * DAY, body: `mensagem ${i}` }),
			);
		const since = now - 30 * DAY;
		const inWindow = (all: Array<Record<string, unknown>>) => all.filter((m) => (m.t as number) >= since).map((m) => (m.id as { _serialized: string })._serialized);

		it('pages back with fetchMessages until older than the cutoff and returns the window oldest first', async () => {
			const messages = longChat();
			const { session } = await linkedSession({ chats: [{ id: CONTACT_JID, messages, loaded: 50 }], pageSize: 50 });
			const page = await session.fetchHistory(CONTACT_JID, since);
			expect(page.messages.map((m) => m.id)).toEqual(inWindow(messages));
			expect(page.messages).toHaveLength(150);
			expect(page.reachedOldestAvailable).toBe(false); // the device had older messages than the window
			const times = page.messages.map((m) => m.timestamp);
			expect([...times].sort((a, b) => a - b)).toEqual(times);
			expect(page.messages.every((m) => m.timestamp >= since)).toBe(true);
		});

		it('says when the device’s history ends inside the window', async () => {
			const messages = longChat().slice(200); // only the last 20 days exist on the device
			const { session } = await linkedSession({ chats: [{ id: CONTACT_JID, messages, loaded: 30 }], pageSize: 25 });
			const page = await session.fetchHistory(CONTACT_JID, since);
			expect(page.messages.map((m) => m.id)).toEqual(inWindow(messages));
			expect(page.messages).toHaveLength(100);
			expect(page.reachedOldestAvailable).toBe(true);
		});

		it('falls back to WhatsApp Web’s store when fetchMessages breaks (loadEarlierMsgs changed)', async () => {
			const messages = longChat();
			const { session } = await linkedSession({ chats: [{ id: CONTACT_JID, messages, loaded: 50 }], loadEarlier: 'changed-signature' });
			const page = await session.fetchHistory(CONTACT_JID, since);
			expect(page.messages.map((m) => m.id)).toEqual(inWindow(messages));
			expect(page.reachedOldestAvailable).toBe(false);
			expect(logger.lines.some((l) => l.includes('reading history from the WhatsApp Web store'))).toBe(true);
		});

		it('with every loader broken, returns what the store holds and does not claim the history ended', async () => {
			const messages = longChat();
			const { session } = await linkedSession({ chats: [{ id: CONTACT_JID, messages, loaded: 50 }], loadEarlier: 'broken' });
			const page = await session.fetchHistory(CONTACT_JID, since);
			expect(page.messages.map((m) => m.id)).toEqual(inWindow(messages).slice(-50));
			expect(page.reachedOldestAvailable).toBe(false);
		});

		it('a LID chat’s history carries the resolved phone', async () => {
			const messages = [textModel({ chatId: LID, me: ME, fromMe: false, id: 'L1', t: now - DAY, body: 'oi' })];
			const { session } = await linkedSession({ lids: { [LID]: CONTACT_JID }, chats: [{ id: LID, messages }] });
			const page = await session.fetchHistory(LID, since);
			expect(page.messages).toEqual([expect.objectContaining({ chatId: LID, resolvedPhoneJid: CONTACT_JID, body: 'oi' })]);
			expect(page.reachedOldestAvailable).toBe(true);
		});
	});

	it('pageBackHistory asks for growing, always finite limits and stops at its cap', async () => {
		const limits: number[] = [];
		const endless = {
			fetchMessages: async ({ limit }: { limit: number }) => {
				limits.push(limit);
				return Array.from({ length: limit }, (_, i) => ({ id: { fromMe: false, remote: CONTACT_JID, id: `E${i}` }, timestamp: 2_000_000_000 - i }));
			},
		};
		const result = await pageBackHistory(endless, 1_000_000_000, { initialLimit: 100, maxMessages: 1000 });
		expect(limits).toEqual([100, 200, 400, 800, 1000]);
		expect(limits.every(Number.isFinite)).toBe(true);
		expect(result).toMatchObject({ exhausted: false, truncated: true, calls: 5 });
	});

	it('getProfile: push name and About; About null when hidden; the saved name when there is no push name', async () => {
		const { session } = await linkedSession({
			contacts: {
				[CONTACT_JID]: { pushname: 'Maria Souza', name: 'Maria (cliente)', about: 'Disponível' },
				'5521998765432@c.us': { pushname: 'João Lima' },
				'5531999990000@c.us': { name: 'Carlos (agenda)', about: 'Ocupado' },
			},
		});
		expect(await session.getProfile(CONTACT_JID)).toEqual({ name: 'Maria Souza', about: 'Disponível' });
		expect(await session.getProfile('5521998765432@c.us')).toEqual({ name: 'João Lima', about: null });
		expect(await session.getProfile('5531999990000@c.us')).toEqual({ name: 'Carlos (agenda)', about: 'Ocupado' });
	});

	it('a phone-side disconnect is reported with its reason, after which the session answers "unavailable"', async () => {
		const { session, rec } = await linkedSession();
		world.fake().setState('UNPAIRED');
		const [[reason]] = await rec.next('disconnected');
		expect(reason).toBe('UNPAIRED');
		await expect(session.getState()).rejects.toBeInstanceOf(SessionUnavailableError);
		await expect(session.ping()).rejects.toBeInstanceOf(SessionUnavailableError);
		await expect(session.sendText(CONTACT_JID, 'x')).rejects.toBeInstanceOf(SessionUnavailableError);
		expect(world.clients[0]!.browserClosed()).toBe(true); // the library destroyed its browser
	});

	it('logout unlinks on the page, closes the browser and deletes the auth data; stop keeps it', async () => {
		const { driver, session, rec } = await linkedSession();
		const authDir = driver.authDataPath(SESSION);
		await session.stop();
		expect(existsSync(authDir)).toBe(true);
		expect(world.clients[0]!.browserClosed()).toBe(true);
		await expect(session.getState()).rejects.toBeInstanceOf(SessionUnavailableError);

		await session.start(); // restore from the kept auth data
		await rec.next('ready', 2);
		expect(await session.getState()).toBe('CONNECTED');
		await session.logout();
		expect(world.fake().calls).toContain('Socket.logout');
		expect(world.clients[1]!.browserClosed()).toBe(true);
		expect(existsSync(authDir)).toBe(false);
		expect(await driver.listStoredSessions()).toEqual([]);
	});

	it('logout of a session whose browser is already gone still deletes its auth data', async () => {
		const { driver, session, rec } = await linkedSession();
		world.fake().setState('CONFLICT');
		await rec.next('disconnected');
		await session.logout();
		expect(existsSync(driver.authDataPath(SESSION))).toBe(false);
	});

	it('a failed re-injection after a page navigation is reported as a disconnect, not an unhandled rejection', async () => {
		const driver = driverFor({ linked: true }, { authTimeoutMs: 300 });
		const session = driver.createSession(SESSION);
		sessions.push(session);
		const rec = recordEvents(session, { timeoutMs: 5000, pollMs: 5 });
		await session.start();
		await rec.next('ready');
		// What the library's 'framenavigated' listener does: inject() again, unawaited.
		// The reloaded page never becomes WhatsApp Web, so the library throws 'auth timeout'.
		delete (globalThis as { window?: { Debug?: unknown } }).window!.Debug;
		const client = world.clients[0]!.client;
		await expect(client.inject()).resolves.toBeUndefined();
		const [[reason]] = await rec.next('disconnected');
		expect(reason).toBe('REINJECT_FAILED');

		// While stopping, the same failure is expected and stays silent.
		await session.stop();
		await expect(client.inject()).resolves.toBeUndefined();
		expect(rec.events.filter((e) => e.event === 'disconnected')).toHaveLength(1);
	});

	it('start fails when initialize() rejects, and the browser it left is destroyed', async () => {
		const driver = driverFor({}, { initializeError: new Error('net::ERR_NAME_NOT_RESOLVED at https://web.whatsapp.com/') });
		const session = driver.createSession(SESSION);
		await expect(session.start()).rejects.toThrow('net::ERR_NAME_NOT_RESOLVED');
		expect(world.clients[0]!.browserClosed()).toBe(true);
		await expect(session.getState()).rejects.toBeInstanceOf(SessionUnavailableError);
	});

	it('a string rejection (the library’s own "auth timeout") is a failure too, and the browser is destroyed', async () => {
		const driver = driverFor({ neverLoads: true }, { authTimeoutMs: 300 });
		const session = driver.createSession(SESSION);
		const failure = await session.start().then(
			() => null,
			(err: unknown) => err,
		);
		expect(failure).toBeInstanceOf(Error);
		expect((failure as Error).message).toBe('auth timeout');
		expect(world.clients[0]!.browserClosed()).toBe(true);
	});

	it('logs ids only: no phone number and no message text in any line', async () => {
		const { session } = await linkedSession({ lids: { [LID]: CONTACT_JID }, chats: [{ id: CONTACT_JID, messages: [] }], loadEarlier: 'broken' });
		world.fake().receive(await rawFixture('text-in'));
		await session.sendText(CONTACT_JID, 'Texto secreto do cliente');
		await session.fetchHistory(CONTACT_JID, 0);
		await session.lookupNumber(CONTACT);
		world.fake().setState('UNPAIRED');
		await new Promise((r) => setTimeout(r, 50));
		const all = logger.lines.join('\n');
		expect(logger.lines.length).toBeGreaterThan(2);
		for (const secret of [CONTACT, ME, '208745226723456', 'Texto secreto', 'preço do plano']) expect(all).not.toContain(secret);
	});
});

describe('loading the driver', () => {
	it('requiring it and creating sessions loads neither whatsapp-web.js nor puppeteer', async () => {
		await jest.isolateModulesAsync(async () => {
			jest.doMock('whatsapp-web.js', () => {
				throw new Error('whatsapp-web.js was loaded');
			});
			jest.doMock('puppeteer', () => {
				throw new Error('puppeteer was loaded');
			});
			// eslint-disable-next-line @typescript-eslint/no-require-imports
			const webjs = require('../../sidecar/src/drivers/webjs') as typeof import('../../sidecar/src/drivers/webjs');
			const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'webjs-load-'));
			const driver = webjs.createWebJsDriver({ sessionDir: dir, chromiumPath: '/usr/bin/chromium', logger: captureLogger() });
			expect(driver.name).toBe('webjs');
			const session = driver.createSession(SESSION);
			await expect(session.getState()).rejects.toBeInstanceOf(webjs.SessionUnavailableError);
			await session.stop();
			expect(await driver.listStoredSessions()).toEqual([]);
			await expect(session.start()).rejects.toThrow('whatsapp-web.js was loaded'); // loaded only on start
			await fs.rm(dir, { recursive: true, force: true });
		});
	});

	it('refuses session ids LocalAuth would refuse (and that could escape SESSION_DIR)', () => {
		const driver = createWebJsDriver({ sessionDir: '/tmp/x', chromiumPath: '/usr/bin/chromium', logger: captureLogger() });
		expect(() => driver.createSession('../../etc')).toThrow();
		expect(() => driver.authDataPath('a/b')).toThrow();
	});
});
