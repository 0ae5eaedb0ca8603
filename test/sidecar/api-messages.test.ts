/**
 * The real sidecar (in-process, simulator driver) on loopback, delivering to a
 * real receiver that verifies every signature with the core: linking by QR,
 * live messages both ways, what is not forwarded, sending.
 */
import fs from 'node:fs';
import type { MessageEvent, NormalizedEvent } from '../../core/events/types';
import { validateNormalizedEvent } from '../../core/events';
import type { Receiver } from './helpers/receiver';
import { isMessage, isSessionState, linkSession, newSessionId, type Running, startSidecarUnderTest, stopSidecarUnderTest } from './helpers/harness';

jest.setTimeout(30000);

let root: string;
let receiver: Receiver;
let run: Running;

beforeAll(async () => {
	({ root, receiver, run } = await startSidecarUnderTest());
});

afterAll(() => stopSidecarUnderTest({ root, receiver, run }));

afterEach(() => {
	expect(receiver.rejected()).toEqual([]);
});

const messagesFor = (sessionId: string): MessageEvent[] =>
	receiver.events().filter((e): e is MessageEvent => e.type === 'message' && e.sessionId === sessionId);

describe('linking a phone', () => {
	it('starts with a QR (text and PNG), then links and reports connected with the linked number', async () => {
		const sessionId = newSessionId();
		const started = await run.api('POST', `/sessions/${sessionId}`);
		expect(started.status).toBe(200);
		expect(started.body).toMatchObject({ sessionId, state: 'qr', linkedPhone: null });
		expect(started.body.qr).toMatch(/^2@[A-Za-z0-9+/=]+,[A-Za-z0-9+/=]+,[A-Za-z0-9+/=]+,[A-Za-z0-9+/=]+$/);
		expect(started.body.qrDataUrl).toMatch(/^data:image\/png;base64,/);
		const png = Buffer.from(started.body.qrDataUrl.split(',')[1], 'base64');
		expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));

		const qrEvent = await receiver.waitFor(isSessionState(sessionId, 'qr'));
		expect(qrEvent.session.qr).toBe(started.body.qr);

		const again = await run.api('GET', `/sessions/${sessionId}`);
		expect(again.body).toMatchObject({ state: 'qr', qr: started.body.qr });

		expect((await run.api('POST', `/simulator/sessions/${sessionId}/link`, { phone: '+5511912345678' })).status).toBe(200);
		const connected = await receiver.waitFor(isSessionState(sessionId, 'connected'));
		expect(connected.session.linkedPhone).toBe('+5511912345678');
		await receiver.waitFor(isSessionState(sessionId, 'authenticated'));

		const state = await run.api('GET', `/sessions/${sessionId}`);
		expect(state.body).toMatchObject({ state: 'connected', qr: null, qrDataUrl: null, linkedPhone: '+5511912345678' });

		// Starting a connected session again changes nothing.
		const restart = await run.api('POST', `/sessions/${sessionId}`);
		expect(restart.body.state).toBe('connected');

		// The auth data is in the session's own folder, LocalAuth's layout.
		expect(fs.existsSync(`${root}/sessions/session-${sessionId}`)).toBe(true);
	});

	it('accepts an upper-case UUID as the same session', async () => {
		const sessionId = newSessionId();
		const started = await run.api('POST', `/sessions/${sessionId.toUpperCase()}`);
		expect(started.body.sessionId).toBe(sessionId);
		expect((await run.api('GET', `/sessions/${sessionId}`)).status).toBe(200);
	});
});

