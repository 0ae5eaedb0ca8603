/**
 * Simulator controls (only with WHATSAPP_DRIVER=simulator): what a person or
 * WhatsApp would do to a linked phone — scan the QR, write from another
 * phone, type on the linked phone, remove the device — plus the failures the
 * service must survive (zombie session, dead browser).
 */
import { SidecarError, invalid } from '../../errors';
import { SimulatorError, type SimulatorDriver, type SimulatorSession } from '../../drivers/simulator';
import { parseSessionId } from '../../drivers/session-id';
import { asObject } from '../body';
import type { RequestContext, Router } from '../router';
import type { DriverMessageContent } from '../../drivers/driver';

function simulatedPhone(driver: SimulatorDriver, rawId: string): SimulatorSession {
	const id = parseSessionId(rawId);
	if (id === null) throw invalid('id', 'The session id must be a UUID.', 'invalid_session_id');
	const session = driver.simulatorSession(id);
	if (!session) throw new SidecarError(404, 'unknown_session', 'No such session (start it with POST /sessions/:id first).');
	return session;
}

function translate(err: unknown): never {
	if (err instanceof SimulatorError) {
		if (err.code === 'bad_input') throw invalid('body', err.message);
		if (err.code === 'browser_gone') throw new SidecarError(503, 'browser_gone', err.message);
		throw new SidecarError(409, err.code, err.message);
	}
	if (err instanceof Error && /Session closed|page has been closed/.test(err.message)) {
		throw new SidecarError(503, 'browser_gone', "The simulated session's browser is gone.");
	}
	throw err;
}

function optionalString(input: Record<string, unknown>, field: string): string | undefined {
	const v = input[field];
	if (v === undefined || v === null) return undefined;
	if (typeof v !== 'string') throw invalid(field, `${field} must be a string`);
	return v;
}

/** A plain object (a simulated message's `content`: the payload mapping checks each of its fields). */
function optionalObject(input: Record<string, unknown>, field: string): Record<string, unknown> | undefined {
	const v = input[field];
	if (v === undefined || v === null) return undefined;
	if (typeof v !== 'object' || Array.isArray(v)) throw invalid(field, `${field} must be an object`);
	return v as Record<string, unknown>;
}

function optionalNumber(input: Record<string, unknown>, field: string, min: number, max: number): number | undefined {
	const v = input[field];
	if (v === undefined || v === null) return undefined;
	if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw invalid(field, `${field} must be a number from ${min} to ${max}`);
	return v;
}

export function registerSimulatorRoutes(router: Router, driver: SimulatorDriver): void {
	const control = (path: string, act: (phone: SimulatorSession, input: Record<string, unknown>) => unknown) =>
		router.add('POST', `/simulator/sessions/:id/${path}`, async ({ params, body }: RequestContext) => {
			const phone = simulatedPhone(driver, params.id as string);
			const input = asObject(await body());
			try {
				return { status: 200, body: (await act(phone, input)) ?? { ok: true } };
			} catch (err) {
				return translate(err);
			}
		});

	router.add('GET', '/simulator/sessions/:id', async ({ params }) => ({ status: 200, body: simulatedPhone(driver, params.id as string).snapshot() }));

	// What the API had the phone send (files as size and SHA-256, never their bytes), for tests.
	router.add('GET', '/simulator/sessions/:id/sent', async ({ params }) => ({ status: 200, body: { sent: simulatedPhone(driver, params.id as string).sent() } }));

	control('link', (phone, input) => phone.link(optionalString(input, 'phone')));

	control('inbound', (phone, input) => {
		const from = optionalString(input, 'from');
		if (!from) throw invalid('from', 'from is required (a number or JID)');
		const group = input.group;
		if (group !== undefined && typeof group !== 'boolean' && typeof group !== 'string') throw invalid('group', 'group must be true or a group JID');
		const { message, delivered, stored } = phone.inbound({
			from,
			text: optionalString(input, 'text'),
			type: optionalString(input, 'type'),
			caption: optionalString(input, 'caption'),
			id: optionalString(input, 'id'),
			timestamp: optionalNumber(input, 'timestamp', 0, 1e11),
			group: group as string | boolean | undefined,
			status: input.status === true,
			notifyName: optionalString(input, 'notifyName'),
			resolvedPhoneJid: optionalString(input, 'resolvedPhoneJid') ?? null,
			content: optionalObject(input, 'content') as DriverMessageContent | undefined,
			size: optionalNumber(input, 'size', 0, Number.MAX_SAFE_INTEGER),
			mimeType: optionalString(input, 'mimeType'),
			fileName: optionalString(input, 'fileName'),
			mediaExpired: input.mediaExpired === true,
		});
		// Like a phone: the message is in the store (on disk) before anyone is told it arrived.
		return stored.then(() => ({ messageId: message.id, timestamp: message.timestamp, delivered }));
	});

	control('outbound-from-phone', (phone, input) => {
		const to = optionalString(input, 'to');
		const text = optionalString(input, 'text');
		if (!to) throw invalid('to', 'to is required');
		if (text === undefined) throw invalid('text', 'text is required');
		const message = phone.outboundFromPhone(to, text);
		return phone.flush().then(() => ({ messageId: message.id, timestamp: message.timestamp }));

	});

	control('history', (phone, input) =>
		phone.seed({
			days: optionalNumber(input, 'days', 1, 365),
			directChats: optionalNumber(input, 'directChats', 0, 500),
			groups: optionalNumber(input, 'groups', 0, 50),
			messagesPerDay: optionalNumber(input, 'messagesPerDay', 1, 200),
			seed: optionalNumber(input, 'seed', 0, 2 ** 31),
			media: typeof input.media === 'boolean' ? input.media : undefined,
			status: typeof input.status === 'boolean' ? input.status : undefined,
			lid: typeof input.lid === 'boolean' ? input.lid : undefined,
		}),
	);

	control('drop-link', (phone) => {
		phone.dropLink();
		return { ok: true };
	});

	control('zombie', (phone, input) => {
		phone.becomeZombie(input.hang === true);
		return { ok: true };
	});

	control('kill-browser', (phone) => {
		phone.killBrowser();
		return { ok: true };
	});

	control('not-on-whatsapp', (phone, input) => {
		const numbers = input.numbers;
		if (!Array.isArray(numbers) || !numbers.every((n) => typeof n === 'string')) throw invalid('numbers', 'numbers must be a list of phone numbers');
		phone.setNotOnWhatsApp(numbers as string[]);
		return { ok: true };
	});

	control('contact', (phone, input) => {
		const jid = optionalString(input, 'jid');
		if (!jid) throw invalid('jid', 'jid is required');
		phone.setContact(jid, { name: optionalString(input, 'name') ?? null, about: optionalString(input, 'about') ?? null });
		return { ok: true };
	});
}
