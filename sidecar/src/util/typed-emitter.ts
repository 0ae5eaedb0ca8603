/** A minimal typed event emitter for driver sessions. Listener errors never reach the emitter's caller. */
import { EventEmitter } from 'node:events';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export class TypedEmitter<Events extends { [K in keyof Events]: (...args: any[]) => void }> {
	private readonly emitter = new EventEmitter();

	constructor(private readonly onListenerError: (event: string, err: unknown) => void = () => undefined) {
		this.emitter.setMaxListeners(50);
	}

	on<E extends keyof Events>(event: E, listener: Events[E]): void {
		this.emitter.on(event as string, listener);
	}

	emit<E extends keyof Events>(event: E, ...args: Parameters<Events[E]>): void {
		for (const listener of this.emitter.listeners(event as string)) {
			try {
				(listener as (...a: unknown[]) => void)(...args);
			} catch (err) {
				this.onListenerError(event as string, err);
			}
		}
	}

	removeAll(): void {
		this.emitter.removeAllListeners();
	}
}
