// Copies node and credential icons next to the compiled files, as n8n's
// community-node starter does: n8n resolves `icon: 'file:x.svg'` relative to
// the built .js file.
const path = require('node:path');
const { task, src, dest } = require('gulp');

task('build:icons', () =>
	src(['nodes/**/*.{png,svg}', 'credentials/**/*.{png,svg}'], { base: '.', encoding: false }).pipe(
		dest(path.resolve('dist')),
	),
);
