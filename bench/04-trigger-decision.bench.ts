/**
 * The trigger's whole decision per request, as nodes/WhatsAppCrmTrigger/receive.ts
 * makes it with core/webhooks when the node has no Postgres credential:
 * receiveSidecarWebhook / receiveMetaWebhook (size, signature on the raw bytes,
 * JSON, schema or Meta normalization, backfill expansion), filterEvents, then
 * the claim in this process's delivery ledger (createMemoryLedger, kept for the
 * duplicate window) and, acknowledging at once, its completion. Only n8n's own
 * request handling around it is left out.
 */
import {
	createMemoryLedger,
	DEFAULT_EVENT_FILTER,
	DEFAULT_LEASE_SECONDS,
	deliveryKeyOf,
	duplicateWindowMs,
	filterEvents,
	planDelivery,
	receiveMetaWebhook,
	receiveSidecarWebhook,
	type IncomingWebhook,
	type WebhookOutcome,
} from '../core/webhooks';
import { DEFAULT_TOLERANCE_SECONDS, signMetaPayload, signSidecarPayload } from '../core/signatures';
import type { NormalizedEvent } from '../core/events/types';
import { metaWebhookBody, sidecarBackfillBatch, sidecarMessageEvent } from './lib/fixtures';
import { check, defineBench } from './lib/harness';

const SECRET = 'bench-webhook-secret-0123456789abcdef';
const APP_SECRET = 'bench-meta-app-secret-0123456789';
const VERIFY_TOKEN = 'bench-verify-token';

function sidecarRequest(event: NormalizedEvent): IncomingWebhook {
	const rawBody = Buffer.from(JSON.stringify(event), 'utf8');
	const signed = signSidecarPayload({ secret: SECRET, id: event.eventId, body: rawBody });
	const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'whatsapp-crm-sidecar', 'content-length': String(rawBody.length) };
	for (const [name, value] of Object.entries(signed)) headers[name.toLowerCase()] = value;
	return { method: 'POST', headers, rawBody, query: {} };
}

function metaRequest(raw: Buffer): IncomingWebhook {
	return {
		method: 'POST',
		headers: { 'content-type': 'application/json', 'x-hub-signature-256': signMetaPayload(APP_SECRET, raw), 'content-length': String(raw.length) },
		rawBody: raw,
		query: {},
	};
}

/**
 * What receive.ts does after the core's verdict without a Postgres credential:
 * keep the selected events, claim them in the node's memory ledger (remembered
 * for the duplicate window, as memoryLedgerFor creates it), run the claimed ones
 * and mark them done (acknowledging at once). Resolves with how many would run.
 */
function decideWith(receive: (request: IncomingWebhook) => WebhookOutcome, replayToleranceSeconds: number | null) {
	const ledger = createMemoryLedger({ retentionMs: duplicateWindowMs({}, replayToleranceSeconds) });
	const scope = 'bench-workflow:bench-trigger';
	return async (request: IncomingWebhook): Promise<number> => {
		const outcome = receive(request);
		if (outcome.accepted !== true) return -1;
		const selected = filterEvents(outcome.events, DEFAULT_EVENT_FILTER);
		const claims = await ledger.claim(scope, selected.map(deliveryKeyOf), DEFAULT_LEASE_SECONDS);
		const plan = planDelivery(selected, claims, null);
		await ledger.complete(scope, plan.run.map(deliveryKeyOf), 'done');
		return plan.run.length;
	};
}

/** Cycles through distinct pre-signed requests (so the duplicate window sees new ids until the pool wraps). */
function cycle<T>(items: T[]): () => T {
	let i = 0;
	return () => items[i++ % items.length];
}

