/**
 * Correlation of one batch, inside the ingest transaction: the changed source records are placed in the
 * alias graph, every entry they touch is re-merged from all its source records, entries that the batch
 * joins are merged (the older id survives, the other becomes a redirecting alias), and the search rows,
 * exploit links and flags are rewritten for those entries only. Cost is per batch, not per database: a
 * handful of IN-list reads and bulk writes, whatever the size of the tables.
 *
 * Entries never split: when a source record drops an alias, the entry keeps it (a split would change
 * the id that consumers hold). docs/vulndb.md § Correlation says so.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../core/storage/index.js";
import { toDbBool, toJson } from "../../core/storage/index.js";
import type { IotVerdict, MergedEntry } from "../format/entry.js";
import type { RecordKind, SourceRecord } from "../record.js";
import { eachChunk, insertChunk, chunks, selectIn } from "../store/chunk.js";
import { reserve } from "../store/counters.js";
import { canonicalAlias, recordKeys } from "./alias.js";
import { mergeRecords } from "./merge.js";
import { productRows } from "./products.js";
import { UnionFind } from "./union-find.js";

/** Decides IoT relevance of a merged entry from it and the source records it was merged from. */
export type Classifier = (entry: MergedEntry, records: readonly SourceRecord[]) => IotVerdict;

export interface CorrelateInput {
  record: SourceRecord;
  /** The entry this record was merged into before (from vuln_source_records), when it existed. */
  previousEntryId?: string;
}

export interface CorrelateOptions {
  now: string;
  /** The IoT classifier; without one, entries keep `iot: null`. */
  classify?: Classifier;
}

export interface CorrelateResult {
  /** `source\0sourceId` → the entry id it now belongs to. */
  entryOf: Map<string, string>;
  created: number;
  updated: number;
  /** Entries merged away into an older one. */
  merged: number;
}

export const recordKey = (source: string, sourceId: string): string => `${source}\u0000${sourceId}`;

const ENTRY = "\u0001";
const node = (kind: string, alias: string) => `${kind}\u0000${alias}`;
const PREFIX: Record<RecordKind, string> = { vulnerability: "IOTS-VULN", exploit: "IOTS-EXPL", article: "IOTS-ART" };

interface Component {
  inputs: CorrelateInput[];
  entryIds: string[];
  kind: RecordKind;
}

interface ExistingEntry {
  id: string;
  seq: number;
  data: string;
  has_exploit: number;
  created_at: string;
}

interface Planned {
  id: string;
  seq: number;
  createdAt: string;
  losers: string[];
  merged: MergedEntry;
  keys: string[];
  deviceTypes: string[];
  existing?: ExistingEntry;
}

