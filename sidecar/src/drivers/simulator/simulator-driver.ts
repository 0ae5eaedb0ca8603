/** The simulator driver: simulated linked phones, one per session, auth data on disk like LocalAuth's. */
import fs from 'node:fs';
import path from 'node:path';
import type { Driver, DriverSession } from '../driver';
import { sessionFolder, storedSessionIds } from '../session-id';
import { SIMULATOR_AUTH_FILE, SimulatorSession } from './simulator-session';

export interface SimulatorDriverOptions {
	sessionDir: string;
	/** Delay before a restored session reports ready (emulates a slow restore). */
	readyDelayMs?: number;
}

export class SimulatorDriver implements Driver {
	readonly name = 'simulator' as const;
	private readonly live = new Map<string, SimulatorSession>();

	constructor(private readonly options: SimulatorDriverOptions) {}

	createSession(sessionId: string): DriverSession {
		const session = new SimulatorSession(sessionId, this.authDataPath(sessionId), { readyDelayMs: this.options.readyDelayMs });
		this.live.set(sessionId, session);
		return session;
	}

	listStoredSessions(): Promise<string[]> {
		return storedSessionIds(this.options.sessionDir, (folder) => fs.existsSync(path.join(folder, SIMULATOR_AUTH_FILE)));
	}

	authDataPath(sessionId: string): string {
		return sessionFolder(this.options.sessionDir, sessionId);
	}

	/** The simulated phone behind a session (for the control endpoints), if the service created one. */
	simulatorSession(sessionId: string): SimulatorSession | undefined {
		return this.live.get(sessionId);
	}
}

export function createSimulatorDriver(options: SimulatorDriverOptions): SimulatorDriver {
	return new SimulatorDriver(options);
}
