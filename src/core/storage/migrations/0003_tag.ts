/**
 * The tag pillar's table: one row per (source, ip, port, rule) — which rule named which device, with the
 * tag values it set and why (provenance). `source` is the campaign id for stored campaigns, or
 * `file:<name>` for results tagged from a file, so re-tagging the same input replaces rather than
 * duplicates. Written by src/tag/store.ts.
 */
import { sql } from "kysely";
import { columnType, idColumn } from "../schema-helpers.js";
import type { StorageMigration } from "../schema-helpers.js";

export const tag: StorageMigration = {
  async up(db, dialect) {
    await db.schema
      .createTable("device_tags")
      .$call(idColumn(dialect))
      .addColumn("source", "text", (col) => col.notNull())
      .addColumn("campaign_id", "text", (col) => col.references("scan_campaigns.id").onDelete("cascade"))
      .addColumn("ip", "text", (col) => col.notNull())
      .addColumn("port", "integer", (col) => col.notNull())
      .addColumn("module", "text", (col) => col.notNull())
      .addColumn("rule", "text", (col) => col.notNull())
      .addColumn("rule_file", "text", (col) => col.notNull())
      .addColumn("rule_hash", "text", (col) => col.notNull())
      .addColumn("state", "text", (col) => col.notNull().check(sql`state in ('active', 'testing')`))
      .addColumn("vendor", "text")
      .addColumn("product", "text")
      .addColumn("device_type", "text")
      .addColumn("version", "text")
      .addColumn("cpe", "text")
      // Every tag key the rule set (captures resolved), and the fields that matched.
      .addColumn("tags", columnType.json, (col) => col.notNull())
      .addColumn("matched", columnType.json, (col) => col.notNull())
      .addColumn("tagged_at", columnType.timestamp, (col) => col.notNull())
      .execute();
    await db.schema.createIndex("device_tags_source_target_rule_idx").on("device_tags").columns(["source", "ip", "port", "rule"]).unique().execute();
    await db.schema.createIndex("device_tags_vendor_idx").on("device_tags").columns(["vendor", "device_type"]).execute();
    await db.schema.createIndex("device_tags_device_type_idx").on("device_tags").column("device_type").execute();
    await db.schema.createIndex("device_tags_rule_idx").on("device_tags").columns(["rule", "tagged_at"]).execute();
    await db.schema.createIndex("device_tags_ip_idx").on("device_tags").column("ip").execute();
  },
};
