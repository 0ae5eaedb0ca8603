// Copies the icons (icons/, one per node, referenced as `file:../../icons/x.svg`
// as n8n's community-node starter does: n8n resolves them relative to the built
// .js file) and each node's codex (`<Node>.node.json`: categories and
// documentation links, which n8n reads next to `<Node>.node.js`) into dist/.
const path = require('node:path');
const { task, src, dest } = require('gulp');

task('build:icons', () =>
	src(['icons/*.{png,svg}', 'nodes/**/*.{png,svg}', 'nodes/**/*.node.json', 'credentials/**/*.{png,svg}'], {
		base: '.',
		encoding: false,
	}).pipe(
		dest(path.resolve('dist')),
	),
);
