/**
 * Starts bench/lib/receiver-child.js: a webhook receiver in its own process
 * that verifies every delivery with core's verifySidecarSignature and records
 * when each event id arrived.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface ReceiverProcess {
	/** The webhook URL to give the outbox / sidecar. */
	url: string;
	/** Event ids received (first arrival, epoch ms), refused deliveries, duplicate deliveries. */
	report(): Promise<{ received: Array<[string, number]>; rejected: number; duplicates: number }>;
	/** Forgets everything received so far. */
	reset(): Promise<void>;
	stop(): void;
}

export function startReceiver(secret: string): Promise<ReceiverProcess> {
	return new Promise((resolve, reject) => {
		const child: ChildProcess = fork(path.join(__dirname, 'receiver-child.js'), [], {
			env: { ...process.env, BENCH_WEBHOOK_SECRET: secret },
			stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
		});
		const ask = <T>(type: string) =>
			new Promise<T>((done) => {
				const onMessage = (m: { type: string } & T) => {
					if (m.type !== type) return;
					child.off('message', onMessage);
					done(m);
				};
				child.on('message', onMessage);
				child.send({ type });
			});
		child.once('error', reject);
		child.once('exit', (code) => reject(new Error(`the receiver process ended (exit code ${code}) before listening`)));
		child.once('message', (m: { type: string; url: string }) => {
			if (m.type !== 'listening') {
				reject(new Error('the receiver process did not start'));
				return;
			}
			resolve({
				url: m.url,
				report: () => ask('report'),
				reset: async () => {
					await ask('reset');
				},
				stop: () => {
					child.removeAllListeners('exit');
					child.kill();
				},
			});
		});
	});
}
