/**
 * The publish workflow (.github/workflows/publish.yml) cannot run here: it is
 * checked as GitHub Actions would read it. A version tag builds and tests the
 * package, and only then is the tested tarball published to npm with a
 * provenance statement, by a job that alone holds the rights to publish and
 * runs no dependency code.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

interface Step {
	name?: string;
	uses?: string;
	run?: string;
	with?: Record<string, unknown>;
	env?: Record<string, string>;
}
interface Job {
	needs?: string | string[];
	permissions?: Record<string, string>;
	steps: Step[];
}
interface Workflow {
	on: { push?: { tags?: string[] } };
	permissions?: Record<string, string>;
	jobs: Record<string, Job>;
}

const ROOT = path.resolve(__dirname, '..', '..', '..');
const workflow = parse(readFileSync(path.join(ROOT, '.github', 'workflows', 'publish.yml'), 'utf8')) as Workflow;
const jobs = Object.entries(workflow.jobs);
const runs = (job: Job) => job.steps.flatMap((step) => (step.run ?? '').split('\n').map((line) => line.trim()).filter(Boolean));
const indexOfRun = (job: Job, pattern: RegExp) => runs(job).findIndex((line) => pattern.test(line));

const publishing = jobs.filter(([, job]) => runs(job).some((line) => /^npm publish\b/.test(line)));
const [publishName, publishJob] = publishing[0] ?? [];

test('a pushed version tag starts it, and the tag must be the version in package.json', () => {
	expect(workflow.on.push?.tags).toEqual(['v*']);
	const version = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
	expect(version).toMatch(/^\d+\.\d+\.\d+/);
	const testing = jobs.find(([, job]) => indexOfRun(job, /^npm test$/) >= 0)![1];
	expect(runs(testing).some((line) => line.includes('require(\'./package.json\').version') && line.includes('$GITHUB_REF_NAME'))).toBe(true);
});

test('one job publishes, with --provenance, and only it may mint the OIDC token provenance needs', () => {
	expect(publishing).toHaveLength(1);
	expect(runs(publishJob!).find((line) => /^npm publish\b/.test(line))).toMatch(/^npm publish \S+\.tgz --provenance --access public$/);
	expect(publishJob!.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
	expect(workflow.permissions).toEqual({ contents: 'read' });
	for (const [name, job] of jobs) if (name !== publishName) expect(job.permissions?.['id-token']).toBeUndefined();
	const publish = publishJob!.steps.find((step) => /^npm publish\b/.test(step.run ?? ''))!;
	expect(publish.env).toEqual({ NODE_AUTH_TOKEN: '${{ secrets.NPM_TOKEN }}' });
	const node = publishJob!.steps.find((step) => step.uses?.startsWith('actions/setup-node@'));
	expect(node?.with?.['registry-url']).toBe('https://registry.npmjs.org');
});

test('it publishes only after a job that ran npm ci, the build and every test, and publishes the tarball that job tested', () => {
	const needs = [publishJob!.needs ?? []].flat();
	expect(needs).toHaveLength(1);
	const testing = workflow.jobs[needs[0]!]!;
	const install = indexOfRun(testing, /^npm ci\b/);
	const build = indexOfRun(testing, /^npm run build$/);
	const test = indexOfRun(testing, /^npm test$/);
	const pack = indexOfRun(testing, /^npm pack\b/);
	expect(install).toBeGreaterThanOrEqual(0);
	expect([install < build, build < test, test < pack]).toEqual([true, true, true]);
	const uploaded = testing.steps.find((step) => step.uses?.startsWith('actions/upload-artifact@'));
	const downloaded = publishJob!.steps.find((step) => step.uses?.startsWith('actions/download-artifact@'));
	expect(uploaded?.with?.name).toBeDefined();
	expect(downloaded?.with?.name).toBe(uploaded?.with?.name);
});

test('the publishing job installs and runs no dependency code', () => {
	for (const line of runs(publishJob!)) expect(line).not.toMatch(/^(npm (ci|install|i|run|test|exec)|npx|node)\b/);
	expect(publishJob!.steps.some((step) => step.uses?.startsWith('actions/checkout@'))).toBe(false);
});
