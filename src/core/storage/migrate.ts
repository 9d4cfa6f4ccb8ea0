/**
 * Applying the migrations in ./migrations with Kysely's Migrator.
 *
 * Concurrent migrators (two processes starting at once) are serialised: on PostgreSQL by Kysely's advisory
 * lock, on SQLite by the whole run being one `begin immediate` transaction (see sqlite.ts), which takes the
 * file's write lock before reading which migrations are already applied.
 */
import { Migrator, sql } from "kysely";
import type { Migration, MigrationProvider } from "kysely";
import { UsageError, describeError } from "../errors.js";
import { migrations as registry } from "./migrations/index.js";
import type { StorageMigration } from "./schema-helpers.js";
import type { Storage } from "./types.js";

export interface MigrationState {
  name: string;
  /** ISO-8601 UTC time it was applied, or null while pending. */
  appliedAt: string | null;
}

/** Applies every pending migration, in name order. Returns the names applied (none if up to date). */
export async function migrateToLatest(
  storage: Storage,
  migrations: Readonly<Record<string, StorageMigration>> = registry,
): Promise<{ applied: string[] }> {
  const migrator = await migratorFor(storage, migrations);
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const unknown = /previously executed migration (\S+) is missing/.exec(describeError(error));
    if (unknown) {
      throw new UsageError(
        `the database at ${storage.location} has migration ${unknown[1]}, which this version of iotscope does not know (it was written by a newer one): upgrade iotscope, or use another database with --db or IOTSCOPE_DB`,
        { cause: error },
      );
    }
    const failed = results.find((r) => r.status === "Error")?.migrationName;
    const what = failed === undefined ? "migrating" : `migration ${failed} failed`;
    throw new Error(`${what} on ${storage.location}: ${describeError(error)}`, { cause: error });
  }
  return { applied: results.filter((r) => r.status === "Success").map((r) => r.migrationName) };
}

/** Every known migration, in order, with when it was applied. Does not change the database. */
export async function migrationStatus(
  storage: Storage,
  migrations: Readonly<Record<string, StorageMigration>> = registry,
): Promise<MigrationState[]> {
  const migrator = await migratorFor(storage, migrations);
  const infos = await migrator.getMigrations();
  return infos.map((m) => ({ name: m.name, appliedAt: m.executedAt?.toISOString() ?? null }));
}

async function migratorFor(storage: Storage, migrations: Readonly<Record<string, StorageMigration>>): Promise<Migrator> {
  const provider: MigrationProvider = {
    getMigrations: async () =>
      Object.fromEntries(
        Object.entries(migrations).map(([name, m]): [string, Migration] => [name, { up: (db) => m.up(db, storage.dialect) }]),
      ),
  };
  return new Migrator({
    db: storage.db,
    provider,
    // Kysely looks its bookkeeping tables up by name across *all* schemas unless told which one, so on a
    // PostgreSQL database shared by several iotscope schemas it would find another schema's table.
    migrationTableSchema: storage.dialect === "postgres" ? await currentSchema(storage) : undefined,
  });
}

async function currentSchema(storage: Storage): Promise<string> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(storage.db);
  const schema = rows[0]?.schema;
  if (!schema) {
    throw new UsageError(
      `the PostgreSQL database at ${storage.location} has no schema to create tables in (its search_path names no existing schema): add ?schema=NAME to the URL in --db or IOTSCOPE_DB`,
    );
  }
  return schema;
}
