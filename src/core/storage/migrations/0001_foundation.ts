/** The tables every installation has, whichever pillars are in use: `meta` and `audit_log`. */
import { randomUUID } from "node:crypto";
import { columnType, idColumn } from "../schema-helpers.js";
import type { StorageMigration } from "../schema-helpers.js";

export const foundation: StorageMigration = {
  async up(db, dialect) {
    await db.schema
      .createTable("meta")
      .addColumn("key", "text", (col) => col.primaryKey())
      .addColumn("value", "text", (col) => col.notNull())
      .execute();

    await db.schema
      .createTable("audit_log")
      .$call(idColumn(dialect))
      .addColumn("at", columnType.timestamp, (col) => col.notNull())
      .addColumn("actor", "text", (col) => col.notNull())
      .addColumn("action", "text", (col) => col.notNull())
      .addColumn("details", columnType.json, (col) => col.notNull())
      .execute();
    // Audit views are "latest first", optionally for one action.
    await db.schema.createIndex("audit_log_at_idx").on("audit_log").column("at").execute();
    await db.schema.createIndex("audit_log_action_at_idx").on("audit_log").columns(["action", "at"]).execute();

    // Written here, not at open time, so exactly one of several concurrent first opens sets them.
    await db
      .insertInto("meta")
      .values([
        { key: "install_id", value: randomUUID() },
        { key: "created_at", value: new Date().toISOString() },
      ])
      .execute();
  },
};
