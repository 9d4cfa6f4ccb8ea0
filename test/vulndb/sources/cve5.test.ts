import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { source as cve5 } from "../../../src/vulndb/sources/cve5/index.js";
import { cvePath } from "../../../src/vulndb/sources/cve5/fetch.js";
import { describeWithShared, sharedFixture } from "../../helpers/fixtures.js";
import { ctxFor, drain, expectParseError, makeZip, mutations, parseAll, parsesOrRejects, rawOf, readAll, startLoopServer, tempDir, type LoopServer } from "./json-harness.js";

const FIXTURE = "vulndb/cve5_CVE-2023-1389.json";

/** A minimal CVE 5.1 record of our own (runs without the shared fixtures). */
function record(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    dataType: "CVE_RECORD",
    dataVersion: "5.1",
    cveMetadata: { state: "PUBLISHED", cveId: id, assignerShortName: "acme", datePublished: "2024-02-01T00:00:00.000Z", dateUpdated: "2024-03-01T12:00:00.000Z" },
    containers: {
      cna: {
        providerMetadata: { orgId: "00000000-0000-4000-8000-000000000000", shortName: "acme" },
        descriptions: [{ lang: "en", value: `description of ${id}` }],
        affected: [{ vendor: "Acme", product: "Router X", versions: [{ version: "1.0", status: "affected", lessThan: "1.2", versionType: "custom" }] }],
        references: [{ url: "https://acme.example/advisory" }],
        ...extra,
      },
    },
  };
}

/** CISA's Vulnrichment ADP container in the shape cvelistV5 carries it. */
const cisaAdp = {
  providerMetadata: { orgId: "134c704f-9b21-4f2e-91b3-4a467353bcc0", shortName: "CISA-ADP", dateUpdated: "2024-08-02T05:49:11.331Z" },
  title: "CISA ADP Vulnrichment",
  metrics: [
    { cvssV3_1: { version: "3.1", vectorString: "CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", baseScore: 8.8, baseSeverity: "HIGH", scope: "UNCHANGED" } },
    { other: { type: "ssvc", content: { id: "CVE-2023-1389", role: "CISA Coordinator", version: "2.0.3", timestamp: "2024-07-30T00:00:00Z", options: [{ Exploitation: "active" }, { Automatable: "yes" }, { "Technical Impact": "total" }] } } },
    { other: { type: "kev", content: { dateAdded: "2023-05-01", reference: "https://www.cisa.gov/known-exploited-vulnerabilities-catalog?search=CVE-2023-1389" } } },
  ],
  affected: [
    {
      vendor: "tp-link",
      product: "archer_ax21_firmware",
      cpes: ["cpe:2.3:o:tp-link:archer_ax21_firmware:*:*:*:*:*:*:*:*"],
      defaultStatus: "unknown",
      versions: [{ version: "0", status: "affected", lessThan: "1.1.4", versionType: "custom" }],
    },
  ],
  problemTypes: [{ descriptions: [{ type: "CWE", cweId: "CWE-77", lang: "en", description: "CWE-77 Improper Neutralization of Special Elements used in a Command ('Command Injection')" }] }],
};

