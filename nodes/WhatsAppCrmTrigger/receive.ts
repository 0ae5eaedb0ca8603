import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import type { NormalizedEvent } from '../../core/events/types';
import { readCountryCode } from '../../core/phone/country-code';
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

function dedupWindowFor(key: string, minutes: number): DedupWindow {
	const windowKey = `${key}:${minutes}`;
	let window = dedupWindows.get(windowKey);
	if (!window) {
		window = createDedupWindow({ ttlMs: minutes * 60_000, maxEntries: 50_000 });
		dedupWindows.set(windowKey, window);
	}
	return window;
}

function secretsOf(...values: unknown[]): string[] {
	return values.filter((value): value is string => typeof value === 'string' && value.length > 0);
}

async function decide(ctx: IWebhookFunctions, options: TriggerOptions): Promise<WebhookOutcome> {
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
		return receiveMetaWebhook(request, {
			appSecrets: secretsOf(credentials.appSecret),
			verifyToken: typeof credentials.verifyToken === 'string' ? credentials.verifyToken : '',
			maxBodyBytes,
			// A webhook cannot stop to ask: an unknown code reads as none (numbers then need their country code).
			defaultCountry: readCountryCode(options.defaultCountry) ?? undefined,
		});
	}
	const credentials = await ctx.getCredentials('whatsAppSidecarApi');
	return receiveSidecarWebhook(request, {
		secrets: secretsOf(credentials.webhookSecret, credentials.previousWebhookSecret),
		toleranceSeconds: Number(credentials.toleranceSeconds) || undefined,
		maxBodyBytes,
	});
}

/**
 * The trigger's webhook: decide with the core (signature, size, schema), answer
 * refusals and Meta's handshake directly (no execution), and emit one item per
 * accepted event that the node is set to emit and has not seen recently.
 */
export async function receiveWebhook(ctx: IWebhookFunctions): Promise<IWebhookResponseData> {
	const res = ctx.getResponseObject();
	const options = ctx.getNodeParameter('options', {}) as TriggerOptions;
	const outcome = await decide(ctx, options);

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
	const windowMinutes = options.dedupWindowMinutes ?? 10;
	const dedup =
		windowMinutes > 0 ? dedupWindowFor(`${ctx.getWorkflow().id}:${ctx.getNode().id}`, windowMinutes) : undefined;
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
