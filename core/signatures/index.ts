/** Webhook signatures: the sidecar's scheme, Meta's scheme and Meta's GET handshake. */
export * from './types';
export * from './sidecar-signature';
export * from './meta-signature';
export * from './meta-handshake';
export { isUsableSecret, safeEqualStrings, safeEqualBytes, toBytes } from './hmac';
export { firstHeaderValue } from './headers';