describe('live messages', () => {
	const sessionId = newSessionId();
	const contact = '+5521987654321';
	const contactJid = '5521987654321@c.us';

	beforeAll(async () => {
		await linkSession(run, receiver.waitFor, sessionId);
		await run.api('POST', `/simulator/sessions/${sessionId}/contact`, { jid: contactJid, name: 'Carla Mendes', about: 'Busy — text only' });
	});

	it('delivers an inbound text as a signed message event with the contact name and About', async () => {
		const sent = await run.api('POST', `/simulator/sessions/${sessionId}/inbound`, { from: contact, text: 'Oi! Quero saber do plano premium' });
		expect(sent.status).toBe(200);
		expect(sent.body.messageId).toMatch(/^false_5521987654321@c\.us_3EB0[0-9A-F]{16}$/);
		const event = (await receiver.waitFor(isMessage(sent.body.messageId))) as MessageEvent;
		expect(event).toMatchObject({
			schemaVersion: 2,
			type: 'message',
			source: 'sidecar',
			sessionId,
			message: {
				messageId: sent.body.messageId,
				direction: 'inbound',
				chatKind: 'direct',
				chatId: contactJid,
				kind: 'text',
				rawType: 'chat',
				isMedia: false,
				text: 'Oi! Quero saber do plano premium',
				origin: 'live',
				remote: { idKind: 'person', phone: contact, rawId: contactJid, name: 'Carla Mendes', about: 'Busy — text only' },
			},
		});
		expect(new Date(event.message.timestamp).getTime()).toBe(sent.body.timestamp * 1000);
	});

	it('fetches a contact About at most once a day', async () => {
		const before = (await run.api('GET', `/simulator/sessions/${sessionId}`)).body.profileLookups;
		for (const text of ['one', 'two', 'three']) {
			const sent = await run.api('POST', `/simulator/sessions/${sessionId}/inbound`, { from: contact, text });
			const event = (await receiver.waitFor(isMessage(sent.body.messageId))) as MessageEvent;
			expect(event.message.remote.about).toBe('Busy — text only');
		}
		expect((await run.api('GET', `/simulator/sessions/${sessionId}`)).body.profileLookups).toBe(before);
	});

	it('delivers reactions, locations, contact cards, button replies and deletions with their content (schema version 2), signed and valid', async () => {
		const text = await run.api('POST', `/simulator/sessions/${sessionId}/inbound`, { from: contact, text: 'Quero o plano anual' });
		const post = async (body: Record<string, unknown>) => {
			const sent = await run.api('POST', `/simulator/sessions/${sessionId}/inbound`, { from: contact, ...body });
			expect(sent.status).toBe(200);
			return (await receiver.waitFor(isMessage(sent.body.messageId))) as MessageEvent;
		};
		const reaction = await post({ type: 'reaction', content: { reaction: { emoji: '👍', messageId: text.body.messageId } } });
		expect(reaction).toMatchObject({ schemaVersion: 2, message: { kind: 'reaction', text: null, contextMessageId: text.body.messageId, reaction: { emoji: '👍', messageId: text.body.messageId, removed: false } } });
		const location = await post({ type: 'location', content: { location: { latitude: -22.9056, longitude: -47.0608, name: 'Loja Centro', address: null, url: null } } });
		expect(location.message).toMatchObject({ kind: 'location', text: null, location: { latitude: -22.9056, longitude: -47.0608, name: 'Loja Centro' } });
		const card = 'BEGIN:VCARD\nVERSION:3.0\nFN:Carlos Lima\nTEL;waid=5521998765432:+55 21 99876-5432\nEND:VCARD';
		const contacts = await post({ type: 'vcard', content: { vcards: [{ displayName: 'Carlos Lima', vcard: card }] } });
		expect(contacts.message.contacts).toEqual([{ name: 'Carlos Lima', phones: ['+55 21 99876-5432'], emails: [], organization: null, vcard: card }]);
		const button = await post({ type: 'buttons_response', text: 'Confirmar', content: { selected: { id: 'confirm-yes', title: 'Confirmar', description: null } } });
		expect(button.message).toMatchObject({ kind: 'interactive', text: null, interactive: { type: 'button_reply', id: 'confirm-yes', title: 'Confirmar', description: null } });
		const revoke = await post({ type: 'revoked', content: { revokedMessageId: text.body.messageId } });
		expect(revoke.message).toMatchObject({ kind: 'revoked', text: null, revoked: { messageId: text.body.messageId } });
		expect(revoke.message.messageId).not.toBe(text.body.messageId);
		for (const event of [reaction, location, contacts, button, revoke]) expect(validateNormalizedEvent(JSON.parse(JSON.stringify(event)))).toMatchObject({ ok: true });
	});

	it('delivers a message typed on the linked phone as outbound', async () => {
		const sent = await run.api('POST', `/simulator/sessions/${sessionId}/outbound-from-phone`, { to: contact, text: 'Segue a proposta' });
		expect(sent.body.messageId).toMatch(/^true_5521987654321@c\.us_3EB0/);
		const event = (await receiver.waitFor(isMessage(sent.body.messageId))) as MessageEvent;
		expect(event.message).toMatchObject({ direction: 'outbound', text: 'Segue a proposta', remote: { phone: contact, name: 'Carla Mendes' } });
	});

	it('sends through the API and returns the message id and the outbound event, delivered exactly once', async () => {
		const res = await run.api('POST', `/sessions/${sessionId}/messages`, { to: '+55 21 98765-4321', text: 'Obrigado pelo contato!' });
		expect(res.status).toBe(201);
		expect(res.body.messageId).toMatch(/^true_5521987654321@c\.us_3EB0[0-9A-F]{16}$/);
		expect(res.body.event).toMatchObject({ type: 'message', sessionId, message: { messageId: res.body.messageId, direction: 'outbound', text: 'Obrigado pelo contato!' } });
		const delivered = await receiver.waitFor(isMessage(res.body.messageId));
		expect(delivered.eventId).toBe(res.body.event.eventId);
		// A later message proves the queue moved on; the sent one was delivered once.
		const marker = await run.api('POST', `/simulator/sessions/${sessionId}/inbound`, { from: contact, text: 'marker' });
		await receiver.waitFor(isMessage(marker.body.messageId));
		expect(receiver.accepted().filter((d) => d.id === res.body.event.eventId)).toHaveLength(1);
	});

	it('sends NUL and unpaired surrogates as U+FFFD, so the message it creates can be stored', async () => {
		const res = await run.api('POST', `/sessions/${sessionId}/messages`, { to: '+55 21 98765-4321', text: 'a\u0000b \uD83D' });
		expect(res.status).toBe(201);
		expect(res.body.event.message.text).toBe('a\uFFFDb \uFFFD');
		const delivered = (await receiver.waitFor(isMessage(res.body.messageId))) as MessageEvent;
		expect(delivered.message.text).toBe('a\uFFFDb \uFFFD');
	});

	it('sends to a JID too', async () => {
		const res = await run.api('POST', `/sessions/${sessionId}/messages`, { to: '5521987654321@s.whatsapp.net', text: 'via JID' });
		expect(res.status).toBe(201);
		expect(res.body.event.message.chatId).toBe(contactJid);
	});

	it('resolves a @lid sender to a phone when the device knows it, and marks it unresolvable otherwise', async () => {
		const resolved = await run.api('POST', `/simulator/sessions/${sessionId}/inbound`, {
			from: '118812345678901@lid',
			text: 'from a privacy id',
			resolvedPhoneJid: '5531912345678@c.us',
		});
		const unresolved = await run.api('POST', `/simulator/sessions/${sessionId}/inbound`, { from: '118812345678902@lid', text: 'no phone known' });
		const a = (await receiver.waitFor(isMessage(resolved.body.messageId))) as MessageEvent;
		const b = (await receiver.waitFor(isMessage(unresolved.body.messageId))) as MessageEvent;
		expect(a.message.remote).toMatchObject({ idKind: 'lid', phone: '+5531912345678', rawId: '118812345678901@lid' });
		expect(b.message.remote).toMatchObject({ idKind: 'lid', phone: null, rawId: '118812345678902@lid' });
	});

	it('does not forward group messages, status updates or channel posts (1:1 media is forwarded: api-media.test.ts)', async () => {
		const skipped: string[] = [];
		const post = async (body: Record<string, unknown>) => {
			const res = await run.api('POST', `/simulator/sessions/${sessionId}/inbound`, body);
			expect(res.status).toBe(200);
			skipped.push(res.body.messageId);
		};
		await post({ from: contact, text: 'group hello', group: true });
		await post({ from: contact, text: 'named group', group: '120363025246125999@g.us' });
		await post({ from: contact, type: 'image', caption: 'status photo', status: true });
		await post({ from: contact, text: 'status text', status: true });
		await post({ from: '120363142282542999@newsletter', text: 'channel post' });
		await post({ from: contact, type: 'revoked' });
		const marker = await run.api('POST', `/simulator/sessions/${sessionId}/inbound`, { from: contact, text: 'after the skipped ones' });
		await receiver.waitFor(isMessage(marker.body.messageId));
		const forwarded = new Set(messagesFor(sessionId).map((e) => e.message.messageId));
		expect(skipped.filter((id) => forwarded.has(id))).toEqual([]);
		expect(JSON.stringify(receiver.events())).not.toMatch(/group hello|status photo|channel post/);
	});

	it('keeps the order of a session\'s events', async () => {
		const ids: string[] = [];
		for (let i = 0; i < 15; i++) {
			const res = await run.api('POST', `/simulator/sessions/${sessionId}/inbound`, { from: contact, text: `ordered ${i}` });
			ids.push(res.body.messageId);
		}
		await receiver.waitFor(isMessage(ids[ids.length - 1]!));
		const order = messagesFor(sessionId).map((e) => e.message.messageId).filter((id) => ids.includes(id));
		expect(order).toEqual(ids);
	});
});

