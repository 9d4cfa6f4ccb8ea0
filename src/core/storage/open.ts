/** The one entry point to the database: pick the backend from the URL, connect, migrate. */
import { migrateToLatest } from "./migrate.js";
import { openPostgres } from "./postgres.js";
import { openSqlite } from "./sqlite.js";
import type { Storage } from "./types.js";
import { parseDatabaseUrl } from "./url.js";

export interface OpenStorageOptions {
  /** `--db` / IOTSCOPE_DB; unset means the SQLite file `<dataDir>/iotscope.sqlite`. See url.ts for forms. */
  url?: string;
  dataDir: string;
  /** Apply pending migrations before returning (default true). */
  migrate?: boolean;
}

/**
 * Opens and verifies the database, so a bad URL fails here rather than at the first query.
 * Throws UsageError, with a one-line message, for anything the user can fix.
 */
export async function openStorage(opts: OpenStorageOptions): Promise<Storage> {
  const target = parseDatabaseUrl(opts.url, opts.dataDir);
  const storage = target.kind === "sqlite" ? await openSqlite(target.file) : await openPostgres(target);
  if (opts.migrate ?? true) {
    try {
      await migrateToLatest(storage);
    } catch (err) {
      await storage.close();
      throw err;
    }
  }
  return storage;
}
