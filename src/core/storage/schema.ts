/**
 * The shape of every table, for Kysely's type checking. The DDL lives in ./migrations; keep the two in step.
 *
 * A later pillar adds its tables by declaring `interface ScanRunTable { ... }` here (or in a file it owns,
 * imported here) and adding `scan_run: ScanRunTable` to `Database`, next to a migration that creates it.
 *
 * Column conventions (identical on SQLite and PostgreSQL, so there is one code path):
 * - ids: `Generated<number>` (PostgreSQL bigint is parsed to a JS number; see postgres.ts);
 * - timestamps: `IsoTimestamp`, ISO-8601 UTC text (`nowIso()`), which sorts correctly as text;
 * - JSON: `JsonText`, written with `toJson` and read with `fromJson`;
 * - booleans: `DbBool` (0/1), converted with `toDbBool`/`fromDbBool`.
 */
import type { Generated } from "kysely";

/** ISO-8601 UTC text, e.g. `2024-05-01T12:00:00.000Z`. */
export type IsoTimestamp = string;
/** A JSON document stored as text; see values.ts for why not jsonb. */
export type JsonText = string;
/** A boolean stored as integer 0/1: SQLite has no boolean type. */
export type DbBool = 0 | 1;

/** Small key/value facts about this installation (install id, creation time, ...). */
export interface MetaTable {
  key: string;
  value: string;
}

/** A generic record of who did what and when, shared by campaigns and the other pillars. */
export interface AuditLogTable {
  id: Generated<number>;
  at: IsoTimestamp;
  /** Who: a user name, `cli`, `server`, a scheduler job name, ... */
  actor: string;
  /** What, as a dotted verb: `campaign.start`, `share.publish`, ... */
  action: string;
  /** Any extra context, as a JSON object. */
  details: JsonText;
}

export interface Database {
  meta: MetaTable;
  audit_log: AuditLogTable;
}
