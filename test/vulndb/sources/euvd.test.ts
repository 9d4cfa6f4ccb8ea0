import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { source as euvd } from "../../../src/vulndb/sources/euvd/index.js";
import { euvdDate } from "../../../src/vulndb/sources/euvd/parse.js";
import { describeWithShared, sharedFixture } from "../../helpers/fixtures.js";
import { ctxFor, drain, expectParseError, mutations, parseAll, parsesOrRejects, rawOf, readAll, startLoopServer, tempDir, type LoopServer } from "./json-harness.js";

const FIXTURE = "vulndb/euvd_CVE-2023-1389.json";

/** An EUVD record as the API's search endpoint answers it: aliases and references as newline-separated strings. */
function apiRecord(id: string, cve: string, updated = "May 20, 2025, 3:00:00\u202fPM"): Record<string, unknown> {
  return {
    id,
    enisaUuid: "7c1f0000-0000-3000-8000-000000000000",
    description: `Command injection in Example NVR (${cve}).`,
    datePublished: "May 19, 2025, 9:15:00 AM",
    dateUpdated: updated,
    baseScore: 9.8,
    baseScoreVersion: "3.1",
    baseScoreVector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    references: "https://example.org/advisory\nhttps://example.org/patch\n",
    aliases: `${cve}\nGHSA-xxxx-yyyy-zzzz\n`,
    assigner: "VulDB",
    epss: 0.42,
    enisaIdProduct: [
      { id: "p1", product: { name: "NVR 4000" }, product_version: "2.1.0" },
      { id: "p2", product: { name: "NVR 5000" }, product_version: "all versions before 3.0" },
    ],
    enisaIdVendor: [{ id: "v1", vendor: { name: "Example Corp" } }],
  };
}

describe("euvd dates", () => {
  it("reads EUVD's Java-style dates as UTC, with AM/PM and the narrow no-break space", () => {
    expect(euvdDate("Mar 15, 2023, 12:00:00 AM")).toBe("2023-03-15T00:00:00.000Z");
    expect(euvdDate("Jul 30, 2025, 1:37:29 AM")).toBe("2025-07-30T01:37:29.000Z");
    expect(euvdDate("Jul 30, 2025, 12:05:00 PM")).toBe("2025-07-30T12:05:00.000Z");
    expect(euvdDate("Dec 1, 2024, 11:59:59\u202fPM")).toBe("2024-12-01T23:59:59.000Z");
    expect(euvdDate("2025-01-02T03:04:05Z")).toBe("2025-01-02T03:04:05.000Z");
    expect(euvdDate("Feb 30, 2023, 1:00:00 AM")).toBeUndefined();
    expect(euvdDate("Foo 3, 2023, 1:00:00 AM")).toBeUndefined();
    expect(euvdDate("Mar 15, 2023, 13:00:00 PM")).toBeUndefined();
    expect(euvdDate("yesterday")).toBeUndefined();
  });
});

describeWithShared("euvd source on the real EUVD-2023-23645 (CVE-2023-1389) record", () => {
  it("parses every field", async () => {
    const raws = await readAll(euvd, sharedFixture(FIXTURE));
    expect(raws).toHaveLength(1);
    expect(raws[0]).toMatchObject({ source: "euvd", id: "EUVD-2023-23645", modified: "2025-07-30T01:37:29.000Z" });
    const [rec] = euvd.parse(raws[0]!);
    expect(rec).toMatchObject({ source: "euvd", sourceId: "EUVD-2023-23645", kind: "vulnerability", status: "published", assigner: "tenable" });
    expect(rec!.aliases).toEqual(["EUVD-2023-23645", "CVE-2023-1389", "GSD-2023-1389"]);
    expect(rec!.published).toBe("2023-03-15T00:00:00.000Z");
    expect(rec!.modified).toBe("2025-07-30T01:37:29.000Z");
    expect(rec!.exploitedSince).toBe("2023-05-01T00:00:00.000Z");
    expect(rec!.epss).toEqual({ score: 0.9364 });
    expect(rec!.cvss).toEqual([{ version: "3.1", vector: "CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", baseScore: 8.8, provider: "ENISA EUVD" }]);
    expect(rec!.descriptions).toHaveLength(1);
    expect(rec!.descriptions[0]!.text).toMatch(/^TP-Link Archer AX21/);
    expect(rec!.references).toEqual([{ url: "https://www.tenable.com/security/research/tra-2023-11" }, { url: "http://packetstormsecurity.com/files/174131/TP-Link-Archer-AX21-Command-Injection.html" }]);
    // The vendor is "n/a": dropped; the product keeps its prose version as text.
    expect(rec!.affected).toEqual([{ product: "TP-Link Archer AX21 (AX1800)", versions: [{ text: "All versions prior to version 1.14 Build 20230219", status: "affected" }] }]);
    expect(rec!.related).toEqual([]);
  });

  it("fuzz: mutated copies of the real record parse or fail with SourceParseError", async () => {
    const text = await readFile(sharedFixture(FIXTURE), "utf8");
    fc.assert(fc.property(fc.integer(), (seed) => parsesOrRejects(euvd, mutations(text, seed))), { numRuns: 300 });
  });
});

