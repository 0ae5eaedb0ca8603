/** Real webhook bodies and an independent HMAC (openssl) shared by the signature tests. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A Meta Cloud API body as Meta sends it: unicode and slashes escaped, compact. */
export const META_ESCAPED_BODY = String.raw`{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Jos\u00e9 \ud83d\ude00"},"wa_id":"5511987654321"}],"messages":[{"from":"5511987654321","id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=","timestamp":"1749416383","text":{"body":"Caf\u00e9 at https:\/\/example.com\/menu \ud83d\ude00"},"type":"text"}]},"field":"messages"}]}]}`;

/** Raw UTF-8 (not escaped) emoji and accents, as the sidecar's JSON.stringify produces. */
export const RAW_UTF8_BODY = Buffer.from('{"type":"message","text":"Olá 😀 👍🏽 — ok"}', 'utf8');

/** Odd whitespace: tabs, CRLF, spaces around separators, trailing newline. */
export const ODD_WHITESPACE_BODY = Buffer.from('{ "a" :\t1 ,\r\n  "b" : [ ] ,"c":"x  y" }\n', 'utf8');

/** Runs `openssl dgst -sha256 -hmac <key>` on a temp file holding `bytes`; returns the hex digest. */
export function opensslHmacHex(key: string, bytes: Buffer): string {
	const dir = mkdtempSync(join(tmpdir(), 'sig-test-'));
	try {
		const file = join(dir, 'payload.bin');
		writeFileSync(file, bytes);
		const out = execFileSync('openssl', ['dgst', '-sha256', '-hmac', key, file], { encoding: 'utf8' });
		const match = /=\s*([0-9a-f]{64})\s*$/.exec(out);
		if (!match) throw new Error(`unexpected openssl output: ${out}`);
		return match[1];
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}
