import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { source } from "../../../src/vulndb/sources/csaf/index.js";
import { providerMetadataUrl } from "../../../src/vulndb/sources/csaf/discover.js";
import { sources } from "../../../src/vulndb/sources/registry.js";
import { SourceParseError } from "../../../src/vulndb/sources/types.js";
import { describeWithShared, repoRoot, sharedFixture } from "../../helpers/fixtures.js";
import { drain, readAll, mutations, parseAll, parseOrParseError, rawOf, startFeedServer, testContext, type FeedServer } from "./feed-harness.js";

const acmeFile = path.join(repoRoot, "test/vulndb/fixtures/csaf_acme-iot-2025-0001.json");
const acme = readFileSync(acmeFile, "utf8");

function parseError(body: string): Error {
  try {
    source.parse({ ...rawOf("csaf", body, "ACME-2025-0001"), origin: "https://psirt.acme.example/a.json" });
  } catch (err) {
    return err as Error;
  }
  throw new Error("parse did not fail");
}

// The test edits arbitrary paths of a parsed document: a loose type is the point here.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Record<string, any>;

function withDoc(mutate: (doc: Loose) => void): string {
  const doc = JSON.parse(acme) as Loose;
  mutate(doc);
  return JSON.stringify(doc);
}

describe("csaf source", () => {
  it("is registered under its CLI name", () => {
    expect(sources.get("csaf")).toBe(source);
  });

  it("gives one record per vulnerability: CVE and the vulnerability's own ids as aliases, the advisory id as related", () => {
    const recs = source.parse(rawOf("csaf", acme, "ACME-2025-0001"));
    expect(recs.map((r) => [r.sourceId, r.aliases, r.related])).toEqual([
      ["ACME-2025-0001/CVE-2025-0001", ["CVE-2025-0001", "ACME-VULN-17"], ["ACME-2025-0001", "BATCH-9"]],
      ["ACME-2025-0001/ACME-VULN-18", ["ACME-VULN-18"], ["ACME-2025-0001", "BATCH-9"]],
      ["ACME-2025-0001/vuln-3", [], ["ACME-2025-0001"]],
    ]);
    expect(recs[1]!.title).toBe("ACME IP-Kameras und NVR: mehrere Schwachstellen");
  });

  it("resolves the product tree (families, ranges, relationships, full names, groups) field by field", () => {
    const [rec] = source.parse(rawOf("csaf", acme, "ACME-2025-0001"));
    expect(rec).toMatchObject({
      kind: "vulnerability",
      title: "Befehlsinjektion in der Weboberfläche",
      descriptions: [
        { lang: "de", text: "Die Weboberfläche übergibt Eingaben ungeprüft an die Shell." },
        { lang: "de", text: "Kurzfassung." },
      ],
      published: "2025-01-30T00:00:00.000Z",
      modified: "2025-03-01T10:00:00.000Z",
      assigner: "ACME PSIRT",
      cwes: ["CWE-78"],
      cvss: [
        { version: "3.1", vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", baseScore: 9.8, baseSeverity: "CRITICAL", provider: "ACME PSIRT" },
        { version: "2.0", vector: "AV:N/AC:L/Au:N/C:C/I:C/A:C", baseScore: 10, provider: "ACME PSIRT" },
      ],
      extra: { advisory: "ACME-2025-0001", advisoryVersion: "2", trackingStatus: "final", category: "csaf_security_advisory", tlp: "CLEAR" },
    });
    expect(rec!.affected).toEqual([
      {
        vendor: "ACME",
        product: "IPC-200",
        versions: [
          { status: "affected", text: "vers:intdot/<4.2.1", type: "vers" },
          { status: "affected", text: "vers:intdot/<4.2.1 (installed_on ACME NVR-8 2.0)", type: "vers" },
          { status: "fixed", version: "4.2.1" },
        ],
        cpes: ["cpe:2.3:h:acme:ipc-200:*:*:*:*:*:*:*:*", "cpe:2.3:o:acme:ipc-200_firmware:4.2.1:*:*:*:*:*:*:*"],
      },
      { product: "ACME Cloud Connector", versions: [{ status: "unaffected" }] },
      { vendor: "ACME", product: "NVR-8", versions: [{ status: "unknown", version: "2.0" }] },
    ]);
    expect(rec!.cpes).toEqual([
      { criteria: "cpe:2.3:h:acme:ipc-200:*:*:*:*:*:*:*:*", vulnerable: true },
      { criteria: "cpe:2.3:o:acme:ipc-200_firmware:4.2.1:*:*:*:*:*:*:*", vulnerable: false },
    ]);
    expect(rec!.remediations).toEqual([{ category: "vendor_fix", details: "Firmware 4.2.1 installieren.", url: "https://acme.example/fw", products: ["ACME IPC-200 < 4.2.1", "ACME IPC-200 4.2.1"] }]);
    expect(rec!.references).toEqual([
      { url: "https://nvd.nist.gov/vuln/detail/CVE-2025-0001", name: "NVD", tags: ["external"] },
      { url: "https://psirt.acme.example/csaf/2025/acme-2025-0001.json", name: "ACME-2025-0001", tags: ["self"] },
    ]);
  });

  it.each([
    ["truncated JSON", acme.slice(0, 500), /not valid JSON/],
    ["an unknown csaf_version", withDoc((d) => (d.document.csaf_version = "2.1")), /unsupported csaf_version "2\.1" \(this parser reads CSAF 2\.0\)/],
    ["no csaf_version", withDoc((d) => delete d.document.csaf_version), /no document\.csaf_version/],
    ["no document", JSON.stringify({ vulnerabilities: [] }), /no `document` object/],
    ["a missing tracking id", withDoc((d) => delete d.document.tracking.id), /document\.tracking\.id/],
    ["a cve of the wrong type", withDoc((d) => (d.vulnerabilities[0].cve = 2025)), /vulnerabilities\.0\.cve/],
    ["a score that is not a number", withDoc((d) => (d.vulnerabilities[0].scores[0].cvss_v3.baseScore = "high")), /vulnerabilities\.0\.scores\.0\.cvss_v3\.baseScore/],
    ["a product_status list that is not an array", withDoc((d) => (d.vulnerabilities[0].product_status.fixed = "IPC200-421")), /product_status\.fixed/],
    ["a release date that is not a date", withDoc((d) => (d.document.tracking.current_release_date = "last tuesday")), /current_release_date: not a date: "last tuesday"/],
  ])("rejects %s with a SourceParseError naming the record and origin", (_what, body, reason) => {
    const err = parseError(body);
    expect(err).toBeInstanceOf(SourceParseError);
    expect(err.message).toMatch(/^csaf: ACME-2025-0001 \(https:\/\/psirt\.acme\.example\/a\.json\): /);
    expect(err.message).toMatch(reason);
  });

  it("survives a hostile product tree nested far deeper than real ones", () => {
    let branch: Record<string, unknown> = { category: "product_version", name: "1", product: { name: "deep", product_id: "D" } };
    for (let i = 0; i < 200; i++) branch = { category: "product_family", name: `f${i}`, branches: [branch] };
    const body = withDoc((d) => {
      d.product_tree = { branches: [branch] };
      d.vulnerabilities = [{ cve: "CVE-2025-0002", product_status: { known_affected: ["D"] } }];
    });
    const [rec] = source.parse(rawOf("csaf", body));
    expect(rec!.affected).toEqual([{ product: "D", versions: [{ status: "affected" }] }]);
  });

  it("never throws anything but SourceParseError on random or mutated advisories", () => {
    const at = fc.double({ min: 0, max: 1, noNaN: true });
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.tuple(at, fc.string({ maxLength: 3 })).map(([a, c]) => mutations.flip(acme, a, c)),
          fc.tuple(at, fc.nat(40)).map(([a, n]) => mutations.cut(acme, a, n)),
          at.map((a) => mutations.truncate(acme, a)),
          // Valid JSON, wrong values: replace one value anywhere in the tree.
          fc.tuple(fc.nat(), fc.jsonValue()).map(([n, v]) => replaceNth(JSON.parse(acme), n, v)),
        ),
        (body) => {
          parseOrParseError(source, rawOf("csaf", body));
        },
      ),
      { numRuns: 400 },
    );
  });

  it("reads a directory of advisories and skips the feeds and provider metadata kept beside them", async () => {
    const dir = path.join(repoRoot, "test/vulndb/fixtures");
    const raws = (await readAll(source, dir, testContext())).filter((r) => r.origin.includes("csaf_"));
    expect(raws.map((r) => [r.id, path.basename(r.origin)])).toEqual([["ACME-2025-0001", "csaf_acme-iot-2025-0001.json"]]);
  });

  it("maps a domain to its well-known provider-metadata.json", () => {
    expect(providerMetadataUrl("psirt.acme.example")).toBe("https://psirt.acme.example/.well-known/csaf/provider-metadata.json");
    expect(providerMetadataUrl("http://127.0.0.1:9/pm.json")).toBe("http://127.0.0.1:9/pm.json");
  });

  describe("online discovery", () => {
    let server: FeedServer | undefined;
    afterEach(async () => {
      await server?.close();
      server = undefined;
    });

    function advisory(id: string, cve: string, release = "2025-03-01T10:00:00Z"): string {
      return withDoc((d) => {
        d.document.tracking.id = id;
        d.document.tracking.current_release_date = release;
        d.vulnerabilities = [{ cve, notes: [{ category: "description", text: `${cve} in ${id}` }] }];
      });
    }

    async function provider(): Promise<FeedServer> {
      const a1 = advisory("ACME-2025-0001", "CVE-2025-0001");
      const a2 = advisory("ACME-2025-0002", "CVE-2025-0002");
      const a3 = advisory("ACME-2025-0003", "CVE-2025-0003");
      const s = await startFeedServer();
      const base = s.base;
      const feed = (entries: unknown[]) => JSON.stringify({ feed: { id: "acme-white", title: "ACME CSAF", updated: "2025-03-02T00:00:00Z", entry: entries } });
      const entry = (id: string, file: string, updated: string, hash?: string) => ({
        id,
        title: id,
        updated,
        published: updated,
        content: { type: "application/json", src: `${base}/csaf/2025/${file}` },
        link: [{ rel: "self", href: `${base}/csaf/2025/${file}` }, ...(hash ? [{ rel: "hash", href: `${base}/csaf/2025/${file}${hash}` }] : [])],
        format: { schema: "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json", version: "2.0" },
      });
      const routes = {
        "/.well-known/csaf/provider-metadata.json": {
          type: "application/json",
          body: JSON.stringify({
            canonical_url: `${base}/.well-known/csaf/provider-metadata.json`,
            metadata_version: "2.0",
            role: "csaf_trusted_provider",
            publisher: { category: "vendor", name: "ACME PSIRT", namespace: "https://psirt.acme.example" },
            distributions: [
              { rolie: { feeds: [{ tlp_label: "WHITE", url: `${base}/csaf/feed-tlp-white.json` }, { tlp_label: "AMBER", url: `${base}/csaf/feed-tlp-amber.json` }] } },
              { directory_url: `${base}/csaf-dir` },
            ],
          }),
        },
        "/csaf/feed-tlp-white.json": {
          type: "application/json",
          etag: '"feed-1"',
          body: feed([
            entry("ACME-2025-0002", "acme-2025-0002.json", "2025-03-02T00:00:00Z", ".sha512"),
            entry("ACME-2025-0001", "acme-2025-0001.json", "2025-03-01T10:00:00Z", ".sha256"),
            entry("ACME-2025-0003", "acme-2025-0003.json", "2025-02-15T00:00:00Z", ".sha256"),
          ]),
        },
        "/csaf/feed-tlp-amber.json": { status: 401, body: "authentication required" },
        "/csaf/2025/acme-2025-0001.json": { body: a1, type: "application/json" },
        "/csaf/2025/acme-2025-0001.json.sha256": { body: `${createHash("sha256").update(a1).digest("hex")}  acme-2025-0001.json\n` },
        "/csaf/2025/acme-2025-0002.json": { body: a2, type: "application/json" },
        "/csaf/2025/acme-2025-0002.json.sha512": { body: `${createHash("sha512").update(a2).digest("hex")}  acme-2025-0002.json\n` },
        "/csaf/2025/acme-2025-0003.json": { body: a3, type: "application/json" },
        // A tampered (or stale) hash: the advisory must not come through.
        "/csaf/2025/acme-2025-0003.json.sha256": { body: `${"0".repeat(64)}  acme-2025-0003.json\n` },
        "/csaf-dir/changes.csv": { type: "text/csv", etag: '"dir-1"', body: '"2024/acme-2024-0100.json","2024-12-01T00:00:00Z"\n' },
        "/csaf-dir/2024/acme-2024-0100.json": { body: advisory("ACME-2024-0100", "CVE-2024-0100"), type: "application/json" },
      };
      for (const [k, v] of Object.entries(routes)) s.routes.set(k, v);
      return s;
    }

    it("follows provider metadata to ROLIE feeds and changes.csv, checks hashes, and keeps a cursor per feed", async () => {
      server = await provider();
      const ctx = testContext({ provider: `${server.base}/.well-known/csaf/provider-metadata.json` });
      const first = await drain(source, undefined, ctx);
      // Oldest first within a feed; the 0003 advisory with a wrong hash is dropped with an error.
      expect(first.records.map((r) => r.id)).toEqual(["ACME-2025-0001", "ACME-2025-0002", "ACME-2024-0100"]);
      expect(first.records[0]).toMatchObject({ origin: `${server.base}/csaf/2025/acme-2025-0001.json`, modified: "2025-03-01T10:00:00.000Z", mediaType: "application/json" });
      expect(ctx.lines.some((l) => l.level === 50 && l.msg === "csaf: sha256 mismatch, advisory dropped")).toBe(true);
      expect(ctx.lines.some((l) => l.level === 40 && String(l.url).endsWith("feed-tlp-amber.json"))).toBe(true);
      const feedUrl = `${server.base}/csaf/feed-tlp-white.json`;
      const changesUrl = `${server.base}/csaf-dir/changes.csv`;
      expect(first.cursor).toEqual({
        [`etag ${feedUrl}`]: '"feed-1"',
        [`updated ${feedUrl}`]: "2025-03-02T00:00:00.000Z",
        [`etag ${changesUrl}`]: '"dir-1"',
        [`updated ${changesUrl}`]: "2024-12-01T00:00:00.000Z",
      });
      expect(first.checkpoints.length).toBeGreaterThanOrEqual(2);
      const { records, errors } = parseAll(source, first.records);
      expect(errors).toEqual([]);
      expect(records.map((r) => r.sourceId)).toEqual(["ACME-2025-0001/CVE-2025-0001", "ACME-2025-0002/CVE-2025-0002", "ACME-2024-0100/CVE-2024-0100"]);

      // Unchanged feeds: 304s, nothing yielded, cursor kept.
      server.log.length = 0;
      const second = await drain(source, first.cursor, ctx);
      expect(second.records).toEqual([]);
      expect(second.cursor).toEqual(first.cursor);
      expect(server.log.filter((l) => l.url.endsWith("feed-tlp-white.json") || l.url.endsWith("changes.csv")).map((l) => l.status)).toEqual([304, 304]);

      // The feed changes: only the entry updated after the cursor is downloaded.
      const a1v2 = advisory("ACME-2025-0001", "CVE-2025-0001", "2025-03-05T00:00:00Z");
      server.routes.set("/csaf/2025/acme-2025-0001.json", { body: a1v2, type: "application/json" });
      server.routes.set("/csaf/2025/acme-2025-0001.json.sha256", { body: createHash("sha256").update(a1v2).digest("hex") });
      const feed = JSON.parse(server.routes.get("/csaf/feed-tlp-white.json")!.body as string);
      feed.feed.entry[1].updated = "2025-03-05T00:00:00Z";
      server.routes.set("/csaf/feed-tlp-white.json", { body: JSON.stringify(feed), etag: '"feed-2"', type: "application/json" });
      const third = await drain(source, first.cursor, ctx);
      expect(third.records.map((r) => r.id)).toEqual(["ACME-2025-0001"]);
      expect(third.cursor[`updated ${feedUrl}`]).toBe("2025-03-05T00:00:00.000Z");
    });

    it("skips an unreachable provider and goes on with the others; fails when none answers", async () => {
      server = await provider();
      const ctx = testContext({ provider: `${server.base}/nowhere/provider-metadata.json, ${server.base}/.well-known/csaf/provider-metadata.json` });
      const run = await drain(source, undefined, ctx);
      expect(run.records.map((r) => r.id)).toEqual(["ACME-2025-0001", "ACME-2025-0002", "ACME-2024-0100"]);
      expect(ctx.lines.some((l) => l.msg === "csaf: provider skipped" && String(l.provider).includes("/nowhere/"))).toBe(true);
      await expect(drain(source, undefined, testContext({ provider: `${server.base}/nowhere/provider-metadata.json` }))).rejects.toThrow(/404/);
    });

    it("asks for a provider when none is configured", async () => {
      await expect(drain(source, undefined, testContext())).rejects.toThrow(/csaf: no provider given/);
    });
  });
});

