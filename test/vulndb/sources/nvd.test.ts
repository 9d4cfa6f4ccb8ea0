import { readFile, writeFile, mkdir } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { source as nvd } from "../../../src/vulndb/sources/nvd/index.js";
import { nvdDate } from "../../../src/vulndb/sources/nvd/fetch.js";
import { describeWithShared, sharedFixture } from "../../helpers/fixtures.js";
import { ctxFor, drain, expectParseError, makeZip, mutations, parseAll, parsesOrRejects, rawOf, readAll, startLoopServer, tempDir, type LoopServer } from "./json-harness.js";

const FIXTURE = "vulndb/nvd2_CVE-2023-1389.json";
const DAY = 86_400_000;

/** A small NVD cve object of our own, so the fetch and malformed tests run without the shared fixtures. */
function cve(id: string, lastModified = "2025-01-01T00:00:00.000"): Record<string, unknown> {
  return {
    id,
    sourceIdentifier: "cna@example.org",
    published: "2024-12-01T10:00:00.000",
    lastModified,
    vulnStatus: "Analyzed",
    descriptions: [{ lang: "en", value: `description of ${id}` }],
    metrics: { cvssMetricV2: [{ source: "nvd@nist.gov", type: "Primary", cvssData: { version: "2.0", vectorString: "AV:N/AC:L/Au:N/C:P/I:P/A:P", baseScore: 7.5 }, baseSeverity: "HIGH" }] },
    weaknesses: [{ source: "nvd@nist.gov", type: "Primary", description: [{ lang: "en", value: "NVD-CWE-noinfo" }] }],
    references: [{ url: "https://example.org/a", source: "cna@example.org" }],
  };
}

