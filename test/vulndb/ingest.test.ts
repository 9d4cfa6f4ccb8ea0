import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
import type { Storage } from "../../src/core/storage/index.js";
import { getEntry, syncSource } from "../../src/vulndb/index.js";
import type { IngestError } from "../../src/vulndb/index.js";
import { describeEachBackend } from "../helpers/db.js";
import { raw, testSource } from "./ingest-helpers.js";

async function count(storage: Storage, table: "vuln_raw_records" | "vuln_source_records" | "vuln_entries" | "vuln_entry_aliases" | "vuln_alias_edges"): Promise<number> {
  const r = await storage.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<string | number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

const cve = (n: number, extra: Record<string, unknown> = {}) =>
  raw("test", { sourceId: `CVE-2024-${1000 + n}`, title: `bug ${n}`, descriptions: [{ lang: "en", text: `bug number ${n}` }], ...extra });

describeEachBackend("vulndb ingest", (open) => {
  it("stores raw records, source records and one entry per vulnerability, and re-ingesting the same data changes nothing", async () => {
    const storage = await open();
    const { source } = testSource({ feed: [cve(1), cve(2), cve(3)] });
    const first = await syncSource(storage, source, { batchSize: 2 });
    expect(first).toMatchObject({ read: 3, changed: 3, entriesCreated: 3, errors: 0, batches: 2 });
    const before = await storage.db.selectFrom("vuln_entries").select(["id", "updated_at", "data"]).orderBy("id").execute();

    const again = await syncSource(storage, source, { batchSize: 2 });
    expect(again).toMatchObject({ read: 3, unchangedRaw: 3, parsed: 0, changed: 0, entriesCreated: 0, entriesUpdated: 0 });
    expect(await storage.db.selectFrom("vuln_entries").select(["id", "updated_at", "data"]).orderBy("id").execute()).toEqual(before);
    expect(await count(storage, "vuln_raw_records")).toBe(3);
    expect(await count(storage, "vuln_source_records")).toBe(3);

    // Re-parsing the same bytes (after a parser change) finds the same records: still nothing changes.
    const reparsed = await syncSource(storage, source, { reparse: true });
    expect(reparsed).toMatchObject({ parsed: 3, changed: 0, entriesUpdated: 0 });
    expect(await count(storage, "vuln_raw_records")).toBe(3);
  });

  it("reports a record that fails to parse with its id and origin, and stores the rest of its batch", async () => {
    const storage = await open();
    const { source } = testSource({ feed: [cve(1), raw("test", '{"sourceId": "CVE-2024-9', "CVE-2024-9"), cve(2), raw("test", "{}", "nothing"), cve(3)] });
    const errors: IngestError[] = [];
    const report = await syncSource(storage, source, { batchSize: 100, onError: (e) => errors.push(e) });
    expect(report).toMatchObject({ read: 5, errors: 2, changed: 3, batches: 1 });
    expect(errors.map((e) => [e.recordId, e.origin])).toEqual([
      ["CVE-2024-9", "test:CVE-2024-9"],
      ["nothing", "test:nothing"],
    ]);
    expect(errors[0]!.message).toMatch(/^test: CVE-2024-9 \(test:CVE-2024-9\): not JSON/);
    expect(await count(storage, "vuln_raw_records")).toBe(3);
    expect(await getEntry(storage.db, "CVE-2024-1002")).toBeDefined();
    const state = await storage.db.selectFrom("vuln_sources").selectAll().where("name", "=", "test").executeTakeFirstOrThrow();
    expect(state).toMatchObject({ records: 3, errors: 2 });
    expect(state.last_error).toContain("no sourceId");
  });

  it("writes nothing of a batch whose transaction fails, and keeps the batches committed before it", async () => {
    const storage = await open();
    const { source } = testSource({ feed: [cve(1), cve(2), cve(3), cve(4), cve(5)] });
    // The classifier runs inside the transaction, after raw records are inserted: failing there must roll them back.
    const classify = (e: { aliases: string[] }) => {
      if (e.aliases.includes("CVE-2024-1004")) throw new Error("classifier failed");
      return { iot: false, score: 0, reasons: [], deviceTypes: [] };
    };
    await expect(syncSource(storage, source, { batchSize: 2, classify })).rejects.toThrow("classifier failed");
    expect(await count(storage, "vuln_raw_records")).toBe(2);
    expect(await count(storage, "vuln_source_records")).toBe(2);
    expect(await count(storage, "vuln_entries")).toBe(2);
    const state = await storage.db.selectFrom("vuln_sources").selectAll().where("name", "=", "test").executeTakeFirstOrThrow();
    expect(state.last_error).toBe("classifier failed");
    expect(state.last_success_at).toBeNull();
  });

  it("names the record when a parser has a bug, after committing the batches before it", async () => {
    const storage = await open();
    const { source } = testSource({ feed: [cve(1), cve(2), raw("test", { sourceId: "X", kind: "boom" as never }, "X")] });
    await expect(syncSource(storage, source, { batchSize: 2 })).rejects.toThrow("test: X (test:X): parser failed: parser bug");
    expect(await count(storage, "vuln_source_records")).toBe(2);
  });

  it("saves a checkpoint only with the records before it, and resumes from it after a failure", async () => {
    const storage = await open();
    const feed = [cve(1), cve(2), { checkpoint: { page: 1 } }, cve(3), new Error("network down")];
    const { source, seenCursors } = testSource({ feed });
    await expect(syncSource(storage, source, { batchSize: 10 })).rejects.toThrow("network down");
    const row = await storage.db.selectFrom("vuln_sources").select(["cursor", "last_error"]).where("name", "=", "test").executeTakeFirstOrThrow();
    expect(JSON.parse(row.cursor!)).toEqual({ page: 1 });
    expect(row.last_error).toBe("network down");
    // cve(3) came after the checkpoint and before the failure: not committed.
    expect(await count(storage, "vuln_source_records")).toBe(2);

    const { source: again, seenCursors: seen2 } = testSource({ feed: [cve(3)], finalCursor: { page: 2 } });
    const report = await syncSource(storage, again);
    expect(seenCursors).toEqual([undefined]);
    expect(seen2).toEqual([{ page: 1 }]);
    expect(report.cursor).toEqual({ page: 2 });
    expect(await count(storage, "vuln_source_records")).toBe(3);
    const state = await storage.db.selectFrom("vuln_sources").selectAll().where("name", "=", "test").executeTakeFirstOrThrow();
    expect(state).toMatchObject({ records: 3, errors: 0, last_error: null });
    expect(state.last_success_at).not.toBeNull();
  });

  it("reads --from-file input through the source's readFile and leaves the cursor alone", async () => {
    const storage = await open();
    const dir = await mkdtemp(path.join(os.tmpdir(), "vulndb-ingest-"));
    try {
      const file = path.join(dir, "records.jsonl");
      await writeFile(file, [cve(1).body, "not json", cve(2).body, ""].join("\n"));
      const { source } = testSource();
      const errors: IngestError[] = [];
      const report = await syncSource(storage, source, { fromFile: file, onError: (e) => errors.push(e) });
      expect(report).toMatchObject({ mode: "file", changed: 2, errors: 1, cursor: null });
      expect(errors[0]!.origin).toBe(`${file}:2`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("marks non-English text it cannot translate, keeps it, and leaves English records alone", async () => {
    const storage = await open();
    const ja = raw("test", { sourceId: "JVNDB-2017-009608", descriptions: [{ lang: "ja", text: "エアバッグ制御ユニットにサービス運用妨害 (DoS) の脆弱性" }] });
    await syncSource(storage, testSource({ feed: [ja, cve(1)] }).source, { translator: null });
    const e = (await getEntry(storage.db, "JVNDB-2017-009608"))!;
    expect(e.description!.value).toMatchObject({ text: "エアバッグ制御ユニットにサービス運用妨害 (DoS) の脆弱性", untranslated: true });
    const en = (await getEntry(storage.db, "CVE-2024-1001"))!;
    expect(en.description!.value).toEqual({ lang: "en", text: "bug number 1" });
  });

  it("updates a record whose content changed, in place", async () => {
    const storage = await open();
    await syncSource(storage, testSource({ feed: [cve(1)] }).source);
    const before = (await getEntry(storage.db, "CVE-2024-1001"))!;
    const report = await syncSource(storage, testSource({ feed: [cve(1, { title: "renamed" })] }).source);
    expect(report).toMatchObject({ changed: 1, entriesCreated: 0, entriesUpdated: 1 });
    const after = (await getEntry(storage.db, "CVE-2024-1001"))!;
    expect(after.id).toBe(before.id);
    expect(after.title?.value).toBe("renamed");
    expect(await count(storage, "vuln_raw_records")).toBe(2);
    expect(await count(storage, "vuln_source_records")).toBe(1);
  });
});
