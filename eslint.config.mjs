// n8n's own lint rules for community node packages — the set @n8n/node-cli's
// `n8n-node lint` applies to packages without n8n Cloud support (package.json
// has "n8n": { "strict": false }: see README, "n8n's packaging conventions") —
// on the TypeScript sources and on package.json, as `n8n-node lint` does.
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import tseslint from 'typescript-eslint';

const communityNodes = n8nCommunityNodesPlugin.configs.recommendedWithoutN8nCloudSupport;

/** The deliberate exceptions, each for a reason the README gives. */
const exceptions = {
	// Self-hosted package: the CRM store needs pg and phone numbers need libphonenumber-js.
	'@n8n/community-nodes/no-runtime-dependencies': 'off',
	// Resolve Contact uses n8n's own Postgres credential, so an admin configures the CRM connection once.
	'@n8n/community-nodes/no-credential-reuse': 'off',
};

export default tseslint.config(
	{ ignores: ['dist/**', 'sidecar/**', 'node_modules/**', 'test/**', 'bench/**', 'scripts/**', 'db/**', '*.js', '*.mjs'] },
	{
		files: ['**/*.ts'],
		extends: [tseslint.configs.recommended, communityNodes],
		rules: exceptions,
	},
	{
		// The package.json rules (author, description, files, peer dependencies, the "n8n"
		// section, lifecycle scripts, overrides, …) run on package.json itself.
		files: ['package.json'],
		extends: [communityNodes],
		rules: exceptions,
		languageOptions: {
			parser: tseslint.parser,
			parserOptions: { extraFileExtensions: ['.json'] },
		},
	},
	{
		// core/ and crm/ are framework-free: they throw plain errors, and the nodes turn them
		// into NodeOperationError / NodeApiError with what to do.
		files: ['core/**/*.ts', 'crm/**/*.ts'],
		rules: { '@n8n/community-nodes/require-node-api-error': 'off' },
	},
);