describeWithShared("nvd source on the real CVE-2023-1389 record (a bare cve object)", () => {
  it("reads the bare cve object as one raw record named by its CVE id", async () => {
    const raws = await readAll(nvd, sharedFixture(FIXTURE));
    expect(raws).toHaveLength(1);
    expect(raws[0]).toMatchObject({ source: "nvd", id: "CVE-2023-1389", origin: sharedFixture(FIXTURE), mediaType: "application/json", modified: "2025-10-21T20:19:18.847Z" });
  });

  it("parses every field the record carries", async () => {
    const [rec, ...more] = nvd.parse((await readAll(nvd, sharedFixture(FIXTURE)))[0]!);
    expect(more).toHaveLength(0);
    expect(rec).toMatchObject({ source: "nvd", sourceId: "CVE-2023-1389", kind: "vulnerability", aliases: ["CVE-2023-1389"], status: "published", assigner: "vulnreport@tenable.com" });
    expect(rec!.published).toBe("2023-03-15T23:15:09.403Z");
    expect(rec!.modified).toBe("2025-10-21T20:19:18.847Z");
    expect(rec!.descriptions).toHaveLength(1);
    expect(rec!.descriptions[0]!.lang).toBe("en");
    expect(rec!.descriptions[0]!.text).toMatch(/^TP-Link Archer AX21 \(AX1800\) firmware versions before 1\.1\.4/);
    // Primary (NVD) and Secondary (the CNA, by UUID) CVSS 3.1 both kept, with their provenance.
    expect(rec!.cvss).toEqual([
      { version: "3.1", vector: "CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", baseScore: 8.8, baseSeverity: "HIGH", provider: "nvd@nist.gov", type: "Primary" },
      { version: "3.1", vector: "CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", baseScore: 8.8, baseSeverity: "HIGH", provider: "134c704f-9b21-4f2e-91b3-4a467353bcc0", type: "Secondary" },
    ]);
    expect(rec!.cwes).toEqual(["CWE-77"]);
    // The firmware is vulnerable below 1.1.4; the hardware is only the platform it runs on.
    expect(rec!.cpes).toEqual([
      { criteria: "cpe:2.3:o:tp-link:archer_ax21_firmware:*:*:*:*:*:*:*:*", vulnerable: true, versionEndExcluding: "1.1.4" },
      { criteria: "cpe:2.3:h:tp-link:archer_ax21:-:*:*:*:*:*:*:*", vulnerable: false },
    ]);
    expect(rec!.extra?.configurations).toEqual([
      {
        operator: "AND",
        nodes: [
          { operator: "OR", negate: false, criteria: ["cpe:2.3:o:tp-link:archer_ax21_firmware:*:*:*:*:*:*:*:*"] },
          { operator: "OR", negate: false, criteria: ["cpe:2.3:h:tp-link:archer_ax21:-:*:*:*:*:*:*:*"] },
        ],
      },
    ]);
    expect(rec!.extra?.vulnStatus).toBe("Modified");
    // Four reference entries, two URLs (each repeated per provider): merged, tags united.
    expect(rec!.references).toEqual([
      { url: "http://packetstormsecurity.com/files/174131/TP-Link-Archer-AX21-Command-Injection.html", tags: ["Exploit", "Third Party Advisory", "VDB Entry"] },
      { url: "https://www.tenable.com/security/research/tra-2023-11", tags: ["Exploit", "Third Party Advisory"] },
    ]);
    expect(rec!.kev).toEqual({ dateAdded: "2023-05-01", dueDate: "2023-05-22", requiredAction: "Apply updates per vendor instructions.", vulnerabilityName: "TP-Link Archer AX-21 Command Injection Vulnerability" });
    expect(rec!.affected).toEqual([]);
    expect(rec!.related).toEqual([]);
  });

  it("reads the same record inside an API page, a .json.gz feed and a zip, naming the item's place", async () => {
    const text = await readFile(sharedFixture(FIXTURE), "utf8");
    const page = JSON.stringify({ resultsPerPage: 2, startIndex: 0, totalResults: 2, format: "NVD_CVE", version: "2.0", timestamp: "2025-10-22T00:00:00.000", vulnerabilities: [{ cve: JSON.parse(text) }, { cve: cve("CVE-2024-0001") }] });
    const { dir, cleanup } = await tempDir();
    try {
      await writeFile(path.join(dir, "page.json"), page);
      const fromPage = await readAll(nvd, path.join(dir, "page.json"));
      expect(fromPage.map((r) => [r.id, r.origin])).toEqual([
        ["CVE-2023-1389", `${path.join(dir, "page.json")}#/vulnerabilities/0/cve`],
        ["CVE-2024-0001", `${path.join(dir, "page.json")}#/vulnerabilities/1/cve`],
      ]);
      expect(nvd.parse(fromPage[0]!)[0]!.cpes).toHaveLength(2);
      // parse also takes a whole page as one raw record (one SourceRecord per CVE).
      expect(nvd.parse(rawOf("nvd", page)).map((r) => r.sourceId)).toEqual(["CVE-2023-1389", "CVE-2024-0001"]);

      await writeFile(path.join(dir, "nvdcve-2.0-2023.json.gz"), gzipSync(page));
      expect((await readAll(nvd, path.join(dir, "nvdcve-2.0-2023.json.gz"))).map((r) => r.id)).toEqual(["CVE-2023-1389", "CVE-2024-0001"]);
      await writeFile(path.join(dir, "nvdcve-2.0-2023.json.zip"), await makeZip({ "nvdcve-2.0-2023.json": page }));
      const zipped = await readAll(nvd, path.join(dir, "nvdcve-2.0-2023.json.zip"));
      expect(zipped.map((r) => r.origin)).toEqual([
        `${path.join(dir, "nvdcve-2.0-2023.json.zip")}!nvdcve-2.0-2023.json#/vulnerabilities/0/cve`,
        `${path.join(dir, "nvdcve-2.0-2023.json.zip")}!nvdcve-2.0-2023.json#/vulnerabilities/1/cve`,
      ]);
    } finally {
      await cleanup();
    }
  });

  it("fuzz: mutated copies of the real record parse or fail with SourceParseError", async () => {
    const text = await readFile(sharedFixture(FIXTURE), "utf8");
    fc.assert(fc.property(fc.integer(), (seed) => parsesOrRejects(nvd, mutations(text, seed))), { numRuns: 300 });
  });
});

