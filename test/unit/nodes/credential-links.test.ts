/**
 * The sidecar credential's documentation link (n8n shows it in the credential
 * dialog) points into this package's own repository, as package.json names
 * it, at a file that exists in the package's source.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { WhatsAppSidecarApi } from '../../../credentials/WhatsAppSidecarApi.credentials';

const ROOT = path.resolve(__dirname, '../../..');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
	homepage?: string;
	repository?: { url?: string };
};

test('package.json names the repository and its homepage consistently', () => {
	expect(pkg.homepage).toBe('https://github.com/n8n-nodes-whatsapp-crm/n8n-nodes-whatsapp-crm');
	expect(pkg.repository?.url).toBe(`git+${pkg.homepage}.git`);
});

test("the sidecar credential's documentation is the sidecar README of that repository", () => {
	const url = new WhatsAppSidecarApi().documentationUrl;
	expect(url).toBe(`${pkg.homepage}/blob/main/sidecar/README.md`);
	expect(existsSync(path.join(ROOT, url.slice(`${pkg.homepage}/blob/main/`.length)))).toBe(true);
});
