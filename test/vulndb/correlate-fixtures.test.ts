/** End to end on the real samples, through the real source modules from the registry. */
import { expect, it } from "vitest";
import type { Storage } from "../../src/core/storage/index.js";
import { getEntry, sources, syncSource } from "../../src/vulndb/index.js";
import { describeEachBackend } from "../helpers/db.js";
import { describeWithShared, sharedFixture } from "../helpers/fixtures.js";

const FILES: Array<[string, string]> = [
  ["cve5", "vulndb/cve5_CVE-2023-1389.json"],
  ["nvd", "vulndb/nvd2_CVE-2023-1389.json"],
  ["euvd", "vulndb/euvd_CVE-2023-1389.json"],
  ["kev", "vulndb/kev_catalog_slice.json"],
  ["exploitdb", "vulndb/exploitdb_files_exploits_slice.csv"],
];

async function syncFixtures(storage: Storage, files = FILES) {
  const reports = [];
  for (const [name, file] of files) {
    const source = sources.get(name);
    if (!source) throw new Error(`source ${name} is not in the registry`);
    reports.push(await syncSource(storage, source, { fromFile: sharedFixture(file) }));
  }
  return reports;
}

describeWithShared("vulndb on the real samples", () => {
  describeEachBackend("CVE-2023-1389 from CVE 5, NVD, EUVD and KEV", (open) => {
    it("merges into one entry carrying every source's facets, and re-ingesting changes nothing", async () => {
      const storage = await open();
      const reports = await syncFixtures(storage);
      expect(reports.map((r) => r.errors)).toEqual([0, 0, 0, 0, 0]);

      const e = (await getEntry(storage.db, "CVE-2023-1389"))!;
      for (const alias of ["EUVD-2023-23645", "cve-2023-1389", e.id]) expect((await getEntry(storage.db, alias))!.id).toBe(e.id);
      const rows = await storage.db.selectFrom("vuln_entry_aliases").select("entry_id").where("alias", "=", "CVE-2023-1389").where("kind", "=", "vulnerability").execute();
      expect(rows).toEqual([{ entry_id: e.id }]);
      expect(e.records.map((r) => r.source)).toEqual(["cve5", "euvd", "kev", "nvd"]);
      expect(e.aliases).toEqual(expect.arrayContaining(["CVE-2023-1389", "EUVD-2023-23645"]));
      // Description: the CNA's (cve5) is shown first by the trust rule; NVD and EUVD carry the same text.
      expect(e.description!.sources).toContain("cve5");
      expect(e.kev).toMatchObject({ value: { dateAdded: "2023-05-01" }, trust: 1 });
      expect(e.kev!.sources).toContain("kev");
      expect(e.epss!.sources).toEqual(["euvd"]);
      expect(e.exploitedSince!.value.startsWith("2023-05-01")).toBe(true);
      expect(e.cpes.map((c) => c.value.criteria)).toEqual(
        expect.arrayContaining(["cpe:2.3:o:tp-link:archer_ax21_firmware:*:*:*:*:*:*:*:*", "cpe:2.3:h:tp-link:archer_ax21:-:*:*:*:*:*:*:*"]),
      );
      expect(e.flags.kev).toBe(true);
      expect(e.iot).toMatchObject({ iot: true });
      expect(e.iot!.deviceTypes).toContain("router");

      const again = await syncFixtures(storage);
      expect(again.map((r) => r.changed)).toEqual([0, 0, 0, 0, 0]);
      expect((await getEntry(storage.db, "CVE-2023-1389"))!.updatedAt).toBe(e.updatedAt);
    });

    it("links Exploit-DB rows to the KEV vulnerabilities they exploit", async () => {
      const storage = await open();
      await syncFixtures(storage);
      const v = (await getEntry(storage.db, "CVE-2020-5722"))!;
      expect(v.flags.hasExploit).toBe(true);
      expect(v.exploitedBy!.flatMap((x) => x.aliases)).toContain("EDB-48247");
      const x = (await getEntry(storage.db, "EDB-48247"))!;
      expect(x.kind).toBe("exploit");
      expect(x.targets).toContainEqual({ alias: "CVE-2020-5722", id: v.id });
    });
  });
});
