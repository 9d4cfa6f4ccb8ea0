import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { exportEntries, sources, syncSource } from "../../src/vulndb/index.js";
import { vulnEntryJsonSchema, vulnEntrySchema } from "../../src/vulndb/format/schema.js";
import { describeEachBackend } from "../helpers/db.js";
import { describeWithShared, repoRoot, sharedFixture } from "../helpers/fixtures.js";
import { raw, testSource } from "./ingest-helpers.js";

const schemaFile = path.join(repoRoot, "docs/schemas/vulndb-entry.schema.json");

describe("vulndb entry schema", () => {
  it("docs/schemas/vulndb-entry.schema.json is the schema the code validates with", () => {
    const generated = `${JSON.stringify(vulnEntryJsonSchema(), null, 2)}\n`;
    if (process.env.IOTSCOPE_UPDATE_SCHEMAS === "1") writeFileSync(schemaFile, generated);
    // On a mismatch, regenerate: IOTSCOPE_UPDATE_SCHEMAS=1 npx vitest run test/vulndb/store-export.test.ts
    expect(readFileSync(schemaFile, "utf8")).toBe(generated);
  });
});

describeEachBackend("vulndb export", (open) => {
  it("exports entries that validate against the published schema, and OSV records with the mapped fields", async () => {
    const storage = await open();
    const feed = [
      raw("nvd", {
        sourceId: "CVE-2024-0001",
        title: "t",
        descriptions: [{ lang: "en", text: "d" }],
        published: "2024-01-01T00:00:00.000Z",
        modified: "2024-02-01T00:00:00.000Z",
        cvss: [
          { version: "3.1", vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", baseScore: 9.8 },
          { version: "2.0", vector: "AV:N/AC:L/Au:N/C:C/I:C/A:C", baseScore: 10 },
        ],
        affected: [
          { ecosystem: "npm", package: "left-pad", versions: [{ version: "1.0.0", lessThan: "1.2.0", status: "affected" }] },
          { vendor: "Acme", product: "Cam 1", versions: [{ text: "all versions" }] },
        ],
        references: [{ url: "https://x.example/exploit", tags: ["Exploit"] }, { url: "https://x.example/fix", tags: ["Patch"] }],
        cwes: ["CWE-79"],
      }),
      raw("nvd", { sourceId: "CVE-2024-0002", status: "rejected", modified: "2024-03-01T00:00:00.000Z" }),
    ];
    await syncSource(storage, testSource({ name: "nvd", feed }).source);
    const lines: string[] = [];
    for await (const l of exportEntries(storage.db, "jsonl")) lines.push(l);
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(vulnEntrySchema.safeParse(JSON.parse(l)).error).toBeUndefined();

    const osv: Array<Record<string, unknown>> = [];
    for await (const l of exportEntries(storage.db, "osv")) osv.push(JSON.parse(l) as Record<string, unknown>);
    const first = osv.find((o) => (o.aliases as string[]).includes("CVE-2024-0001"))!;
    expect(first).toMatchObject({
      schema_version: "1.6.0",
      modified: "2024-02-01T00:00:00.000Z",
      published: "2024-01-01T00:00:00.000Z",
      summary: "t",
      details: "d",
      severity: [
        { type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" },
        { type: "CVSS_V2", score: "AV:N/AC:L/Au:N/C:C/I:C/A:C" },
      ],
      affected: [
        { package: { ecosystem: "npm", name: "left-pad" }, ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "1.0.0" }, { fixed: "1.2.0" }] }] },
        { database_specific: { vendor: "Acme", product: "Cam 1" } },
      ],
      references: [
        { type: "EVIDENCE", url: "https://x.example/exploit" },
        { type: "FIX", url: "https://x.example/fix" },
      ],
      database_specific: { cwe_ids: ["CWE-79"] },
    });
    const rejected = osv.find((o) => (o.aliases as string[]).includes("CVE-2024-0002"))!;
    expect(rejected.withdrawn).toBe("2024-03-01T00:00:00.000Z");
  });
});

describeWithShared("vulndb export of the real samples", () => {
  describeEachBackend("schema", (open) => {
    it("every entry merged from the real samples of every source validates against the published schema", async () => {
      const storage = await open();
      const files: Array<[string, string]> = [
        ["cve5", "cve5_CVE-2023-1389.json"],
        ["nvd", "nvd2_CVE-2023-1389.json"],
        ["euvd", "euvd_CVE-2023-1389.json"],
        ["kev", "kev_catalog_slice.json"],
        ["exploitdb", "exploitdb_files_exploits_slice.csv"],
        ["csaf", "csaf_icsa-24-004-01.json"],
        ["osv", "osv_GHSA-23xf-5535-62v5.json"],
        ["jvn", "jvndb_getVulnOverviewList_hnd.xml"],
      ];
      for (const [name, file] of files) await syncSource(storage, sources.get(name)!, { fromFile: sharedFixture(`vulndb/${file}`) });
      let n = 0;
      for await (const l of exportEntries(storage.db, "jsonl")) {
        const parsed = vulnEntrySchema.safeParse(JSON.parse(l));
        expect(parsed.error, l.slice(0, 200)).toBeUndefined();
        n++;
      }
      expect(n).toBeGreaterThan(60);
    });
  });
});
