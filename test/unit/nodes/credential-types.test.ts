/**
 * The credential type names are written out in three kinds of places — the
 * credential classes, the node descriptions (both read as written by n8n's
 * lint) and nodes/shared/credential-types.ts (what the nodes ask n8n for at run
 * time) — and must be the same everywhere.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { INodeType, ICredentialType } from 'n8n-workflow';
import { CLOUD_API_CREDENTIAL_TYPE, POSTGRES_CREDENTIAL_TYPE, SIDECAR_CREDENTIAL_TYPE } from '../../../nodes/shared/credential-types';

const ROOT = path.resolve(__dirname, '../../..');
const n8n = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { n8n: { nodes: string[]; credentials: string[] } }).n8n;
/** The class a package.json entry (dist/…/X.node.js) is compiled from. */
function load<T>(entry: string): T {
	const source = path.join(ROOT, entry.replace(/^dist\//, '').replace(/\.js$/, '.ts'));
	const exported = require(source) as Record<string, new () => T>;
	return new (Object.values(exported)[0] as new () => T)();
}

test('the credential classes are named by the constants', () => {
	expect(n8n.credentials.map((entry) => load<ICredentialType>(entry).name).sort()).toEqual([CLOUD_API_CREDENTIAL_TYPE, SIDECAR_CREDENTIAL_TYPE].sort());
});

test('every node asks for credentials by those names only (or n8n’s Postgres credential)', () => {
	const known = new Set([SIDECAR_CREDENTIAL_TYPE, CLOUD_API_CREDENTIAL_TYPE, POSTGRES_CREDENTIAL_TYPE]);
	const named = n8n.nodes.flatMap((entry) => (load<INodeType>(entry).description.credentials ?? []).map((credential) => credential.name));
	expect(named.length).toBeGreaterThan(0);
	for (const name of named) expect(known).toContain(name);
});
