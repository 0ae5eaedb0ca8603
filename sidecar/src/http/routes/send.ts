/**
 * Sending beyond text: a file, a location, a reaction, a read receipt. Every
 * route needs the API key, checks its whole input before anything is sent
 * (422 naming the field; 404 `unknown_message`; 413 `media_too_large`) and
 * never logs a file, a number or a text.
 */
import { SidecarError } from '../../errors';
import type { SessionManager } from '../../sessions/session-manager';
import { mediaTooLarge } from '../../sessions/send-input';
import { asObject } from '../body';
import type { Router } from '../router';

export interface SendRoutesOptions {
	/** Largest file accepted, decoded (MAX_MEDIA_MB). */
	maxMediaBytes: number;
}

/** Base64 is 4/3 of the file, plus room for the other fields of the JSON. */
export function mediaBodyLimit(maxMediaBytes: number): number {
	return Math.ceil(maxMediaBytes / 3) * 4 + 64 * 1024;
}

export function registerSendRoutes(router: Router, manager: SessionManager, options: SendRoutesOptions): void {
	router.add(
		'POST',
		'/sessions/:id/media',
		async ({ params, body }) => {
			manager.get(params.id as string); // 422 / 404 before reading the body
			let raw: unknown;
			try {
				raw = await body();
			} catch (err) {
				if (err instanceof SidecarError && err.status === 413) throw mediaTooLarge(options.maxMediaBytes);
				throw err;
			}
			return { status: 201, body: await manager.sendMedia(params.id as string, asObject(raw), options.maxMediaBytes) };
		},
		{ bodyLimit: mediaBodyLimit(options.maxMediaBytes) },
	);

	router.add('POST', '/sessions/:id/location', async ({ params, body }) => {
		manager.get(params.id as string);
		return { status: 201, body: await manager.sendLocation(params.id as string, asObject(await body())) };
	});

	router.add('POST', '/sessions/:id/reactions', async ({ params, body }) => {
		manager.get(params.id as string);
		return { status: 200, body: await manager.react(params.id as string, asObject(await body())) };
	});

	router.add('POST', '/sessions/:id/read', async ({ params, body }) => {
		manager.get(params.id as string);
		return { status: 200, body: await manager.markRead(params.id as string, asObject(await body())) };
	});
}
