'use strict';
/**
 * A webhook receiver in its own process (as n8n is, in production): a plain
 * node:http server on loopback that verifies every delivery with core's
 * verifySidecarSignature (401 otherwise) and answers 200 at once. It records
 * when each event id first arrived (epoch milliseconds, sub-millisecond
 * precision) and hands the record to its parent on request.
 *
 * Protocol (IPC): child → { type: 'listening', url }; parent → { type: 'report' };
 * child → { type: 'report', received: [[eventId, atMs], …], rejected, duplicates }.
 */
const http = require('node:http');
const { performance } = require('node:perf_hooks');
const path = require('node:path');

require(path.join(__dirname, 'ts-register.js')).register();
const { verifySidecarSignature } = require(path.join(__dirname, '..', '..', 'core', 'signatures', 'index.ts'));

const secret = process.env.BENCH_WEBHOOK_SECRET;
const received = new Map();
let rejected = 0;
let duplicates = 0;

const server = http.createServer((req, res) => {
	const chunks = [];
	req.on('data', (c) => chunks.push(c));
	req.on('end', () => {
		const at = performance.timeOrigin + performance.now();
		const body = Buffer.concat(chunks);
		const verdict = verifySidecarSignature({ secrets: secret, headers: req.headers, body });
		if (!verdict.ok) {
			rejected++;
			res.writeHead(401).end();
			return;
		}
		if (received.has(verdict.id)) duplicates++;
		else received.set(verdict.id, at);
		res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
	});
});
server.keepAliveTimeout = 30_000;

server.listen(0, '127.0.0.1', () => {
	process.send({ type: 'listening', url: `http://127.0.0.1:${server.address().port}/webhook` });
});

process.on('message', (message) => {
	if (message && message.type === 'report') {
		process.send({ type: 'report', received: [...received], rejected, duplicates });
	} else if (message && message.type === 'reset') {
		received.clear();
		rejected = 0;
		duplicates = 0;
		process.send({ type: 'reset' });
	}
});
process.on('disconnect', () => process.exit(0));
