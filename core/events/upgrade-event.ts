/**
 * Schema version 1 → 2. Version 2 only added content fields to `message`
 * (docs/events.md, "What changed in version 2"), each null when it does not
 * apply; a version-1 event (from a sidecar not yet upgraded) carried none of
 * that content, so its upgrade is the same event with those fields null and
 * `schemaVersion: 2`. A version-2 event is returned as it is, unless it lacks
 * a field version 2 gained later (LATER_CONTENT_KEYS): that field is then null.
 */
import { EVENT_SCHEMA_VERSION, NO_MESSAGE_CONTENT, type MessageContent, type MessagePayload, type NormalizedEvent } from './types';

/** A message payload whose version-2 content fields may be missing. */
export type MessagePayloadInput = Omit<MessagePayload, keyof MessageContent> & Partial<MessageContent>;

/**
 * Content fields version 2 gained after it was first published (`order`,
 * `referral`, `interactive.response`): optional in what is received, so an
 * event from a sidecar built before them stays valid; always present once
 * upgraded.
 */
export const LATER_CONTENT_KEYS: ReadonlyArray<keyof MessageContent> = ['order', 'referral'];

function isComplete(message: MessagePayloadInput): boolean {
	for (const key of Object.keys(NO_MESSAGE_CONTENT) as Array<keyof MessageContent>) if (message[key] === undefined) return false;
	return !message.interactive || message.interactive.response !== undefined;
}

/** The message with every version-2 content field present (null where it was missing), after the version-1 fields. */
export function withContent(message: MessagePayloadInput): MessagePayload {
	if (isComplete(message)) return message as MessagePayload;
	const content: Partial<MessageContent> = {};
	for (const key of Object.keys(NO_MESSAGE_CONTENT) as Array<keyof MessageContent>) {
		if (message[key] === undefined) (content as Record<string, null>)[key] = null;
	}
	if (message.interactive && message.interactive.response === undefined) content.interactive = { ...message.interactive, response: null };
	return { ...message, ...content } as MessagePayload;
}

export function upgradeEvent(event: NormalizedEvent): NormalizedEvent {
	const current = (event.schemaVersion as number) === EVENT_SCHEMA_VERSION;
	switch (event.type) {
		case 'message':
			if (current && isComplete(event.message)) return event;
			return { ...event, schemaVersion: EVENT_SCHEMA_VERSION, message: withContent(event.message) };
		case 'backfill.batch':
			if (current && event.backfill.messages.every(isComplete)) return event;
			return {
				...event,
				schemaVersion: EVENT_SCHEMA_VERSION,
				backfill: { ...event.backfill, messages: event.backfill.messages.map(withContent) },
			};
		default:
			return current ? event : { ...event, schemaVersion: EVENT_SCHEMA_VERSION };
	}
}
