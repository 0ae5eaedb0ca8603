export * from './types';
export * from './read-json-body';
export * from './event-filter';
export * from './receive-sidecar-webhook';
export * from './receive-meta-webhook';
export * from './delivery-ledger';
export * from './receiver-settings';