export default defineBench({
	title: "Trigger decision per request",
	measures: "receiveSidecarWebhook / receiveMetaWebhook (core/webhooks) + filterEvents + the claim in the memory delivery ledger, per signed request, as the trigger node runs them without a Postgres credential.",
	async run(ctx) {
		const sidecarConfig = { secrets: [SECRET] };
		const metaConfig = { appSecrets: [APP_SECRET], verifyToken: VERIFY_TOKEN };

		// --- Sidecar: live message ------------------------------------------------
		const live = Array.from({ length: 2000 }, (_, i) => sidecarRequest(sidecarMessageEvent(i)));
		const first = receiveSidecarWebhook(live[0], sidecarConfig);
		check(first.accepted === true && first.events.length === 1, `a signed live message was not accepted: ${JSON.stringify(first).slice(0, 200)}`);
		const decideSidecar = decideWith((r) => receiveSidecarWebhook(r, sidecarConfig), DEFAULT_TOLERANCE_SECONDS);
		const nextLive = cycle(live);
		await ctx.rate(`sidecar: 1 live message (${(live[0].rawBody?.length ?? 0)} B)`, () => decideSidecar(nextLive()), { opLabel: 'request', timeMs: 1000 });

		// --- Sidecar: 50-message backfill batch -----------------------------------
		const batches = Array.from({ length: 60 }, (_, i) => sidecarRequest(sidecarBackfillBatch(50, i * 50)));
		const batchOutcome = receiveSidecarWebhook(batches[0], sidecarConfig);
		check(batchOutcome.accepted === true && batchOutcome.events.length === 50, 'a signed 50-message backfill batch was not accepted as 50 events');
		const nextBatch = cycle(batches);
		await ctx.rate(`sidecar: 50-message backfill batch (${((batches[0].rawBody?.length ?? 0) / 1024).toFixed(1)} KB)`, () => decideSidecar(nextBatch()), {
			opLabel: 'request',
			itemsPerOp: 50,
			itemLabel: 'message',
		});

		// --- Sidecar: refusals ----------------------------------------------------
		const forged = { ...live[1], headers: { ...live[1].headers, 'x-webhook-signature': `sha256=${'ab'.repeat(32)}` } };
		const refused = receiveSidecarWebhook(forged, sidecarConfig);
		check(refused.accepted === false && refused.status === 401, 'a forged sidecar request was not refused with 401');
		await ctx.rate('sidecar: forged signature → 401', () => decideSidecar(forged), { opLabel: 'request', timeMs: 500 });
		const stale = sidecarRequest(sidecarMessageEvent(5000));
		const staleConfig = { secrets: [SECRET], now: Math.floor(Date.now() / 1000) + 3600 };
		const staleOutcome = receiveSidecarWebhook(stale, staleConfig);
		check(staleOutcome.accepted === false && staleOutcome.code === 'stale_timestamp', 'a delivery an hour old was not refused as stale');

		// --- Meta: 1 and 10 messages ----------------------------------------------
		for (const count of [1, 10]) {
			const pool = Array.from({ length: count === 1 ? 1000 : 200 }, (_, i) => metaRequest(metaWebhookBody(count, i * count).raw));
			const outcome = receiveMetaWebhook(pool[0], metaConfig);
			check(outcome.accepted === true && outcome.events.length === count, `a signed Meta body with ${count} messages did not give ${count} events`);
			const decideMeta = decideWith((r) => receiveMetaWebhook(r, metaConfig), null);
			const next = cycle(pool);
			await ctx.rate(`Meta: ${count} message${count === 1 ? '' : 's'} per body (${((pool[0].rawBody?.length ?? 0) / 1024).toFixed(1)} KB)`, () => decideMeta(next()), {
				opLabel: 'request',
				itemsPerOp: count,
				itemLabel: 'message',
			});
		}

		// --- Meta: GET handshake and a forged POST ----------------------------------
		const handshake: IncomingWebhook = {
			method: 'GET',
			headers: {},
			rawBody: undefined,
			query: { 'hub.mode': 'subscribe', 'hub.verify_token': VERIFY_TOKEN, 'hub.challenge': '1158201444' },
		};
		const answer = receiveMetaWebhook(handshake, metaConfig);
		check(answer.accepted === 'reply' && answer.status === 200 && answer.body === '1158201444', 'the Meta handshake was not answered with the challenge');
		await ctx.rate('Meta: GET verification handshake', () => receiveMetaWebhook(handshake, metaConfig), { opLabel: 'request', timeMs: 400 });
		const metaBody = metaWebhookBody(1, 99_999).raw;
		const metaForged: IncomingWebhook = { ...metaRequest(metaBody), headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${'cd'.repeat(32)}` } };
		const metaRefused = receiveMetaWebhook(metaForged, metaConfig);
		check(metaRefused.accepted === false && metaRefused.status === 401, 'a forged Meta POST was not refused with 401');
		await ctx.rate('Meta: forged signature → 401', () => receiveMetaWebhook(metaForged, metaConfig), { opLabel: 'request', timeMs: 400 });

		ctx.note('Requests are pre-signed and distinct (2,000 live events, 60 batches, 1,000/200 Meta bodies), cycled in order; once a pool wraps, its ids are duplicates for the ledger, which costs the same Map lookup.');
		ctx.note("Filter: the trigger's defaults (inbound, outbound, backfill; no groups; media skipped). Memory ledger: the duplicate window as the node computes it (sidecar: 11 minutes, twice the 300 s replay tolerance plus a minute; Meta: 10 minutes), 50,000 ids; claim and completion per request, as when acknowledging at once.");
		ctx.note('A signed request is refused before its body is parsed, so a forged request costs one HMAC of its body.');
	},
});
