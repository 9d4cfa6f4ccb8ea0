import type { Transaction } from "kysely";
import type { Database } from "./schema.js";
import type { Storage } from "./types.js";

/**
 * Runs `fn` in a transaction: committed if it resolves, rolled back if it throws (the error is rethrown).
 * Inside, use only `trx`: on SQLite `storage.db` has a single connection, which the transaction holds, so
 * a query on `storage.db` from within `fn` would wait forever.
 */
export function withTransaction<T>(storage: Storage, fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  return storage.db.transaction().execute(fn);
}
