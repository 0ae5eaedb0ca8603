/** Session routes: start, state, list, health, disconnect, send. */
import QRCode from 'qrcode';
import type { SessionResponse } from '../../../../core/sidecar-api/types';
import type { OwnershipCheck } from '../../sessions/ownership';
import type { SessionManager, SessionView } from '../../sessions/session-manager';
import { asObject } from '../body';
import type { Router } from '../router';

/** A session's state for the API: the QR as text and as a PNG data URL while linking. */
export async function presentSession(view: SessionView): Promise<SessionResponse> {
	return {
		...view,
		qrDataUrl: view.qr ? await QRCode.toDataURL(view.qr, { errorCorrectionLevel: 'L', margin: 2, width: 264 }) : null,
	};
}

/** `owns` refuses to start a session another sidecar owns (sessions/ownership.ts); sessions already held are served whatever it says. */
export function registerSessionRoutes(router: Router, manager: SessionManager, owns: OwnershipCheck = () => undefined): void {
	router.add('POST', '/sessions/:id', async ({ params }) => {
		owns(params.id as string);
		return { status: 200, body: await presentSession(await manager.start(params.id as string)) };
	});

	router.add('GET', '/sessions/:id', async ({ params }) => ({ status: 200, body: await presentSession(manager.get(params.id as string)) }));

	router.add('GET', '/sessions', async () => {
		const views = manager.list();
		const health = await manager.healthAll();
		const byId = new Map(health.map((h) => [h.sessionId, h]));
		return {
			status: 200,
			body: { sessions: await Promise.all(views.map(async (v) => ({ ...(await presentSession(v)), health: byId.get(v.sessionId) ?? null }))) },
		};
	});

	router.add('GET', '/sessions/:id/health', async ({ params }) => ({ status: 200, body: await manager.health(params.id as string) }));

	router.add('DELETE', '/sessions/:id', async ({ params }) => ({ status: 200, body: await manager.disconnect(params.id as string) }));

	router.add('POST', '/sessions/:id/messages', async ({ params, body }) => {
		manager.get(params.id as string); // 422 / 404 before reading the body
		const input = asObject(await body());
		const result = await manager.sendText(params.id as string, input.to, input.text, input.quotedMessageId);
		return { status: 201, body: result };
	});
}
