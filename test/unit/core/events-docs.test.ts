import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expandEvent, normalizeMetaWebhook, validateNormalizedEvent } from '../../../core/events';
import type { NormalizedEvent } from '../../../core/events';

/** The JSON examples of docs/events.md must be real: valid, and what the code produces. */
const doc = readFileSync(join(__dirname, '../../../docs/events.md'), 'utf8');
const examples = [...doc.matchAll(/```json\n([\s\S]*?)\n```/g)].map((match) => JSON.parse(match[1]) as NormalizedEvent);

describe('docs/events.md examples', () => {
	it('has one example per event type and case the doc promises', () => {
		const described = examples.map((e) => `${e.type}/${e.source}${e.type === 'session.state' ? `/${e.session.state}` : ''}${e.type === 'message' && e.backfill ? '/expanded' : ''}`);
		expect(described).toEqual([
			'message/sidecar',
			'message/cloud_api',
			'message/cloud_api',
			'message/cloud_api',
			'message/cloud_api',
			'message/sidecar',
			'message.status/cloud_api',
			'session.state/sidecar/qr',
			'session.state/sidecar/disconnected',
			'backfill.batch/sidecar',
			'message/sidecar/expanded',
			'backfill.done/sidecar',
		]);
	});

	it('are all valid events', () => {
		for (const example of examples) expect(validateNormalizedEvent(example)).toEqual({ ok: true, event: example });
	});

	it('show the expanded item exactly as expandEvent makes it from the batch example', () => {
		const batch = examples.find((e) => e.type === 'backfill.batch') as NormalizedEvent;
		const expanded = examples.find((e) => e.type === 'message' && e.backfill);
		expect(expandEvent(batch)).toContainEqual(expanded);
	});

	it('show the Cloud API message and status exactly as normalizeMetaWebhook makes them from the fixtures', () => {
		const fixture = (name: string): unknown => JSON.parse(readFileSync(join(__dirname, '../../fixtures/meta', name), 'utf8'));
		const cloudMessage = examples[1];
		const status = examples[6];
		expect(normalizeMetaWebhook(fixture('multi-entry.json'), { receivedAt: new Date(cloudMessage.occurredAt) }).events[0]).toEqual(cloudMessage);
		expect(normalizeMetaWebhook(fixture('status-failed.json'), { receivedAt: new Date(status.occurredAt) }).events[0]).toEqual(status);
	});

	it('show the image, reaction and reply-button examples exactly as normalizeMetaWebhook makes them from Meta\'s examples', () => {
		const contents = examples.slice(2, 5);
		const { events } = normalizeMetaWebhook(JSON.parse(readFileSync(join(__dirname, '../../fixtures/meta/message-contents.json'), 'utf8')), { receivedAt: new Date(contents[0].occurredAt) });
		for (const example of contents) expect(events).toContainEqual(example);
		expect(contents.map((e) => (e.type === 'message' ? e.message.kind : null))).toEqual(['image', 'reaction', 'interactive']);
	});

	it('are all version 2, every message with its content fields', () => {
		for (const example of examples) {
			expect(example.schemaVersion).toBe(2);
			const messages = example.type === 'message' ? [example.message] : example.type === 'backfill.batch' ? example.backfill.messages : [];
			for (const message of messages) expect(Object.keys(message).slice(-9)).toEqual(['media', 'reaction', 'interactive', 'location', 'contacts', 'edit', 'revoked', 'order', 'referral']);
		}
	});
});
