export * from './signatures';
export * from './phone';
export * from './events';
export * from './contacts';
export * from './webhooks';
export * from './cloud-api';
export * from './sidecar-api/types';
export * from './sidecar-api/session-owner';
