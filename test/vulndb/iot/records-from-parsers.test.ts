/**
 * classifyRecords on records produced by the source parsers (src/vulndb/sources/*) from the shared
 * fixtures: the path the vulndb core takes.
 */
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { classifyRecords } from "../../../src/vulndb/iot/records.js";
import { source as csaf } from "../../../src/vulndb/sources/csaf/index.js";
import { source as cve5 } from "../../../src/vulndb/sources/cve5/index.js";
import { source as kev } from "../../../src/vulndb/sources/kev/index.js";
import { source as nvd } from "../../../src/vulndb/sources/nvd/index.js";
import { source as osv } from "../../../src/vulndb/sources/osv/index.js";
import type { RawRecord, VulnSource } from "../../../src/vulndb/sources/types.js";
import { describeWithShared, sharedFixture } from "../../helpers/fixtures.js";

const json = (name: string): any => JSON.parse(readFileSync(sharedFixture(`vulndb/${name}`), "utf8")); // eslint-disable-line @typescript-eslint/no-explicit-any

function raw(source: VulnSource, id: string, body: string): RawRecord {
  return { source: source.meta.name, id, origin: `fixture:${id}`, mediaType: "application/json", body, fetchedAt: "2026-01-01T00:00:00Z" };
}

describeWithShared("classifyRecords on records from the source parsers", () => {
  const nvdRecords = () => nvd.parse(raw(nvd, "CVE-2023-1389", readFileSync(sharedFixture("vulndb/nvd2_CVE-2023-1389.json"), "utf8")));
  const cve5Records = () => cve5.parse(raw(cve5, "CVE-2023-1389", readFileSync(sharedFixture("vulndb/cve5_CVE-2023-1389.json"), "utf8")));

  it("the NVD and CVE 5 records of CVE-2023-1389, alone and together, are an IoT router", () => {
    for (const records of [nvdRecords(), cve5Records(), [...nvdRecords(), ...cve5Records()]]) {
      const result = classifyRecords(records, new Set());
      expect(result.iot, result.reasons.join("; ")).toBe(true);
      expect(result.deviceTypes).toEqual(["router"]);
    }
  });

  it("the OSV GHSA record is not IoT", () => {
    const records = osv.parse(raw(osv, "GHSA-23xf-5535-62v5", readFileSync(sharedFixture("vulndb/osv_GHSA-23xf-5535-62v5.json"), "utf8")));
    expect(classifyRecords(records, new Set()).iot).toBe(false);
  });

  it("the CSAF ICS advisory's records are IoT through their product tree", () => {
    const records = csaf.parse(raw(csaf, "icsa-24-004-01", readFileSync(sharedFixture("vulndb/csaf_icsa-24-004-01.json"), "utf8")));
    expect(records.length).toBeGreaterThan(0);
    for (const r of records) expect(classifyRecords([r], new Set()).iot).toBe(true);
  });

  it("KEV slice: every device entry is IoT, Git and SharePoint are not", () => {
    const catalogue = json("kev_catalog_slice.json");
    const verdicts = new Map<string, boolean>();
    for (const entry of catalogue.vulnerabilities) {
      const records = kev.parse(raw(kev, entry.cveID, JSON.stringify(entry)));
      verdicts.set(`${entry.vendorProject} ${entry.product}`, classifyRecords(records, new Set()).iot);
    }
    expect(verdicts.get("Git Git")).toBe(false);
    expect(verdicts.get("Microsoft SharePoint")).toBe(false);
    const devices = [...verdicts].filter(([k]) => !k.startsWith("Git ") && !k.startsWith("Microsoft "));
    expect(devices.length).toBe(9);
    for (const [name, iot] of devices) expect(iot, name).toBe(true);
  });

  it("an IoT-dense source adds its weight and says so", () => {
    const withDense = classifyRecords(cve5Records(), new Set(["cve5"]));
    expect(withDense.reasons).toContain("reported by IoT-dense source cve5");
    expect(withDense.score).toBeGreaterThan(classifyRecords(cve5Records(), new Set()).score);
  });
});