describe("nvd source on malformed input", () => {
  it("truncated JSON names the record and the file", () => {
    expectParseError(nvd, JSON.stringify(cve("CVE-2024-0001")).slice(0, 50), "CVE-2024-0001", /not valid JSON/);
  });
  it("a wrong type names the field", () => {
    expectParseError(nvd, JSON.stringify({ ...cve("CVE-2024-0001"), descriptions: "text" }), "CVE-2024-0001", /descriptions/);
    expectParseError(nvd, JSON.stringify({ ...cve("CVE-2024-0001"), metrics: { cvssMetricV31: [{ cvssData: { version: "3.1", vectorString: "x", baseScore: "high" } }] } }), "CVE-2024-0001", /cvssMetricV31\.0\.cvssData\.baseScore/);
  });
  it("a missing id is refused", () => {
    const { id: _id, ...rest } = cve("CVE-2024-0001");
    expectParseError(nvd, JSON.stringify(rest), "CVE-2024-0001", /id/);
  });
  it("an unknown feed version and the retired 1.1 feed are refused by name", () => {
    expectParseError(nvd, JSON.stringify({ version: "3.0", vulnerabilities: [{ cve: cve("CVE-2024-0001") }] }), "feed", /unknown NVD format version "3.0"/);
    expectParseError(nvd, JSON.stringify({ CVE_data_type: "CVE", CVE_Items: [] }), "feed", /1\.1 feed/);
  });
  it("a CPE that is no CPE is an error, not a crash", () => {
    const bad = { ...cve("CVE-2024-0001"), configurations: [{ nodes: [{ operator: "OR", negate: false, cpeMatch: [{ vulnerable: true, criteria: "cpe:2.3:x:vendor" }] }] }] };
    expectParseError(nvd, JSON.stringify(bad), "CVE-2024-0001", /invalid CPE/);
  });
  it("Rejected and disputed records are marked, NVD's placeholder CWEs dropped, v2 severity read beside cvssData", () => {
    const [rejected] = nvd.parse(rawOf("nvd", JSON.stringify({ ...cve("CVE-2024-0002"), vulnStatus: "Rejected" })));
    expect(rejected!.status).toBe("rejected");
    const [disputed] = nvd.parse(rawOf("nvd", JSON.stringify({ ...cve("CVE-2024-0003"), cveTags: [{ sourceIdentifier: "x", tags: ["disputed"] }] })));
    expect(disputed!.status).toBe("disputed");
    expect(disputed!.cwes).toEqual([]);
    expect(disputed!.cvss).toEqual([{ version: "2.0", vector: "AV:N/AC:L/Au:N/C:P/I:P/A:P", baseScore: 7.5, baseSeverity: "HIGH", provider: "nvd@nist.gov", type: "Primary" }]);
  });
  it("a directory with one bad file among good ones yields all files; parse rejects only the bad one", async () => {
    const { dir, cleanup } = await tempDir();
    try {
      // fkie-cad/nvd-json-data-feeds layout: CVE-YYYY/CVE-YYYY-NNxx/CVE-….json
      await mkdir(path.join(dir, "CVE-2024", "CVE-2024-00xx"), { recursive: true });
      await writeFile(path.join(dir, "CVE-2024", "CVE-2024-00xx", "CVE-2024-0001.json"), JSON.stringify(cve("CVE-2024-0001")));
      await writeFile(path.join(dir, "CVE-2024", "CVE-2024-00xx", "CVE-2024-0002.json"), '{"id": "CVE-2024-0002", "descr');
      await writeFile(path.join(dir, "CVE-2024", "CVE-2024-00xx", "CVE-2024-0003.json"), JSON.stringify(cve("CVE-2024-0003")));
      await writeFile(path.join(dir, "README.md"), "not a record");
      const raws = await readAll(nvd, dir);
      expect(raws.map((r) => r.id)).toEqual(["CVE-2024-0001", "CVE-2024-0002", "CVE-2024-0003"]);
      const { records, errors } = parseAll(nvd, raws);
      expect(records.map((r) => r.sourceId)).toEqual(["CVE-2024-0001", "CVE-2024-0003"]);
      expect(errors).toHaveLength(1);
      expect(errors[0]!.recordId).toBe("CVE-2024-0002");
      expect(errors[0]!.message).toContain(path.join("CVE-2024-00xx", "CVE-2024-0002.json"));
    } finally {
      await cleanup();
    }
  });
  it("fuzz: random JSON values and random strings parse or fail with SourceParseError", () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => parsesOrRejects(nvd, JSON.stringify(v))), { numRuns: 400 });
    fc.assert(fc.property(fc.string(), (s) => parsesOrRejects(nvd, s)), { numRuns: 200 });
    fc.assert(
      fc.property(fc.record({ id: fc.constantFrom("CVE-2024-1234", "x"), published: fc.string(), descriptions: fc.array(fc.record({ lang: fc.string(), value: fc.string() })), configurations: fc.jsonValue() }), (v) => parsesOrRejects(nvd, JSON.stringify(v))),
      { numRuns: 300 },
    );
  });
});

