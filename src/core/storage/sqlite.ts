/** Opening the embedded SQLite backend: the zero-set-up default. */
import { mkdirSync, realpathSync } from "node:fs";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, sql } from "kysely";
import { UsageError, describeError } from "../errors.js";
import type { Database } from "./schema.js";
import { SharedFileSqliteDialect } from "./sqlite-dialect.js";
import { withStatementCache } from "./statement-cache.js";
import type { Storage } from "./types.js";

/** How long a write waits for another process's write lock before failing with SQLITE_BUSY. */
export const SQLITE_BUSY_TIMEOUT_MS = 5_000;

export async function openSqlite(file: string): Promise<Storage> {
  const inMemory = file === ":memory:";
  let native: BetterSqlite3.Database | undefined;
  try {
    if (!inMemory) mkdirSync(path.dirname(file), { recursive: true });
    native = new BetterSqlite3(file, { timeout: SQLITE_BUSY_TIMEOUT_MS });
    // WAL: readers never block the writer, so the server can answer while a scan writes.
    native.pragma("journal_mode = WAL");
    // NORMAL is durable against application crashes in WAL mode and much faster than FULL.
    native.pragma("synchronous = NORMAL");
    // Off by default in SQLite; PostgreSQL always enforces them, so enforce them here too.
    native.pragma("foreign_keys = ON");
  } catch (err) {
    native?.close();
    throw new UsageError(`cannot open SQLite database at ${file}: ${describeError(err)} (check --db or IOTSCOPE_DB)`, { cause: err });
  }

  const db = new Kysely<Database>({
    dialect: new SharedFileSqliteDialect({ database: withStatementCache(native) }, inMemory ? undefined : realpathSync(file)),
  });
  try {
    // Opening is lazy about the file header; the first query finds out whether this is a database at all.
    await sql`select count(*) from sqlite_master`.execute(db);
  } catch (err) {
    await db.destroy();
    throw new UsageError(`cannot open SQLite database at ${file}: ${describeError(err)} (check --db or IOTSCOPE_DB)`, { cause: err });
  }

  let closed: Promise<void> | undefined;
  return {
    db,
    dialect: "sqlite",
    location: file,
    close: () => (closed ??= db.destroy()),
  };
}