describeWithShared("cve5 source on the real CVE-2023-1389 record", () => {
  it("parses the CNA container and the CVE Program ADP container field by field", async () => {
    const raws = await readAll(cve5, sharedFixture(FIXTURE));
    expect(raws).toHaveLength(1);
    expect(raws[0]).toMatchObject({ source: "cve5", id: "CVE-2023-1389", modified: "2024-08-02T05:49:11.331Z" });
    const [rec] = cve5.parse(raws[0]!);
    expect(rec).toMatchObject({ source: "cve5", sourceId: "CVE-2023-1389", aliases: ["CVE-2023-1389"], related: [], status: "published", assigner: "tenable" });
    expect(rec!.published).toBe("2023-03-15T00:00:00.000Z");
    expect(rec!.modified).toBe("2024-08-02T05:49:11.331Z");
    expect(rec!.descriptions[0]).toMatchObject({ lang: "en" });
    expect(rec!.descriptions[0]!.text).toContain("/cgi-bin/luci;stok=/locale");
    // vendor "n/a" is dropped (unknown), the prose version kept as text.
    expect(rec!.affected).toEqual([{ product: "TP-Link Archer AX21 (AX1800)", versions: [{ text: "All versions prior to version 1.14 Build 20230219", status: "affected" }] }]);
    // "Command Injection" is prose, not a CWE id: nothing invented.
    expect(rec!.cwes).toEqual([]);
    expect(rec!.cvss).toEqual([]);
    // CNA references plus the CVE Program container's, merged by URL with its tags.
    expect(rec!.references).toEqual([
      { url: "https://www.tenable.com/security/research/tra-2023-11", tags: ["x_transferred"] },
      { url: "http://packetstormsecurity.com/files/174131/TP-Link-Archer-AX21-Command-Injection.html", tags: ["x_transferred"] },
    ]);
    expect(rec!.extra).toEqual({ adp: ["CVE"] });
    expect(rec!.kev).toBeUndefined();
  });

  it("takes SSVC, KEV, CVSS, CWE and CPE-bearing products from CISA's Vulnrichment ADP", async () => {
    const json = JSON.parse(await readFile(sharedFixture(FIXTURE), "utf8"));
    json.containers.adp.push(cisaAdp);
    const [rec] = cve5.parse(rawOf("cve5", JSON.stringify(json), "CVE-2023-1389"));
    expect(rec!.ssvc).toEqual({ Exploitation: "active", Automatable: "yes", "Technical Impact": "total" });
    expect(rec!.kev).toEqual({ dateAdded: "2023-05-01" });
    expect(rec!.cvss).toEqual([{ version: "3.1", vector: "CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", baseScore: 8.8, baseSeverity: "HIGH", provider: "CISA-ADP" }]);
    expect(rec!.cwes).toEqual(["CWE-77"]);
    expect(rec!.affected[1]).toEqual({
      vendor: "tp-link",
      product: "archer_ax21_firmware",
      versions: [{ version: "0", lessThan: "1.1.4", status: "affected", type: "custom" }],
      cpes: ["cpe:2.3:o:tp-link:archer_ax21_firmware:*:*:*:*:*:*:*:*"],
    });
    expect(rec!.references.find((r) => r.url.includes("known-exploited"))).toEqual({ url: "https://www.cisa.gov/known-exploited-vulnerabilities-catalog?search=CVE-2023-1389", tags: ["kev"] });
    expect(rec!.extra).toEqual({ adp: ["CVE", "CISA-ADP"] });
  });

  it("fuzz: mutated copies of the real record parse or fail with SourceParseError", async () => {
    const text = await readFile(sharedFixture(FIXTURE), "utf8");
    fc.assert(fc.property(fc.integer(), (seed) => parsesOrRejects(cve5, mutations(text, seed))), { numRuns: 300 });
  });
});