describeWithShared("csaf source on real advisories", () => {
  it("BSI-2022-0001: the OASIS example, field by field", async () => {
    const raws = await readAll(source, sharedFixture("vulndb/csaf_bsi-2022-0001.json"), testContext());
    expect(raws.map((r) => r.id)).toEqual(["BSI-2022-0001"]);
    const [rec, ...rest] = source.parse(raws[0]!);
    expect(rest).toEqual([]);
    expect(rec).toMatchObject({
      source: "csaf",
      sourceId: "BSI-2022-0001/CVE-2022-27193",
      aliases: ["CVE-2022-27193", "csaf-tools/CVRF-CSAF-Converter#78"],
      related: ["BSI-2022-0001"],
      title: "CVRF-CSAF-Converter: XML External Entities Vulnerability",
      assigner: "Bundesamt für Sicherheit in der Informationstechnik",
      published: "2022-03-17T13:03:42.105Z",
      modified: "2022-03-17T13:03:42.105Z",
      cwes: ["CWE-611"],
      cvss: [{ version: "3.1", baseScore: 6.1, baseSeverity: "MEDIUM", vector: "CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:N/A:L/E:F/RL:O/RC:C", provider: "Bundesamt für Sicherheit in der Informationstechnik" }],
    });
    expect(rec!.descriptions).toHaveLength(1);
    expect(rec!.descriptions[0]!.lang).toBe("en-US");
    expect(rec!.descriptions[0]!.text).toMatch(/^CSAF Tools CVRF-CSAF-Converter 1\.0\.0-rc1 resolves XML External Entities/);
    expect(rec!.affected).toHaveLength(1);
    expect(rec!.affected[0]).toMatchObject({ vendor: "CSAF Tools", product: "CVRF-CSAF-Converter" });
    expect(rec!.affected[0]!.versions).toEqual([
      { status: "affected", version: "1.0.0-alpha" },
      { status: "affected", version: "1.0.0-dev1" },
      { status: "affected", version: "1.0.0-dev2" },
      { status: "affected", version: "1.0.0-dev3" },
      { status: "affected", version: "1.0.0-rc1" },
      { status: "fixed", version: "1.0.0-rc2" },
    ]);
    expect(rec!.cpes).toContainEqual({ criteria: "cpe:2.3:a:csaf-tools:cvrf-csaf-converter:1.0.0-alpha:*:*:*:*:*:*:*", vulnerable: true });
    expect(rec!.cpes).toContainEqual({ criteria: "cpe:2.3:a:csaf-tools:cvrf-csaf-converter:1.0.0-rc2:*:*:*:*:*:*:*", vulnerable: false });
    expect(rec!.remediations?.[0]).toMatchObject({ category: "vendor_fix", url: "https://github.com/csaf-tools/CVRF-CSAF-Converter/releases/tag/1.0.0-rc2" });
    expect(rec!.remediations?.[0]!.products).toHaveLength(5);
  });

  it("ICSA-24-004-01: two CVEs, a product_version_range, remediations and CISA as assigner", async () => {
    const raws = await readAll(source, sharedFixture("vulndb/csaf_icsa-24-004-01.json"), testContext());
    const recs = source.parse(raws[0]!);
    expect(recs.map((r) => [r.sourceId, r.aliases, r.related])).toEqual([
      ["ICSA-24-004-01/CVE-2023-38545", ["CVE-2023-38545"], ["ICSA-24-004-01"]],
      ["ICSA-24-004-01/CVE-2023-3935", ["CVE-2023-3935"], ["ICSA-24-004-01"]],
    ]);
    const [curl, codemeter] = recs as [(typeof recs)[0], (typeof recs)[0]];
    expect(curl).toMatchObject({
      title: "Rockwell Automation FactoryTalk Activation",
      assigner: "CISA",
      published: "2024-01-04T07:00:00.000Z",
      modified: "2024-01-04T07:00:00.000Z",
      cwes: ["CWE-787"],
      cvss: [{ version: "3.1", baseScore: 9.8, baseSeverity: "CRITICAL", vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", provider: "CISA" }],
      affected: [{ vendor: "Rockwell Automation", product: "Factory Talk Activation Manager", versions: [{ status: "affected", text: "<V4.00_Utilizes_Wibu-Systems_CodeMeter_7.60c" }] }],
      cpes: [],
      extra: { tlp: "WHITE" },
    });
    expect(curl.descriptions[0]!.text).toMatch(/SOCKS5 proxy/);
    expect(curl.remediations).toHaveLength(5);
    expect(curl.remediations![0]!.products).toEqual(["Rockwell Automation Factory Talk Activation Manager: <V4.00_Utilizes_Wibu-Systems_CodeMeter_7.60c"]);
    expect(curl.references.map((r) => r.url)).toContain("http://web.nvd.nist.gov/view/vuln/detail?vulnId=CVE-2023-38545");
    expect(curl.references.map((r) => r.url)).toContain("https://www.cisa.gov/news-events/ics-advisories/icsa-24-004-01");
    expect(codemeter.cvss[0]!.baseScore).toBe(7.5);
  });

  it("the OASIS provider-metadata example is read as provider metadata, its ROLIE feed URL found", async () => {
    const { readProviderMetadata } = await import("../../../src/vulndb/sources/csaf/discover.js");
    const file = sharedFixture("vulndb/csaf_example-01-provider-metadata.json");
    const meta = readProviderMetadata(JSON.parse(readFileSync(file, "utf8")), file);
    expect(meta.distributions?.[0]?.rolie?.feeds.map((f) => f.url)).toEqual(["https://www.example.com/.well-known/csaf/feed-tlp-white.json"]);
    expect(meta.publisher?.name).toBe("Example Company ProductCERT");
  });

  it("mutations of the real advisories give records or SourceParseErrors, nothing else", () => {
    const texts = ["vulndb/csaf_bsi-2022-0001.json", "vulndb/csaf_icsa-24-004-01.json"].map((f) => readFileSync(sharedFixture(f), "utf8"));
    const at = fc.double({ min: 0, max: 1, noNaN: true });
    fc.assert(
      fc.property(fc.constantFrom(...texts), at, fc.string({ maxLength: 4 }), fc.nat(), fc.jsonValue(), (text, a, c, n, v) => {
        parseOrParseError(source, rawOf("csaf", mutations.flip(text, a, c)));
        parseOrParseError(source, rawOf("csaf", replaceNth(JSON.parse(text), n, v)));
      }),
      { numRuns: 300 },
    );
  });
});

/** Replaces the n-th value (depth-first, modulo the count) of a JSON tree. */
function replaceNth(tree: unknown, n: number, value: unknown): string {
  const slots: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach((x, i) => {
        slots.push({ parent: node, key: i });
        walk(x);
      });
    } else if (node && typeof node === "object") {
      for (const [k, x] of Object.entries(node)) {
        slots.push({ parent: node as Record<string, unknown>, key: k });
        walk(x);
      }
    }
  };
  walk(tree);
  if (slots.length) {
    const s = slots[n % slots.length]!;
    (s.parent as Record<string | number, unknown>)[s.key] = value;
  }
  return JSON.stringify(tree);
}
