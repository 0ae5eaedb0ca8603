/** Meta's WhatsApp Cloud API, framework-free: send bodies, the send response, error explanations, the outbound event. */
export type {
	MetaGraphError,
	MetaLocationMessageBody,
	MetaMarkReadBody,
	MetaMediaKind,
	MetaMediaMessageBody,
	MetaReactionMessageBody,
	MetaSendMessageBody,
	MetaSendMessageResponse,
	MetaTemplateComponent,
	MetaTemplateMessageBody,
	MetaTemplateTextParameter,
	MetaTextMessageBody,
} from './types';
export {
	buildLocationMessageBody,
	buildMarkReadBody,
	buildMediaMessageBody,
	buildReactionMessageBody,
	buildTemplateMessageBody,
	buildTextMessageBody,
	checkCoordinates,
	checkMediaMessageInput,
	checkEmoji,
	checkMessageId,
	MAX_CAPTION_LENGTH,
	MAX_MEDIA_BYTES,
	normalizeLanguageCode,
	CloudApiInputError,
	DEFAULT_TEMPLATE_LANGUAGE,
	MAX_TEMPLATE_NAME_LENGTH,
	MAX_TEXT_LENGTH,
} from './message-bodies';
export type {
	CloudApiInputCode,
	LocationMessageInput,
	MediaMessageInput,
	ReactionInput,
	TemplateButtonInput,
	TemplateHeaderInput,
	TemplateMessageInput,
	TextMessageInput,
} from './message-bodies';
export { parseSendMessageResponse, CloudApiResponseError } from './send-response';
export type { SentMessage } from './send-response';
export { META_ERROR_CODES, describeMetaError, explainMetaError, parseMetaErrorBody } from './error-codes';
export type { ExplainedMetaError, MetaErrorInfo, MetaErrorLike } from './error-codes';
export { buildCloudApiOutboundEvent, cloudApiMessageEventId } from './outbound-event';
export type { CloudApiOutboundInput } from './outbound-event';
export { bareMimeType, fileNameFromUrl, mediaKindOf, mimeTypeFromName } from './media-kind';
