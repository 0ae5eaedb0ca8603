/**
 * Why a session could not start, as the API reports it (`lastError` of a
 * session): a short code a form or a node can branch on, and a message a
 * person can act on. Both are log-safe (no phone number: the text goes through
 * redactText), so the same object may be logged, stored and shown.
 *
 * Without this the only trace of an offline sidecar (`net::ERR_NAME_NOT_RESOLVED
 * at https://web.whatsapp.com/`) was sidecar.log, and the Connect form kept
 * saying the session "is starting".
 */
import type { SessionStartError, SessionStartErrorCode } from '../../../core/sidecar-api/types';
import { errorText, redactText } from '../util/log-safety';

const MAX_DETAIL = 160;

/** The code and message for an error `driverSession.start()` rejected with. */
export function describeStartError(err: unknown, at: Date): SessionStartError {
	const text = redactText(errorText(err)).replace(/\s+/g, ' ').trim();
	const detail = text.slice(0, MAX_DETAIL);
	const { code, message } = classify(text, err, detail);
	return { code, message, at: at.toISOString() };
}

function classify(text: string, err: unknown, detail: string): { code: SessionStartErrorCode; message: string } {
	// Chromium's navigation errors (puppeteer: "net::ERR_NAME_NOT_RESOLVED at https://web.whatsapp.com/").
	const net = /\bnet::(ERR_[A-Z_]+)/.exec(text);
	if (net) {
		return {
			code: 'whatsapp_web_unreachable',
			message: `WhatsApp Web (https://web.whatsapp.com) could not be reached from the sidecar (${net[1]}). Check its internet access: DNS, proxy, firewall.`,
		};
	}
	if (/Failed to launch the browser process|Browser was not found|ENOENT|spawn .*chrom/i.test(text)) {
		return { code: 'browser_launch_failed', message: `Chromium could not be started (${detail}). Check CHROMIUM_PATH.` };
	}
	if (text === 'auth timeout' || (err as { code?: unknown } | null)?.code === 'TIMEOUT') {
		return { code: 'whatsapp_web_timeout', message: `WhatsApp Web did not load in time (${detail}). Check the sidecar's internet access.` };
	}
	return { code: 'start_failed', message: `The WhatsApp session could not start (${detail}).` };
}
