/**
 * What the trigger checks when its workflow is activated (or starts listening
 * for a test event): the secrets it verifies deliveries with are filled in.
 * Without them every delivery would be answered 500 `no_secret_configured`
 * and no execution would ever appear, so activation fails instead, naming the
 * field and the credential to fill in.
 *
 * Nothing is registered on a third-party service: the sidecar is pointed at
 * the webhook URL by its WEBHOOK_URL setting, and Meta's callback URL is typed
 * into Meta's App Dashboard. So the node's `webhookMethods.default.checkExists`
 * validates and answers true (n8n then skips `create`), and `delete` has
 * nothing to remove.
 */
import type { ICredentialDataDecryptedObject, IHookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { isUsableSecret } from '../../core/signatures';
import { LEDGER_TABLE_EXISTS } from '../../crm/sql';
import { CLOUD_API_CREDENTIAL_TYPE, POSTGRES_CREDENTIAL_TYPE, SIDECAR_CREDENTIAL_TYPE } from '../shared/credential-types';
import { poolForSettings, postgresSettingsFromCredential } from '../shared/postgres-connection';
import { hasLedgerCredential } from './ledger';

const SIDECAR_CREDENTIAL = "'WhatsApp Sidecar API'";
const CLOUD_API_CREDENTIAL = "'Meta WhatsApp Cloud API'";


/**
 * What is missing for the trigger to verify deliveries from `source`, worded
 * for the person activating the workflow; null when nothing is.
 */
export function missingTriggerSecret(
	source: 'sidecar' | 'cloudApi',
	credentials: ICredentialDataDecryptedObject,
): { message: string; description: string } | null {
	if (source === 'cloudApi') {
		const missing = [
			isUsableSecret(credentials.appSecret) ? null : 'App Secret',
			isUsableSecret(credentials.verifyToken) ? null : 'Verify Token',
		].filter((field): field is string => field !== null);
		if (missing.length === 0) return null;
		return {
			message: `Fill in ${missing.map((field) => `"${field}"`).join(' and ')} in the ${CLOUD_API_CREDENTIAL} credential: the WhatsApp CRM Trigger cannot verify Meta's requests without ${missing.length > 1 ? 'them' : 'it'}.`,
			description:
				"App Secret: your Meta app's secret (App Dashboard > App Settings > Basic); every event Meta sends is signed with it. Verify Token: any string you choose, typed into the same credential and into Meta's webhook settings (WhatsApp > Configuration).",
		};
	}
	if (isUsableSecret(credentials.webhookSecret)) return null;
	return {
		message: `Fill in "Webhook Secret" in the ${SIDECAR_CREDENTIAL} credential: the WhatsApp CRM Trigger refuses every event it cannot verify.`,
		description: "Use the same value as the sidecar's WEBHOOK_SECRET setting; the sidecar signs every event with it.",
	};
}

/**
 * With a Postgres credential (version 2), the CRM database must have the
 * delivery ledger's tables (migration 0003). A database that cannot be
 * reached right now does not block activation: deliveries are then answered
 * 503 until it is back, and the sender retries.
 */
async function assertLedgerTablesExist(ctx: IHookFunctions): Promise<void> {
	if ((ctx.getNode().typeVersion ?? 1) < 2 || !hasLedgerCredential(ctx)) return;
	let missing: boolean;
	try {
		const pool = poolForSettings(postgresSettingsFromCredential(await ctx.getCredentials(POSTGRES_CREDENTIAL_TYPE)));
		const { rows } = await pool.query<{ ledger: string | null }>(LEDGER_TABLE_EXISTS);
		missing = rows[0]?.ledger === null;
	} catch {
		return;
	}
	if (missing) {
		const error = new NodeOperationError(
			ctx.getNode(),
			'The database of the selected Postgres credential has no delivery ledger: run the CRM migrations (node db/migrate.js) against it, or remove the Postgres credential from the WhatsApp CRM Trigger.',
			{ description: 'The trigger remembers deliveries in the table whatsapp_crm.webhook_deliveries, created by the migrations of this package (db/migrations, version 0003).' },
		);
		error.failure = { cause: 'configuration-invalid' };
		throw error;
	}
	await assertLedgerTablesExist(ctx);
}

/** Throws a NodeOperationError when the trigger's credential lacks a secret it needs, or its CRM database lacks the ledger. */
export async function assertTriggerConfigured(ctx: IHookFunctions): Promise<void> {
	const source = ctx.getNodeParameter('source', 'sidecar') === 'cloudApi' ? 'cloudApi' : 'sidecar';
	const credentials = await ctx.getCredentials(source === 'cloudApi' ? CLOUD_API_CREDENTIAL_TYPE : SIDECAR_CREDENTIAL_TYPE);
	const missing = missingTriggerSecret(source, credentials);
	if (missing) {
		const error = new NodeOperationError(ctx.getNode(), missing.message, { description: missing.description });
		error.failure = { cause: 'configuration-invalid' };
		throw error;
	}
	await assertLedgerTablesExist(ctx);
}

