import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../sidecar/src/logger';

/** The sidecar's own pino logger at its default level (info), formatting every line as in production but writing it nowhere. */
export function discardingLogger(): Logger {
	const sink = new Writable({
		write(_chunk, _encoding, callback) {
			callback();
		},
	});
	return createLogger('info', sink);
}
