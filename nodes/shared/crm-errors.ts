/**
 * The CRM database's failures (PostgreSQL through n8n's Postgres credential),
 * worded for the person running the workflow, with a machine code
 * (./node-errors.ts): `crm_schema_missing`, `crm_unreachable`, or `crm_error`
 * for anything else. Database messages are kept: they carry no phone numbers
 * or texts.
 */
import type { INode } from 'n8n-workflow';
import { NodeError, NodeOperationError } from 'n8n-workflow';
import { errorCodeOf, withErrorCode } from './node-errors';

/** PostgreSQL error codes that mean the migrations have not run on this database. */
const MISSING_SCHEMA_CODES = new Set(['3F000', '42P01', '42703']);
/** Connection-level failures: the credential or the server. */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', '28P01', '28000', '3D000']);

/** The node error for what a CRM database call threw (a node error without a code gets `crm_error`). */
export function crmErrorToNodeError(node: INode, error: unknown, itemIndex: number): NodeError {
	if (error instanceof NodeError) return errorCodeOf(error) === null ? withErrorCode(error, 'crm_error') : error;
	const message = error instanceof Error ? error.message : String(error);
	const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : '';
	if (MISSING_SCHEMA_CODES.has(code)) {
		const missing = new NodeOperationError(node, `The CRM tables are missing in this database: ${message}`, {
			itemIndex,
			description:
				'Create them once with the package\'s migrations: `node db/migrate.js` (DATABASE_URL pointing at the database of the Postgres credential), or `npm start`, which applies them.',
		});
		return withErrorCode(missing, 'crm_schema_missing');
	}
	if (CONNECTION_CODES.has(code) || /connect|timeout/i.test(message)) {
		const unreachable = new NodeOperationError(node, `Could not reach the CRM database: ${message}`, {
			itemIndex,
			description: 'Check the Postgres credential of this node (host, port, database, user, password, SSL).',
		});
		return withErrorCode(unreachable, 'crm_unreachable');
	}
	return withErrorCode(new NodeOperationError(node, error instanceof Error ? error : message, { itemIndex }), 'crm_error');
}
