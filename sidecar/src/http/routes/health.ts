/** Liveness, the all-sessions health check (what the n8n credential test calls) and Prometheus metrics. */
import type { Metrics } from '../../metrics';
import type { SessionManager } from '../../sessions/session-manager';
import type { Router } from '../router';

export function registerHealthRoutes(router: Router, manager: SessionManager, metrics: Metrics): void {
	router.add('GET', '/healthz', async () => ({ status: 200, body: { ok: true } }), { public: true });

	router.add('GET', '/metrics', async () => ({ status: 200, body: null, text: metrics.render(), contentType: 'text/plain; version=0.0.4; charset=utf-8' }), { public: true });

	router.add('GET', '/health', async () => ({ status: 200, body: { ok: true, sessions: await manager.healthAll() } }));
}
