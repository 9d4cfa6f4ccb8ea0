/**
 * Reading merged entries: by any alias (or a merged-away id, which resolves to the survivor), and by
 * search filters with keyset paging in (updated_at, id) order — the order incremental consumers
 * (`since=`) need. Exploit links are resolved here, at read time, so a link made before its
 * vulnerability arrived still shows.
 */
import { sql, type Kysely, type Selectable } from "kysely";
import { UsageError } from "../../core/errors.js";
import type { Database } from "../../core/storage/index.js";
import { fromDbBool } from "../../core/storage/index.js";
import { canonicalAlias } from "../correlate/alias.js";
import { normaliseName } from "../correlate/products.js";
import { CpeError, displayValue, parseCpe } from "../cpe.js";
import type { MergedEntry, VulnEntry } from "../format/entry.js";
import type { RecordKind, SourceRecord } from "../record.js";
import { selectIn } from "./chunk.js";

type EntryRow = Selectable<Database["vuln_entries"]>;

export interface SearchFilters {
  vendor?: string;
  product?: string;
  /** A CPE 2.3 string or 2.2 URI; its part/vendor/product are matched (ANY matches anything). */
  cpe?: string;
  deviceType?: string;
  kev?: boolean;
  hasExploit?: boolean;
  iot?: boolean;
  kind?: RecordKind;
  /** Changed in iotscope at or after (ISO 8601): for incremental consumers. */
  since?: string;
  /** Published at or after (ISO 8601). */
  publishedSince?: string;
  /** Highest CVSS at least. */
  minCvss?: number;
  limit?: number;
  /** From a previous page's `next`. */
  cursor?: string;
}

export interface SearchPage {
  entries: VulnEntry[];
  /** Pass as `cursor` for the next page; null on the last page. */
  next: string | null;
}

export const MAX_LIMIT = 1000;

/** The entry an alias (any case, any merged-away id) resolves to, or undefined. */
export async function resolveAlias(db: Kysely<Database>, alias: string): Promise<string | undefined> {
  const a = canonicalAlias(alias);
  const direct = await db.selectFrom("vuln_entries").select("id").where("id", "=", a).executeTakeFirst();
  if (direct) return direct.id;
  // Vulnerability first: `show CVE-…` means the vulnerability even if an exploit lists the id too.
  const rows = await db.selectFrom("vuln_entry_aliases").select(["entry_id", "kind"]).where("alias", "=", a).execute();
  rows.sort((x, y) => (x.kind === "vulnerability" ? -1 : y.kind === "vulnerability" ? 1 : 0));
  return rows[0]?.entry_id;
}

export async function getEntry(db: Kysely<Database>, alias: string): Promise<VulnEntry | undefined> {
  const id = await resolveAlias(db, alias);
  if (id === undefined) return undefined;
  const row = await db.selectFrom("vuln_entries").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row) return undefined;
  return (await hydrate(db, [row]))[0];
}

function encodeCursor(row: { updated_at: string; id: string }): string {
  return Buffer.from(JSON.stringify([row.updated_at, row.id])).toString("base64url");
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const v = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === "string" && typeof v[1] === "string") return [v[0], v[1]];
  } catch {
    // fall through to the usage error
  }
  throw new UsageError(`invalid cursor ${JSON.stringify(cursor.slice(0, 80))}: pass the \`next\` value of the previous page`);
}

/** `product` matches the name itself or any longer name starting with it as whole words ("archer ax21" ⊂ "archer ax21 firmware"). */
const likePrefix = (v: string) => `${v.replace(/[\\%_]/g, (c) => `\\${c}`)} %`;

export async function searchEntries(db: Kysely<Database>, f: SearchFilters): Promise<SearchPage> {
  const limit = Math.min(Math.max(1, f.limit ?? 50), MAX_LIMIT);
  let q = db.selectFrom("vuln_entries as e").selectAll("e");

  const productFilters: Array<{ vendor?: string | null; product?: string | null; part?: string }> = [];
  if (f.vendor !== undefined || f.product !== undefined) {
    const vendor = f.vendor === undefined ? undefined : normaliseName(f.vendor);
    const product = f.product === undefined ? undefined : normaliseName(f.product);
    if (vendor === null || product === null) throw new UsageError("--vendor/--product: give a name, not an unknown marker such as n/a");
    productFilters.push({ vendor, product });
  }
  if (f.cpe !== undefined) {
    let c;
    try {
      c = parseCpe(f.cpe);
    } catch (err) {
      if (err instanceof CpeError) throw new UsageError(`--cpe: ${err.message}`);
      throw err;
    }
    productFilters.push({ vendor: normaliseName(displayValue(c.vendor)) ?? undefined, product: normaliseName(displayValue(c.product)) ?? undefined, part: c.part });
  }
  for (const pf of productFilters) {
    q = q.where("e.id", "in", (eb) => {
      let sub = eb.selectFrom("vuln_entry_products as p").select("p.entry_id");
      if (pf.vendor) sub = sub.where("p.vendor", "=", pf.vendor);
      if (pf.product) {
        const product = pf.product;
        sub = sub.where((w) => w.or([w("p.product", "=", product), w("p.product", "like", sql<string>`${likePrefix(product)} escape '\\'`)]));
      }
      if (pf.part) sub = sub.where((w) => w.or([w("p.part", "=", pf.part!), w("p.part", "is", null)]));
      return sub;
    });
  }
  if (f.deviceType !== undefined) {
    const t = f.deviceType.trim().toLowerCase();
    q = q.where("e.id", "in", (eb) => eb.selectFrom("vuln_entry_products as d").select("d.entry_id").where("d.device_type", "=", t));
  }
  if (f.kev !== undefined) q = q.where("e.kev", "=", f.kev ? 1 : 0);
  if (f.hasExploit !== undefined) q = q.where("e.has_exploit", "=", f.hasExploit ? 1 : 0);
  if (f.iot !== undefined) q = q.where("e.iot", "=", f.iot ? 1 : 0);
  if (f.kind !== undefined) q = q.where("e.kind", "=", f.kind);
  if (f.since !== undefined) q = q.where("e.updated_at", ">=", isoOrUsage(f.since, "since"));
  if (f.publishedSince !== undefined) q = q.where("e.published", ">=", isoOrUsage(f.publishedSince, "published-since"));
  if (f.minCvss !== undefined) q = q.where("e.max_cvss", ">=", f.minCvss);
  if (f.cursor !== undefined) {
    const [u, id] = decodeCursor(f.cursor);
    q = q.where((w) => w.or([w("e.updated_at", ">", u), w.and([w("e.updated_at", "=", u), w("e.id", ">", id)])]));
  }
  const rows = await q.orderBy("e.updated_at").orderBy("e.id").limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  return { entries: await hydrate(db, page), next: rows.length > limit ? encodeCursor(page[page.length - 1]!) : null };
}

