/**
 * JSON logs (pino). Call sites log ids only (see util/log-safety.ts); the
 * redaction list below is a second line of defence for fields that would carry
 * a number or a text if someone ever passed a whole object.
 */
import pino from 'pino';
import type { LogLevel } from './config';

export type Logger = pino.Logger;

const REDACT_PATHS = [
	'phone',
	'text',
	'body',
	'to',
	'from',
	'qr',
	'*.phone',
	'*.text',
	'*.body',
	'*.to',
	'*.from',
	'*.qr',
	'*.chatId',
	'*.rawId',
	'*.linkedPhone',
	'chatId',
	'rawId',
	'linkedPhone',
	'req.headers.authorization',
];

export function createLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
	const options: pino.LoggerOptions = {
		level,
		base: { service: 'whatsapp-crm-sidecar' },
		redact: { paths: REDACT_PATHS, censor: '[redacted]' },
		timestamp: pino.stdTimeFunctions.isoTime,
	};
	return destination ? pino(options, destination) : pino(options);
}
