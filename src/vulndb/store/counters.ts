/**
 * Counters behind stable ids, read and advanced inside the caller's transaction (one batch at a time;
 * docs/vulndb.md says one sync at a time per database — two concurrent ones on PostgreSQL would make one
 * of them fail on the unique id, never write a duplicate).
 */
import type { Kysely } from "kysely";
import type { Database } from "../../core/storage/index.js";
import { selectIn } from "./chunk.js";

/** Reserves `counts[name]` values of each counter; returns the first value reserved of each. */
export async function reserve(db: Kysely<Database>, counts: ReadonlyMap<string, number>): Promise<Map<string, number>> {
  const names = [...counts.keys()];
  const rows = await selectIn(names, (c) => db.selectFrom("vuln_counters").select(["name", "value"]).where("name", "in", c).execute());
  const current = new Map(rows.map((r) => [r.name, Number(r.value)]));
  const first = new Map<string, number>();
  for (const name of names) {
    const start = (current.get(name) ?? 0) + 1;
    first.set(name, start);
    const value = start + counts.get(name)! - 1;
    await db
      .insertInto("vuln_counters")
      .values({ name, value })
      .onConflict((oc) => oc.column("name").doUpdateSet({ value }))
      .execute();
  }
  return first;
}
