import type { NormalizedEvent } from '../events/types';

/** What a trigger can be set to emit. */
export type EventSelection = 'inbound' | 'outbound' | 'status' | 'session' | 'backfill';

export interface EventFilterOptions {
	events: EventSelection[];
	/** Emit messages from group chats (default off: groups are not CRM conversations). */
	includeGroups: boolean;
	/**
	 * Media messages: dropped (`skip`), passed on as they are (`emit`: their
	 * `message.media` carries the file's details and reference), or passed on with
	 * a placeholder text (`placeholder`, version 1's way, kept for workflows that
	 * read `text`). The file itself is never part of an event: the trigger's
	 * Download Media option fetches it (nodes/WhatsAppCrmTrigger/media.ts).
	 */
	media: MediaHandling;
}

export type MediaHandling = 'skip' | 'emit' | 'placeholder';

/**
 * What the trigger does with media messages, from its options: Download Media
 * implies emitting them (turning it on is asking for the files), with the
 * placeholder text if that was chosen.
 */
export function mediaHandlingOf(media: unknown, downloadMedia: boolean): MediaHandling {
	if (media === 'placeholder') return 'placeholder';
	if (media === 'emit' || downloadMedia) return 'emit';
	return 'skip';
}

export const MEDIA_PLACEHOLDER_TEXT = 'Media message received';

export const DEFAULT_EVENT_FILTER: EventFilterOptions = {
	events: ['inbound', 'outbound', 'backfill'],
	includeGroups: false,
	media: 'skip',
};

function selectionOf(event: NormalizedEvent): EventSelection {
	switch (event.type) {
		case 'message':
			if (event.message.origin === 'backfill') return 'backfill';
			return event.message.direction === 'inbound' ? 'inbound' : 'outbound';
		case 'message.status':
			return 'status';
		case 'session.state':
			return 'session';
		case 'backfill.batch':
		case 'backfill.done':
			return 'backfill';
	}
}

/**
 * Keeps the events a trigger was set to emit. Messages from groups,
 * broadcasts, status updates and channels only pass when groups are included;
 * media messages are dropped, passed on as they are, or given the placeholder
 * text (followed by the caption, when there is one).
 */
export function filterEvents(events: NormalizedEvent[], options: EventFilterOptions): NormalizedEvent[] {
	const wanted = new Set(options.events);
	const kept: NormalizedEvent[] = [];
	for (const event of events) {
		if (!wanted.has(selectionOf(event))) continue;
		if (event.type !== 'message') {
			kept.push(event);
			continue;
		}
		const { message } = event;
		if (message.chatKind !== 'direct' && !options.includeGroups) continue;
		if (message.isMedia) {
			if (options.media === 'skip') continue;
			if (options.media === 'emit') {
				kept.push(event);
				continue;
			}
			const text = message.text ? `${MEDIA_PLACEHOLDER_TEXT}: ${message.text}` : MEDIA_PLACEHOLDER_TEXT;
			kept.push({ ...event, message: { ...message, text } });
			continue;
		}
		kept.push(event);
	}
	return kept;
}