describe("cve5 source parsing", () => {
  it("CNA metrics carry the CNA's short name; cpeApplicability and versions with lessThanOrEqual are kept", () => {
    const [rec] = cve5.parse(
      rawOf(
        "cve5",
        JSON.stringify(
          record("CVE-2024-1000", {
            title: "Command injection in Router X",
            metrics: [
              { format: "CVSS", cvssV4_0: { version: "4.0", vectorString: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", baseScore: 9.3, baseSeverity: "CRITICAL" } },
              { format: "CVSS", cvssV3_0: { version: "3.0", vectorString: "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", baseScore: 9.8, baseSeverity: "CRITICAL" } },
              { format: "CVSS", cvssV2_0: { version: "2.0", vectorString: "AV:N/AC:L/Au:N/C:C/I:C/A:C", baseScore: 10 } },
            ],
            affected: [
              { vendor: "Acme", product: "Router X", versions: [{ version: "2.0", status: "unaffected", lessThanOrEqual: "2.5", versionType: "semver" }], cpes: ["cpe:/o:acme:router_x_firmware:2.0"] },
              { vendor: "n/a", product: "n/a", versions: [{ version: "n/a", status: "affected" }] },
            ],
            problemTypes: [{ descriptions: [{ lang: "en", type: "CWE", cweId: "CWE-78", description: "CWE-78 OS Command Injection" }] }],
            cpeApplicability: [{ operator: "AND", nodes: [{ operator: "OR", negate: false, cpeMatch: [{ vulnerable: true, criteria: "cpe:2.3:o:acme:router_x_firmware:*:*:*:*:*:*:*:*", versionEndExcluding: "2.1" }] }] }],
            references: [{ url: "https://acme.example/advisory", name: "Acme advisory", tags: ["vendor-advisory"] }],
            solutions: [{ lang: "en", value: "Update the firmware to 2.1." }],
            workarounds: [{ lang: "en", value: "Disable remote management." }],
          }),
        ),
      ),
    );
    expect(rec!.title).toBe("Command injection in Router X");
    expect(rec!.cvss.map((c) => [c.version, c.baseScore, c.provider])).toEqual([
      ["4.0", 9.3, "acme"],
      ["3.0", 9.8, "acme"],
      ["2.0", 10, "acme"],
    ]);
    // The "n/a"/"n/a" product says nothing: dropped. A CPE 2.2 URI is converted to 2.3.
    expect(rec!.affected).toEqual([{ vendor: "Acme", product: "Router X", versions: [{ version: "2.0", lessThanOrEqual: "2.5", status: "unaffected", type: "semver" }], cpes: ["cpe:2.3:o:acme:router_x_firmware:2.0:*:*:*:*:*:*:*"] }]);
    expect(rec!.cpes).toEqual([{ criteria: "cpe:2.3:o:acme:router_x_firmware:*:*:*:*:*:*:*:*", vulnerable: true, versionEndExcluding: "2.1" }]);
    expect(rec!.cwes).toEqual(["CWE-78"]);
    expect(rec!.references).toEqual([{ url: "https://acme.example/advisory", name: "Acme advisory", tags: ["vendor-advisory"] }]);
    expect(rec!.remediations).toEqual([
      { category: "vendor_fix", details: "Update the firmware to 2.1." },
      { category: "workaround", details: "Disable remote management." },
    ]);
  });

  it("a REJECTED record is kept, marked rejected, with the rejection reason as its text", () => {
    const rejected = {
      dataType: "CVE_RECORD",
      dataVersion: "5.1",
      cveMetadata: { state: "REJECTED", cveId: "CVE-2024-2000", assignerShortName: "acme", dateRejected: "2024-05-01T00:00:00.000Z", dateUpdated: "2024-05-01T00:00:00.000Z" },
      containers: { cna: { providerMetadata: { orgId: "x" }, rejectedReasons: [{ lang: "en", value: "This candidate was withdrawn by its CNA." }] } },
    };
    const [rec] = cve5.parse(rawOf("cve5", JSON.stringify(rejected)));
    expect(rec).toMatchObject({ status: "rejected", aliases: ["CVE-2024-2000"], descriptions: [{ lang: "en", text: "This candidate was withdrawn by its CNA." }], modified: "2024-05-01T00:00:00.000Z" });
  });

  it("malformed records give SourceParseError naming record and origin", () => {
    expectParseError(cve5, JSON.stringify(record("CVE-2024-0001")).slice(0, 80), "CVE-2024-0001", /not valid JSON/);
    expectParseError(cve5, JSON.stringify({ ...record("CVE-2024-0001"), dataVersion: "4.0" }), "CVE-2024-0001", /dataVersion: unknown dataVersion/);
    expectParseError(cve5, JSON.stringify({ ...record("CVE-2024-0001"), dataVersion: "6.0" }), "CVE-2024-0001", /dataVersion/);
    expectParseError(cve5, JSON.stringify({ ...record("CVE-2024-0001"), dataType: "CVE_RECORD_V4" }), "CVE-2024-0001", /dataType/);
    const noId = record("CVE-2024-0001");
    delete (noId.cveMetadata as Record<string, unknown>).cveId;
    expectParseError(cve5, JSON.stringify(noId), "CVE-2024-0001", /cveMetadata\.cveId/);
    expectParseError(cve5, JSON.stringify(record("CVE-2024-0001", { affected: "Router X" })), "CVE-2024-0001", /containers\.cna\.affected/);
    expectParseError(cve5, JSON.stringify(record("CVE-2024-0001", { metrics: [{ cvssV3_1: { version: "3.1", vectorString: "x", baseScore: "9.8" } }] })), "CVE-2024-0001", /baseScore/);
  });

  it("fuzz: random JSON and random record-shaped values parse or fail with SourceParseError", () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => parsesOrRejects(cve5, JSON.stringify(v))), { numRuns: 400 });
    fc.assert(
      fc.property(fc.record({ affected: fc.jsonValue(), metrics: fc.jsonValue(), problemTypes: fc.jsonValue(), cpeApplicability: fc.jsonValue() }), (cna) => parsesOrRejects(cve5, JSON.stringify(record("CVE-2024-0001", cna)))),
      { numRuns: 300 },
    );
  });
});

