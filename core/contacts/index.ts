/** Contact matching: the rule and an in-memory store. */
export * from './types';
export * from './resolve-contact';
export * from './memory-store';
