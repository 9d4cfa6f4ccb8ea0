/** The stored state of each source (`vulns sources`). */
import type { Kysely } from "kysely";
import type { Database } from "../../core/storage/index.js";
import { fromJson } from "../../core/storage/index.js";
import type { Cursor } from "../sources/types.js";

export interface SourceState {
  name: string;
  cursor: Cursor | null;
  lastSyncAt: string | null;
  lastSuccessAt: string | null;
  records: number;
  errors: number;
  lastError: string | null;
}

export async function sourceStates(db: Kysely<Database>): Promise<Map<string, SourceState>> {
  const rows = await db.selectFrom("vuln_sources").selectAll().orderBy("name").execute();
  return new Map(
    rows.map((r) => [
      r.name,
      {
        name: r.name,
        cursor: r.cursor === null ? null : fromJson<Cursor>(r.cursor),
        lastSyncAt: r.last_sync_at,
        lastSuccessAt: r.last_success_at,
        records: Number(r.records),
        errors: Number(r.errors),
        lastError: r.last_error,
      },
    ]),
  );
}

/** Counts for `vulns sources` and the benchmark. */
export async function entryCounts(db: Kysely<Database>): Promise<{ entries: number; byKind: Record<string, number> }> {
  const rows = await db
    .selectFrom("vuln_entries")
    .select((eb) => ["kind", eb.fn.countAll<string | number>().as("n")])
    .groupBy("kind")
    .execute();
  const byKind = Object.fromEntries(rows.map((r) => [r.kind, Number(r.n)]));
  return { entries: Object.values(byKind).reduce((a, b) => a + b, 0), byKind };
}
