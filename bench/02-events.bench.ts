/**
 * The normalized event schema (core/events): Meta Cloud API bodies with 1, 10
 * and 100 text messages through normalizeMetaWebhook, and a 50-message
 * backfill batch from the sidecar through validateNormalizedEvent +
 * expandEvent (what the trigger does to every sidecar body after the
 * signature check).
 */
import { expandEvent, normalizeMetaWebhook, validateNormalizedEvent } from '../core/events';
import { metaWebhookBody, sidecarBackfillBatch, sidecarMessageEvent } from './lib/fixtures';
import { check, defineBench } from './lib/harness';

export default defineBench({
	title: 'Event normalization and validation',
	measures: 'normalizeMetaWebhook on Meta bodies with 1, 10 and 100 messages; validateNormalizedEvent + expandEvent on a live message and on a 50-message backfill batch.',
	async run(ctx) {
		const receivedAt = new Date();
		for (const count of [1, 10, 100]) {
			const { parsed, raw } = metaWebhookBody(count);
			const result = normalizeMetaWebhook(parsed, { receivedAt });
			check(result.errors.length === 0, `normalizeMetaWebhook reported ${JSON.stringify(result.errors.slice(0, 2))}`);
			check(result.events.length === count, `normalizeMetaWebhook gave ${result.events.length} events for ${count} messages`);
			check(result.events.every((e) => e.type === 'message' && e.message.kind === 'text' && e.message.remote.phone?.startsWith('+')), 'a Meta message did not come out as a text message with an E.164 phone');
			await ctx.rate(`normalizeMetaWebhook, ${count} message${count === 1 ? '' : 's'} (${(raw.length / 1024).toFixed(1)} KB body)`, () => normalizeMetaWebhook(parsed, { receivedAt }), {
				opLabel: 'body',
				itemsPerOp: count,
				itemLabel: 'message',
			});
		}

		// What the trigger gets from the sidecar: JSON parsed from the bytes, not the builder's objects.
		const live = JSON.parse(JSON.stringify(sidecarMessageEvent(1))) as unknown;
		const liveValid = validateNormalizedEvent(live);
		check(liveValid.ok, `a live message event did not validate: ${liveValid.ok ? '' : liveValid.errors.join('; ')}`);
		await ctx.rate('validateNormalizedEvent + expandEvent, 1 live message', () => {
			const v = validateNormalizedEvent(live);
			return v.ok ? expandEvent(v.event) : null;
		}, { opLabel: 'event', itemsPerOp: 1, itemLabel: 'message' });

		const batchJson = JSON.stringify(sidecarBackfillBatch(50));
		const batch = JSON.parse(batchJson) as unknown;
		const valid = validateNormalizedEvent(batch);
		check(valid.ok, `the backfill batch did not validate: ${valid.ok ? '' : valid.errors.slice(0, 3).join('; ')}`);
		const expanded = expandEvent(valid.event);
		check(expanded.length === 50 && expanded.every((e) => e.type === 'message' && e.message.origin === 'backfill'), 'the batch did not expand into 50 backfill messages');

		const batchLabel = `50-message backfill batch (${(Buffer.byteLength(batchJson) / 1024).toFixed(1)} KB)`;
		await ctx.rate(`validateNormalizedEvent, ${batchLabel}`, () => validateNormalizedEvent(batch), { opLabel: 'batch', itemsPerOp: 50, itemLabel: 'message' });
		await ctx.rate(`expandEvent, ${batchLabel}`, () => expandEvent(valid.event), { opLabel: 'batch', itemsPerOp: 50, itemLabel: 'message' });
		await ctx.rate(`validateNormalizedEvent + expandEvent, ${batchLabel}`, () => {
			const v = validateNormalizedEvent(batch);
			return v.ok ? expandEvent(v.event) : null;
		}, { opLabel: 'batch', itemsPerOp: 50, itemLabel: 'message' });
		await ctx.rate(`JSON.parse + validate + expand, ${batchLabel}`, () => {
			const v = validateNormalizedEvent(JSON.parse(batchJson));
			return v.ok ? expandEvent(v.event) : null;
		}, { opLabel: 'batch', itemsPerOp: 50, itemLabel: 'message' });

		ctx.note('Meta bodies: one entry, one change, N inbound text messages from senders in 18 countries with their contacts[] profile names (the shape Meta batches in). normalizeMetaWebhook parses every wa_id with libphonenumber-js (core/phone), which dominates its cost.');
		ctx.note('Sidecar events are built by the sidecar\'s own toMessagePayload and core\'s builders, then serialized and parsed again, as the trigger receives them.');
	},
});
