/**
 * Schema version 1 → 2. Version 2 only added content fields to `message`
 * (docs/events.md, "What changed in version 2"), each null when it does not
 * apply; a version-1 event (from a sidecar not yet upgraded) carried none of
 * that content, so its upgrade is the same event with those fields null and
 * `schemaVersion: 2`. A version-2 event is returned as it is.
 */
import { EVENT_SCHEMA_VERSION, NO_MESSAGE_CONTENT, type MessageContent, type MessagePayload, type NormalizedEvent } from './types';

/** A message payload whose version-2 content fields may be missing. */
export type MessagePayloadInput = Omit<MessagePayload, keyof MessageContent> & Partial<MessageContent>;

/** The message with every version-2 content field present (null where it was missing), after the version-1 fields. */
export function withContent(message: MessagePayloadInput): MessagePayload {
	const content: Partial<MessageContent> = {};
	for (const key of Object.keys(NO_MESSAGE_CONTENT) as Array<keyof MessageContent>) {
		if (message[key] === undefined) (content as Record<string, null>)[key] = null;
	}
	return { ...message, ...content } as MessagePayload;
}

export function upgradeEvent(event: NormalizedEvent): NormalizedEvent {
	if ((event.schemaVersion as number) === EVENT_SCHEMA_VERSION) return event;
	switch (event.type) {
		case 'message':
			return { ...event, schemaVersion: EVENT_SCHEMA_VERSION, message: withContent(event.message) };
		case 'backfill.batch':
			return {
				...event,
				schemaVersion: EVENT_SCHEMA_VERSION,
				backfill: { ...event.backfill, messages: event.backfill.messages.map(withContent) },
			};
		default:
			return { ...event, schemaVersion: EVENT_SCHEMA_VERSION };
	}
}
