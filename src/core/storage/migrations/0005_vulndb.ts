/**
 * The vulndb pillar's tables (written by src/vulndb/ingest and src/vulndb/correlate, read by
 * src/vulndb/store). Three layers, so that any merge can be recomputed from what was received:
 *   raw records (as received) → source records (each source's normalised view) → entries (one per
 *   vulnerability, exploit or article, merged from every source, with provenance).
 * Lookups that must stay fast on 300,000+ entries (by any alias, by vendor/product, by device type,
 * paging by change time) each have their own index; nothing queries inside JSON.
 */
import { columnType, idColumn } from "../schema-helpers.js";
import type { StorageMigration } from "../schema-helpers.js";

export const vulndb: StorageMigration = {
  async up(db, dialect) {
    // Where each source stands: its cursor (its own keys) and how the last sync went.
    await db.schema
      .createTable("vuln_sources")
      .addColumn("name", "text", (col) => col.primaryKey())
      .addColumn("cursor", columnType.json)
      .addColumn("last_sync_at", columnType.timestamp)
      .addColumn("last_success_at", columnType.timestamp)
      .addColumn("records", "integer", (col) => col.notNull().defaultTo(0))
      .addColumn("errors", "integer", (col) => col.notNull().defaultTo(0))
      .addColumn("last_error", "text")
      .addColumn("updated_at", columnType.timestamp, (col) => col.notNull())
      .execute();

    // Bytes as received. Unique per (source, sha256): the same bytes twice are stored once, which is what
    // makes re-ingesting cheap (a known hash is skipped before parsing).
    await db.schema
      .createTable("vuln_raw_records")
      .$call(idColumn(dialect))
      .addColumn("source", "text", (col) => col.notNull())
      .addColumn("record_id", "text", (col) => col.notNull())
      .addColumn("origin", "text", (col) => col.notNull())
      .addColumn("media_type", "text", (col) => col.notNull())
      .addColumn("sha256", "text", (col) => col.notNull())
      .addColumn("body", "text", (col) => col.notNull())
      .addColumn("modified", columnType.timestamp)
      .addColumn("fetched_at", columnType.timestamp, (col) => col.notNull())
      .execute();
    await db.schema.createIndex("vuln_raw_records_source_sha_idx").on("vuln_raw_records").columns(["source", "sha256"]).unique().execute();

    // Each source's normalised record (the latest version), and the entry it is merged into.
    await db.schema
      .createTable("vuln_source_records")
      .addColumn("source", "text", (col) => col.notNull())
      .addColumn("source_id", "text", (col) => col.notNull())
      .addColumn("raw_sha256", "text", (col) => col.notNull())
      // Hash of the normalised JSON: a new raw that normalises to the same record changes no entry.
      .addColumn("norm_sha256", "text", (col) => col.notNull())
      .addColumn("kind", "text", (col) => col.notNull())
      .addColumn("data", columnType.json, (col) => col.notNull())
      .addColumn("modified", columnType.timestamp)
      .addColumn("entry_id", "text", (col) => col.notNull())
      .addColumn("ingested_at", columnType.timestamp, (col) => col.notNull())
      .addPrimaryKeyConstraint("vuln_source_records_pk", ["source", "source_id"])
      .execute();
    await db.schema.createIndex("vuln_source_records_entry_idx").on("vuln_source_records").column("entry_id").execute();

    // The alias graph's edges as each source record states them (kept so that a merge can be recomputed).
    await db.schema
      .createTable("vuln_alias_edges")
      .addColumn("source", "text", (col) => col.notNull())
      .addColumn("source_id", "text", (col) => col.notNull())
      .addColumn("alias", "text", (col) => col.notNull())
      .addPrimaryKeyConstraint("vuln_alias_edges_pk", ["source", "source_id", "alias"])
      .execute();
    await db.schema.createIndex("vuln_alias_edges_alias_idx").on("vuln_alias_edges").column("alias").execute();

    // One row per vulnerability / exploit / article: merged JSON with per-field provenance, and the
    // facets searched on as columns. `seq` orders creation: when two entries merge, the lower survives.
    await db.schema
      .createTable("vuln_entries")
      .addColumn("id", "text", (col) => col.primaryKey())
      .addColumn("seq", columnType.id, (col) => col.notNull().unique())
      .addColumn("kind", "text", (col) => col.notNull())
      .addColumn("data", columnType.json, (col) => col.notNull())
      .addColumn("iot", columnType.boolean)
      .addColumn("iot_score", "double precision")
      .addColumn("iot_reasons", columnType.json)
      .addColumn("kev", columnType.boolean, (col) => col.notNull())
      .addColumn("has_exploit", columnType.boolean, (col) => col.notNull())
      .addColumn("max_cvss", "double precision")
      .addColumn("published", columnType.timestamp)
      .addColumn("modified", columnType.timestamp)
      .addColumn("created_at", columnType.timestamp, (col) => col.notNull())
      .addColumn("updated_at", columnType.timestamp, (col) => col.notNull())
      .execute();
    // Paging for incremental consumers (`since=`), in (updated_at, id) order.
    await db.schema.createIndex("vuln_entries_updated_idx").on("vuln_entries").columns(["updated_at", "id"]).execute();
    await db.schema.createIndex("vuln_entries_published_idx").on("vuln_entries").column("published").execute();

    // Every alias of every entry (the lookup table of `show <any alias>`), plus merged-away entry ids
    // (redirect = 1). Per kind: an exploit's id never merges it with the vulnerability it exploits.
    await db.schema
      .createTable("vuln_entry_aliases")
      .addColumn("alias", "text", (col) => col.notNull())
      .addColumn("kind", "text", (col) => col.notNull())
      .addColumn("entry_id", "text", (col) => col.notNull())
      .addColumn("redirect", columnType.boolean, (col) => col.notNull())
      .addPrimaryKeyConstraint("vuln_entry_aliases_pk", ["alias", "kind"])
      .execute();
    await db.schema.createIndex("vuln_entry_aliases_entry_idx").on("vuln_entry_aliases").column("entry_id").execute();

    // Vendor/product/part per entry (normalised: lower case, `_` as space), and device types, for search.
    await db.schema
      .createTable("vuln_entry_products")
      .addColumn("entry_id", "text", (col) => col.notNull())
      .addColumn("vendor", "text")
      .addColumn("product", "text")
      .addColumn("part", "text")
      .addColumn("device_type", "text")
      .execute();
    await db.schema.createIndex("vuln_entry_products_vendor_idx").on("vuln_entry_products").columns(["vendor", "product"]).execute();
    await db.schema.createIndex("vuln_entry_products_product_idx").on("vuln_entry_products").column("product").execute();
    await db.schema.createIndex("vuln_entry_products_device_idx").on("vuln_entry_products").column("device_type").execute();
    await db.schema.createIndex("vuln_entry_products_entry_idx").on("vuln_entry_products").column("entry_id").execute();

    // Exploit → the alias of the vulnerability it exploits (resolved through vuln_entry_aliases when read,
    // so a link made before the vulnerability arrives still finds it).
    await db.schema
      .createTable("vuln_exploit_links")
      .addColumn("exploit_entry_id", "text", (col) => col.notNull())
      .addColumn("target_alias", "text", (col) => col.notNull())
      .addPrimaryKeyConstraint("vuln_exploit_links_pk", ["exploit_entry_id", "target_alias"])
      .execute();
    await db.schema.createIndex("vuln_exploit_links_target_idx").on("vuln_exploit_links").column("target_alias").execute();

    // Counters for stable ids (`entry` = the global creation sequence, `IOTS-VULN-2023` = per prefix and year).
    await db.schema
      .createTable("vuln_counters")
      .addColumn("name", "text", (col) => col.primaryKey())
      .addColumn("value", columnType.id, (col) => col.notNull())
      .execute();
  },
};
