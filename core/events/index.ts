/** The normalized event schema (see docs/events.md): builders, the Meta normalizer, the validator, batch expansion. */
export * from './types';
export {
	buildMessageEvent,
	buildStatusEvent,
	buildSessionStateEvent,
	buildBackfillBatchEvent,
	buildBackfillDoneEvent,
	buildRemoteParty,
	chatKindFromIdKind,
	sidecarMessageEventId,
	toIsoString,
} from './builders';
export type { EnvelopeInput, SessionStateInput, BackfillBatchInput, BackfillDoneInput } from './builders';
export {
	MEDIA_KINDS,
	messageKindFromWebJsType,
	messageKindFromMetaType,
	messageStatusFromMeta,
	messageStatusFromWebJsAck,
} from './message-kinds';
export type { KindInfo } from './message-kinds';
export { normalizeMetaWebhook } from './normalize-meta-webhook';
export type { NormalizeMetaOptions, NormalizeMetaResult, NormalizeError } from './normalize-meta-webhook';
export { validateNormalizedEvent } from './validate-event';
export type { ValidationResult } from './validate-event';
export { expandEvent } from './expand-event';
export { cleanText, cleanStrings, REPLACEMENT_CHARACTER } from './clean-text';
export { upgradeEvent, withContent } from './upgrade-event';
export type { MessagePayloadInput } from './upgrade-event';
export { cloudApiMediaRef, sidecarMediaRef, parseMediaRef } from './media-ref';
export type { MediaRefParts } from './media-ref';
export { parseVcard } from './vcard';
