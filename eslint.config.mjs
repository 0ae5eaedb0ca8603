// n8n's own lint rules for community node packages (the set @n8n/node-cli
// applies for packages without n8n Cloud support), on the TypeScript sources.
// The package.json rules run from those files too.
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import tseslint from 'typescript-eslint';

export default tseslint.config(
	{ ignores: ['dist/**', 'sidecar/**', 'node_modules/**', 'test/**', 'bench/**', 'scripts/**', 'db/**', '*.js', '*.mjs'] },
	{
		files: ['**/*.ts'],
		extends: [tseslint.configs.recommended, n8nCommunityNodesPlugin.configs.recommendedWithoutN8nCloudSupport],
		rules: {
			// Self-hosted package: phone numbers need libphonenumber-js and the CRM store needs pg.
			'@n8n/community-nodes/no-runtime-dependencies': 'off',
			// Resolve Contact uses n8n's own Postgres credential, so an admin configures the CRM connection once.
			'@n8n/community-nodes/no-credential-reuse': 'off',
		},
	},
	{
		// core/ and crm/ are framework-free: they throw plain errors, and the nodes turn them
		// into NodeOperationError / NodeApiError with what to do.
		files: ['core/**/*.ts', 'crm/**/*.ts'],
		rules: { '@n8n/community-nodes/require-node-api-error': 'off' },
	},
);
