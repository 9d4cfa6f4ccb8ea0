/**
 * Tags into the database (`device_tags`, migrations 0003 and 0004): one row per (source, ip, port, rule).
 * `source` is the campaign id for a stored campaign, or `file:<label>` for results tagged from a file
 * that belongs to no stored campaign.
 *
 * A batch replaces, in one transaction, everything stored for its targets under its source: the rows of
 * its targets are deleted, then their new tags inserted. So re-tagging the same input with the same rules
 * leaves the same rows (idempotent); with changed rules, a target's tags are exactly the new rules'
 * (tags of removed or no longer matching rules go away); a crash leaves whole batches only, and a rerun
 * completes the rest. A target given twice keeps the tags of its last record.
 */
import type { Insertable, Transaction } from "kysely";
import type { Database, Storage } from "../../core/storage/index.js";
import { nowIso, toJson, withTransaction } from "../../core/storage/index.js";
import { allTagValuesOf, type Tag } from "../tag.js";

/** What a batch belongs to: a stored campaign (its id is the source) or a labelled file. */
export interface TagSource {
  /** `campaign id` or `file:<label>`. */
  source: string;
  /** The stored campaign, when there is one (its deletion deletes the tags). */
  campaignId: string | null;
}

/** One scanned service and the tags of its record (none: its stored tags are removed). */
export interface TaggedTarget {
  ip: string;
  port: number;
  module: string;
  tags: readonly Tag[];
}

export interface StoreCounts {
  targets: number;
  rows: number;
}

/** A campaign's source, or a label's (`file:<label>`). */
export function campaignSource(campaignId: string): TagSource {
  return { source: campaignId, campaignId };
}

export function fileSource(label: string): TagSource {
  return { source: label.startsWith("file:") ? label : `file:${label}`, campaignId: null };
}

/**
 * Targets per DELETE: two parameters each, plus the source. Rows per INSERT: 16 parameters each. Both
 * stay far below SQLite's (32,766) and PostgreSQL's (65,535) parameter limits.
 */
const DELETE_CHUNK = 400;
const INSERT_CHUNK = 250;

type Row = Insertable<Database["device_tags"]>;

function rowsOf(from: TagSource, target: TaggedTarget, taggedAt: string): Row[] {
  return target.tags.map((tag) => {
    // Columns hold what the rule said, won or overridden: each row is one rule's self-contained
    // statement about the target, so a filter on vendor and device_type finds the rule that said both.
    // Which rule won a key is in the stored tag (`overridden`).
    const said = allTagValuesOf(tag);
    return {
      source: from.source,
      campaign_id: from.campaignId,
      ip: target.ip,
      port: target.port,
      module: target.module,
      rule: tag.rule,
      rule_file: tag.file,
      rule_hash: tag.hash,
      state: tag.state,
      vendor: said.vendor ?? null,
      product: said.product ?? null,
      device_type: said.device_type ?? null,
      version: said.version ?? null,
      cpe: said.cpe ?? null,
      tags: toJson(tag),
      matched: toJson(tag.fields),
      tagged_at: taggedAt,
    };
  });
}

async function replace(trx: Transaction<Database>, from: TagSource, targets: readonly TaggedTarget[], taggedAt: string): Promise<number> {
  for (let i = 0; i < targets.length; i += DELETE_CHUNK) {
    const chunk = targets.slice(i, i + DELETE_CHUNK);
    await trx
      .deleteFrom("device_tags")
      .where("source", "=", from.source)
      // SQLite accepts a row value `(ip, port) in (…)` only against a subquery: an `or` of pairs, which
      // both databases answer from the (source, ip, port, rule) index.
      .where((eb) => eb.or(chunk.map((t) => eb.and([eb("ip", "=", t.ip), eb("port", "=", t.port)]))))
      .execute();
  }
  const rows = targets.flatMap((t) => rowsOf(from, t, taggedAt));
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) await trx.insertInto("device_tags").values(rows.slice(i, i + INSERT_CHUNK)).execute();
  return rows.length;
}

/** The last record of each target, in first-seen order (a target given twice keeps its last tags). */
function lastPerTarget(targets: readonly TaggedTarget[]): TaggedTarget[] {
  const byKey = new Map<string, TaggedTarget>();
  for (const t of targets) {
    const key = `${t.ip} ${t.port}`;
    // Deleting first moves a repeated target to the end: its position then follows its last record.
    byKey.delete(key);
    byKey.set(key, t);
  }
  return [...byKey.values()];
}

/** Stores one batch atomically: the targets' previous tags under `from` are replaced by these. */
export async function storeTagBatch(storage: Storage, from: TagSource, targets: readonly TaggedTarget[], taggedAt: string = nowIso()): Promise<StoreCounts> {
  const unique = lastPerTarget(targets);
  if (unique.length === 0) return { targets: 0, rows: 0 };
  const rows = await withTransaction(storage, (trx) => replace(trx, from, unique, taggedAt));
  return { targets: unique.length, rows };
}

/** Collects targets and stores them a batch (one transaction) at a time; `flush()` stores the rest. */
export class TagStoreWriter {
  private pending: TaggedTarget[] = [];
  readonly counts: StoreCounts & { batches: number } = { targets: 0, rows: 0, batches: 0 };

  constructor(
    private readonly storage: Storage,
    readonly from: TagSource,
    private readonly batchSize = 1000,
  ) {}

  /** Queues a target; stores the batch when it is full. */
  async add(target: TaggedTarget): Promise<void> {
    this.pending.push(target);
    if (this.pending.length >= this.batchSize) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const c = await storeTagBatch(this.storage, this.from, batch);
    this.counts.targets += c.targets;
    this.counts.rows += c.rows;
    this.counts.batches++;
  }
}
