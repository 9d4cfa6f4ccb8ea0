/**
 * The scan pillar's tables: one row per campaign (who ran it, why, on what, how fast, where it stands)
 * and one row per probed target. See src/scan/engine/store.ts for how they are written.
 */
import { sql } from "kysely";
import { columnType, idColumn } from "../schema-helpers.js";
import type { StorageMigration } from "../schema-helpers.js";

export const scan: StorageMigration = {
  async up(db, dialect) {
    await db.schema
      .createTable("scan_campaigns")
      .addColumn("id", "text", (col) => col.primaryKey())
      .addColumn("module", "text", (col) => col.notNull())
      .addColumn("ports", columnType.json, (col) => col.notNull())
      .addColumn("created_at", columnType.timestamp, (col) => col.notNull())
      .addColumn("started_at", columnType.timestamp)
      .addColumn("finished_at", columnType.timestamp)
      .addColumn("state", "text", (col) => col.notNull().check(sql`state in ('running', 'finished', 'interrupted', 'failed')`))
      .addColumn("operator", "text", (col) => col.notNull())
      .addColumn("purpose", "text", (col) => col.notNull())
      .addColumn("targets", columnType.json, (col) => col.notNull())
      .addColumn("target_space", columnType.json, (col) => col.notNull())
      .addColumn("blocklist", columnType.json, (col) => col.notNull())
      .addColumn("rate", "double precision", (col) => col.notNull())
      .addColumn("per_net_rate", "double precision", (col) => col.notNull())
      .addColumn("concurrency", "integer", (col) => col.notNull())
      .addColumn("seed", "text", (col) => col.notNull())
      .addColumn("shards", "integer", (col) => col.notNull())
      .addColumn("shard", "integer", (col) => col.notNull())
      .addColumn("options", columnType.json, (col) => col.notNull())
      // Which process runs it now ({host, pid, since}), so a resume can refuse to run it twice at once.
      .addColumn("runner", columnType.json)
      .addColumn("checkpoint", columnType.json)
      .addColumn("summary", columnType.json)
      .execute();
    // `scan campaigns` lists the latest first.
    await db.schema.createIndex("scan_campaigns_created_at_idx").on("scan_campaigns").column("created_at").execute();

    await db.schema
      .createTable("scan_results")
      .$call(idColumn(dialect))
      .addColumn("campaign_id", "text", (col) => col.notNull().references("scan_campaigns.id").onDelete("cascade"))
      // The target's sequence number in the campaign's (shard's) permutation order.
      .addColumn("seq", columnType.id, (col) => col.notNull())
      .addColumn("ip", "text", (col) => col.notNull())
      .addColumn("port", "integer", (col) => col.notNull())
      .addColumn("domain", "text")
      .addColumn("module", "text", (col) => col.notNull())
      .addColumn("status", "text", (col) => col.notNull())
      .addColumn("timestamp", columnType.timestamp, (col) => col.notNull())
      .addColumn("data", columnType.json, (col) => col.notNull())
      .execute();
    // Unique: a target is stored at most once per campaign, whatever happens (the resume logic's backstop).
    // Its leading column also serves every lookup by campaign_id, so no separate index is needed for that.
    await db.schema.createIndex("scan_results_campaign_seq_idx").on("scan_results").columns(["campaign_id", "seq"]).unique().execute();
    await db.schema.createIndex("scan_results_ip_idx").on("scan_results").column("ip").execute();
  },
};
