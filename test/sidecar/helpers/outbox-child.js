/*
 * A sidecar stand-in for the outbox's kill -9 test, run with plain node.
 * Requires the outbox compiled to JS (OUTBOX_MODULE), starts it on DATA_DIR,
 * enqueues events `seq` FROM..COUNT for each of SESSIONS (comma-separated),
 * one at a time with a short pause, printing `enqueued <eventId>` once each is
 * durably stored, then waits until everything is delivered, prints `idle` and exits.
 * The parent kills it with SIGKILL whenever it likes.
 */
'use strict';
const pino = require('pino');

const { createOutbox } = require(process.env.OUTBOX_MODULE);

const sessions = process.env.SESSIONS.split(',').filter(Boolean);
const from = Number(process.env.FROM || '1');
const count = Number(process.env.COUNT || '0');
const pauseMs = Number(process.env.PAUSE_MS || '0');

const logger = pino({ level: process.env.LOG_LEVEL || 'warn' }, pino.destination(2));

function event(sessionId, seq) {
	return {
		schemaVersion: 1,
		eventId: `${sessionId}:evt:${seq}`,
		source: 'sidecar',
		sessionId,
		occurredAt: new Date().toISOString(),
		type: 'session.state',
		session: { state: 'connected', qr: null, reason: `seq ${seq}`, linkedPhone: null },
	};
}

async function main() {
	const outbox = createOutbox({
		dataDir: process.env.DATA_DIR,
		webhookUrl: process.env.WEBHOOK_URL,
		secret: process.env.WEBHOOK_SECRET,
		logger,
		baseDelayMs: 20,
		maxDelayMs: 200,
		maxAttempts: 1000,
	});
	outbox.start();
	for (let seq = from; seq <= count; seq++) {
		for (const sessionId of sessions) {
			const e = event(sessionId, seq);
			await outbox.enqueue(e);
			process.stdout.write(`enqueued ${e.eventId}\n`);
		}
		if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
	}
	await outbox.onIdle();
	process.stdout.write('idle\n');
	await outbox.stop();
}

main().catch((err) => {
	process.stderr.write(`${err && err.stack ? err.stack : String(err)}\n`);
	process.exit(1);
});
