import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import type { NormalizedEvent } from '../../core/events/types';
import { readCountryCode } from '../../core/phone/country-code';
import { DEFAULT_TOLERANCE_SECONDS } from '../../core/signatures/types';
import {
	createDedupWindow,
	filterEvents,
	receiveMetaWebhook,
	receiveSidecarWebhook,
	type DedupWindow,
	type EventSelection,
	type IncomingWebhook,
	type WebhookOutcome,
} from '../../core/webhooks';

interface TriggerOptions {
	defaultCountry?: string;
	dedupWindowMinutes?: number;
	includeGroups?: boolean;
	maxBodySizeKb?: number;
	media?: 'skip' | 'placeholder';
}

/** One duplicate window per trigger node, for the life of the n8n process. */
const dedupWindows = new Map<string, DedupWindow>();

function dedupWindowFor(key: string, ttlMs: number): DedupWindow {
	const windowKey = `${key}:${ttlMs}`;
	let window = dedupWindows.get(windowKey);
	if (!window) {
		window = createDedupWindow({ ttlMs, maxEntries: 50_000 });
		dedupWindows.set(windowKey, window);
	}
	return window;
}

/**
 * How long event ids are remembered, in milliseconds (0: not at all). For the
 * sidecar the signature's replay tolerance sets a floor: a captured delivery
 * passes the clock check for up to `tolerance` seconds either side of its
 * timestamp, so its id must be remembered at least 2 × tolerance + 60 s,
 * whatever the Duplicate Window option says (even 0), or a re-sent copy would
 * start a second execution. Meta's signatures carry no timestamp: the option
 * alone decides there.
 */
export function dedupWindowMs(optionMinutes: number | undefined, replayToleranceSeconds: number | null): number {
	const minutes = optionMinutes ?? 10;
	const fromOption = Number.isFinite(minutes) && minutes > 0 ? minutes * 60_000 : 0;
	if (replayToleranceSeconds === null) return fromOption;
	return Math.max(fromOption, (2 * replayToleranceSeconds + 60) * 1000);
}

function secretsOf(...values: unknown[]): string[] {
	return values.filter((value): value is string => typeof value === 'string' && value.length > 0);
}

interface Decision {
	outcome: WebhookOutcome;
	/** The replay tolerance the signature was checked with (seconds); null for Meta (no timestamp). */
	replayToleranceSeconds: number | null;
}

async function decide(ctx: IWebhookFunctions, options: TriggerOptions): Promise<Decision> {
	const req = ctx.getRequestObject();
	const request: IncomingWebhook = {
		method: req.method,
		headers: req.headers,
		// n8n keeps the bytes it received; signatures are checked on them, never on re-serialized JSON.
		rawBody: (req as unknown as { rawBody?: Buffer }).rawBody,
		query: ctx.getQueryData() as Record<string, unknown>,
	};
	const maxBodyBytes = Math.round((options.maxBodySizeKb ?? 1024) * 1024);
	if (ctx.getNodeParameter('source') === 'cloudApi') {
		const credentials = await ctx.getCredentials('whatsAppCloudApi');
		const outcome = receiveMetaWebhook(request, {
			appSecrets: secretsOf(credentials.appSecret),
			verifyToken: typeof credentials.verifyToken === 'string' ? credentials.verifyToken : '',
			maxBodyBytes,
			// A webhook cannot stop to ask: an unknown code reads as none (numbers then need their country code).
			defaultCountry: readCountryCode(options.defaultCountry) ?? undefined,
		});
		return { outcome, replayToleranceSeconds: null };
	}
	const credentials = await ctx.getCredentials('whatsAppSidecarApi');
	const toleranceSeconds = Number(credentials.toleranceSeconds) || DEFAULT_TOLERANCE_SECONDS;
	const outcome = receiveSidecarWebhook(request, {
		secrets: secretsOf(credentials.webhookSecret, credentials.previousWebhookSecret),
		toleranceSeconds,
		maxBodyBytes,
	});
	return { outcome, replayToleranceSeconds: toleranceSeconds };
}

/**
 * The trigger's webhook: decide with the core (signature, size, schema), answer
 * refusals and Meta's handshake directly (no execution), and emit one item per
 * accepted event that the node is set to emit and has not seen recently.
 */
export async function receiveWebhook(ctx: IWebhookFunctions): Promise<IWebhookResponseData> {
	const res = ctx.getResponseObject();
	const options = ctx.getNodeParameter('options', {}) as TriggerOptions;
	const { outcome, replayToleranceSeconds } = await decide(ctx, options);

	if (outcome.accepted === false) {
		res.status(outcome.status).json({ error: { code: outcome.code, message: outcome.message } });
		return { noWebhookResponse: true };
	}
	if (outcome.accepted === 'reply') {
		res.status(outcome.status).type(outcome.contentType).send(outcome.body);
		return { noWebhookResponse: true };
	}

	const selected = filterEvents(outcome.events, {
		events: ctx.getNodeParameter('events', []) as EventSelection[],
		includeGroups: options.includeGroups === true,
		media: options.media === 'placeholder' ? 'placeholder' : 'skip',
	});
	const windowMs = dedupWindowMs(options.dedupWindowMinutes, replayToleranceSeconds);
	const dedup = windowMs > 0 ? dedupWindowFor(`${ctx.getWorkflow().id}:${ctx.getNode().id}`, windowMs) : undefined;
	const fresh: NormalizedEvent[] = selected.filter((event) => !dedup?.seen(event.eventId));

	const webhookResponse = {
		ok: true,
		deliveryId: outcome.deliveryId,
		received: outcome.events.length,
		emitted: fresh.length,
		duplicates: selected.length - fresh.length,
		...(outcome.problems.length > 0 ? { skippedParts: outcome.problems } : {}),
	};
	// Answered here rather than through `webhookResponse`: with workflowData present, n8n
	// 2.41 answers "respond immediately" webhooks with its own default body instead.
	res.status(200).json(webhookResponse);
	if (fresh.length === 0) return { noWebhookResponse: true };
	return {
		noWebhookResponse: true,
		workflowData: [fresh.map((event) => ({ json: event as unknown as IDataObject }))],
	};
}
