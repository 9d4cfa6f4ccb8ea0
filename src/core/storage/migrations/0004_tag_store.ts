/**
 * The tag store's queries beyond 0003's indexes: `iotscope rules stats --since` counts hits per rule in a
 * time window (an index on `tagged_at` serves any window without scanning the table), and deleting a
 * campaign cascades to its tags (PostgreSQL and SQLite look the referencing rows up by `campaign_id`,
 * which 0003 left unindexed). Queries by campaign use `source`, the first column of 0003's unique index.
 */
import type { StorageMigration } from "../schema-helpers.js";

export const tagStore: StorageMigration = {
  async up(db) {
    await db.schema.createIndex("device_tags_tagged_at_idx").on("device_tags").columns(["tagged_at", "rule", "state"]).execute();
    await db.schema.createIndex("device_tags_campaign_idx").on("device_tags").column("campaign_id").execute();
  },
};
