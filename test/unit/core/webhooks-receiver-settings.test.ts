/** One decision each: which secret is usable, the defaults, how long a delivery is remembered in memory. */
import { isUsableSecret } from '../../../core/signatures';
import { duplicateWindowMs, maxBodyBytesOf, metaReceiverConfig, receiveSidecarWebhook, sidecarReceiverConfig } from '../../../core/webhooks';
import { missingTriggerSecret } from '../../../nodes/WhatsAppCrmTrigger/activation';
import { messageEvent, signedDelivery } from '../../support/sidecar-deliveries';

describe('a usable secret', () => {
	it.each([
		['a secret', true],
		['  padded secret  ', true],
		['', false],
		['   ', false],
		['\t\n', false],
		[undefined, false],
		[42, false],
	])('%j → %s', (value, usable) => {
		expect(isUsableSecret(value)).toBe(usable);
	});

	it('a white-space secret is refused alike by activation and by the receiver (which then answers 500, not 401)', () => {
		expect(missingTriggerSecret('sidecar', { webhookSecret: '   ' })).not.toBeNull();
		const config = sidecarReceiverConfig({ webhookSecret: '   ', previousWebhookSecret: '' }, {});
		expect(config.secrets).toEqual([]);
		const delivery = signedDelivery(messageEvent(), 'anything');
		const outcome = receiveSidecarWebhook({ method: 'POST', headers: delivery.headers, rawBody: delivery.body, query: {} }, config);
		expect(outcome).toMatchObject({ accepted: false, status: 500, code: 'no_secret_configured' });
	});

	it('a padded secret is used exactly as typed', () => {
		expect(sidecarReceiverConfig({ webhookSecret: ' s ', previousWebhookSecret: 'old' }, {}).secrets).toEqual([' s ', 'old']);
	});
});

describe('defaults, from the fields as the user left them', () => {
	it('replay tolerance 300 s, body limit 1 MB, Meta maximum age 7 days', () => {
		expect(sidecarReceiverConfig({ webhookSecret: 's' }, {})).toEqual({ secrets: ['s'], toleranceSeconds: 300, maxBodyBytes: 1024 * 1024 });
		expect(sidecarReceiverConfig({ webhookSecret: 's', toleranceSeconds: '' }, { maxBodySizeKb: '' }).toleranceSeconds).toBe(300);
		expect(maxBodyBytesOf({ maxBodySizeKb: 64 })).toBe(65536);
		expect(metaReceiverConfig({ appSecret: 'a', verifyToken: 'v' }, { ageCheck: true }).maxEventAgeSeconds).toBe(7 * 24 * 3600);
		expect(metaReceiverConfig({ appSecret: 'a' }, { ageCheck: true, maxEventAgeHours: 2 }).maxEventAgeSeconds).toBe(7200);
		expect(metaReceiverConfig({ appSecret: 'a' }, { ageCheck: false, maxEventAgeHours: 2 }).maxEventAgeSeconds).toBe(Number.POSITIVE_INFINITY);
	});

	it('the memory window: the option, but never shorter than twice the replay tolerance plus a minute for the sidecar', () => {
		expect(duplicateWindowMs({}, null)).toBe(600_000);
		expect(duplicateWindowMs({ dedupWindowMinutes: 0 }, null)).toBe(0);
		expect(duplicateWindowMs({ dedupWindowMinutes: 0 }, 300)).toBe(660_000);
		expect(duplicateWindowMs({ dedupWindowMinutes: 60 }, 300)).toBe(3_600_000);
	});
});
