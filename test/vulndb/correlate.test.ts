import { describe, expect, it } from "vitest";
import { getEntry, syncSource } from "../../src/vulndb/index.js";
import { canonicalAlias } from "../../src/vulndb/correlate/alias.js";
import { mergeRecords } from "../../src/vulndb/correlate/merge.js";
import { stableJson } from "../../src/vulndb/correlate/stable-json.js";
import { UnionFind } from "../../src/vulndb/correlate/union-find.js";
import fc from "fast-check";
import { emptyRecord, type SourceRecord } from "../../src/vulndb/record.js";
import { describeEachBackend } from "../helpers/db.js";
import { raw, testSource, type Partial } from "./ingest-helpers.js";

const rec = (source: string, sourceId: string, extra: Partial = {}): SourceRecord => ({ ...emptyRecord(source, sourceId), aliases: [sourceId], ...extra, source });

describe("correlation, pure parts", () => {
  it("canonicalises alias spellings", () => {
    expect(canonicalAlias(" cve-2023-1389 ")).toBe("CVE-2023-1389");
    expect(canonicalAlias("ghsa-23XF-5535-62v5")).toBe("GHSA-23xf-5535-62v5");
    expect(canonicalAlias("jvndb-2017-009608")).toBe("JVNDB-2017-009608");
    expect(canonicalAlias("icsa-24-004-01")).toBe("ICSA-24-004-01");
    expect(canonicalAlias("TALOS-2023-1")).toBe("TALOS-2023-1");
    expect(canonicalAlias("iots-vuln-2023-000001")).toBe("IOTS-VULN-2023-000001");
  });

  it("stableJson gives the same text whatever the key order, and parses back to the value", () => {
    const reverseKeys = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(reverseKeys) : v !== null && typeof v === "object" ? Object.fromEntries(Object.keys(v).reverse().map((k) => [k, reverseKeys((v as Record<string, unknown>)[k])])) : v;
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(JSON.parse(stableJson(v))).toEqual(JSON.parse(JSON.stringify(v)));
        expect(stableJson(reverseKeys(v))).toBe(stableJson(v));
      }),
    );
    expect(stableJson({ b: 1, a: undefined, c: [undefined], x: { z: 2, y: 1 } })).toBe('{"b":1,"c":[null],"x":{"y":1,"z":2}}');
  });

  it("union-find joins transitively", () => {
    const uf = new UnionFind();
    uf.union("a", "b");
    uf.union("c", "d");
    uf.union("b", "d");
    uf.add("e");
    expect(uf.find("a")).toBe(uf.find("c"));
    expect(uf.groups().map((g) => g.sort()).sort()).toEqual([["a", "b", "c", "d"], ["e"]]);
  });

  it("keeps every conflicting value with its sources and shows the one the trust rule picks", () => {
    const cve5 = rec("cve5", "CVE-2023-1", {
      descriptions: [{ lang: "en", text: "CNA text" }],
      cvss: [{ version: "3.1", vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", baseScore: 9.8 }],
      cpes: [{ criteria: "cpe:2.3:o:acme:cam_firmware:*:*:*:*:*:*:*:*", vulnerable: true }],
      modified: "2023-02-01T00:00:00.000Z",
    });
    const nvd = rec("nvd", "CVE-2023-1", {
      descriptions: [{ lang: "en", text: "NVD text" }, { lang: "es", text: "texto" }],
      cvss: [
        { version: "3.1", vector: "CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", baseScore: 8.8, provider: "nvd@nist.gov" },
        { version: "3.1", vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", baseScore: 9.8, provider: "cna" },
      ],
      cpes: [{ criteria: "cpe:2.3:o:acme:cam_firmware:*:*:*:*:*:*:*:*", vulnerable: true }],
      references: [{ url: "https://x.example/a", tags: ["Exploit"] }],
      modified: "2023-03-01T00:00:00.000Z",
    });
    const euvd = rec("euvd", "EUVD-2023-5", { aliases: ["EUVD-2023-5", "CVE-2023-1"], epss: { score: 0.5 }, references: [{ url: "https://x.example/a", tags: ["Third Party Advisory"] }] });
    const m = mergeRecords([euvd, nvd, cve5]);
    expect(m.aliases).toEqual(["CVE-2023-1", "EUVD-2023-5"]);
    expect(m.description).toMatchObject({ value: { text: "CNA text" }, sources: ["cve5"], trust: 1 });
    expect(m.description!.alternatives!.map((a) => a.value.text)).toEqual(["NVD text", "texto"]);
    // Same vector from cve5 and NVD's secondary score: one value, both sources; NVD's own score kept as an alternative.
    expect(m.cvss).toMatchObject({ value: { baseScore: 9.8 }, sources: ["cve5", "nvd"] });
    expect(m.cvss!.alternatives).toEqual([expect.objectContaining({ value: expect.objectContaining({ baseScore: 8.8 }), sources: ["nvd"] })]);
    expect(m.maxCvss).toBe(9.8);
    expect(m.cpes).toEqual([{ value: { criteria: "cpe:2.3:o:acme:cam_firmware:*:*:*:*:*:*:*:*", vulnerable: true }, sources: ["cve5", "nvd"], trust: 1 }]);
    expect(m.references).toEqual([{ value: { url: "https://x.example/a", tags: ["Exploit", "Third Party Advisory"] }, sources: ["euvd", "nvd"], trust: 0.85 }]);
    expect(m.epss).toMatchObject({ value: { score: 0.5 }, sources: ["euvd"] });
    expect(m.modified!.value).toBe("2023-03-01T00:00:00.000Z");
    expect(m.records.map((r) => r.source)).toEqual(["cve5", "euvd", "nvd"]);
    // Order of the input never changes the result.
    expect(JSON.stringify(mergeRecords([cve5, euvd, nvd]))).toBe(JSON.stringify(m));
  });
});

describeEachBackend("vulndb correlation", (open) => {
  it("merges the records of one vulnerability from several sources into one entry with a stable id", async () => {
    const storage = await open();
    await syncSource(storage, testSource({ name: "cve5", feed: [raw("cve5", { sourceId: "CVE-2023-1389", published: "2023-03-15T00:00:00.000Z" })] }).source);
    const first = (await getEntry(storage.db, "CVE-2023-1389"))!;
    expect(first.id).toBe("IOTS-VULN-2023-000001");
    await syncSource(storage, testSource({ name: "euvd", feed: [raw("euvd", { sourceId: "EUVD-2023-23645", aliases: ["EUVD-2023-23645", "CVE-2023-1389", "GSD-2023-1389"] })] }).source);
    await syncSource(storage, testSource({ name: "kev", feed: [raw("kev", { sourceId: "CVE-2023-1389", kev: { dateAdded: "2023-05-01" } })] }).source);
    for (const alias of ["cve-2023-1389", "EUVD-2023-23645", "GSD-2023-1389", first.id]) {
      const e = (await getEntry(storage.db, alias))!;
      expect(e.id).toBe(first.id);
    }
    const e = (await getEntry(storage.db, "CVE-2023-1389"))!;
    expect(e.records.map((r) => r.source)).toEqual(["cve5", "euvd", "kev"]);
    expect(e.flags).toEqual({ kev: true, hasExploit: false });
    expect(e.kev).toMatchObject({ value: { dateAdded: "2023-05-01" }, sources: ["kev"], trust: 1 });
    expect(await storage.db.selectFrom("vuln_entries").select("id").execute()).toHaveLength(1);
  });

  it("merges two entries that a later record joins: the older id survives and the other redirects to it", async () => {
    const storage = await open();
    await syncSource(storage, testSource({ name: "osv", feed: [raw("osv", { sourceId: "GHSA-aaaa-bbbb-cccc" })] }).source);
    await syncSource(storage, testSource({ name: "cve5", feed: [raw("cve5", { sourceId: "CVE-2024-0002" })] }).source);
    const ghsa = (await getEntry(storage.db, "GHSA-aaaa-bbbb-cccc"))!;
    const cveEntry = (await getEntry(storage.db, "CVE-2024-0002"))!;
    expect(ghsa.id).not.toBe(cveEntry.id);
    const report = await syncSource(
      storage,
      testSource({ name: "nvd", feed: [raw("nvd", { sourceId: "CVE-2024-0002", aliases: ["CVE-2024-0002", "GHSA-aaaa-bbbb-cccc"] })] }).source,
    );
    expect(report).toMatchObject({ entriesMerged: 1 });
    const merged = (await getEntry(storage.db, cveEntry.id))!;
    expect(merged.id).toBe(ghsa.id);
    expect(merged.previousIds).toEqual([cveEntry.id]);
    expect(merged.aliases).toEqual(["CVE-2024-0002", "GHSA-aaaa-bbbb-cccc"]);
    expect(merged.records.map((r) => r.source).sort()).toEqual(["cve5", "nvd", "osv"]);
    expect(await storage.db.selectFrom("vuln_entries").select("id").execute()).toEqual([{ id: ghsa.id }]);
    const owners = await storage.db.selectFrom("vuln_source_records").select("entry_id").distinct().execute();
    expect(owners).toEqual([{ entry_id: ghsa.id }]);

    // A later update of the merged-away record keeps the surviving id.
    await syncSource(storage, testSource({ name: "cve5", feed: [raw("cve5", { sourceId: "CVE-2024-0002", title: "now titled" })] }).source);
    const again = (await getEntry(storage.db, "CVE-2024-0002"))!;
    expect(again.id).toBe(ghsa.id);
    expect(again.title?.value).toBe("now titled");
  });

  it("keeps exploits as their own entries linked to the vulnerabilities, whichever arrives first", async () => {
    const storage = await open();
    const edb = testSource({
      name: "exploitdb",
      feed: [
        raw("exploitdb", { sourceId: "EDB-1", kind: "exploit", exploits: ["CVE-2024-0010"], exploit: { platform: "hardware" } }),
        raw("exploitdb", { sourceId: "EDB-2", kind: "exploit", exploits: ["cve-2024-0011"] }),
      ],
    });
    await syncSource(storage, testSource({ name: "cve5", feed: [raw("cve5", { sourceId: "CVE-2024-0010" })] }).source);
    await syncSource(storage, edb.source);
    await syncSource(storage, testSource({ name: "cve5", feed: [raw("cve5", { sourceId: "CVE-2024-0011" })] }).source);

    const before = (await getEntry(storage.db, "CVE-2024-0010"))!;
    const after = (await getEntry(storage.db, "CVE-2024-0011"))!;
    const e1 = (await getEntry(storage.db, "EDB-1"))!;
    expect(e1.kind).toBe("exploit");
    expect(e1.id).toMatch(/^IOTS-EXPL-\d{4}-\d{6}$/);
    expect(e1.targets).toEqual([{ alias: "CVE-2024-0010", id: before.id }]);
    expect(before.flags.hasExploit).toBe(true);
    expect(before.exploitedBy).toEqual([{ id: e1.id, aliases: ["EDB-1"] }]);
    expect(after.flags.hasExploit).toBe(true);
    expect(after.exploitedBy!.map((x) => x.aliases)).toEqual([["EDB-2"]]);
    expect(before.id).not.toBe(e1.id);
  });

  it("gives each entry its own id, per kind and year, and never reuses one", async () => {
    const storage = await open();
    const feed = [
      raw("cve5", { sourceId: "CVE-2021-1" }),
      raw("cve5", { sourceId: "CVE-2021-2" }),
      raw("cve5", { sourceId: "CVE-2022-1" }),
      raw("cve5", { sourceId: "X-1", aliases: [], published: "2019-05-01T00:00:00.000Z" }),
    ];
    await syncSource(storage, testSource({ name: "cve5", feed }).source);
    const ids = await Promise.all(["CVE-2021-1", "CVE-2021-2", "CVE-2022-1", "cve5:X-1"].map(async (a) => (await getEntry(storage.db, a))!.id));
    expect(ids).toEqual(["IOTS-VULN-2021-000001", "IOTS-VULN-2021-000002", "IOTS-VULN-2022-000001", "IOTS-VULN-2019-000001"]);
    await syncSource(storage, testSource({ name: "cve5", feed: [raw("cve5", { sourceId: "CVE-2021-3" })] }).source);
    expect((await getEntry(storage.db, "CVE-2021-3"))!.id).toBe("IOTS-VULN-2021-000003");
  });
});