describe("euvd source parsing", () => {
  it("splits newline-separated aliases and references, divides EPSS by 100, pairs the single vendor with each product", () => {
    const [rec] = euvd.parse(rawOf("euvd", JSON.stringify(apiRecord("EUVD-2025-0001", "CVE-2025-1111"))));
    expect(rec!.aliases).toEqual(["EUVD-2025-0001", "CVE-2025-1111", "GHSA-xxxx-yyyy-zzzz"]);
    expect(rec!.references.map((r) => r.url)).toEqual(["https://example.org/advisory", "https://example.org/patch"]);
    expect(rec!.epss!.score).toBeCloseTo(0.0042, 10);
    expect(rec!.modified).toBe("2025-05-20T15:00:00.000Z");
    expect(rec!.affected).toEqual([
      { vendor: "Example Corp", product: "NVR 4000", versions: [{ version: "2.1.0", status: "affected" }] },
      { vendor: "Example Corp", product: "NVR 5000", versions: [{ text: "all versions before 3.0", status: "affected" }] },
    ]);
  });

  it("keeps several vendors apart from the products rather than guess pairs; a -1 score is no score", () => {
    const r = { ...apiRecord("EUVD-2025-0002", "CVE-2025-2222"), baseScore: -1, baseScoreVersion: "", baseScoreVector: "", enisaIdVendor: [{ vendor: { name: "A" } }, { vendor: { name: "B" } }], enisaIdProduct: [{ product: { name: "P" } }] };
    const [rec] = euvd.parse(rawOf("euvd", JSON.stringify(r)));
    expect(rec!.affected).toEqual([{ product: "P", versions: [] }, { vendor: "A", versions: [] }, { vendor: "B", versions: [] }]);
    expect(rec!.cvss).toEqual([]);
  });

  it("malformed records give SourceParseError naming record and origin", () => {
    expectParseError(euvd, JSON.stringify(apiRecord("EUVD-2025-0001", "CVE-2025-1111")).slice(0, 60), "EUVD-2025-0001", /not valid JSON/);
    const { id: _id, ...noId } = apiRecord("EUVD-2025-0001", "CVE-2025-1111");
    expectParseError(euvd, JSON.stringify(noId), "EUVD-2025-0001", /id/);
    expectParseError(euvd, JSON.stringify({ ...apiRecord("EUVD-2025-0001", "CVE-2025-1111"), aliases: 42 }), "EUVD-2025-0001", /aliases/);
    expectParseError(euvd, JSON.stringify({ ...apiRecord("EUVD-2025-0001", "CVE-2025-1111"), datePublished: "someday" }), "EUVD-2025-0001", /datePublished: not a date/);
    expectParseError(euvd, JSON.stringify({ ...apiRecord("EUVD-2025-0001", "CVE-2025-1111"), enisaIdProduct: {} }), "EUVD-2025-0001", /enisaIdProduct/);
  });

  it("fuzz: random JSON and record-shaped values parse or fail with SourceParseError", () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => parsesOrRejects(euvd, JSON.stringify(v))), { numRuns: 400 });
    fc.assert(
      fc.property(fc.record({ datePublished: fc.string(), dateUpdated: fc.oneof(fc.string(), fc.date({ noInvalidDate: true }).map((d) => d.toUTCString())), epss: fc.double(), aliases: fc.jsonValue(), exploitedSince: fc.string() }), (v) =>
        parsesOrRejects(euvd, JSON.stringify({ ...apiRecord("EUVD-2025-0001", "CVE-2025-1111"), ...v })),
      ),
      { numRuns: 300 },
    );
  });

  it("reads an API page, an array and a directory with a bad file among good ones", async () => {
    const { dir, cleanup } = await tempDir();
    try {
      await mkdir(path.join(dir, "cves", "2025"), { recursive: true });
      await writeFile(path.join(dir, "page.json"), JSON.stringify({ items: [apiRecord("EUVD-2025-0001", "CVE-2025-1111"), apiRecord("EUVD-2025-0002", "CVE-2025-2222")], total: 2 }));
      await writeFile(path.join(dir, "cves", "2025", "CVE-2025-3333.json"), JSON.stringify(apiRecord("EUVD-2025-0003", "CVE-2025-3333")));
      await writeFile(path.join(dir, "cves", "2025", "CVE-2025-4444.json"), "[{");
      const raws = await readAll(euvd, dir);
      expect(raws.map((r) => [r.id, path.relative(dir, r.origin)])).toEqual([
        ["EUVD-2025-0003", "cves/2025/CVE-2025-3333.json"],
        ["CVE-2025-4444", "cves/2025/CVE-2025-4444.json"],
        ["EUVD-2025-0001", "page.json#/items/0"],
        ["EUVD-2025-0002", "page.json#/items/1"],
      ]);
      const { records, errors } = parseAll(euvd, raws);
      expect(records.map((r) => r.sourceId)).toEqual(["EUVD-2025-0003", "EUVD-2025-0001", "EUVD-2025-0002"]);
      expect(errors.map((e) => e.recordId)).toEqual(["CVE-2025-4444"]);
      await writeFile(path.join(dir, "array.json"), JSON.stringify([apiRecord("EUVD-2025-0005", "CVE-2025-5555")]));
      expect((await readAll(euvd, path.join(dir, "array.json"))).map((r) => r.origin)).toEqual([`${path.join(dir, "array.json")}#/0`]);
    } finally {
      await cleanup();
    }
  });
});

