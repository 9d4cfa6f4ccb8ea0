import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import {
  META_INSTALL_ID,
  columnType,
  getMeta,
  idColumn,
  migrateToLatest,
  migrationStatus,
  migrations,
  openStorage,
} from "../../../src/core/storage/index.js";
import type { StorageMigration } from "../../../src/core/storage/index.js";
import { UsageError } from "../../../src/core/errors.js";
import { describeEachBackend } from "../../helpers/db.js";

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe("migration registry", () => {
  it("names sort in order as NNNN_words and start at 0001_foundation", () => {
    const names = Object.keys(migrations);
    expect(names[0]).toBe("0001_foundation");
    for (const name of names) expect(name).toMatch(/^\d{4}_[a-z0-9_]+$/);
    expect([...names].sort()).toEqual(names);
  });
});

describeEachBackend("migrations", (open, backend) => {
  it("apply on a new database, then a second run is a no-op", async () => {
    const storage = await open({ migrate: false });
    expect(await migrationStatus(storage)).toEqual(Object.keys(migrations).map((name) => ({ name, appliedAt: null })));

    expect(await migrateToLatest(storage)).toEqual({ applied: Object.keys(migrations) });
    expect(await migrateToLatest(storage)).toEqual({ applied: [] });

    const status = await migrationStatus(storage);
    expect(status.map((s) => s.name)).toEqual(Object.keys(migrations));
    expect(status[0]?.appliedAt).toMatch(ISO);
    await storage.close();
  });

  it("openStorage migrates by default and the foundation writes an install id", async () => {
    const storage = await open();
    expect((await migrationStatus(storage)).every((s) => s.appliedAt !== null)).toBe(true);
    expect(await getMeta(storage.db, META_INSTALL_ID)).toMatch(/^[0-9a-f-]{36}$/);
    await storage.close();
  });

  it("a later migration using the schema helpers applies on top, with numeric ids", async () => {
    const storage = await open();
    const widgets: StorageMigration = {
      async up(db, dialect) {
        await db.schema
          .createTable("widget")
          .$call(idColumn(dialect))
          .addColumn("props", columnType.json, (c) => c.notNull())
          .addColumn("seen_at", columnType.timestamp, (c) => c.notNull())
          .addColumn("active", columnType.boolean, (c) => c.notNull())
          .execute();
      },
    };
    const extended = { ...migrations, "9000_test_widget": widgets };
    expect(await migrateToLatest(storage, extended)).toEqual({ applied: ["9000_test_widget"] });
    const { rows } = await sql<{ id: number }>`insert into widget (props, seen_at, active) values ('{}', '2024-01-01T00:00:00.000Z', 1) returning id`.execute(storage.db);
    expect(rows).toEqual([{ id: 1 }]);
    expect((await migrationStatus(storage, extended)).map((s) => s.name)).toEqual([...Object.keys(migrations), "9000_test_widget"]);
    await storage.close();
  });

  it("a failing migration is rolled back completely and stays pending", async () => {
    const storage = await open();
    const boom: StorageMigration = {
      async up(db) {
        await db.schema.createTable("half_done").addColumn("x", "text").execute();
        throw new Error("boom");
      },
    };
    const extended = { ...migrations, "9001_test_boom": boom };
    await expect(migrateToLatest(storage, extended)).rejects.toThrow(/migration 9001_test_boom failed on .*: boom/);
    await expect(sql`select * from half_done`.execute(storage.db)).rejects.toThrow();
    expect((await migrationStatus(storage, extended)).at(-1)).toEqual({ name: "9001_test_boom", appliedAt: null });
    await storage.close();
  });

  it("a database migrated by a newer version is refused with a UsageError", async () => {
    const storage = await open();
    const future = { ...migrations, "9999_from_the_future": { up: async () => {} } };
    await migrateToLatest(storage, future);
    const err = await migrateToLatest(storage).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/has migration 9999_from_the_future.*newer one\): upgrade iotscope/);
    expect((err as Error).message).not.toContain("\n");
    await storage.close();
  });

  it("concurrent opens of the same new database all succeed and migrate exactly once", async () => {
    const target = await backend.fresh();
    const opens = Array.from({ length: 4 }, () => openStorage({ url: target.url, dataDir: target.dataDir }));
    const settled = await Promise.allSettled(opens);
    const storages = settled.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    try {
      for (const r of settled) if (r.status === "rejected") throw r.reason;
      const [first] = storages;
      if (!first) throw new Error("no storage");
      expect((await migrationStatus(first)).every((s) => s.appliedAt !== null)).toBe(true);
      const installIds = await first.db.selectFrom("meta").select("value").where("key", "=", META_INSTALL_ID).execute();
      expect(installIds).toHaveLength(1);
      // Every connection sees the same database.
      for (const s of storages) expect(await getMeta(s.db, META_INSTALL_ID)).toBe(installIds[0]?.value);
    } finally {
      await Promise.all(storages.map((s) => s.close()));
      await target.dispose();
    }
  });
});
