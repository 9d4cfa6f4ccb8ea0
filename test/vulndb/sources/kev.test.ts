import { readdirSync, readFileSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { source } from "../../../src/vulndb/sources/kev/index.js";
import { kevEntrySchema } from "../../../src/vulndb/sources/kev/schema.js";
import { SourceParseError } from "../../../src/vulndb/sources/types.js";
import { sources } from "../../../src/vulndb/sources/registry.js";
import { describeWithShared, sharedFixture } from "../../helpers/fixtures.js";
import { drain, readAll, mutations, parseAll, parseOrParseError, rawOf, startFeedServer, testContext, type FeedServer } from "./feed-harness.js";

const good = {
  cveID: "CVE-2023-1389",
  vendorProject: "TP-Link",
  product: "Archer AX-21",
  vulnerabilityName: "TP-Link Archer AX-21 Command Injection Vulnerability",
  dateAdded: "2023-05-01",
  shortDescription: "TP-Link Archer AX-21 contains a command injection vulnerability.",
  requiredAction: "Apply mitigations per vendor instructions.",
  dueDate: "2023-05-22",
  knownRansomwareCampaignUse: "Unknown",
  notes: "https://www.tp-link.com/us/support/download/archer-ax21/ ; https://nvd.nist.gov/vuln/detail/CVE-2023-1389",
  cwes: ["CWE-78"],
};

function catalogue(entries: unknown[], version = "2025.08.25"): string {
  return JSON.stringify({ title: "CISA Catalog of Known Exploited Vulnerabilities", catalogVersion: version, dateReleased: "2025-08-25T17:04:19.9796Z", count: entries.length, vulnerabilities: entries });
}

describe("kev source", () => {
  it("is registered under its CLI name", () => {
    expect(sources.get("kev")).toBe(source);
    expect(source.meta.kind).toBe("catalogue");
  });

  it("parses an entry into the kev facet, aliases [cveID], affected vendor/product and the links in notes", () => {
    const [rec, ...rest] = source.parse(rawOf("kev", JSON.stringify(good), "CVE-2023-1389"));
    expect(rest).toEqual([]);
    expect(rec).toMatchObject({
      source: "kev",
      sourceId: "CVE-2023-1389",
      kind: "vulnerability",
      aliases: ["CVE-2023-1389"],
      related: [],
      title: "TP-Link Archer AX-21 Command Injection Vulnerability",
      descriptions: [{ lang: "en", text: "TP-Link Archer AX-21 contains a command injection vulnerability." }],
      cwes: ["CWE-78"],
      affected: [{ vendor: "TP-Link", product: "Archer AX-21", versions: [] }],
      kev: {
        dateAdded: "2023-05-01",
        dueDate: "2023-05-22",
        requiredAction: "Apply mitigations per vendor instructions.",
        vulnerabilityName: "TP-Link Archer AX-21 Command Injection Vulnerability",
        vendorProject: "TP-Link",
        product: "Archer AX-21",
        knownRansomwareCampaignUse: "Unknown",
        notes: good.notes,
        cwes: ["CWE-78"],
      },
    });
    expect(rec!.references.map((r) => r.url)).toEqual(["https://www.tp-link.com/us/support/download/archer-ax21/", "https://nvd.nist.gov/vuln/detail/CVE-2023-1389"]);
  });

  it.each([
    ["a truncated body", JSON.stringify(good).slice(0, 60), /not valid JSON/],
    ["a cveID that is not a CVE", JSON.stringify({ ...good, cveID: "CVE-23-1" }), /cveID: expected CVE-YYYY-NNNN/],
    ["a missing required field", JSON.stringify({ ...good, dueDate: undefined }), /dueDate/],
    ["a date in the wrong format", JSON.stringify({ ...good, dateAdded: "05/01/2023" }), /dateAdded: expected a date YYYY-MM-DD/],
    ["cwes of the wrong type", JSON.stringify({ ...good, cwes: "CWE-78" }), /cwes/],
    ["a cwe not in CWE-NNN form", JSON.stringify({ ...good, cwes: ["78"] }), /cwes\.0: expected CWE-NNN/],
    ["an array instead of an entry", "[]", /not a KEV entry/],
  ])("rejects %s with a SourceParseError naming the record and origin", (_what, body, reason) => {
    const raw = { ...rawOf("kev", body, "CVE-2023-1389"), origin: "kev.json#/vulnerabilities/7" };
    let err: unknown;
    try {
      source.parse(raw);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SourceParseError);
    expect((err as Error).message).toMatch(/^kev: CVE-2023-1389 \(kev\.json#\/vulnerabilities\/7\): /);
    expect((err as Error).message).toMatch(reason);
  });

  it("reads a catalogue file: one raw record per entry, the bad entry fails alone", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "kev-"));
    const file = path.join(dir, "known_exploited_vulnerabilities.json");
    await writeFile(file, catalogue([good, { ...good, cveID: "bogus" }, { ...good, cveID: "CVE-2020-5722" }]));
    const raws = await readAll(source, file, testContext());
    expect(raws.map((r) => [r.id, r.origin])).toEqual([
      ["CVE-2023-1389", `${file}#/vulnerabilities/0`],
      ["bogus", `${file}#/vulnerabilities/1`],
      ["CVE-2020-5722", `${file}#/vulnerabilities/2`],
    ]);
    const { records, errors } = parseAll(source, raws);
    expect(records.map((r) => r.sourceId)).toEqual(["CVE-2023-1389", "CVE-2020-5722"]);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain("bogus");
  });

  it("yields a file whose envelope is not a catalogue whole; parse names the file and the envelope's fault", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "kev-"));
    const file = path.join(dir, "x.json");
    await writeFile(file, JSON.stringify({ catalogVersion: 3, vulnerabilities: {} }));
    const raws = await readAll(source, file, testContext());
    expect(raws.map((r) => [r.id, r.origin])).toEqual([["x", file]]);
    const { records, errors } = parseAll(source, raws);
    expect(records).toEqual([]);
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/^kev: x \(.*x\.json\): not a KEV catalogue: catalogVersion: .*; dateReleased: .*; count: .*; vulnerabilities: /)]);
    expect(errors[0]).toBeInstanceOf(SourceParseError);
    expect((errors[0] as SourceParseError).origin).toBe(file);
  });

  it("never throws anything but SourceParseError on random or mutated entries", () => {
    const text = JSON.stringify(good);
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.string({ maxLength: 3 })).map(([at, c]) => mutations.flip(text, at, c)), fc.double({ min: 0, max: 1, noNaN: true }).map((at) => mutations.truncate(text, at))), (body) => {
        parseOrParseError(source, rawOf("kev", body));
      }),
      { numRuns: 500 },
    );
  });

  describe("online", () => {
    let server: FeedServer | undefined;
    afterEach(async () => {
      await server?.close();
      server = undefined;
    });

    it("yields every entry once, then nothing on an unchanged catalogue (304), and everything on a new version", async () => {
      server = await startFeedServer({ "/kev.json": { body: catalogue([good, { ...good, cveID: "CVE-2020-5722" }]), etag: '"v1"', type: "application/json" } });
      const ctx = testContext({ url: `${server.base}/kev.json` });
      const first = await drain(source, undefined, ctx);
      expect(first.records.map((r) => r.id)).toEqual(["CVE-2023-1389", "CVE-2020-5722"]);
      expect(first.records[0]!.origin).toBe(`${server.base}/kev.json#/vulnerabilities/0`);
      expect(first.cursor).toEqual({ catalogVersion: "2025.08.25", dateReleased: "2025-08-25T17:04:19.9796Z", etag: '"v1"' });

      const second = await drain(source, first.cursor, ctx);
      expect(second.records).toEqual([]);
      expect(second.cursor).toEqual(first.cursor);
      expect(server.log.map((l) => l.status)).toEqual([200, 304]);

      // A server that ignores validators: the catalogue version says nothing changed.
      server.routes.set("/kev.json", { body: catalogue([good]), type: "application/json" });
      const third = await drain(source, first.cursor, ctx);
      expect(third.records).toEqual([]);

      server.routes.set("/kev.json", { body: catalogue([good], "2025.08.26"), etag: '"v2"', type: "application/json" });
      const fourth = await drain(source, first.cursor, ctx);
      expect(fourth.records.map((r) => r.id)).toEqual(["CVE-2023-1389"]);
      expect(fourth.cursor).toMatchObject({ catalogVersion: "2025.08.26", etag: '"v2"' });
    });
  });
});

