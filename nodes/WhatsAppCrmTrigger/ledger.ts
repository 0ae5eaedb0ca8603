/**
 * Which delivery ledger a trigger node uses (core/webhooks/delivery-ledger.ts):
 * the CRM database when the node has a Postgres credential (durable, shared by
 * every n8n process), otherwise this process's memory. The objects cached
 * here are connections and in-memory ledgers — caches of the process, never
 * the durable state itself.
 */
import type { IWebhookFunctions } from 'n8n-workflow';
import type { Pool } from 'pg';
import { createMemoryLedger, type DeliveryLedger } from '../../core/webhooks/delivery-ledger';
import { createPostgresLedger } from '../../crm/delivery-ledger';
import { POSTGRES_CREDENTIAL_TYPE } from '../shared/credential-types';
import { cachedCredentials } from './credential-cache';
import { poolForSettings, postgresSettingsFromCredential } from '../shared/postgres-connection';

const memoryLedgers = new Map<string, DeliveryLedger>();
const postgresLedgers = new WeakMap<Pool, DeliveryLedger>();

/** How long the CRM database remembers a finished delivery: Meta may retry for 7 days; two weeks covers it. */
export const DURABLE_RETENTION_SECONDS = 14 * 24 * 60 * 60;

/** True when the node has a Postgres credential selected (the durable ledger). */
export function hasLedgerCredential(ctx: Pick<IWebhookFunctions, 'getNode'>): boolean {
	return Boolean(ctx.getNode().credentials?.[POSTGRES_CREDENTIAL_TYPE]);
}

/** The durable ledger in the CRM database of the node's Postgres credential. */
export async function postgresLedgerFor(ctx: Pick<IWebhookFunctions, 'getCredentials' | 'getNode' | 'getWorkflow'>, retentionSeconds: number): Promise<DeliveryLedger> {
	const pool = poolForSettings(postgresSettingsFromCredential(await cachedCredentials(ctx, POSTGRES_CREDENTIAL_TYPE)));
	let ledger = postgresLedgers.get(pool);
	if (!ledger) {
		ledger = createPostgresLedger(pool, { retentionSeconds: Math.max(DURABLE_RETENTION_SECONDS, retentionSeconds) });
		postgresLedgers.set(pool, ledger);
	}
	return ledger;
}

/** This process's ledger for one trigger node, remembering finished deliveries for `retentionMs`. */
export function memoryLedgerFor(scope: string, retentionMs: number): DeliveryLedger {
	const key = `${scope}:${retentionMs}`;
	let ledger = memoryLedgers.get(key);
	if (!ledger) {
		ledger = createMemoryLedger({ retentionMs });
		memoryLedgers.set(key, ledger);
	}
	return ledger;
}
