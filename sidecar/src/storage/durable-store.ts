/**
 * The sidecar's durable state: one LMDB environment (lmdb-js) in
 * `DATA_DIR/state/`, holding the outbox (pending events, dead letters, records
 * set aside) and the capture ledger (per-chat cursors, captured message ids)
 * in named databases.
 *
 * Why LMDB: every write is a copy-on-write transaction, so a kill -9 or a
 * power cut leaves the last committed state, never a torn one; lmdb-js
 * batches every write made in one event-loop turn into one transaction
 * (group commit: one fsync for a burst of events); and writes to several
 * databases of one environment can be made in one atomic transaction (an
 * event and the cursor that says it was captured). `overlappingSync` is off,
 * so a write's promise resolves only once its transaction is flushed to disk:
 * resolved means durable. The prebuilt binary ships in an npm package
 * (`@lmdb/lmdb-linux-x64`), so nothing is compiled or downloaded at install.
 *
 * One environment per folder per process (LMDB's rule): `openDurableStore`
 * hands out the same one to every caller and closes it with the last.
 */
import fs from 'node:fs';
import path from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import { ensurePrivateDir, privatizeFile } from './private-files';

export type StoreDatabase<V = unknown> = Database<V, Key>;
export type Key = Array<string | number> | string;

export interface DurableStore {
	/** The environment's folder (`<dataDir>/state`). */
	readonly path: string;
	/** A named database of the environment. `string` values are stored as UTF-8 text, `json` ones through msgpack. */
	db<V = unknown>(name: string, encoding?: 'string' | 'msgpack'): StoreDatabase<V>;
	/**
	 * Runs `write` in a transaction of the next commit, together with every
	 * other write of this event-loop turn; resolves once that commit is on disk.
	 */
	transaction<T>(write: () => T): Promise<T>;
	/** Releases this handle; the environment closes with the last one. */
	close(): Promise<void>;
}

interface OpenEnv {
	root: RootDatabase;
	dbs: Map<string, StoreDatabase<any>>;
	refs: number;
}

const envs = new Map<string, OpenEnv>();

export const STATE_FOLDER = 'state';

export function openDurableStore(dataDir: string): DurableStore {
	const dir = path.join(path.resolve(dataDir), STATE_FOLDER);
	let env = envs.get(dir);
	if (!env) {
		ensurePrivateDir(path.dirname(dir));
		ensurePrivateDir(dir);
		const root = open({
			path: dir,
			// Resolve a write only once it is flushed: acknowledged means durable.
			overlappingSync: false,
			maxDbs: 16,
			// Values are read once and parsed by their owner; no shared msgpack structures to corrupt.
			sharedStructuresKey: undefined,
		});
		// LMDB creates its files with 0664 minus the umask: narrow them (the folder is 0700 already).
		for (const name of fs.readdirSync(dir)) privatizeFile(path.join(dir, name));
		env = { root, dbs: new Map(), refs: 0 };
		envs.set(dir, env);
	}
	env.refs++;
	const own = env;
	let closed = false;
	return {
		path: dir,
		db<V>(name: string, encoding: 'string' | 'msgpack' = 'msgpack'): StoreDatabase<V> {
			const id = `${name}:${encoding}`;
			let db = own.dbs.get(id);
			if (!db) {
				db = own.root.openDB<V, Key>({ name, encoding });
				own.dbs.set(id, db);
			}
			return db as StoreDatabase<V>;
		},
		transaction: (write) => own.root.transaction(write),
		async close() {
			if (closed) return;
			closed = true;
			own.refs--;
			if (own.refs > 0) return;
			envs.delete(dir);
			await own.root.close();
		},
	};
}
