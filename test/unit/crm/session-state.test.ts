/** Users' connection state and notifications: one notification per outage, each sent once. */
import type { Pool } from 'pg';
import { claimUnsentNotifications, markNotificationSent, openNotification, resolveNotifications } from '../../support/crm/notifications';
import { SAVE_LINKING_USER } from '../../../crm/sql';
import {
	clearWhatsAppConnection,
	getUser,
	markSessionConnected,
	markSessionDisconnected,
	REAUTH_NOTIFICATION_KIND,
	upsertUser,
} from '../../support/crm/session-state';
import { createTestDatabase, type TestDatabase } from './test-database';

let db: TestDatabase;
let pool: Pool;

beforeAll(async () => {
	db = await createTestDatabase({ migrated: true });
	pool = db.pool(10);
});
afterAll(async () => {
	await db.drop();
});
beforeEach(async () => {
	await pool.query('TRUNCATE whatsapp_crm.notifications, whatsapp_crm.users');
});

const USER = '3f2b9c4e-1d2a-4b6c-8e9f-0a1b2c3d4e5f';
const OTHER = '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d';

async function notifications(userId = USER) {
	const { rows } = await pool.query('SELECT kind, resolved_at IS NOT NULL AS resolved FROM whatsapp_crm.notifications WHERE user_id = $1 ORDER BY id', [userId]);
	return rows;
}

describe('session health bookkeeping', () => {
	it('marks a dead session disconnected and notifies once per outage, again for the next outage', async () => {
		await upsertUser(pool, { id: USER, email: 'ana@example.com', name: 'Ana' });
		// Known but not yet connected: this link is new (the CRM logging workflow imports the history then).
		expect(await markSessionConnected(pool, USER, { linkedPhone: '+5511987654321' })).toEqual({ notificationsResolved: 0, newlyLinked: true });
		expect(await getUser(pool, USER)).toMatchObject({ whatsapp_connected: true, whatsapp_phone: '+5511987654321', whatsapp_disconnected_at: null });
		// Connected again while connected (what a sidecar restart reports): not a new link.
		expect(await markSessionConnected(pool, USER, {})).toEqual({ notificationsResolved: 0, newlyLinked: false });

		const first = await markSessionDisconnected(pool, USER, { state: 'logged_out' });
		expect(first).toEqual({ notificationCreated: true, notificationId: expect.stringMatching(/^\d+$/) });
		const outageStart = (await getUser(pool, USER))!.whatsapp_disconnected_at;
		expect(outageStart).not.toBeNull();

		// The next nightly checks of the same outage: still disconnected, no second notification, same outage start.
		expect(await markSessionDisconnected(pool, USER, { state: 'disconnected' })).toEqual({ notificationCreated: false, notificationId: null });
		expect(await markSessionDisconnected(pool, USER, { state: 'disconnected' })).toEqual({ notificationCreated: false, notificationId: null });
		expect(await getUser(pool, USER)).toMatchObject({
			email: 'ana@example.com',
			whatsapp_connected: false,
			whatsapp_last_state: 'disconnected',
			whatsapp_disconnected_at: outageStart,
			// The linked number stays known during an outage.
			whatsapp_phone: '+5511987654321',
		});
		expect(await notifications()).toEqual([{ kind: REAUTH_NOTIFICATION_KIND, resolved: false }]);

		// Recovered: connected again, the notification resolved.
		expect(await markSessionConnected(pool, USER, { state: 'connected' })).toEqual({ notificationsResolved: 1, newlyLinked: true });
		expect(await getUser(pool, USER)).toMatchObject({ whatsapp_connected: true, whatsapp_disconnected_at: null, whatsapp_phone: '+5511987654321' });

		// A new outage gets a new notification.
		expect((await markSessionDisconnected(pool, USER, { state: 'logged_out' })).notificationCreated).toBe(true);
		expect(await notifications()).toEqual([
			{ kind: REAUTH_NOTIFICATION_KIND, resolved: true },
			{ kind: REAUTH_NOTIFICATION_KIND, resolved: false },
		]);
	});

	it('creates the user row for a session it has not seen, and overlapping checks still notify once', async () => {
		const results = await Promise.all(Array.from({ length: 8 }, () => markSessionDisconnected(pool, OTHER, { state: 'not_found' })));
		expect(results.filter((r) => r.notificationCreated)).toHaveLength(1);
		expect(await notifications(OTHER)).toHaveLength(1);
		expect(await getUser(pool, OTHER)).toMatchObject({ id: OTHER, email: null, whatsapp_connected: false, whatsapp_last_state: 'not_found' });
	});

	it('clears the connection on a deliberate disconnect, resolving the open notification', async () => {
		await markSessionConnected(pool, USER, { linkedPhone: '+5511987654321' });
		await markSessionDisconnected(pool, USER, { state: 'logged_out' });
		expect(await clearWhatsAppConnection(pool, USER)).toEqual({ found: true, notificationsResolved: 1 });
		expect(await getUser(pool, USER)).toMatchObject({ whatsapp_connected: false, whatsapp_phone: null, whatsapp_last_state: 'unlinked', whatsapp_disconnected_at: null });
		expect(await clearWhatsAppConnection(pool, OTHER)).toEqual({ found: false, notificationsResolved: 0 });
	});

	it('refuses a session id that is not a UUID', async () => {
		await expect(markSessionConnected(pool, 'not-a-uuid')).rejects.toThrow(/invalid input syntax for type uuid/);
	});
});