/** A date or date-time from the user, as ISO-8601 UTC text comparable with the stored values. */
function isoOrUsage(value: string, flag: string): string {
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new UsageError(`--${flag}: ${JSON.stringify(value)} is not a date (use 2024-01-31 or an ISO 8601 date-time)`);
  return new Date(t).toISOString();
}

/** Rows → served entries: stored JSON + flags + ids merged in + exploit links, in bulk. */
export async function hydrate(db: Kysely<Database>, rows: EntryRow[]): Promise<VulnEntry[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const merged = new Map(rows.map((r) => [r.id, JSON.parse(r.data) as MergedEntry]));
  const previous = new Map<string, string[]>();
  for (const r of await selectIn(ids, (c) => db.selectFrom("vuln_entry_aliases").select(["alias", "entry_id"]).where("entry_id", "in", c).where("redirect", "=", 1).execute())) {
    const l = previous.get(r.entry_id) ?? [];
    l.push(r.alias);
    previous.set(r.entry_id, l);
  }

  // Vulnerabilities: which exploit entries link to any of their aliases.
  const aliasOwner = new Map<string, string>();
  for (const r of rows) if (r.kind === "vulnerability") for (const a of merged.get(r.id)!.aliases) aliasOwner.set(a, r.id);
  const links = await selectIn([...aliasOwner.keys()], (c) =>
    db.selectFrom("vuln_exploit_links").select(["exploit_entry_id", "target_alias"]).where("target_alias", "in", c).execute(),
  );
  const exploitIds = [...new Set(links.map((l) => l.exploit_entry_id))];
  const exploitAliases = new Map<string, string[]>();
  for (const r of await selectIn(exploitIds, (c) => db.selectFrom("vuln_entry_aliases").select(["alias", "entry_id"]).where("entry_id", "in", c).where("redirect", "=", 0).execute())) {
    const l = exploitAliases.get(r.entry_id) ?? [];
    l.push(r.alias);
    exploitAliases.set(r.entry_id, l);
  }
  const exploitedBy = new Map<string, Set<string>>();
  for (const l of links) {
    const owner = aliasOwner.get(l.target_alias)!;
    const s = exploitedBy.get(owner) ?? new Set();
    s.add(l.exploit_entry_id);
    exploitedBy.set(owner, s);
  }

  // Exploits and articles: where their targets resolve.
  const targetAliases = rows.filter((r) => r.kind !== "vulnerability").flatMap((r) => merged.get(r.id)!.exploits ?? []);
  const targetOwner = new Map(
    (
      await selectIn(targetAliases, (c) =>
        db.selectFrom("vuln_entry_aliases").select(["alias", "entry_id"]).where("kind", "=", "vulnerability").where("alias", "in", c).execute(),
      )
    ).map((r) => [r.alias, r.entry_id]),
  );

  return rows.map((r) => {
    const m = merged.get(r.id)!;
    const e: VulnEntry = {
      id: r.id,
      ...m,
      previousIds: (previous.get(r.id) ?? []).sort(),
      flags: { kev: fromDbBool(r.kev), hasExploit: fromDbBool(r.has_exploit) },
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
    if (r.kind === "vulnerability") {
      e.exploitedBy = [...(exploitedBy.get(r.id) ?? [])].sort().map((id) => ({ id, aliases: (exploitAliases.get(id) ?? []).sort() }));
    } else if (m.exploits) {
      e.targets = m.exploits.map((alias) => ({ alias, id: targetOwner.get(alias) ?? null }));
    }
    return e;
  });
}

/** The source records merged into an entry (for `classify --explain`, and to recompute a merge). */
export async function sourceRecordsOf(db: Kysely<Database>, entryId: string): Promise<SourceRecord[]> {
  const rows = await db.selectFrom("vuln_source_records").select("data").where("entry_id", "=", entryId).orderBy("source").orderBy("source_id").execute();
  return rows.map((r) => JSON.parse(r.data) as SourceRecord);
}
