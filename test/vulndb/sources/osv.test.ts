import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { source as osv } from "../../../src/vulndb/sources/osv/index.js";
import { rangesOf } from "../../../src/vulndb/sources/osv/parse.js";
import { describeWithShared, sharedFixture } from "../../helpers/fixtures.js";
import { ctxFor, drain, type Answer, expectParseError, makeZip, mutations, parseAll, parsesOrRejects, rawOf, readAll, startLoopServer, tempDir, type LoopServer } from "./json-harness.js";

const FIXTURE = "vulndb/osv_GHSA-23xf-5535-62v5.json";

function record(id: string, modified = "2025-01-01T00:00:00Z", extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schema_version: "1.6.0",
    id,
    modified,
    published: "2024-12-01T00:00:00Z",
    aliases: ["CVE-2024-5555"],
    summary: "Command injection in example-firmware-tools",
    details: "A long description.",
    affected: [{ package: { ecosystem: "PyPI", name: "example-firmware-tools" }, ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "1.2.3" }] }] }],
    references: [{ type: "ADVISORY", url: "https://example.org/adv" }],
    ...extra,
  };
}

describeWithShared("osv source on the real GHSA-23xf-5535-62v5 record", () => {
  it("parses every field; the CVSS base score is computed from the vector", async () => {
    const raws = await readAll(osv, sharedFixture(FIXTURE));
    expect(raws).toHaveLength(1);
    expect(raws[0]).toMatchObject({ source: "osv", id: "GHSA-23xf-5535-62v5", modified: "2023-04-07T22:09:37.000Z" });
    const [rec] = osv.parse(raws[0]!);
    expect(rec).toMatchObject({ source: "osv", sourceId: "GHSA-23xf-5535-62v5", status: "published", title: "jeecg-boot vulnerable to SQL injection" });
    expect(rec!.aliases).toEqual(["GHSA-23xf-5535-62v5", "CVE-2023-1741"]);
    expect(rec!.related).toEqual([]);
    expect(rec!.published).toBe("2023-03-31T00:30:18.000Z");
    expect(rec!.modified).toBe("2023-04-07T22:09:37.000Z");
    expect(rec!.descriptions).toEqual([{ lang: "en", text: expect.stringMatching(/^jeecg-boot 3\.5\.0 is vulnerable to SQL injection/) }]);
    expect(rec!.cvss).toEqual([{ version: "3.1", vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", baseScore: 9.8, baseSeverity: "CRITICAL" }]);
    expect(rec!.cwes).toEqual(["CWE-89"]);
    expect(rec!.affected).toEqual([{ ecosystem: "Maven", package: "org.jeecgframework.boot:jeecg-boot-parent", versions: [{ version: "0", lessThanOrEqual: "3.5.0", status: "affected", type: "ecosystem" }] }]);
    expect(rec!.references.map((r) => [r.url, r.tags])).toEqual([
      ["https://nvd.nist.gov/vuln/detail/CVE-2023-1741", ["ADVISORY"]],
      ["https://github.com/jeecgboot/jeecg-boot", ["PACKAGE"]],
      ["https://github.com/private-null/report/blob/main/README.md", ["WEB"]],
      ["https://vuldb.com/?ctiid.224629", ["WEB"]],
      ["https://vuldb.com/?id.224629", ["WEB"]],
    ]);
    expect(rec!.extra).toEqual({ schemaVersion: "1.4.0", severity: "CRITICAL" });
  });

  it("fuzz: mutated copies of the real record parse or fail with SourceParseError", async () => {
    const text = await readFile(sharedFixture(FIXTURE), "utf8");
    fc.assert(fc.property(fc.integer(), (seed) => parsesOrRejects(osv, mutations(text, seed))), { numRuns: 300 });
  });
});

describe("osv source parsing", () => {
  it("turns range events into version ranges: fixed and limit exclusive, last_affected inclusive, unclosed open-ended", () => {
    expect(rangesOf("semver", [{ introduced: "1.0.0" }, { fixed: "1.0.5" }, { introduced: "2.0.0" }, { last_affected: "2.1.0" }, { introduced: "3.0.0" }])).toEqual([
      { version: "1.0.0", lessThan: "1.0.5", status: "affected", type: "semver" },
      { version: "2.0.0", lessThanOrEqual: "2.1.0", status: "affected", type: "semver" },
      { version: "3.0.0", lessThan: "*", status: "affected", type: "semver" },
    ]);
    expect(rangesOf("git", [{ introduced: "0" }, { limit: "abc123" }])).toEqual([{ version: "0", lessThan: "abc123", status: "affected", type: "git" }]);
    expect(rangesOf("ecosystem", [{ fixed: "2.0" }])).toEqual([{ version: "0", lessThan: "2.0", status: "affected", type: "ecosystem" }]);
  });

  it("scores CVSS v2, v3.0 and v4.0 vectors, keeps unscorable severities aside, reads withdrawn, related and upstream", () => {
    const [rec] = osv.parse(
      rawOf(
        "osv",
        JSON.stringify(
          record("PYSEC-2025-1", "2025-02-01T00:00:00Z", {
            withdrawn: "2025-02-02T00:00:00Z",
            related: ["CGA-abcd"],
            upstream: ["CVE-2024-5555", "DEBIAN-CVE-2024-1"],
            severity: [
              { type: "CVSS_V2", score: "AV:N/AC:L/Au:N/C:C/I:C/A:C" },
              { type: "CVSS_V4", score: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N" },
              { type: "CVSS_V3", score: "CVSS:3.1/AV:N" },
              { type: "Ubuntu", score: "high" },
            ],
            affected: [
              {
                package: { ecosystem: "PyPI", name: "example-firmware-tools" },
                severity: [{ type: "CVSS_V3", score: "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" }],
                ranges: [{ type: "GIT", repo: "https://example.org/repo", events: [{ introduced: "0" }, { fixed: "deadbeef" }] }],
                versions: ["1.0", "1.1"],
              },
            ],
          }),
        ),
      ),
    );
    expect(rec!.status).toBe("withdrawn");
    expect(rec!.extra?.withdrawn).toBe("2025-02-02T00:00:00.000Z");
    expect(rec!.related).toEqual(["CGA-abcd", "DEBIAN-CVE-2024-1"]);
    expect(rec!.cvss.map((c) => [c.version, c.baseScore, c.baseSeverity])).toEqual([
      ["2.0", 10, "HIGH"],
      ["4.0", 9.3, "CRITICAL"],
      ["3.0", 9.8, "CRITICAL"],
    ]);
    expect(rec!.extra?.unscoredSeverity).toEqual([
      { type: "CVSS_V3", score: "CVSS:3.1/AV:N" },
      { type: "Ubuntu", score: "high" },
    ]);
    expect(rec!.affected[0]!.versions).toEqual([
      { version: "0", lessThan: "deadbeef", status: "affected", type: "git" },
      { version: "1.0", status: "affected", type: "ecosystem" },
      { version: "1.1", status: "affected", type: "ecosystem" },
    ]);
  });

  it("malformed records give SourceParseError naming record and origin", () => {
    expectParseError(osv, JSON.stringify(record("GHSA-aaaa-bbbb-cccc")).slice(0, 40), "GHSA-aaaa-bbbb-cccc", /not valid JSON/);
    const { id: _id, ...noId } = record("GHSA-aaaa-bbbb-cccc");
    expectParseError(osv, JSON.stringify(noId), "GHSA-aaaa-bbbb-cccc", /id/);
    expectParseError(osv, JSON.stringify(record("GHSA-aaaa-bbbb-cccc", "2025-01-01T00:00:00Z", { schema_version: "2.0.0" })), "GHSA-aaaa-bbbb-cccc", /schema_version/);
    expectParseError(osv, JSON.stringify(record("GHSA-aaaa-bbbb-cccc", "not a date")), "GHSA-aaaa-bbbb-cccc", /modified: not a date/);
    expectParseError(osv, JSON.stringify(record("GHSA-aaaa-bbbb-cccc", "2025-01-01T00:00:00Z", { affected: [{ ranges: [{ type: "SEMVER", events: "1.0" }] }] })), "GHSA-aaaa-bbbb-cccc", /affected\.0\.ranges\.0\.events/);
    expectParseError(osv, JSON.stringify(record("GHSA-aaaa-bbbb-cccc", "2025-01-01T00:00:00Z", { aliases: "CVE-2024-1" })), "GHSA-aaaa-bbbb-cccc", /aliases/);
  });

  it("fuzz: random JSON, random vectors and record-shaped values parse or fail with SourceParseError", () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => parsesOrRejects(osv, JSON.stringify(v))), { numRuns: 400 });
    const vector = fc.oneof(fc.string(), fc.constantFrom("CVSS:3.1/", "CVSS:4.0/AV:N", "AV:N/AC:L/Au:N/C:C/I:C/A:X", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:Z"));
    fc.assert(
      fc.property(fc.array(fc.record({ type: fc.constantFrom("CVSS_V2", "CVSS_V3", "CVSS_V4", "X"), score: vector })), fc.jsonValue(), (severity, affected) => parsesOrRejects(osv, JSON.stringify(record("GHSA-aaaa-bbbb-cccc", "2025-01-01T00:00:00Z", { severity, affected })))),
      { numRuns: 300 },
    );
  });

  it("reads a zip (all.zip) and a directory with a bad record among good ones", async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const zip = await makeZip({ "GHSA-0001.json": JSON.stringify(record("GHSA-0001")), "GHSA-0002.json": "{", "GHSA-0003.json": JSON.stringify(record("GHSA-0003")) });
      await writeFile(path.join(dir, "all.zip"), zip);
      const raws = await readAll(osv, path.join(dir, "all.zip"));
      expect(raws.map((r) => [r.id, r.origin])).toEqual([
        ["GHSA-0001", `${path.join(dir, "all.zip")}!GHSA-0001.json`],
        ["GHSA-0002", `${path.join(dir, "all.zip")}!GHSA-0002.json`],
        ["GHSA-0003", `${path.join(dir, "all.zip")}!GHSA-0003.json`],
      ]);
      const { records, errors } = parseAll(osv, raws);
      expect(records.map((r) => r.sourceId)).toEqual(["GHSA-0001", "GHSA-0003"]);
      expect(errors.map((e) => e.origin)).toEqual([`${path.join(dir, "all.zip")}!GHSA-0002.json`]);
      await writeFile(path.join(dir, "GHSA-0004.json"), JSON.stringify(record("GHSA-0004")));
      // A directory holding the zip and a loose record: both read.
      expect((await readAll(osv, dir)).map((r) => r.id)).toEqual(["GHSA-0004", "GHSA-0001", "GHSA-0002", "GHSA-0003"]);
      // A corrupt zip inside a directory is reported and skipped; named directly, it fails the read.
      await writeFile(path.join(dir, "broken.zip"), zip.subarray(0, 40));
      const ctx = ctxFor();
      expect((await readAll(osv, dir, ctx)).map((r) => r.id)).toEqual(["GHSA-0004", "GHSA-0001", "GHSA-0002", "GHSA-0003"]);
      expect(ctx.lines.filter((l) => l.level === 50).map((l) => l.origin)).toEqual([path.join(dir, "broken.zip")]);
      await expect(readAll(osv, path.join(dir, "broken.zip"))).rejects.toThrow();
    } finally {
      await cleanup();
    }
  });
});

describe("osv source online (the osv.dev bucket layout on a loopback server)", () => {
  let server: LoopServer;
  let allZip: Buffer;
  let tooMany = 0;
  const csvMaven = [
    "2025-03-04T00:00:00.123456Z,GHSA-0004",
    "2025-03-03T00:00:00Z,GHSA-0003",
    "2025-03-03T00:00:00Z,GHSA-0099", // listed but gone
    "2025-03-02T00:00:00Z,GHSA-0002",
    "2025-03-01T00:00:00Z,GHSA-0001",
  ].join("\n");
  beforeAll(async () => {
    allZip = await makeZip({ "GHSA-0001.json": JSON.stringify(record("GHSA-0001", "2025-03-01T00:00:00Z")), "GHSA-0002.json": JSON.stringify(record("GHSA-0002", "2025-03-02T00:00:00Z")) });
    server = await startLoopServer((url): Answer => {
      if (tooMany > 0) {
        tooMany--;
        return { status: 429, headers: { "retry-after": "0" } };
      }
      if (url.pathname === "/Maven/all.zip") return { body: allZip, headers: { "content-type": "application/zip" } };
      if (url.pathname === "/Maven/modified_id.csv") return { body: `${csvMaven}\n`, headers: { "content-type": "text/csv" } };
      if (url.pathname === "/modified_id.csv") return { body: "2025-03-05T00:00:00Z,Debian:12/DSA-1\n2025-03-02T00:00:00Z,Maven/GHSA-0002\n" };
      const m = url.pathname.match(/^\/([^/]+)\/([^/]+)\.json$/);
      if (m && m[2] !== "GHSA-0099") {
        const id = decodeURIComponent(m[2]!);
        return { body: JSON.stringify(record(id, csvMaven.split("\n").find((l) => l.endsWith(id))?.split(",")[0] ?? "2025-03-05T00:00:00Z", { affected: [{ package: { ecosystem: decodeURIComponent(m[1]!), name: "p" } }] })) };
      }
      return { status: 404, body: "NoSuchKey" };
    });
  });
  afterAll(() => server.close());

  it("first sync reads the ecosystem's all.zip; the cursor is the newest modified time in it", async () => {
    tooMany = 1;
    const ctx = ctxFor({ baseUrl: `${server.base}/`, ecosystem: "Maven" });
    const out = await drain(osv, undefined, ctx);
    expect(out.records.map((r) => [r.id, r.modified])).toEqual([
      ["GHSA-0001", "2025-03-01T00:00:00.000Z"],
      ["GHSA-0002", "2025-03-02T00:00:00.000Z"],
    ]);
    expect(out.records[0]!.origin).toBe(`${server.base}/Maven/all.zip!GHSA-0001.json`);
    expect(out.cursor).toEqual({ modified: "2025-03-02T00:00:00.000Z" });
  });

  it("then reads modified_id.csv down to the cursor and fetches the newer records oldest first, checkpointing between distinct times", async () => {
    server.requests.length = 0;
    const ctx = ctxFor({ baseUrl: `${server.base}/`, ecosystem: "Maven", checkpointEvery: "1" });
    const out = await drain(osv, { modified: "2025-03-02T00:00:00.000Z" }, ctx);
    // GHSA-0003 and GHSA-0099 share a time: no checkpoint between them. GHSA-0099 is gone (404): skipped with a warning.
    expect(out.order).toEqual(["GHSA-0003", { checkpoint: { modified: "2025-03-03T00:00:00.000Z" } }, "GHSA-0004"]);
    expect(out.cursor).toEqual({ modified: "2025-03-04T00:00:00.123Z" });
    expect(server.requests.map((r) => r.path)).toEqual(["/Maven/modified_id.csv", "/Maven/GHSA-0099.json", "/Maven/GHSA-0003.json", "/Maven/GHSA-0004.json"]);
    expect(ctx.lines.some((l) => /gone from the bucket/.test(l.msg))).toBe(true);
    expect(osv.parse(out.records[1]!)[0]!.sourceId).toBe("GHSA-0004");
  });

  it("without an ecosystem uses the root list, whose ids carry their ecosystem", async () => {
    server.requests.length = 0;
    const out = await drain(osv, { modified: "2025-03-02T00:00:00.000Z" }, ctxFor({ baseUrl: `${server.base}/` }));
    expect(out.records.map((r) => r.id)).toEqual(["DSA-1"]);
    expect(server.requests.map((r) => r.path)).toEqual(["/modified_id.csv", "/Debian%3A12/DSA-1.json"]);
  });
});
