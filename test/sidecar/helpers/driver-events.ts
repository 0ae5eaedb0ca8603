/**
 * Watching a driver session in tests: a logger that keeps every line (to check
 * nothing private was logged) and a recorder of the session's events in order.
 */
import type { DriverMessage, DriverSession, DriverSessionEvents } from '../../../sidecar/src/drivers/driver';
import type { DriverLogger } from '../../../sidecar/src/drivers/webjs';

export function captureLogger(): DriverLogger & { lines: string[] } {
	const lines: string[] = [];
	const log = (level: string) => (obj: object, msg?: string) => lines.push(JSON.stringify({ level, ...obj, msg }));
	return { lines, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

const EVENT_NAMES: Array<keyof DriverSessionEvents> = ['qr', 'authenticated', 'auth_failure', 'ready', 'change_state', 'disconnected', 'message', 'message_ack'];

/**
 * Collects a session's events in order. `next(name, count)` waits for the first
 * `count` events of that name (up to `timeoutMs`, polling every `pollMs`).
 */
export function recordEvents(session: DriverSession, options: { timeoutMs: number; pollMs: number }) {
	const events: Array<{ event: keyof DriverSessionEvents; args: unknown[] }> = [];
	for (const name of EVENT_NAMES) session.on(name, ((...args: unknown[]) => events.push({ event: name, args })) as never);
	const next = async (name: keyof DriverSessionEvents, count = 1, timeoutMs = options.timeoutMs): Promise<unknown[][]> => {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const found = events.filter((e) => e.event === name);
			if (found.length >= count) return found.slice(0, count).map((e) => e.args);
			if (Date.now() > deadline) throw new Error(`no ${name} event (have: ${events.map((e) => e.event).join(', ')})`);
			await new Promise((r) => setTimeout(r, options.pollMs));
		}
	};
	const messages = () => events.filter((e) => e.event === 'message').map((e) => e.args[0] as DriverMessage);
	return { events, next, messages };
}
