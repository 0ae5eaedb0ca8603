/**
 * The CRM store (PostgreSQL, schema `whatsapp_crm`, created by db/migrate.js):
 * framework-free data access used by the n8n nodes; every statement is also
 * exported (./sql) for workflows that use n8n's Postgres node.
 */
export * from './db';
export * from './connection';
export * from './contacts';
export * from './interactions';
export * from './payloads';
export * from './session-state';
export * from './notifications';
export * as crmSql from './sql';
