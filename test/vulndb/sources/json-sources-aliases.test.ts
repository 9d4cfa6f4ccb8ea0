import { expect, it } from "vitest";
import { source as cve5 } from "../../../src/vulndb/sources/cve5/index.js";
import { source as euvd } from "../../../src/vulndb/sources/euvd/index.js";
import { source as kev } from "../../../src/vulndb/sources/kev/index.js";
import { source as nvd } from "../../../src/vulndb/sources/nvd/index.js";
import { describeWithShared, sharedFixture } from "../../helpers/fixtures.js";
import { parseAll, readAll } from "./json-harness.js";

describeWithShared("CVE-2023-1389 as NVD, CVE 5, EUVD and the KEV catalogue publish it", () => {
  it("every source's record carries the CVE id among its aliases, so correlation can merge them", async () => {
    const files = [
      [nvd, "vulndb/nvd2_CVE-2023-1389.json"],
      [cve5, "vulndb/cve5_CVE-2023-1389.json"],
      [euvd, "vulndb/euvd_CVE-2023-1389.json"],
      [kev, "vulndb/kev_catalog_slice.json"],
    ] as const;
    const records = [];
    for (const [source, file] of files) {
      const { records: parsed, errors } = parseAll(source, await readAll(source, sharedFixture(file)));
      expect(errors).toEqual([]);
      records.push(...parsed.filter((r) => r.source !== "kev" || r.sourceId === "CVE-2023-1389"));
    }
    expect(records.map((r) => r.source)).toEqual(["nvd", "cve5", "euvd", "kev"]);
    for (const r of records) expect(r.aliases).toContain("CVE-2023-1389");
    // The EUVD id links in through EUVD's record; no source puts an advisory id among the aliases.
    expect(records.flatMap((r) => r.aliases).sort()).toEqual(["CVE-2023-1389", "CVE-2023-1389", "CVE-2023-1389", "CVE-2023-1389", "EUVD-2023-23645", "GSD-2023-1389"]);
    // NVD, CVE 5 and EUVD agree on the score and the publication day; NVD and KEV on the KEV date.
    const [n, c, e, k] = records;
    expect(new Set([n, c, e].flatMap((r) => r!.cvss.map((s) => s.baseScore)))).toEqual(new Set([8.8]));
    expect(new Set([n, c, e].map((r) => r!.published!.slice(0, 10)))).toEqual(new Set(["2023-03-15"]));
    expect(n!.kev!.dateAdded).toBe(k!.kev!.dateAdded);
  });
});
