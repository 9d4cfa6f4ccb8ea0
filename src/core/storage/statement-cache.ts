/**
 * Prepared-statement reuse for SQLite. Kysely's SQLite driver calls `prepare()` for every query; for the
 * multi-row inserts every ingest path uses (scan results, tags, vulnerability records, honeypot events),
 * preparing costs about a quarter of the insert (measured: 72–94k rows/s preparing each time vs
 * 101–103k reusing, bare better-sqlite3, docs/benchmarks.md). So the database handed to Kysely keeps
 * the most recent statements by SQL text. A cached statement that is still being iterated (a streamed
 * query) is busy and cannot be reused: then a fresh one is prepared for that call.
 */
import type BetterSqlite3 from "better-sqlite3";
import type { SqliteDatabase, SqliteStatement } from "kysely";

const DEFAULT_SIZE = 256;

export function withStatementCache(native: BetterSqlite3.Database, size = DEFAULT_SIZE): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => native.close(),
    prepare(sql: string): SqliteStatement {
      const cached = cache.get(sql);
      if (cached && !cached.busy) {
        // Map order is insertion order: re-inserting marks it most recently used.
        cache.delete(sql);
        cache.set(sql, cached);
        return cached as unknown as SqliteStatement;
      }
      const stmt = native.prepare(sql);
      if (!cached) {
        cache.set(sql, stmt);
        if (cache.size > size) cache.delete(cache.keys().next().value!);
      }
      return stmt as unknown as SqliteStatement;
    },
  };
}