export async function correlate(db: Kysely<Database>, inputs: CorrelateInput[], opts: CorrelateOptions): Promise<CorrelateResult> {
  const result: CorrelateResult = { entryOf: new Map(), created: 0, updated: 0, merged: 0 };
  if (inputs.length === 0) return result;

  // 1. Which entries already own these aliases (per kind).
  const keysOf = inputs.map((i) => recordKeys(i.record));
  const byKind = new Map<string, Set<string>>();
  inputs.forEach((i, n) => {
    let s = byKind.get(i.record.kind);
    if (!s) byKind.set(i.record.kind, (s = new Set()));
    for (const k of keysOf[n]!) s.add(k);
  });
  const owner = new Map<string, string>();
  for (const [kind, keys] of byKind) {
    const rows = await selectIn([...keys], (c) =>
      db.selectFrom("vuln_entry_aliases").select(["alias", "entry_id"]).where("kind", "=", kind).where("alias", "in", c).execute(),
    );
    for (const r of rows) owner.set(node(kind, r.alias), r.entry_id);
  }

  // 2. The alias graph of this batch, joined to the existing entries it touches.
  const uf = new UnionFind();
  inputs.forEach((input, n) => {
    const keys = keysOf[n]!.map((k) => node(input.record.kind, k));
    for (const k of keys) {
      uf.union(keys[0]!, k);
      const e = owner.get(k);
      if (e !== undefined) uf.union(keys[0]!, ENTRY + e);
    }
    if (input.previousEntryId !== undefined) uf.union(keys[0]!, ENTRY + input.previousEntryId);
  });
  const components = new Map<string, Component>();
  inputs.forEach((input, n) => {
    const root = uf.find(node(input.record.kind, keysOf[n]![0]!));
    let c = components.get(root);
    if (!c) components.set(root, (c = { inputs: [], entryIds: [], kind: input.record.kind }));
    c.inputs.push(input);
  });
  for (const group of uf.groups()) {
    const ids = group.filter((g) => g.startsWith(ENTRY)).map((g) => g.slice(1));
    if (ids.length > 0) components.get(uf.find(group[0]!))!.entryIds.push(...ids);
  }

  // 3. The existing entries and all their source records.
  const allIds = [...components.values()].flatMap((c) => c.entryIds);
  const existing = new Map(
    (
      await selectIn(allIds, (c) => db.selectFrom("vuln_entries").select(["id", "seq", "data", "has_exploit", "created_at"]).where("id", "in", c).execute())
    ).map((r) => [r.id, { ...r, seq: Number(r.seq) } as ExistingEntry]),
  );
  const stored = new Map<string, SourceRecord[]>();
  const inBatch = new Set(inputs.map((i) => recordKey(i.record.source, i.record.sourceId)));
  for (const r of await selectIn(allIds, (c) =>
    db.selectFrom("vuln_source_records").select(["source", "source_id", "data", "entry_id"]).where("entry_id", "in", c).execute(),
  )) {
    if (inBatch.has(recordKey(r.source, r.source_id))) continue;
    let list = stored.get(r.entry_id);
    if (!list) stored.set(r.entry_id, (list = []));
    list.push(JSON.parse(r.data) as SourceRecord);
  }

  // 4. Merge each component; new ones get ids after.
  const plans: Planned[] = [];
  const needIds: Planned[] = [];
  for (const c of components.values()) {
    const olds = c.entryIds.map((id) => existing.get(id)).filter((e): e is ExistingEntry => e !== undefined);
    olds.sort((a, b) => a.seq - b.seq);
    const survivor = olds[0];
    const records = [...olds.flatMap((e) => stored.get(e.id) ?? []), ...c.inputs.map((i) => i.record)];
    const merged = mergeRecords(records);
    const v = opts.classify ? opts.classify(merged, records) : null;
    // Only the verdict's documented fields go into the entry (a classifier may return more).
    const verdict = v ? { iot: v.iot, score: v.score, reasons: v.reasons, deviceTypes: v.deviceTypes } : null;
    merged.iot = verdict;
    const keys = [...new Set(records.flatMap((r) => recordKeys(r)))];
    const plan: Planned = {
      id: survivor?.id ?? "",
      seq: survivor?.seq ?? 0,
      createdAt: survivor?.created_at ?? opts.now,
      losers: olds.slice(1).map((e) => e.id),
      merged,
      keys,
      deviceTypes: verdict?.deviceTypes ?? [],
      existing: survivor,
    };
    plans.push(plan);
    if (!survivor) needIds.push(plan);
  }
  await assignIds(db, needIds, opts.now);
  for (const p of plans) for (const r of p.merged.records) result.entryOf.set(recordKey(r.source, r.sourceId), p.id);

  // 5. Merged-away entries: their aliases, source records and id now point at the survivor.
  const losers = plans.flatMap((p) => p.losers.map((l) => ({ loser: l, survivor: p.id, kind: p.merged.kind })));
  for (const { loser, survivor, kind } of losers) {
    await db.updateTable("vuln_entry_aliases").set({ entry_id: survivor }).where("entry_id", "=", loser).execute();
    await db
      .insertInto("vuln_entry_aliases")
      .values({ alias: loser, kind, entry_id: survivor, redirect: 1 })
      .onConflict((oc) => oc.columns(["alias", "kind"]).doUpdateSet({ entry_id: survivor, redirect: 1 }))
      .execute();
    await db.updateTable("vuln_source_records").set({ entry_id: survivor }).where("entry_id", "=", loser).execute();
  }
  const loserIds = losers.map((l) => l.loser);
  await eachChunk(loserIds, (c) => db.deleteFrom("vuln_entries").where("id", "in", c).execute());
  await eachChunk(loserIds, (c) => db.deleteFrom("vuln_entry_products").where("entry_id", "in", c).execute());
  await eachChunk(loserIds, (c) => db.deleteFrom("vuln_exploit_links").where("exploit_entry_id", "in", c).execute());
  result.merged = loserIds.length;

  // 6. Aliases → entry (only those not already pointing there).
  const aliasRows = plans.flatMap((p) =>
    p.keys.filter((k) => owner.get(node(p.merged.kind, k)) !== p.id).map((k) => ({ alias: k, kind: p.merged.kind, entry_id: p.id, redirect: 0 as const })),
  );
  for (const c of chunks(aliasRows, insertChunk(4))) {
    await db
      .insertInto("vuln_entry_aliases")
      .values(c)
      .onConflict((oc) => oc.columns(["alias", "kind"]).doUpdateSet((eb) => ({ entry_id: eb.ref("excluded.entry_id"), redirect: 0 })))
      .execute();
  }

  // 7. Exploit links of exploit/article entries (rewritten whole), then the has_exploit flags they imply.
  const linkers = plans.filter((p) => p.merged.kind !== "vulnerability");
  await eachChunk(
    linkers.map((p) => p.id),
    (c) => db.deleteFrom("vuln_exploit_links").where("exploit_entry_id", "in", c).execute(),
  );
  const links = linkers.filter((p) => p.merged.kind === "exploit").flatMap((p) => (p.merged.exploits ?? []).map((t) => ({ exploit_entry_id: p.id, target_alias: canonicalAlias(t) })));
  for (const c of chunks(links, insertChunk(2))) await db.insertInto("vuln_exploit_links").values(c).onConflict((oc) => oc.doNothing()).execute();
  const vulnPlans = plans.filter((p) => p.merged.kind === "vulnerability");
  const exploited = new Set(
    (
      await selectIn(
        vulnPlans.flatMap((p) => p.keys),
        (c) => db.selectFrom("vuln_exploit_links").select("target_alias").where("target_alias", "in", c).execute(),
      )
    ).map((r) => r.target_alias),
  );
  const inPlans = new Set(vulnPlans.map((p) => p.id));
  const targets = await selectIn(
    links.map((l) => l.target_alias),
    (c) => db.selectFrom("vuln_entry_aliases").select("entry_id").where("kind", "=", "vulnerability").where("alias", "in", c).execute(),
  );
  const flagOthers = [...new Set(targets.map((t) => t.entry_id))].filter((id) => !inPlans.has(id));
  await eachChunk(flagOthers, (c) =>
    db.updateTable("vuln_entries").set({ has_exploit: 1, updated_at: opts.now }).where("id", "in", c).where("has_exploit", "=", 0).execute(),
  );

  // 8. The entry rows and search rows of what changed.
  const rows: Array<Database["vuln_entries"]> = [];
  const changedIds: string[] = [];
  const productRowsOut: Array<Database["vuln_entry_products"]> = [];
  for (const p of plans) {
    const data = toJson(p.merged);
    const hasExploit = p.merged.kind === "vulnerability" && p.keys.some((k) => exploited.has(k));
    if (p.existing && p.existing.data === data && (p.existing.has_exploit === 1) === hasExploit && p.losers.length === 0) continue;
    if (p.existing) result.updated++;
    else result.created++;
    changedIds.push(p.id);
    const verdict = p.merged.iot;
    rows.push({
      id: p.id,
      seq: p.seq,
      kind: p.merged.kind,
      data,
      iot: verdict ? toDbBool(verdict.iot) : null,
      iot_score: verdict ? verdict.score : null,
      iot_reasons: verdict ? toJson(verdict.reasons) : null,
      kev: toDbBool(p.merged.kev !== undefined),
      has_exploit: toDbBool(hasExploit),
      max_cvss: p.merged.maxCvss,
      published: p.merged.published?.value ?? null,
      modified: p.merged.modified?.value ?? null,
      created_at: p.createdAt,
      updated_at: opts.now,
    });
    for (const r of productRows(p.merged, p.deviceTypes)) productRowsOut.push({ entry_id: p.id, ...r });
  }
  for (const c of chunks(rows, insertChunk(15))) {
    await db
      .insertInto("vuln_entries")
      .values(c)
      .onConflict((oc) =>
        oc.column("id").doUpdateSet((eb) => ({
          data: eb.ref("excluded.data"),
          iot: eb.ref("excluded.iot"),
          iot_score: eb.ref("excluded.iot_score"),
          iot_reasons: eb.ref("excluded.iot_reasons"),
          kev: eb.ref("excluded.kev"),
          has_exploit: eb.ref("excluded.has_exploit"),
          max_cvss: eb.ref("excluded.max_cvss"),
          published: eb.ref("excluded.published"),
          modified: eb.ref("excluded.modified"),
          updated_at: eb.ref("excluded.updated_at"),
        })),
      )
      .execute();
  }
  await eachChunk(changedIds, (c) => db.deleteFrom("vuln_entry_products").where("entry_id", "in", c).execute());
  for (const c of chunks(productRowsOut, insertChunk(5))) await db.insertInto("vuln_entry_products").values(c).execute();
  return result;
}

/** Year of an entry's id: its first CVE's year, else the year it was published, else now. */
function idYear(m: MergedEntry, now: string): string {
  const cve = m.aliases.find((a) => /^CVE-\d{4}-/.test(a));
  if (cve) return cve.slice(4, 8);
  const pub = m.published?.value;
  if (pub && /^\d{4}/.test(pub)) return pub.slice(0, 4);
  return now.slice(0, 4);
}

async function assignIds(db: Kysely<Database>, plans: Planned[], now: string): Promise<void> {
  if (plans.length === 0) return;
  const counts = new Map<string, number>([["entry", plans.length]]);
  const series = plans.map((p) => `${PREFIX[p.merged.kind]}-${idYear(p.merged, now)}`);
  for (const s of series) counts.set(s, (counts.get(s) ?? 0) + 1);
  const first = await reserve(db, counts);
  const next = new Map(first);
  plans.forEach((p, i) => {
    const s = series[i]!;
    const n = next.get(s)!;
    next.set(s, n + 1);
    const seq = next.get("entry")!;
    next.set("entry", seq + 1);
    p.id = `${s}-${String(n).padStart(6, "0")}`;
    p.seq = seq;
  });
}