describe("euvd source online (EUVD search API on a loopback server)", () => {
  const data = [
    ["EUVD-2025-0001", "2025-05-20"],
    ["EUVD-2025-0002", "2025-05-20"],
    ["EUVD-2025-0003", "2025-05-22"],
    ["EUVD-2025-0004", "2025-05-27"],
    ["EUVD-2025-0005", "2025-05-27"],
    ["EUVD-2025-0006", "2025-05-30"],
    ["EUVD-2025-0007", "2025-05-30"],
    ["EUVD-2025-0008", "2025-06-01"],
  ] as const;
  const MONTH = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  let server: LoopServer;
  let tooMany = 0;
  beforeAll(async () => {
    server = await startLoopServer((url) => {
      if (url.pathname !== "/api/search") return { status: 404 };
      if (tooMany > 0) {
        tooMany--;
        return { status: 429, headers: { "retry-after": "0" } };
      }
      const from = url.searchParams.get("fromUpdatedDate")!;
      const to = url.searchParams.get("toUpdatedDate")!;
      const size = Number(url.searchParams.get("size"));
      const page = Number(url.searchParams.get("page"));
      const hits = data.filter(([, d]) => d >= from && d <= to);
      const items = hits.slice(page * size, (page + 1) * size).map(([id, d]) => {
        const [y, m, day] = d.split("-").map(Number);
        return apiRecord(id, `CVE-2025-${id.slice(-4)}`, `${MONTH[m! - 1]} ${day}, ${y}, 3:00:00 PM`);
      });
      return { body: JSON.stringify({ items, total: hits.length }) };
    });
  });
  afterAll(() => server.close());

  it("pages each day window from the cursor, splits a window holding too many results, retries a 429 and checkpoints per window", async () => {
    tooMany = 1;
    server.requests.length = 0;
    const ctx = ctxFor({ baseUrl: `${server.base}/api/search`, pageSize: "2", windowDays: "7", maxWindowResults: "4" }, new Date("2025-06-01T08:00:00Z"));
    const out = await drain(euvd, { dateUpdated: "2025-05-20" }, ctx);
    expect(out.order).toEqual([
      "EUVD-2025-0001",
      "EUVD-2025-0002",
      "EUVD-2025-0003",
      { checkpoint: { dateUpdated: "2025-05-26" } },
      "EUVD-2025-0004",
      "EUVD-2025-0005",
      "EUVD-2025-0006",
      "EUVD-2025-0007",
      "EUVD-2025-0008",
      { checkpoint: { dateUpdated: "2025-06-01" } },
    ]);
    expect(out.cursor).toEqual({ dateUpdated: "2025-06-01" });
    expect(server.requests.map((r) => `${r.query.get("fromUpdatedDate")}..${r.query.get("toUpdatedDate")}#${r.query.get("page")}`)).toEqual([
      "2025-05-20..2025-05-26#0", // 429
      "2025-05-20..2025-05-26#0",
      "2025-05-20..2025-05-26#1",
      "2025-05-27..2025-06-01#0", // 5 > 4: split
      "2025-05-27..2025-05-29#0",
      "2025-05-30..2025-06-01#0",
      "2025-05-30..2025-06-01#1",
    ]);
    expect(server.requests.every((r) => r.query.get("size") === "2")).toBe(true);
    expect(out.records[0]).toMatchObject({ id: "EUVD-2025-0001", modified: "2025-05-20T15:00:00.000Z" });
    expect(out.records[0]!.origin).toMatch(/\/api\/search\?.*#\/items\/0$/);
    expect(euvd.parse(out.records[7]!)[0]!.aliases).toContain("CVE-2025-0008");
  });

  it("a non-page answer fails the fetch naming the URL", async () => {
    const ctx = ctxFor({ baseUrl: `${server.base}/api/nothing` }, new Date("2025-06-01T08:00:00Z"));
    await expect(drain(euvd, { dateUpdated: "2025-05-31" }, ctx)).rejects.toThrow(/api\/nothing/);
  });
});