describe('notifications', () => {
	it('openNotification returns the open one instead of a second', async () => {
		await upsertUser(pool, { id: USER });
		const input = { userId: USER, kind: 'custom', title: 'T', body: 'B' };
		const first = await openNotification(pool, input);
		const second = await openNotification(pool, { ...input, title: 'Other' });
		expect(first.created).toBe(true);
		expect(second).toEqual({ notification: first.notification, created: false });
		expect(await resolveNotifications(pool, USER, 'custom')).toBe(1);
		expect(await resolveNotifications(pool, USER, 'custom')).toBe(0);
		expect((await openNotification(pool, input)).created).toBe(true);
	});

	it('hands each unsent notification to exactly one sender, with the user to send it to', async () => {
		await upsertUser(pool, { id: USER, email: 'ana@example.com', name: 'Ana' });
		await upsertUser(pool, { id: OTHER, email: 'bo@example.com', name: 'Bo' });
		await markSessionDisconnected(pool, USER, { state: 'logged_out' });
		await markSessionDisconnected(pool, OTHER, { state: 'logged_out', title: 'Custom title', body: 'Custom body' });
		// Resolved before it was sent: nothing to tell any more.
		await openNotification(pool, { userId: USER, kind: 'stale', title: 'T', body: 'B' });
		await resolveNotifications(pool, USER, 'stale');

		const claims = await Promise.all([claimUnsentNotifications(pool, 10), claimUnsentNotifications(pool, 10), claimUnsentNotifications(pool, 10)]);
		const claimed = claims.flat();
		expect(claimed.map((n) => n.user_email).sort()).toEqual(['ana@example.com', 'bo@example.com']);
		expect(claimed.find((n) => n.user_id === OTHER)).toMatchObject({
			title: 'Custom title',
			body: 'Custom body',
			user_name: 'Bo',
			claimed_at: expect.any(String),
			// Not sent yet: that is for the sender to say, once it has sent it.
			sent_at: null,
		});
		expect(claimed.find((n) => n.user_id === USER)).toMatchObject({ kind: REAUTH_NOTIFICATION_KIND, title: expect.stringMatching(/WhatsApp/) });
		// Claimed: not handed out again while the claim is fresh.
		expect(await claimUnsentNotifications(pool, 10)).toEqual([]);
	});

	it('a notification whose sending failed is not lost: claimed again once its claim is 15 minutes old; once marked sent, never again', async () => {
		await upsertUser(pool, { id: USER, email: 'ana@example.com' });
		await upsertUser(pool, { id: OTHER, email: 'bo@example.com' });
		await markSessionDisconnected(pool, USER, { state: 'logged_out' });
		await markSessionDisconnected(pool, OTHER, { state: 'logged_out' });
		const [forAna, forBo] = await claimUnsentNotifications(pool, 10).then((c) => [c.find((n) => n.user_id === USER)!, c.find((n) => n.user_id === OTHER)!]);
		// Bo's email went out; Ana's failed (the sender never marks it).
		expect(await markNotificationSent(pool, forBo!.id)).toBe(true);
		const age = (minutes: number) =>
			pool.query("UPDATE whatsapp_crm.notifications SET claimed_at = now() - make_interval(mins => $1) WHERE claimed_at IS NOT NULL", [minutes]);

		await age(14);
		expect(await claimUnsentNotifications(pool, 10)).toEqual([]);
		await age(16);
		const retried = await claimUnsentNotifications(pool, 10);
		expect(retried).toEqual([expect.objectContaining({ id: forAna!.id, user_email: 'ana@example.com', sent_at: null })]);
		expect(await markNotificationSent(pool, forAna!.id)).toBe(true);

		await age(60);
		expect(await claimUnsentNotifications(pool, 10)).toEqual([]);
		const { rows } = await pool.query<{ sent: boolean }>('SELECT sent_at IS NOT NULL AS sent FROM whatsapp_crm.notifications ORDER BY id');
		expect(rows).toEqual([{ sent: true }, { sent: true }]);
		expect(await markNotificationSent(pool, '999999')).toBe(false);
	});

	it('overlapping senders, also on expired claims, never get the same notification (SKIP LOCKED)', async () => {
		const users = Array.from({ length: 12 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
		for (const id of users) await markSessionDisconnected(pool, id, { state: 'logged_out' });
		const rounds = async () => (await Promise.all(Array.from({ length: 6 }, () => claimUnsentNotifications(pool, 3)))).flat().map((n) => n.id);
		const first = await rounds();
		expect(first).toHaveLength(12);
		expect(new Set(first).size).toBe(12);
		await pool.query("UPDATE whatsapp_crm.notifications SET claimed_at = claimed_at - interval '1 hour'");
		const second = await rounds();
		expect(second.sort()).toEqual([...first].sort());
	});
});

describe('SAVE_LINKING_USER (the Connect form)', () => {
	const save = async (userId: string, email: string | null, state: string) =>
		(await pool.query(SAVE_LINKING_USER, [userId, email, state])).rows[0];

	it('records the email of a user who has none, and never replaces a stored one', async () => {
		expect(await save(USER, 'ana@example.com', 'qr')).toEqual({ user_id: USER, whatsapp_connected: false });
		expect(await getUser(pool, USER)).toMatchObject({ email: 'ana@example.com', whatsapp_last_state: 'qr' });
		// Someone else with the link and Ana's id: the address notifications go to stays hers.
		expect(await save(USER, 'intruder@example.com', 'connected')).toEqual({ user_id: USER, whatsapp_connected: true });
		expect(await getUser(pool, USER)).toMatchObject({ email: 'ana@example.com', whatsapp_connected: true });
		expect(await save(USER, null, 'qr')).toEqual({ user_id: USER, whatsapp_connected: false });
		expect((await getUser(pool, USER))!.email).toBe('ana@example.com');

		// A user known without an email (or a blank one) gets the one given.
		await upsertUser(pool, { id: OTHER, name: 'Bo' });
		await pool.query("UPDATE whatsapp_crm.users SET email = ' ' WHERE id = $1", [OTHER]);
		await save(OTHER, 'bo@example.com', 'qr');
		expect(await getUser(pool, OTHER)).toMatchObject({ email: 'bo@example.com', name: 'Bo' });
	});
});
