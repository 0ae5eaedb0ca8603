import { rawOutputJson } from '../../support/n8n/cli';

describe('rawOutputJson: the JSON that `n8n execute --rawOutput` prints among its log lines', () => {
	const json = { data: { resultData: { runData: { Check: [{ ok: true, text: '{ not a line start }' }] } } } };
	const printed = JSON.stringify(json, null, 2);

	test('after log lines', () => {
		expect(rawOutputJson(`Migrations in progress\nExecution was successful:\n${printed}\n`)).toEqual(json);
	});

	test('followed by lines n8n logs while it shuts down', () => {
		expect(rawOutputJson(`Execution was successful:\n${printed}\nShutting down n8n...\n{"level":"warn"} stray\n`)).toEqual(json);
	});

	test('no JSON, or a JSON cut short: says so with the output', () => {
		expect(() => rawOutputJson('Error: workflow not found\n')).toThrow(/no JSON in the output/);
		expect(() => rawOutputJson(printed.slice(0, 40))).toThrow(/no complete JSON/);
	});
});
