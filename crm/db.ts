/**
 * What the CRM functions need from a database handle: a pg `Pool`, a
 * `PoolClient` (to run several calls in one transaction) or a `Client`.
 */
import type { QueryResult, QueryResultRow } from 'pg';

export interface Queryable {
	query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
}

/** A timestamp column as ISO 8601 UTC (pg gives Date objects; nodes emit JSON). */
export function isoTimestamp(value: unknown): string | null {
	if (value === null || value === undefined) return null;
	if (value instanceof Date) return value.toISOString();
	return new Date(String(value)).toISOString();
}

/** A required timestamp column as ISO 8601 UTC. */
export function isoTimestampOf(value: unknown): string {
	return isoTimestamp(value) ?? new Date(0).toISOString();
}