describe('sending refuses what it cannot send', () => {
	const sessionId = newSessionId();

	beforeAll(async () => {
		await linkSession(run, receiver.waitFor, sessionId);
		await run.api('POST', `/simulator/sessions/${sessionId}/not-on-whatsapp`, { numbers: ['+5511955554444'] });
	});

	it("sends to a Mexican contact stored in the modern +52 form when WhatsApp knows the account only under +521", async () => {
		await run.api('POST', `/simulator/sessions/${sessionId}/not-on-whatsapp`, { numbers: ['+525512340000'] });
		const res = await run.api('POST', `/sessions/${sessionId}/messages`, { to: '+52 55 1234 0000', text: 'Hola' });
		expect(res.status).toBe(201);
		expect(res.body.event.message).toMatchObject({ chatId: '5215512340000@c.us', remote: { phone: '+5215512340000' } });
	});

	it('answers 422 not_on_whatsapp for a number without WhatsApp', async () => {
		const res = await run.api('POST', `/sessions/${sessionId}/messages`, { to: '+55 11 95555-4444', text: 'hello?' });
		expect(res.status).toBe(422);
		expect(res.body.error).toMatchObject({ code: 'not_on_whatsapp', field: 'to' });
	});

	it.each([
		['a group', { to: '120363025246125888@g.us', text: 'x' }, 'to'],
		['status', { to: 'status@broadcast', text: 'x' }, 'to'],
		['a bad number', { to: '12', text: 'x' }, 'to'],
		['a national number without DEFAULT_COUNTRY', { to: '(11) 98765-4321', text: 'x' }, 'to'],
		['no text', { to: '+5511987654321' }, 'text'],
		['empty text', { to: '+5511987654321', text: '   ' }, 'text'],
		['no recipient', { text: 'x' }, 'to'],
	])('answers 422 for %s, naming the field', async (_what, body, field) => {
		const res = await run.api('POST', `/sessions/${sessionId}/messages`, body);
		expect(res.status).toBe(422);
		expect(res.body.error.field).toBe(field);
		expect(typeof res.body.error.message).toBe('string');
	});

	it('answers 409 when the session is not connected', async () => {
		const linking = newSessionId();
		await run.api('POST', `/sessions/${linking}`);
		const res = await run.api('POST', `/sessions/${linking}/messages`, { to: '+5511987654321', text: 'x' });
		expect(res.status).toBe(409);
		expect(res.body.error.code).toBe('not_connected');
	});

	it('answers 404 for an unknown session', async () => {
		const res = await run.api('POST', `/sessions/${newSessionId()}/messages`, { to: '+5511987654321', text: 'x' });
		expect(res.status).toBe(404);
		expect(res.body.error.code).toBe('unknown_session');
	});
});

