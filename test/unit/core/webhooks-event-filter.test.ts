/**
 * The trigger's event filter (core/webhooks/event-filter.ts): groups mean the
 * same in both sources — a group text message from the sidecar (forwarded when
 * its FORWARD_GROUP_MESSAGES is on) and one from Meta's Cloud API are both left
 * out by default and both emitted with "Include Group Messages".
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildMessageEvent, buildRemoteParty } from '../../../core/events/builders';
import { normalizeMetaWebhook } from '../../../core/events/normalize-meta-webhook';
import type { MessageEvent, NormalizedEvent } from '../../../core/events/types';
import { DEFAULT_EVENT_FILTER, filterEvents } from '../../../core/webhooks/event-filter';

const SESSION = '3f2b9c4e-1d2a-4b6c-8e9f-0a1b2c3d4e5f';
const RECEIVED_AT = new Date('2025-11-22T12:00:00Z');

function sidecarMessage(chatId: string, participant: string | null): MessageEvent {
	const remote = buildRemoteParty(chatId);
	return buildMessageEvent({
		sessionId: SESSION,
		occurredAt: '2026-11-22T14:03:05.000Z',
		message: {
			messageId: `false_${chatId}_3EB0${Math.random().toString(16).slice(2, 10).toUpperCase()}`,
			direction: 'inbound',
			chatKind: remote.idKind === 'person' || remote.idKind === 'lid' ? 'direct' : (remote.idKind as 'group'),
			chatId,
			remote,
			kind: 'text',
			isMedia: false,
			rawType: 'chat',
			text: 'hi',
			timestamp: '2026-11-22T14:03:05.000Z',
			origin: 'live',
			participant,
			contextMessageId: null,
		},
	});
}

const metaEvents = (): NormalizedEvent[] =>
	normalizeMetaWebhook(JSON.parse(readFileSync(join(__dirname, '../../fixtures/meta/message-types.json'), 'utf8')), { receivedAt: RECEIVED_AT }).events;
const metaGroup = (): MessageEvent => metaEvents().find((e): e is MessageEvent => e.type === 'message' && e.message.chatKind === 'group')!;
const metaDirectText = (): MessageEvent =>
	metaEvents().find((e): e is MessageEvent => e.type === 'message' && e.message.chatKind === 'direct' && e.message.kind === 'text')!;

describe('filterEvents: groups, the same for both sources', () => {
	const sidecarGroup = sidecarMessage('120363025246125999@g.us', '5521987654321@c.us');
	const sidecarDirect = sidecarMessage('5521987654321@c.us', null);
	const sidecarLid = sidecarMessage('110985430876233@lid', null);

	it('both sources give a group text message the same shape: chatKind group, the group as remote, the sender as participant', () => {
		for (const event of [sidecarGroup, metaGroup()]) {
			expect(event.message).toMatchObject({ chatKind: 'group', remote: { idKind: 'group', phone: null }, kind: 'text' });
			expect(event.message.participant).toEqual(expect.any(String));
		}
	});

	it('leaves group messages out by default, keeps direct chats (hidden-number senders included)', () => {
		const kept = filterEvents([sidecarGroup, metaGroup(), sidecarDirect, sidecarLid, metaDirectText()], DEFAULT_EVENT_FILTER);
		expect(kept.map((e) => (e as MessageEvent).message.chatKind)).toEqual(['direct', 'direct', 'direct']);
	});

	it('emits group messages from both sources with "Include Group Messages"', () => {
		const kept = filterEvents([sidecarGroup, metaGroup(), sidecarDirect], { ...DEFAULT_EVENT_FILTER, includeGroups: true });
		expect(kept.map((e) => (e as MessageEvent).message.chatKind)).toEqual(['group', 'group', 'direct']);
	});

	it('broadcasts and channels follow the same option', () => {
		const broadcast = sidecarMessage('1612345678@broadcast', null);
		expect(filterEvents([broadcast], DEFAULT_EVENT_FILTER)).toEqual([]);
		expect(filterEvents([broadcast], { ...DEFAULT_EVENT_FILTER, includeGroups: true })).toEqual([broadcast]);
	});
});
