/** Appending to and reading the shared `audit_log`. */
import type { Kysely } from "kysely";
import type { Database, IsoTimestamp } from "./schema.js";
import { fromJson, nowIso, toJson } from "./values.js";

export interface AuditEntry {
  id: number;
  at: IsoTimestamp;
  actor: string;
  action: string;
  details: Record<string, unknown>;
}

export interface NewAuditEntry {
  actor: string;
  action: string;
  details?: Record<string, unknown>;
  /** Defaults to now. */
  at?: IsoTimestamp;
}

/** Records one entry and returns its id. Pass a transaction to record it atomically with the change. */
export async function appendAudit(db: Kysely<Database>, entry: NewAuditEntry): Promise<number> {
  const row = await db
    .insertInto("audit_log")
    .values({ at: entry.at ?? nowIso(), actor: entry.actor, action: entry.action, details: toJson(entry.details ?? {}) })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Latest entries first, optionally for one action. */
export async function listAudit(
  db: Kysely<Database>,
  opts: { action?: string; limit?: number } = {},
): Promise<AuditEntry[]> {
  let query = db.selectFrom("audit_log").selectAll().orderBy("at", "desc").orderBy("id", "desc").limit(opts.limit ?? 100);
  if (opts.action !== undefined) query = query.where("action", "=", opts.action);
  const rows = await query.execute();
  return rows.map((r) => ({ ...r, details: fromJson<Record<string, unknown>>(r.details) }));
}
