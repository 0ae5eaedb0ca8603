/**
 * util/durable-file.ts, the one way the sidecar replaces a file: the new
 * content in place, private to the sidecar's user, and no temp file left
 * behind when the replacement fails.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileDurably, writeFileDurablySync } from '../../sidecar/src/util/durable-file';

let dir: string;
beforeEach(() => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'durable-file-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe.each([
	['writeFileDurably', (file: string, content: string) => writeFileDurably(file, content)],
	['writeFileDurablySync', async (file: string, content: string) => writeFileDurablySync(file, content)],
])('%s', (_name, write) => {
	it('replaces the file with the new content, readable by its owner only, and leaves nothing else', async () => {
		const file = path.join(dir, 'state.json');
		fs.writeFileSync(file, '{"old":true}');
		await write(file, '{"new":true}');
		expect(fs.readFileSync(file, 'utf8')).toBe('{"new":true}');
		expect(fs.readdirSync(dir)).toEqual(['state.json']);
		await write(path.join(dir, 'fresh.json'), '{}');
		expect(fs.statSync(path.join(dir, 'fresh.json')).mode & 0o777).toBe(0o600);
	});

	it('removes its temp file when the replacement fails', async () => {
		// A folder where the file should go: the rename fails.
		const file = path.join(dir, 'taken');
		fs.mkdirSync(path.join(file, 'inside'), { recursive: true });
		await expect(write(file, '{}')).rejects.toThrow();
		expect(fs.readdirSync(dir)).toEqual(['taken']);
	});
});
