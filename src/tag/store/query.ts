/**
 * Reading stored tags: search (one row per rule and target, pages by id), a summary by vendor and device
 * type, and hits per rule in a time window (what `iotscope rules stats` shows). Shared by the CLI and the
 * server. Filters are exact matches on indexed columns (0003/0004), so every query stays an index lookup
 * however many tags are stored.
 */
import { sql, type Kysely, type SelectQueryBuilder } from "kysely";
import type { Database } from "../../core/storage/index.js";
import { fromJson } from "../../core/storage/index.js";
import type { Tag, TagState } from "../tag.js";

export interface TagFilter {
  vendor?: string;
  product?: string;
  deviceType?: string;
  rule?: string;
  /** A campaign id, or `file:<label>` for tags stored from a file. */
  campaign?: string;
  ip?: string;
  /** Default `active` (published tags); `all` for both. */
  state?: TagState | "all";
}

export interface TagSearch extends TagFilter {
  /** At most this many rows (default 100, at most 10,000). */
  limit?: number;
  /** Rows after this id (the previous page's `next`). */
  after?: number;
}

/** One rule's naming of one target, as stored. */
export interface StoredTag {
  id: number;
  /** The campaign id or `file:<label>` the tag was stored under. */
  campaign: string;
  /** The stored campaign, or null for a file's tags. */
  campaignId: string | null;
  ip: string;
  port: number;
  module: string;
  rule: string;
  ruleFile: string;
  ruleHash: string;
  state: TagState;
  vendor: string | null;
  product: string | null;
  deviceType: string | null;
  version: string | null;
  cpe: string | null;
  /** The tag as `iotscope tag` printed it: values (won), `overridden` values, provenance. */
  tag: Tag;
  /** Paths of the tests that held. */
  matched: string[];
  taggedAt: string;
}

export interface TagPage {
  tags: StoredTag[];
  /** Pass as `after` for the next page; null on the last page. */
  next: number | null;
}

export const DEFAULT_SEARCH_LIMIT = 100;
export const MAX_SEARCH_LIMIT = 10_000;

type TagQuery<O> = SelectQueryBuilder<Database, "device_tags", O>;

function filtered<O>(q: TagQuery<O>, f: TagFilter): TagQuery<O> {
  if (f.vendor !== undefined) q = q.where("vendor", "=", f.vendor);
  if (f.product !== undefined) q = q.where("product", "=", f.product);
  if (f.deviceType !== undefined) q = q.where("device_type", "=", f.deviceType);
  if (f.rule !== undefined) q = q.where("rule", "=", f.rule);
  if (f.campaign !== undefined) q = q.where("source", "=", f.campaign);
  if (f.ip !== undefined) q = q.where("ip", "=", f.ip);
  const state = f.state ?? "active";
  if (state !== "all") q = q.where("state", "=", state);
  return q;
}

/** Stored tags matching every filter given, oldest id first, a page at a time. */
export async function searchTags(db: Kysely<Database>, search: TagSearch = {}): Promise<TagPage> {
  const limit = Math.min(Math.max(Math.trunc(search.limit ?? DEFAULT_SEARCH_LIMIT), 1), MAX_SEARCH_LIMIT);
  let q = filtered(db.selectFrom("device_tags").selectAll(), search);
  if (search.after !== undefined) q = q.where("id", ">", search.after);
  // One row more than asked tells whether there is a next page.
  const rows = await q.orderBy("id").limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  return {
    tags: page.map((r) => ({
      id: Number(r.id),
      campaign: r.source,
      campaignId: r.campaign_id,
      ip: r.ip,
      port: r.port,
      module: r.module,
      rule: r.rule,
      ruleFile: r.rule_file,
      ruleHash: r.rule_hash,
      state: r.state,
      vendor: r.vendor,
      product: r.product,
      deviceType: r.device_type,
      version: r.version,
      cpe: r.cpe,
      tag: fromJson<Tag>(r.tags),
      matched: fromJson<string[]>(r.matched),
      taggedAt: r.tagged_at,
    })),
    next: rows.length > limit ? Number(page[page.length - 1]!.id) : null,
  };
}

export interface TagSummaryRow {
  vendor: string | null;
  deviceType: string | null;
  /** Distinct (campaign, ip, port) named so. */
  targets: number;
  /** Rows (one per rule and target). */
  tags: number;
}

/** Targets and tags by (vendor, device type), most targets first. */
export async function summarizeTags(db: Kysely<Database>, filter: TagFilter = {}): Promise<TagSummaryRow[]> {
  const rows = await filtered(
    db
      .selectFrom("device_tags")
      .select((eb) => [
        "vendor",
        "device_type",
        eb.fn.countAll<number | string>().as("tags"),
        // `||` concatenates (casting the port) on both databases: one key per target.
        sql<number | string>`count(distinct ${sql.ref("source")} || ' ' || ${sql.ref("ip")} || ' ' || ${sql.ref("port")})`.as("targets"),
      ]),
    filter,
  )
    .groupBy(["vendor", "device_type"])
    .execute();
  return rows
    .map((r) => ({ vendor: r.vendor, deviceType: r.device_type, targets: Number(r.targets), tags: Number(r.tags) }))
    .sort((a, b) => b.targets - a.targets || b.tags - a.tags || byName(a.vendor, b.vendor) || byName(a.deviceType, b.deviceType));
}

/** Code-unit order (the same on every machine, unlike localeCompare), nulls last. */
function byName(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

export interface RuleHitRow {
  rule: string;
  state: TagState;
  /** The rule version (content hash) that tagged. */
  hash: string;
  /** Stored tags of this rule version in this state in the window (one per target and campaign). */
  hits: number;
  lastTaggedAt: string;
}

/** Hits per rule, state and rule version among the tags stored at or after `since` (all when absent). */
export async function ruleHits(db: Kysely<Database>, opts: { since?: string; campaign?: string } = {}): Promise<RuleHitRow[]> {
  let q = db
    .selectFrom("device_tags")
    .select((eb) => ["rule", "state", "rule_hash", eb.fn.countAll<number | string>().as("hits"), eb.fn.max("tagged_at").as("last")]);
  if (opts.since !== undefined) q = q.where("tagged_at", ">=", opts.since);
  if (opts.campaign !== undefined) q = q.where("source", "=", opts.campaign);
  const rows = await q.groupBy(["rule", "state", "rule_hash"]).orderBy("rule").orderBy("state").orderBy("rule_hash").execute();
  return rows.map((r) => ({ rule: r.rule, state: r.state, hash: r.rule_hash, hits: Number(r.hits), lastTaggedAt: r.last }));
}
