import fc from "fast-check";
import { expect, it } from "vitest";
import {
  appendAudit,
  fromDbBool,
  fromJson,
  getMeta,
  insertOrIgnore,
  listAudit,
  setMeta,
  toDbBool,
  toIso,
  toJson,
  upsert,
  withTransaction,
} from "../../../src/core/storage/index.js";
import { describeEachBackend } from "../../helpers/db.js";

const UNICODE = "Kamera 温度センサー — ñandú 🔥🇩🇪 \u200d Ω";

describeEachBackend("storage round-trips", (open) => {
  it("meta values round-trip, including unicode", async () => {
    const storage = await open();
    await setMeta(storage.db, "greeting", UNICODE);
    expect(await getMeta(storage.db, "greeting")).toBe(UNICODE);
    expect(await getMeta(storage.db, "absent")).toBeUndefined();
    await setMeta(storage.db, "greeting", "replaced");
    expect(await getMeta(storage.db, "greeting")).toBe("replaced");
  });

  it("any JSON value and any well-formed string round-trip unchanged", async () => {
    const storage = await open();
    await fc.assert(
      fc.asyncProperty(
        fc.jsonValue(),
        // PostgreSQL text cannot hold NUL; that is the one character excluded.
        fc.string({ unit: "grapheme", maxLength: 40 }).filter((s) => !s.includes("\u0000")),
        async (value, text) => {
          await setMeta(storage.db, "json", toJson(value));
          await setMeta(storage.db, "text", text);
          expect(fromJson(await getMeta(storage.db, "json") ?? "")).toEqual(JSON.parse(JSON.stringify(value)));
          expect(await getMeta(storage.db, "text")).toBe(text);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("audit log entries round-trip with JSON details, unicode and exact ISO timestamps", async () => {
    const storage = await open();
    const details = { target: "192.0.2.7", ports: [23, 2323], nested: { ok: true, none: null }, name: UNICODE };
    const older = "2024-02-29T23:59:59.123Z";
    const newer = toIso(new Date(Date.UTC(2024, 2, 1, 0, 0, 0, 7)));
    const id1 = await appendAudit(storage.db, { actor: "alice", action: "campaign.start", details, at: older });
    const id2 = await appendAudit(storage.db, { actor: "cli", action: "share.publish", at: newer });
    expect(typeof id1).toBe("number");
    expect(id2).toBeGreaterThan(id1);

    const all = await listAudit(storage.db);
    expect(all).toEqual([
      { id: id2, at: "2024-03-01T00:00:00.007Z", actor: "cli", action: "share.publish", details: {} },
      { id: id1, at: older, actor: "alice", action: "campaign.start", details },
    ]);
    expect(await listAudit(storage.db, { action: "campaign.start" })).toHaveLength(1);
    expect(await listAudit(storage.db, { limit: 1 })).toEqual([all[0]]);
  });

  it("counts and ids come back as numbers on every backend", async () => {
    const storage = await open();
    await appendAudit(storage.db, { actor: "a", action: "x" });
    const row = await storage.db
      .selectFrom("audit_log")
      .select((eb) => [eb.fn.countAll().as("n"), eb.fn.max("id").as("maxId")])
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ n: 1, maxId: 1 });
  });

  it("booleans and JSON helpers refuse what they cannot store", () => {
    expect(fromDbBool(toDbBool(true))).toBe(true);
    expect(fromDbBool(toDbBool(false))).toBe(false);
    expect(() => toJson(undefined)).toThrow(TypeError);
    expect(() => toIso(new Date(Number.NaN))).toThrow(RangeError);
  });
});

describeEachBackend("insert-or-ignore and upsert", (open) => {
  it("insertOrIgnore keeps the first row and reports what it inserted", async () => {
    const storage = await open();
    expect(await insertOrIgnore(storage.db, "meta", { key: "k", value: "first" }, ["key"])).toBe(1);
    expect(await insertOrIgnore(storage.db, "meta", { key: "k", value: "second" }, ["key"])).toBe(0);
    expect(await insertOrIgnore(storage.db, "meta", { key: "k", value: "third" })).toBe(0);
    expect(await getMeta(storage.db, "k")).toBe("first");
    const rows = [
      { key: "k", value: "x" },
      { key: "k2", value: "y" },
    ];
    expect(await insertOrIgnore(storage.db, "meta", rows, ["key"])).toBe(1);
    expect(await insertOrIgnore(storage.db, "meta", [], ["key"])).toBe(0);
  });

  it("upsert inserts, then overwrites the non-key columns", async () => {
    const storage = await open();
    await upsert(storage.db, "meta", { key: "k", value: "one" }, ["key"]);
    await upsert(storage.db, "meta", [{ key: "k", value: "two" }, { key: "k3", value: "three" }], ["key"]);
    expect(await getMeta(storage.db, "k")).toBe("two");
    expect(await getMeta(storage.db, "k3")).toBe("three");
    // Only the listed columns are overwritten; with none left, an existing row is kept.
    await upsert(storage.db, "meta", { key: "k", value: "ignored" }, ["key"], []);
    expect(await getMeta(storage.db, "k")).toBe("two");
  });

  it("upsert can touch only some columns", async () => {
    const storage = await open();
    const id = await storage.db
      .insertInto("audit_log")
      .values({ at: "2024-01-01T00:00:00.000Z", actor: "a", action: "x", details: "{}" })
      .returning("id")
      .executeTakeFirstOrThrow();
    await upsert(
      storage.db,
      "audit_log",
      { id: id.id, at: "2025-01-01T00:00:00.000Z", actor: "b", action: "y", details: toJson({ v: 1 }) },
      ["id"],
      ["details"],
    );
    const row = await storage.db.selectFrom("audit_log").selectAll().executeTakeFirstOrThrow();
    expect(row).toEqual({ id: id.id, at: "2024-01-01T00:00:00.000Z", actor: "a", action: "x", details: '{"v":1}' });
  });
});

describeEachBackend("transactions", (open) => {
  it("commit everything when the function resolves", async () => {
    const storage = await open();
    const result = await withTransaction(storage, async (trx) => {
      await setMeta(trx, "a", "1");
      await appendAudit(trx, { actor: "t", action: "tx.ok" });
      return "done";
    });
    expect(result).toBe("done");
    expect(await getMeta(storage.db, "a")).toBe("1");
    expect(await listAudit(storage.db, { action: "tx.ok" })).toHaveLength(1);
  });

  it("leave nothing written when the function throws, and rethrow its error", async () => {
    const storage = await open();
    const failure = new Error("halfway");
    await expect(
      withTransaction(storage, async (trx) => {
        await setMeta(trx, "a", "1");
        await appendAudit(trx, { actor: "t", action: "tx.fail" });
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await getMeta(storage.db, "a")).toBeUndefined();
    expect(await listAudit(storage.db, { action: "tx.fail" })).toEqual([]);
  });

  it("roll back when a statement inside fails", async () => {
    const storage = await open();
    await setMeta(storage.db, "dup", "original");
    await expect(
      withTransaction(storage, async (trx) => {
        await setMeta(trx, "b", "2");
        await trx.insertInto("meta").values({ key: "dup", value: "clash" }).execute();
      }),
    ).rejects.toThrow();
    expect(await getMeta(storage.db, "b")).toBeUndefined();
    expect(await getMeta(storage.db, "dup")).toBe("original");
  });
});