describe("cve5 source reading a cvelistV5 checkout and its zips", () => {
  it("walks cves/YYYY/NNxxx, skips the delta files, yields the bad file for parse to reject", async () => {
    const { dir, cleanup } = await tempDir();
    try {
      for (const id of ["CVE-2023-1001", "CVE-2024-0002", "CVE-2024-12345"]) {
        await mkdir(path.join(dir, path.dirname(cvePath(id))), { recursive: true });
        await writeFile(path.join(dir, cvePath(id)), JSON.stringify(record(id)));
      }
      await writeFile(path.join(dir, "cves", "2024", "0xxx", "CVE-2024-0003.json"), "{ truncated");
      await writeFile(path.join(dir, "cves", "delta.json"), JSON.stringify({ new: [] }));
      await writeFile(path.join(dir, "cves", "deltaLog.json"), "[]");
      await writeFile(path.join(dir, "package.json"), "{}");
      expect(cvePath("CVE-2024-12345")).toBe("cves/2024/12xxx/CVE-2024-12345.json");
      const raws = await readAll(cve5, dir);
      expect(raws.map((r) => r.id)).toEqual(["CVE-2023-1001", "CVE-2024-0002", "CVE-2024-0003", "CVE-2024-12345"]);
      const { records, errors } = parseAll(cve5, raws);
      expect(records.map((r) => r.sourceId)).toEqual(["CVE-2023-1001", "CVE-2024-0002", "CVE-2024-12345"]);
      expect(errors.map((e) => [e.recordId, e.origin])).toEqual([["CVE-2024-0003", path.join(dir, "cves", "2024", "0xxx", "CVE-2024-0003.json")]]);
      expect(records[0]!.affected).toEqual([{ vendor: "Acme", product: "Router X", versions: [{ version: "1.0", lessThan: "1.2", status: "affected", type: "custom" }] }]);
    } finally {
      await cleanup();
    }
  });

  it("streams a zip of the tree and the release zip that nests cves.zip", async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const tree = await makeZip({
        "cves/2024/0xxx/CVE-2024-0001.json": JSON.stringify(record("CVE-2024-0001")),
        "cves/2024/0xxx/CVE-2024-0002.json": JSON.stringify(record("CVE-2024-0002")),
        "cves/deltaLog.json": "[]",
      });
      await writeFile(path.join(dir, "cves.zip"), tree);
      const flat = await readAll(cve5, path.join(dir, "cves.zip"));
      expect(flat.map((r) => [r.id, r.origin])).toEqual([
        ["CVE-2024-0001", `${path.join(dir, "cves.zip")}!cves/2024/0xxx/CVE-2024-0001.json`],
        ["CVE-2024-0002", `${path.join(dir, "cves.zip")}!cves/2024/0xxx/CVE-2024-0002.json`],
      ]);
      await writeFile(path.join(dir, "2025-06-01_all_CVEs_at_midnight.zip"), await makeZip({ "cves.zip": tree }));
      const nested = await readAll(cve5, path.join(dir, "2025-06-01_all_CVEs_at_midnight.zip"));
      expect(nested.map((r) => r.origin)).toEqual([
        `${path.join(dir, "2025-06-01_all_CVEs_at_midnight.zip")}!cves.zip!cves/2024/0xxx/CVE-2024-0001.json`,
        `${path.join(dir, "2025-06-01_all_CVEs_at_midnight.zip")}!cves.zip!cves/2024/0xxx/CVE-2024-0002.json`,
      ]);
      expect(parseAll(cve5, nested).records).toHaveLength(2);
    } finally {
      await cleanup();
    }
  });
});

