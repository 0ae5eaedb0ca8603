/**
 * The normalized event (core/events) for a message this package sent through
 * the Cloud API, so a workflow logs it like any other interaction.
 *
 * Its event id is the one the Meta webhook normalizer gives the same message
 * (`cloud_api:msg:<wamid>`), so if Meta later echoes the message through the
 * trigger it deduplicates against this one.
 *
 * It carries what was sent in the same shape as a received message
 * (docs/events.md): a file uploaded to Meta as `media` (its `ref` the media id,
 * so a later step can fetch it again), a location as `location`, a caption as
 * `text`. A file sent by its URL has no media id, so its `media` is null.
 */
import { cloudApiMediaRef } from '../events/media-ref';
import { buildRemoteParty, toIsoString } from '../events/builders';
import { cleanStrings } from '../events/clean-text';
import { EVENT_SCHEMA_VERSION, NO_MESSAGE_CONTENT, type MessageEvent, type MessageLocation, type MessageMedia } from '../events/types';
import { formatForMeta } from '../phone/e164';
import type { MetaMediaKind } from './types';

const MEDIA_KINDS: ReadonlySet<string> = new Set(['image', 'document', 'video', 'audio', 'voice', 'sticker']);

export interface CloudApiOutboundInput {
	/** The business phone number's id (the Cloud API "session"). */
	phoneNumberId: string;
	/** Meta's `wamid.…`. */
	messageId: string;
	/** The recipient, E.164. */
	to: string;
	/** The recipient's `wa_id` as Meta returned it, when it did. */
	waId?: string | null;
	/** What was sent: a text, a template, a media kind or a location. */
	kind: 'text' | 'template' | MetaMediaKind | 'voice' | 'location';
	/** The text of a text message, the caption of a media message; null otherwise. */
	text: string | null;
	/** A file uploaded to Meta (`mediaId`) and sent: its details. */
	media?: (Omit<MessageMedia, 'kind' | 'ref' | 'caption'> & { mediaId: string }) | null;
	/** A location sent. */
	location?: MessageLocation | null;
	/** The message this one replies to, when it is a reply. */
	replyToMessageId?: string | null;
	/** When the message was sent; defaults to now. */
	sentAt?: Date | string;
}

export function cloudApiMessageEventId(messageId: string): string {
	return `cloud_api:msg:${messageId}`;
}

export function buildCloudApiOutboundEvent(input: CloudApiOutboundInput): MessageEvent {
	const sentAt = toIsoString(input.sentAt ?? new Date());
	const rawId = input.waId && /^\d+$/.test(input.waId) ? input.waId : formatForMeta(input.to);
	const isMedia = MEDIA_KINDS.has(input.kind);
	const caption = isMedia && input.text ? input.text : null;
	const media: MessageMedia | null =
		isMedia && input.media
			? {
					kind: input.kind as MessageMedia['kind'],
					mimeType: input.media.mimeType,
					size: input.media.size,
					sha256: input.media.sha256,
					fileName: input.media.fileName,
					caption,
					ref: cloudApiMediaRef(input.media.mediaId),
				}
			: null;
	// Storable whatever a workflow put in a caption, a file name or a place name (clean-text.ts).
	return cleanStrings({
		schemaVersion: EVENT_SCHEMA_VERSION,
		eventId: cloudApiMessageEventId(input.messageId),
		source: 'cloud_api',
		sessionId: input.phoneNumberId,
		occurredAt: sentAt,
		type: 'message',
		message: {
			messageId: input.messageId,
			direction: 'outbound',
			chatKind: 'direct',
			chatId: rawId,
			remote: buildRemoteParty(rawId),
			kind: input.kind,
			isMedia,
			// Meta's own type: a voice note is `audio` (with `voice: true`), as the webhook names it.
			rawType: input.kind === 'voice' ? 'audio' : input.kind,
			text: input.kind === 'text' ? input.text : caption,
			timestamp: sentAt,
			origin: 'live',
			participant: null,
			contextMessageId: input.replyToMessageId ?? null,
			...NO_MESSAGE_CONTENT,
			media,
			location: input.kind === 'location' ? (input.location ?? null) : null,
		},
	});
}