describe("nvd source online (API 2.0 on a loopback server)", () => {
  const now = new Date("2025-06-01T00:00:00Z");
  let server: LoopServer;
  let answers: (url: URL) => { total: number; items: unknown[] } | { status: number; headers: Record<string, string> };
  beforeAll(async () => {
    server = await startLoopServer((url) => {
      const a = answers(url);
      if ("status" in a) return { status: a.status, headers: a.headers, body: "slow down" };
      const start = Number(url.searchParams.get("startIndex"));
      return { body: JSON.stringify({ resultsPerPage: a.items.length, startIndex: start, totalResults: a.total, format: "NVD_CVE", version: "2.0", vulnerabilities: a.items.map((c) => ({ cve: c })) }) };
    });
  });
  afterAll(() => server.close());

  it("walks 120-day windows from the cursor to now, pages each, sends the key, checkpoints per window and retries a 429", async () => {
    server.requests.length = 0;
    const cursorTime = now.getTime() - 300 * DAY;
    let first = true;
    answers = (url) => {
      if (first) {
        first = false;
        return { status: 429, headers: { "retry-after": "0" } };
      }
      const start = Date.parse(url.searchParams.get("lastModStartDate")!);
      const startIndex = Number(url.searchParams.get("startIndex"));
      if (start === cursorTime) return { total: 3, items: startIndex === 0 ? [cve("CVE-2025-0001"), cve("CVE-2025-0002")] : [cve("CVE-2025-0003")] };
      if (start === cursorTime + 120 * DAY) return { total: 0, items: [] };
      return { total: 1, items: [cve("CVE-2025-0004")] };
    };
    const ctx = ctxFor({ baseUrl: `${server.base}/rest/json/cves/2.0`, apiKey: "k-123", intervalMs: "0", resultsPerPage: "2" }, now);
    const out = await drain(nvd, { lastModified: new Date(cursorTime).toISOString() }, ctx);

    const w1 = new Date(cursorTime + 120 * DAY).toISOString();
    const w2 = new Date(cursorTime + 240 * DAY).toISOString();
    expect(out.order).toEqual(["CVE-2025-0001", "CVE-2025-0002", "CVE-2025-0003", { checkpoint: { lastModified: w1 } }, { checkpoint: { lastModified: w2 } }, "CVE-2025-0004", { checkpoint: { lastModified: now.toISOString() } }]);
    expect(out.cursor).toEqual({ lastModified: now.toISOString() });
    // 429 answered once, then the same page again; 2 pages + 1 + 1.
    expect(server.requests).toHaveLength(5);
    expect(server.requests[0]!.query.toString()).toBe(server.requests[1]!.query.toString());
    for (const r of server.requests) {
      expect(r.headers.apikey).toBe("k-123");
      expect(r.query.get("resultsPerPage")).toBe("2");
      const span = Date.parse(r.query.get("lastModEndDate")!) - Date.parse(r.query.get("lastModStartDate")!);
      expect(span).toBeGreaterThan(0);
      expect(span).toBeLessThanOrEqual(120 * DAY);
      expect(r.query.get("lastModStartDate")).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$/);
    }
    expect(server.requests.map((r) => r.query.get("startIndex"))).toEqual(["0", "0", "2", "0", "0"]);
    expect(server.requests[4]!.query.get("lastModEndDate")).toBe(nvdDate(now.getTime()));
    expect(out.records[0]).toMatchObject({ source: "nvd", id: "CVE-2025-0001", modified: "2025-01-01T00:00:00.000Z" });
    expect(out.records[0]!.origin).toMatch(/\/rest\/json\/cves\/2\.0\?.*#\/vulnerabilities\/0\/cve$/);
    expect(out.records[0]!.origin).not.toContain("k-123");
    expect(nvd.parse(out.records[2]!)[0]!.sourceId).toBe("CVE-2025-0003");
  });

  it("without a cursor pages the whole collection, checkpoints each page, resumes from a checkpoint, and sends no key header when none is set", async () => {
    server.requests.length = 0;
    answers = (url) => {
      const startIndex = Number(url.searchParams.get("startIndex"));
      return { total: 3, items: startIndex === 0 ? [cve("CVE-2020-0001"), cve("CVE-2020-0002")] : [cve("CVE-2020-0003")] };
    };
    const ctx = ctxFor({ baseUrl: `${server.base}/rest/json/cves/2.0`, intervalMs: "0", resultsPerPage: "2" }, now);
    const out = await drain(nvd, undefined, ctx);
    expect(out.order).toEqual(["CVE-2020-0001", "CVE-2020-0002", { checkpoint: { fullSyncStartedAt: now.toISOString(), startIndex: 2 } }, "CVE-2020-0003"]);
    expect(out.cursor).toEqual({ lastModified: now.toISOString() });
    expect(server.requests.every((r) => r.headers.apikey === undefined && !r.query.has("lastModStartDate"))).toBe(true);

    server.requests.length = 0;
    const resumed = await drain(nvd, { fullSyncStartedAt: "2025-05-31T00:00:00.000Z", startIndex: 2 }, ctx);
    expect(resumed.records.map((r) => r.id)).toEqual(["CVE-2020-0003"]);
    expect(resumed.cursor).toEqual({ lastModified: "2025-05-31T00:00:00.000Z" });
    expect(server.requests.map((r) => r.query.get("startIndex"))).toEqual(["2"]);
  });

  it("retries NVD's rate-limit 403 (no Retry-After) through the shared client, whose user agent it keeps; gives up after `retries`", async () => {
    server.requests.length = 0;
    let forbidden = 2;
    answers = () => (forbidden-- > 0 ? { status: 403, headers: {} } : { total: 1, items: [cve("CVE-2021-0001")] });
    const ctx = ctxFor({ baseUrl: `${server.base}/rest/json/cves/2.0`, intervalMs: "0" }, now);
    const out = await drain(nvd, undefined, ctx);
    expect(out.records.map((r) => r.id)).toEqual(["CVE-2021-0001"]);
    expect(server.requests).toHaveLength(3);
    expect(server.requests.every((r) => r.headers["user-agent"] === "iotscope-test")).toBe(true);

    server.requests.length = 0;
    answers = () => ({ status: 403, headers: {} });
    await expect(drain(nvd, undefined, ctxFor({ baseUrl: `${server.base}/rest/json/cves/2.0`, intervalMs: "0", retries: "1" }, now))).rejects.toThrow(/HTTP 403/);
    expect(server.requests).toHaveLength(2);
  });

  it("a page that is not an API page fails the fetch with the URL", async () => {
    answers = () => ({ total: Number.NaN, items: [] });
    const ctx = ctxFor({ baseUrl: `${server.base}/rest/json/cves/2.0`, intervalMs: "0" }, now);
    await expect(drain(nvd, undefined, ctx)).rejects.toThrow(/not an NVD API 2\.0 page/);
  });
});