describe("cve5 source online (cvelistV5 deltaLog on a loopback server)", () => {
  let server: LoopServer;
  let log: unknown[];
  beforeAll(async () => {
    server = await startLoopServer((url, headers) => {
      if (url.pathname === "/cves/deltaLog.json") {
        if (headers["if-none-match"] === '"log-v1"') return { status: 304 };
        return { body: JSON.stringify(log), headers: { etag: '"log-v1"' } };
      }
      const m = url.pathname.match(/\/(CVE-\d+-\d+)\.json$/);
      if (m && url.pathname === `/${cvePath(m[1]!)}`) return { body: JSON.stringify(record(m[1]!)) };
      return { status: 404 };
    });
  });
  afterAll(() => server.close());

  const entry = (fetchTime: string, news: string[], updated: string[]) => ({
    fetchTime,
    numberOfChanges: news.length + updated.length,
    new: news.map((cveId) => ({ cveId, cveOrgLink: `https://www.cve.org/CVERecord?id=${cveId}`, githubLink: `https://raw.githubusercontent.com/CVEProject/cvelistV5/main/${cvePath(cveId)}`, dateUpdated: fetchTime })),
    updated: updated.map((cveId) => ({ cveId, dateUpdated: fetchTime })),
    error: [],
  });

  it("fetches each CVE changed after the cursor once, oldest entry first, checkpointing per entry; a 304 log keeps the cursor", async () => {
    // Newest first, as cvelistV5 writes it.
    log = [entry("2025-05-03T10:00:00.000Z", ["CVE-2025-0003"], ["CVE-2025-0001"]), entry("2025-05-02T10:00:00.000Z", ["CVE-2025-0001", "CVE-2025-0002"], []), entry("2025-05-01T10:00:00.000Z", ["CVE-2025-9999"], [])];
    server.requests.length = 0;
    const ctx = ctxFor({ baseUrl: `${server.base}/` });
    const out = await drain(cve5, { fetchTime: "2025-05-01T10:00:00.000Z" }, ctx);
    expect(out.order).toEqual(["CVE-2025-0002", { checkpoint: { fetchTime: "2025-05-02T10:00:00.000Z" } }, "CVE-2025-0003", "CVE-2025-0001", { checkpoint: { fetchTime: "2025-05-03T10:00:00.000Z" } }]);
    expect(out.cursor).toEqual({ fetchTime: "2025-05-03T10:00:00.000Z", etag: '"log-v1"' });
    expect(out.records[0]).toMatchObject({ source: "cve5", id: "CVE-2025-0002", origin: `${server.base}/cves/2025/0xxx/CVE-2025-0002.json`, modified: "2024-03-01T12:00:00.000Z" });
    expect(server.requests.map((r) => r.path)).not.toContain("/cves/2025/9xxx/CVE-2025-9999.json");
    expect(cve5.parse(out.records[1]!)[0]!.sourceId).toBe("CVE-2025-0003");

    const again = await drain(cve5, out.cursor, ctx);
    expect(again.records).toEqual([]);
    expect(again.cursor).toEqual(out.cursor);
  });

  it("without a cursor takes the whole log and says the baseline must come from a file; a stale cursor logs the gap", async () => {
    log = [entry("2025-05-02T10:00:00.000Z", ["CVE-2025-0001"], [])];
    const ctx = ctxFor({ baseUrl: `${server.base}/` });
    const first = await drain(cve5, undefined, ctx);
    expect(first.records.map((r) => r.id)).toEqual(["CVE-2025-0001"]);
    expect(ctx.lines.some((l) => /--from-file/.test(l.msg))).toBe(true);
    const stale = ctxFor({ baseUrl: `${server.base}/` });
    await drain(cve5, { fetchTime: "2025-01-01T00:00:00.000Z" }, stale);
    expect(stale.lines.some((l) => /not in the log/.test(l.msg))).toBe(true);
  });
});