describeWithShared("kev source on the real catalogue slice", () => {
  const file = sharedFixture("vulndb/kev_catalog_slice.json");
  const schema = JSON.parse(readFileSync(sharedFixture("vulndb/kev_schema.json"), "utf8")) as { $defs: { vulnerability: { required: string[]; properties: Record<string, unknown> } } };

  it("the zod schema requires what kev_schema.json requires and knows every property it lists", () => {
    const shape = kevEntrySchema.shape as Record<string, { isOptional(): boolean }>;
    expect(Object.keys(shape).sort()).toEqual(Object.keys(schema.$defs.vulnerability.properties).sort());
    const required = Object.keys(shape).filter((k) => !shape[k]!.isOptional());
    expect(required.sort()).toEqual([...schema.$defs.vulnerability.required].sort());
  });

  it("every entry of the slice passes and parses; mutated entries fail with a clear error", async () => {
    const raws = await readAll(source, file, testContext());
    expect(raws).toHaveLength(11);
    const { records, errors } = parseAll(source, raws);
    expect(errors).toEqual([]);
    expect(records).toHaveLength(11);
    for (const raw of raws) {
      const entry = JSON.parse(raw.body) as Record<string, unknown>;
      expect(() => source.parse({ ...raw, body: JSON.stringify({ ...entry, dueDate: 20250915 }) })).toThrow(/dueDate: .*expected string/i);
      expect(() => source.parse({ ...raw, body: JSON.stringify({ ...entry, cveID: undefined }) })).toThrow(/cveID/);
    }
  });

  it("reads a directory: the catalogue's entries come through, every other JSON file becomes one record error naming it", async () => {
    const dir = sharedFixture("vulndb");
    const raws = await readAll(source, dir, testContext());
    const { records, errors } = parseAll(source, raws);
    expect(records).toHaveLength(11);
    const others = readdirSync(dir).filter((n) => n.endsWith(".json") && n !== "kev_catalog_slice.json");
    expect(others).toContain("kev_schema.json");
    expect(others).toContain("csaf_bsi-2022-0001.json");
    expect(errors.map((e) => path.basename((e as SourceParseError).origin)).sort()).toEqual(others.sort());
    expect(errors.every((e) => e instanceof SourceParseError && /: not (valid JSON|a KEV (entry|catalogue)): /.test(e.message))).toBe(true);
  });

  it("reads CVE-2023-1389 (TP-Link Archer AX21) field by field", async () => {
    const { records } = parseAll(source, await readAll(source, file, testContext()));
    const ax21 = records.find((r) => r.sourceId === "CVE-2023-1389")!;
    expect(ax21.aliases).toEqual(["CVE-2023-1389"]);
    expect(ax21.kev?.vendorProject).toBe("TP-Link");
    expect(ax21.kev?.dateAdded).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(ax21.affected[0]?.vendor).toBe("TP-Link");
    const dlink = records.find((r) => r.sourceId === "CVE-2020-25078")!;
    expect(dlink.kev?.cwes).toEqual([]);
    expect(dlink.affected).toEqual([{ vendor: "D-Link", product: "DCS-2530L and DCS-2670L Devices", versions: [] }]);
    expect(records.find((r) => r.kev?.knownRansomwareCampaignUse === "Known")?.kev?.vendorProject).toBe("Microsoft");
    const git = records.find((r) => r.sourceId === "CVE-2025-48384")!;
    expect(git.cwes).toEqual(["CWE-59", "CWE-436"]);
    expect(git.references.map((r) => r.url)).toContain("https://nvd.nist.gov/vuln/detail/CVE-2025-48384");
  });
});
