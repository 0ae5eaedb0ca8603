/**
 * The credential types the nodes ask n8n for at run time (`getCredentials`,
 * `httpRequestWithAuthentication`). The same names are also written out as
 * literals where n8n's own tools read them without running the code: each
 * credential class's `name`, and the `credentials` of each node description
 * (n8n's community-node lint checks those against each other as written).
 * test/unit/nodes/credential-types.test.ts keeps all of them equal to these.
 */

/** credentials/WhatsAppSidecarApi.credentials.ts */
export const SIDECAR_CREDENTIAL_TYPE = 'whatsAppSidecarApi';

/** credentials/WhatsAppCloudApi.credentials.ts */
export const CLOUD_API_CREDENTIAL_TYPE = 'whatsAppCloudApi';

/**
 * n8n's own Postgres credential (n8n-nodes-base), so one connection serves
 * these nodes and the workflows' Postgres nodes.
 */
export const POSTGRES_CREDENTIAL_TYPE = 'postgres';
