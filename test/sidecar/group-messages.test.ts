/**
 * FORWARD_GROUP_MESSAGES: the real sidecar (in-process, simulator driver)
 * forwards live text messages of group chats only when configured, in the
 * shape the Cloud API normalizer gives them (`chatKind: 'group'`, `remote` the
 * group, `participant` the sender); status updates, broadcasts, channels and
 * media stay out either way.
 */
import type { MessageEvent } from '../../core/events/types';
import { validateNormalizedEvent } from '../../core/events/validate-event';
import { isMessage, linkSession, newSessionId, startSidecarUnderTest, stopSidecarUnderTest, type SidecarUnderTest } from './helpers/harness';

jest.setTimeout(30000);

const GROUP = '120363025246125999@g.us';
const MEMBER = '+5521987654321';

describe.each([
	['FORWARD_GROUP_MESSAGES=true', { FORWARD_GROUP_MESSAGES: 'true' }, true],
	['FORWARD_GROUP_MESSAGES unset', {}, false],
])('with %s', (_title, env, forwarded) => {
	let under: SidecarUnderTest;
	const sessionId = newSessionId();

	beforeAll(async () => {
		under = await startSidecarUnderTest(env);
		await linkSession(under.run, under.receiver.waitFor, sessionId);
	});
	afterAll(() => stopSidecarUnderTest(under));
	afterEach(() => {
		expect(under.receiver.rejected()).toEqual([]);
	});

	it(forwarded ? 'forwards group messages (text, and media with its reference) with the group as remote and the sender as participant' : 'does not forward group messages', async () => {
		const inbound = async (body: Record<string, unknown>) => (await under.run.api('POST', `/simulator/sessions/${sessionId}/inbound`, body)).body.messageId as string;
		const groupText = await inbound({ from: MEMBER, text: 'hello group', group: GROUP });
		const groupMedia = await inbound({ from: MEMBER, type: 'image', caption: 'group photo', group: GROUP });
		const status = await inbound({ from: MEMBER, text: 'status text', status: true });
		const marker = await inbound({ from: MEMBER, text: 'a direct message after them' });
		await under.receiver.waitFor(isMessage(marker));

		const ids = under.receiver
			.events()
			.filter((e): e is MessageEvent => e.type === 'message')
			.map((e) => e.message.messageId);
		expect(ids).not.toContain(status);
		if (!forwarded) {
			expect(ids).not.toContain(groupText);
			expect(ids).not.toContain(groupMedia);
			return;
		}
		// A group's photo goes like a 1:1 chat's: its details and media reference, never the bytes.
		const media = (await under.receiver.waitFor(isMessage(groupMedia))) as MessageEvent;
		expect(media.message).toMatchObject({ chatKind: 'group', kind: 'image', isMedia: true, media: { ref: `sidecar:${sessionId}:${groupMedia}` } });
		const event = (await under.receiver.waitFor(isMessage(groupText))) as MessageEvent;
		expect(validateNormalizedEvent(event)).toMatchObject({ ok: true });
		expect(event.message).toMatchObject({
			direction: 'inbound',
			chatKind: 'group',
			chatId: GROUP,
			remote: { idKind: 'group', phone: null, rawId: GROUP },
			participant: '5521987654321@c.us',
			kind: 'text',
			text: 'hello group',
		});
	});
});
