import type { ICredentialDataDecryptedObject, IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { readCountryCode } from '../../core/phone/country-code';
import {
	DEFAULT_LEASE_SECONDS,
	deliveryKeyOf,
	duplicateWindowMs,
	filterEvents,
	mediaHandlingOf,
	metaReceiverConfig,
	planDelivery,
	receiveMetaWebhook,
	receiveSidecarWebhook,
	refusedBySecrets,
	sidecarReceiverConfig,
	type DeliveryLedger,
	type EventSelection,
	type IncomingWebhook,
	type MediaHandling,
	type ReceiverOptions,
	type WebhookOutcome,
} from '../../core/webhooks';
import { CLOUD_API_CREDENTIAL_TYPE, SIDECAR_CREDENTIAL_TYPE } from '../shared/credential-types';
import { readCredentials, rereadCredentials } from './credential-cache';
import { hasLedgerCredential, memoryLedgerFor, postgresLedgerFor } from './ledger';
import { itemsWithMedia, type DownloadMediaOptions } from './media';
import { watchRun, type StatusSettingResponse } from './watch-run';

interface TriggerOptions extends ReceiverOptions, DownloadMediaOptions {
	defaultCountry?: string;
	giveUpAfterFailedRuns?: number;
	includeGroups?: boolean;
	media?: MediaHandling;
}

/** n8n's response modes the trigger offers (version 1 always answers on receipt). */
type Acknowledge = 'onReceived' | 'lastNode';

/** How long the sender is asked to wait before sending again when the ledger cannot be reached. */
const LEDGER_UNAVAILABLE_RETRY_SECONDS = 5;

interface Decision {
	outcome: WebhookOutcome;
	/** The replay tolerance the signature was checked with (seconds); null for Meta (no timestamp). */
	replayToleranceSeconds: number | null;
	/** Meta's maximum event age (seconds); null for the sidecar. */
	maxEventAgeSeconds: number | null;
}

async function decide(ctx: IWebhookFunctions, options: TriggerOptions, version: number): Promise<Decision> {
	const req = ctx.getRequestObject();
	const request: IncomingWebhook = {
		method: req.method,
		headers: req.headers,
		// n8n keeps the bytes it received; signatures are checked on them, never on re-serialized JSON.
		rawBody: (req as unknown as { rawBody?: Buffer }).rawBody,
		query: ctx.getQueryData() as Record<string, unknown>,
	};
	const cloudApi = ctx.getNodeParameter('source') === 'cloudApi';
	const decideWith = (credential: ICredentialDataDecryptedObject): Decision => {
		if (cloudApi) {
			const config = metaReceiverConfig(credential, {
				...options,
				// Version 1 predates the age check and keeps its behaviour.
				ageCheck: version >= 2,
				// A webhook cannot stop to ask: an unknown code reads as none (numbers then need their country code).
				defaultCountry: readCountryCode(options.defaultCountry) ?? undefined,
			});
			return { outcome: receiveMetaWebhook(request, config), replayToleranceSeconds: null, maxEventAgeSeconds: config.maxEventAgeSeconds ?? null };
		}
		const config = sidecarReceiverConfig(credential, options);
		return { outcome: receiveSidecarWebhook(request, config), replayToleranceSeconds: config.toleranceSeconds ?? null, maxEventAgeSeconds: null };
	};
	const type = cloudApi ? CLOUD_API_CREDENTIAL_TYPE : SIDECAR_CREDENTIAL_TYPE;
	const credential = await readCredentials(ctx, type);
	const decision = decideWith(credential.data);
	if (credential.fresh || !refusedBySecrets(decision.outcome)) return decision;
	// Maybe a secret or verify token changed in n8n a moment ago: decide on what the credential says now.
	return decideWith(await rereadCredentials(ctx, type, credential.data));
}

function refuse(res: ReturnType<IWebhookFunctions['getResponseObject']>, status: number, code: string, message: string, retryAfterSeconds?: number): IWebhookResponseData {
	if (retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(Math.max(1, Math.ceil(retryAfterSeconds))));
	res.status(status).json({ error: { code, message } });
	return { noWebhookResponse: true };
}

/**
 * The trigger's webhook: decide with the core (signature, size, schema, age),
 * answer refusals and Meta's handshake directly (no execution), then claim
 * the accepted events in the delivery ledger and emit those this request may
 * run — at most one successful run per event, however often it is delivered.
 *
 * Acknowledging "when the workflow has finished successfully" (version 2's
 * default) leaves the answer to n8n (`lastNode`: 2xx after a successful run,
 * 500 otherwise, so the sender delivers again) and watches it to release the
 * claims with the outcome; "as soon as they arrive" lets n8n answer with the
 * summary as soon as it has created the execution. When nothing is to run
 * (refusals, duplicates, a run elsewhere) the trigger answers itself.
 */
export async function receiveWebhook(ctx: IWebhookFunctions): Promise<IWebhookResponseData> {
	const res = ctx.getResponseObject();
	const node = ctx.getNode();
	const version = node.typeVersion ?? 1;
	const options = ctx.getNodeParameter('options', {}) as TriggerOptions;
	const { outcome, replayToleranceSeconds, maxEventAgeSeconds } = await decide(ctx, options, version);

	if (outcome.accepted === false) return refuse(res, outcome.status, outcome.code, outcome.message);
	if (outcome.accepted === 'reply') {
		res.status(outcome.status).type(outcome.contentType).send(outcome.body);
		return { noWebhookResponse: true };
	}

	const acknowledge: Acknowledge = version >= 2 && ctx.getNodeParameter('acknowledge', 'lastNode') === 'lastNode' ? 'lastNode' : 'onReceived';
	const selected = filterEvents(outcome.events, {
		events: ctx.getNodeParameter('events', []) as EventSelection[],
		includeGroups: options.includeGroups === true,
		media: mediaHandlingOf(options.media, options.downloadMedia === true),
	});

	const scope = `${ctx.getWorkflow().id}:${node.id}`;
	const durable = version >= 2 && hasLedgerCredential(ctx);
	let ledger: DeliveryLedger | null = null;
	if (durable) {
		ledger = await postgresLedgerFor(ctx, Number.isFinite(maxEventAgeSeconds ?? 0) ? (maxEventAgeSeconds ?? 0) + 24 * 60 * 60 : 0);
	} else {
		const windowMs = duplicateWindowMs(options, replayToleranceSeconds);
		if (windowMs > 0) ledger = memoryLedgerFor(scope, windowMs);
	}

	const keys = selected.map(deliveryKeyOf);
	let claims;
	try {
		claims = ledger
			? await ledger.claim(scope, keys, DEFAULT_LEASE_SECONDS)
			: keys.map((key) => ({ key, outcome: 'claimed' as const, attempts: 1, retryAfterSeconds: null }));
	} catch {
		ctx.logger?.warn('WhatsApp CRM Trigger: the delivery ledger (CRM database) cannot be reached; asking the sender to retry', { scope });
		return refuse(res, 503, 'ledger_unavailable', 'The CRM database that remembers deliveries cannot be reached; send the event again later.', LEDGER_UNAVAILABLE_RETRY_SECONDS);
	}
	const giveUpAfter = ledger?.durable && acknowledge === 'lastNode' && (options.giveUpAfterFailedRuns ?? 5) > 0 ? (options.giveUpAfterFailedRuns ?? 5) : null;
	const plan = planDelivery(selected, claims, giveUpAfter);
	if (plan.park.length > 0 && ledger) {
		try {
			await ledger.park(scope, plan.park);
		} catch {
			await ledger.complete(scope, [...plan.park, ...plan.run.map((event) => ({ key: deliveryKeyOf(event) }))].map((d) => d.key), 'failed').catch(() => {});
			return refuse(res, 503, 'ledger_unavailable', 'The CRM database that remembers deliveries cannot be reached; send the event again later.', LEDGER_UNAVAILABLE_RETRY_SECONDS);
		}
	}

	// Answering at once: a run of the same event elsewhere will be acknowledged too; it counts as a duplicate.
	const inProgress = acknowledge === 'lastNode' ? plan.inProgress : 0;
	const summary: IDataObject = {
		ok: true,
		deliveryId: outcome.deliveryId,
		received: outcome.events.length,
		emitted: plan.run.length,
		duplicates: plan.duplicates + (plan.inProgress - inProgress),
		...(inProgress > 0 ? { inProgress } : {}),
		...(plan.park.length > 0 ? { setAside: plan.park.length } : {}),
		...(outcome.problems.length > 0 ? { skippedParts: outcome.problems } : {}),
	};
	// Download Media: the files of the media messages this request runs (never of duplicates).
	const workflowData = [await itemsWithMedia(ctx, plan.run, options)];
	const runKeys = plan.run.map(deliveryKeyOf);

	if (plan.run.length === 0) {
		if (inProgress > 0) {
			res.setHeader('Retry-After', String(plan.retryAfterSeconds ?? DEFAULT_LEASE_SECONDS));
			res.status(503).json({ ...summary, ok: false, error: { code: 'in_progress', message: 'These events are being processed by another run right now; send them again later.' } });
			return { noWebhookResponse: true };
		}
		res.status(200).json(summary);
		return { noWebhookResponse: true };
	}

	if (acknowledge === 'onReceived') {
		if (ledger) await ledger.complete(scope, runKeys, 'done').catch(() => {});
		// n8n answers with this summary once it has created the execution.
		return { webhookResponse: summary, workflowData };
	}

	if (ledger) {
		watchRun(res as unknown as StatusSettingResponse, {
			ledger,
			scope,
			keys: runKeys,
			leaseSeconds: DEFAULT_LEASE_SECONDS,
			onLedgerError: () => ctx.logger?.warn('WhatsApp CRM Trigger: could not record a run in the delivery ledger; its claim will expire', { scope }),
		});
	}
	// n8n answers once the workflow has finished: 200 (no body) after a success, 500 otherwise.
	return { workflowData };
}
