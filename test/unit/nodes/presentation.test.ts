/**
 * How the nodes present themselves in n8n's editor, checked on the files n8n reads:
 * each node has an icon of its own (light and dark, files that exist), a codex
 * (`<Node>.node.json`, read next to the built `.node.js`: categories for the node
 * panel, documentation links), and "Docs" links that resolve — sections of this
 * repository's README (GitHub's heading anchors), never an npm page.
 * The Source parameter stays in the node's panel: credentials chosen by it are
 * written with `hide`, since n8n's editor moves a parameter that credentials are
 * `show`n by out of the panel (it takes it for the authentication selector).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ICredentialType, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { README_URL } from '../../../nodes/shared/documentation';

const ROOT = path.resolve(__dirname, '../../..');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
	name: string;
	homepage: string;
	files: string[];
	n8n: { nodes: string[]; credentials: string[] };
};

function sourceOf(entry: string): string {
	return path.join(ROOT, entry.replace(/^dist\//, '').replace(/\.js$/, '.ts'));
}
function load<T>(entry: string): T {
	const exported = require(sourceOf(entry)) as Record<string, new () => T>;
	return new (Object.values(exported)[0] as new () => T)();
}

/** GitHub's anchor for a Markdown heading. */
const slug = (heading: string) =>
	heading
		.trim()
		.toLowerCase()
		.replace(/[^\p{L}\p{N}\s_-]/gu, '')
		.replace(/\s/g, '-');
const README_ANCHORS = new Set(
	readFileSync(path.join(ROOT, 'README.md'), 'utf8')
		.split('\n')
		.filter((line) => /^#{1,6} /.test(line))
		.map((line) => slug(line.replace(/^#+ /, ''))),
);

function expectReadmeSection(url: string): void {
	expect(url.startsWith(`${README_URL}#`)).toBe(true);
	expect(README_ANCHORS).toContain(url.slice(README_URL.length + 1));
}

interface Codex {
	node: string;
	categories: string[];
	resources: { primaryDocumentation: Array<{ url: string }>; credentialDocumentation?: Array<{ url: string }> };
}

const nodes = pkg.n8n.nodes.map((entry) => ({ entry, description: load<INodeType>(entry).description as INodeTypeDescription }));

test('the README link is the README of the repository package.json names', () => {
	expect(README_URL).toBe(`${pkg.homepage}/blob/main/README.md`);
	expect(README_ANCHORS).toContain('the-trigger-and-its-two-sources');
});

describe.each(nodes.map((n) => [n.description.displayName, n] as const))('%s', (_name, { entry, description }) => {
	test('its codex names the node, puts it in Communication and Sales, and links to README sections', () => {
		const codexFile = sourceOf(entry).replace(/\.ts$/, '.json');
		const codex = JSON.parse(readFileSync(codexFile, 'utf8')) as Codex;
		expect(codex.node).toBe(`${pkg.name}.${description.name}`);
		expect(codex.categories).toEqual(['Communication', 'Sales']);
		expect(codex.resources.primaryDocumentation).toHaveLength(1);
		for (const { url } of [...codex.resources.primaryDocumentation, ...(codex.resources.credentialDocumentation ?? [])]) expectReadmeSection(url);
		// The editor's "Docs" link: the description's documentationUrl (used as written; the codex link gets query
		// parameters appended, which would land inside the #anchor).
		expect(description.documentationUrl).toBe(codex.resources.primaryDocumentation[0]!.url);
	});

	test('its icon has a light and a dark file under icons/', () => {
		const icon = description.icon as { light: string; dark: string };
		for (const file of [icon.light, icon.dark]) {
			expect(file).toMatch(/^file:\.\.\/\.\.\/icons\/[\w.-]+\.svg$/);
			expect(existsSync(path.resolve(path.dirname(sourceOf(entry)), file.slice('file:'.length)))).toBe(true);
		}
	});
});

test('every node has an icon of its own; icons/ ships in the package', () => {
	const icons = nodes.map(({ description }) => (description.icon as { light: string }).light);
	expect(new Set(icons).size).toBe(nodes.length);
	expect(pkg.files).toContain('dist/icons');
	for (const entry of pkg.n8n.credentials) {
		const icon = load<ICredentialType>(entry).icon as { light: string; dark: string };
		for (const file of [icon.light, icon.dark]) expect(existsSync(path.resolve(path.dirname(sourceOf(entry)), file.slice('file:'.length)))).toBe(true);
	}
});

test('no credential is *shown* by a parameter (n8n would hide that parameter from the node panel)', () => {
	for (const { description } of nodes) {
		const sourceParameter = description.properties.find((p) => p.name === 'source');
		for (const credential of description.credentials ?? []) {
			const shownBy = Object.keys(credential.displayOptions?.show ?? {}).filter((key) => !key.startsWith('@'));
			expect({ node: description.name, credential: credential.name, shownBy }).toEqual({ node: description.name, credential: credential.name, shownBy: [] });
		}
		if (sourceParameter) {
			expect((description.credentials ?? []).filter((c) => c.displayOptions?.hide?.source).map((c) => c.name).sort()).toEqual(['whatsAppCloudApi', 'whatsAppSidecarApi']);
		}
	}
});
