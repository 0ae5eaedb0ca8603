/** Phone numbers, Meta `wa_id`s and WhatsApp JIDs: parse, compare, format. */
export { parseWhatsAppId, whatsAppLidOf, BSUID_PATTERN } from './parse-whatsapp-id';
export { isE164, toChatJid, formatForMeta } from './e164';
export { canonicalPhoneForm, equivalentPhoneForms, whatsAppPhoneForm } from './equivalent-numbers';
export type { CountryCode, ParseOptions, ParsedWhatsAppId, WhatsAppIdKind } from './types';
export * from './country-code';
