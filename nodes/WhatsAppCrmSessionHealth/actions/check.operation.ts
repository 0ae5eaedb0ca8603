/**
 * Ask the sidecar how one session, or every session, is doing. The sidecar
 * checks for real (the client's state, whether its page still answers, the
 * age of the last event), so a session that says connected but is dead
 * comes out unhealthy. A session whose sidecar cannot be reached is reported
 * `sidecar_unreachable` with healthy: null — nothing is known of the phone,
 * so nothing may treat it as dead.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';
import { executeItems } from '../../shared/execute-items';
import { getAllSessionsHealth, getSessionHealth, type SidecarHealthReport } from '../../shared/sidecar-client';
import { sessionIdProperty } from './common.descriptions';

const properties: INodeProperties[] = [
	{
		displayName: 'Sessions',
		name: 'scope',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'One Session', value: 'one', description: "Check one user's session" },
			{
				name: 'All Sessions',
				value: 'all',
				description: 'Check every session the sidecar (or each of the sidecars) holds, once per run whatever the number of input items: one item per session',
			},
		],
		default: 'one',
	},
	{ ...sessionIdProperty, displayOptions: { show: { scope: ['one'] } } },
	{
		displayName: 'Only Unhealthy',
		name: 'onlyUnhealthy',
		type: 'boolean',
		default: false,
		description:
			'Whether to output only the sessions that need attention (healthy: false) and the sidecars that cannot be reached (state: sidecar_unreachable). Sessions still starting after a sidecar restart (healthy: null) are left out.',
		displayOptions: { show: { scope: ['all'] } },
	},
];

export const description = updateDisplayOptions({ show: { operation: ['check'] } }, properties);

/** What each output item holds. */
export interface HealthItem extends IDataObject {
	/** Null only on the item of a sidecar that cannot be reached, with All Sessions (its sessions are not known). */
	sessionId: string | null;
	state: string | null;
	connected: boolean;
	healthy: boolean | null;
	reason: string | null;
	linkedPhone: string | null;
	lastEventAt: string | null;
	lastEventAgeSeconds: number | null;
	checkedAt: string;
	/** The sidecar that holds (or would hold) the session. */
	sidecarUrl: string;
}

/** The state and reason of a session whose sidecar cannot be reached. */
export const SIDECAR_UNREACHABLE = 'sidecar_unreachable';

function toItem(report: SidecarHealthReport, checkedAt: string, sidecarUrl: string): HealthItem {
	return {
		sessionId: report.sessionId,
		state: report.state,
		connected: report.connected,
		healthy: report.healthy,
		reason: report.reason,
		linkedPhone: report.linkedPhone,
		lastEventAt: report.lastEventAt,
		lastEventAgeSeconds: report.lastEventAgeSeconds,
		checkedAt,
		sidecarUrl,
	};
}

/** A session the sidecar does not know: reported (unhealthy), not an error, so a nightly check can flag it. */
function unknownSession(sessionId: string, checkedAt: string, sidecarUrl: string): HealthItem {
	return {
		sessionId,
		state: null,
		connected: false,
		healthy: false,
		reason: 'unknown_session',
		linkedPhone: null,
		lastEventAt: null,
		lastEventAgeSeconds: null,
		checkedAt,
		sidecarUrl,
	};
}

/**
 * The session's sidecar (or, with All Sessions, a sidecar) cannot be reached:
 * not known (healthy: null), never dead — the phone may be fine.
 */
function sidecarUnreachable(sessionId: string | null, checkedAt: string, sidecarUrl: string): HealthItem {
	return {
		sessionId,
		state: SIDECAR_UNREACHABLE,
		connected: false,
		healthy: null,
		reason: SIDECAR_UNREACHABLE,
		linkedPhone: null,
		lastEventAt: null,
		lastEventAgeSeconds: null,
		checkedAt,
		sidecarUrl,
	};
}

/**
 * One session: one check per input item. All sessions: one check for the whole
 * run, whatever the number of input items (checking once per item would list
 * every session once per item); its items are paired with input item 0, as n8n
 * does for nodes set to "Execute Once".
 */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[][]> {
	const scope = (items.length > 0 ? this.getNodeParameter('scope', 0, 'one') : 'one') as 'one' | 'all';
	if (scope === 'all') {
		return await executeItems(this, items.slice(0, 1), async (itemIndex) => {
			const onlyUnhealthy = this.getNodeParameter('onlyUnhealthy', itemIndex, false) as boolean;
			const { reports, unreachable } = await getAllSessionsHealth(this, itemIndex);
			const checkedAt = new Date().toISOString();
			return [
				...reports
					.filter(({ report }) => !onlyUnhealthy || report.healthy === false)
					.map(({ report, sidecarUrl }) => ({ json: toItem(report, checkedAt, sidecarUrl) })),
				...unreachable.map((sidecarUrl) => ({ json: sidecarUnreachable(null, checkedAt, sidecarUrl) })),
			];
		});
	}
	return await executeItems(this, items, async (itemIndex) => {
		const sessionId = this.getNodeParameter('sessionId', itemIndex);
		const health = await getSessionHealth(this, itemIndex, sessionId);
		const checkedAt = new Date().toISOString();
		const id = String(sessionId).trim();
		if (health.outcome === 'report') return [{ json: toItem(health.report, checkedAt, health.sidecarUrl) }];
		if (health.outcome === 'unknown') return [{ json: unknownSession(id, checkedAt, health.sidecarUrl) }];
		return [{ json: sidecarUnreachable(id, checkedAt, health.sidecarUrl) }];
	});
}