describe('events', () => {
	it('every delivery verified with the core and carried its event id in X-Webhook-Id', () => {
		expect(receiver.accepted().length).toBeGreaterThan(10);
		expect(receiver.rejected()).toEqual([]);
		const types = new Set(receiver.events().map((e: NormalizedEvent) => e.type));
		expect(types).toEqual(new Set(['session.state', 'message', 'message.status']));
	});

	it('no log line carries a number, a JID or a text of this traffic (debug level included)', () => {
		const output = run.logs.join('\n');
		expect(run.logs.length).toBeGreaterThan(50);
		for (const needle of ['5521987654321', '21987654321', '98765-4321', '5531912345678', '118812345678901', '5511955554444', '5511912345678', 'Oi! Quero saber', 'Segue a proposta', 'Obrigado pelo contato', 'group hello', 'a photo with a caption', 'Carla Mendes', 'Busy — text only']) {
			expect(output).not.toContain(needle);
		}
		expect(output).not.toMatch(/@c\.us|@s\.whatsapp\.net|@lid|@g\.us|@newsletter|status@broadcast/);
	});

	it('each message arrived once, under one event id', () => {
		const messages = receiver.events().filter((e): e is MessageEvent => e.type === 'message');
		const eventIds = messages.map((e) => e.eventId);
		const messageIds = messages.map((e) => e.message.messageId);
		expect(new Set(eventIds).size).toBe(eventIds.length);
		expect(new Set(messageIds).size).toBe(messageIds.length);
	});
});
