import { expect, it } from "vitest";
import { UsageError } from "../../src/core/errors.js";
import type { Storage } from "../../src/core/storage/index.js";
import { getEntry, searchEntries, syncSource, type SearchFilters } from "../../src/vulndb/index.js";
import type { MergedEntry } from "../../src/vulndb/format/entry.js";
import { describeEachBackend } from "../helpers/db.js";
import { raw, testSource } from "./ingest-helpers.js";

/** A classifier for the test: IoT when any CPE is a hardware CPE, with the device type named in its `other` field. */
const classify = (e: MergedEntry) => {
  const hw = e.cpes.find((c) => c.value.criteria.startsWith("cpe:2.3:h:"));
  return { iot: hw !== undefined, score: hw ? 0.9 : 0.1, reasons: hw ? ["hardware CPE"] : [], deviceTypes: hw ? [hw.value.criteria.split(":").at(-1)!] : [] };
};

async function seed(storage: Storage): Promise<void> {
  const cpe = (part: string, vendor: string, product: string, other = "*") => ({ criteria: `cpe:2.3:${part}:${vendor}:${product}:*:*:*:*:*:*:*:${other}`, vulnerable: true });
  const feed = [
    raw("nvd", { sourceId: "CVE-2024-0001", cpes: [cpe("o", "tp-link", "archer_ax21_firmware"), cpe("h", "tp-link", "archer_ax21", "router")], cvss: [{ version: "3.1", vector: "V", baseScore: 9.8 }] }),
    raw("nvd", { sourceId: "CVE-2024-0002", cpes: [cpe("h", "hikvision", "ds-2cd2032", "ip_camera")], kev: { dateAdded: "2024-02-01" } }),
    raw("nvd", { sourceId: "CVE-2024-0003", affected: [{ vendor: "TP-Link", product: "Archer C7", versions: [] }], published: "2024-05-01T00:00:00.000Z" }),
    raw("nvd", { sourceId: "CVE-2023-0004", cpes: [cpe("a", "openssl", "openssl")], published: "2023-01-01T00:00:00.000Z", cvss: [{ version: "3.1", vector: "W", baseScore: 5 }] }),
  ];
  await syncSource(storage, testSource({ name: "nvd", feed }).source, { classify });
  await syncSource(storage, testSource({ name: "exploitdb", feed: [raw("exploitdb", { sourceId: "EDB-9", kind: "exploit", exploits: ["CVE-2024-0002"] })] }).source, { classify });
}

const aliasesOf = async (storage: Storage, f: SearchFilters) => (await searchEntries(storage.db, f)).entries.map((e) => e.aliases[0]).sort();

describeEachBackend("vulndb search", (open) => {
  it("filters by vendor and product, normalised, with product prefixes on whole words", async () => {
    const storage = await open();
    await seed(storage);
    expect(await aliasesOf(storage, { vendor: "TP-Link" })).toEqual(["CVE-2024-0001", "CVE-2024-0003"]);
    expect(await aliasesOf(storage, { vendor: "tp-link", product: "Archer AX21" })).toEqual(["CVE-2024-0001"]);
    expect(await aliasesOf(storage, { vendor: "tp-link", product: "archer_ax21_firmware" })).toEqual(["CVE-2024-0001"]);
    expect(await aliasesOf(storage, { product: "archer" })).toEqual(["CVE-2024-0001", "CVE-2024-0003"]);
    expect(await aliasesOf(storage, { product: "arch" })).toEqual([]);
    expect(await aliasesOf(storage, { product: "archer ax21%" })).toEqual([]);
  });

  it("filters by CPE, device type, KEV, exploit, IoT verdict, kind, dates and CVSS", async () => {
    const storage = await open();
    await seed(storage);
    expect(await aliasesOf(storage, { cpe: "cpe:2.3:h:hikvision:*:*:*:*:*:*:*:*:*" })).toEqual(["CVE-2024-0002"]);
    expect(await aliasesOf(storage, { cpe: "cpe:/a:openssl:openssl" })).toEqual(["CVE-2023-0004"]);
    expect(await aliasesOf(storage, { cpe: "cpe:2.3:o:openssl:openssl:*:*:*:*:*:*:*:*" })).toEqual([]);
    expect(await aliasesOf(storage, { deviceType: "router" })).toEqual(["CVE-2024-0001"]);
    expect(await aliasesOf(storage, { kev: true })).toEqual(["CVE-2024-0002"]);
    expect(await aliasesOf(storage, { hasExploit: true })).toEqual(["CVE-2024-0002"]);
    expect(await aliasesOf(storage, { iot: true })).toEqual(["CVE-2024-0001", "CVE-2024-0002"]);
    expect(await aliasesOf(storage, { iot: false, kind: "vulnerability" })).toEqual(["CVE-2023-0004", "CVE-2024-0003"]);
    expect(await aliasesOf(storage, { kind: "exploit" })).toEqual(["EDB-9"]);
    expect(await aliasesOf(storage, { publishedSince: "2024-01-01" })).toEqual(["CVE-2024-0003"]);
    expect(await aliasesOf(storage, { minCvss: 7 })).toEqual(["CVE-2024-0001"]);
    expect(await aliasesOf(storage, { since: "2999-01-01" })).toEqual([]);
    expect((await aliasesOf(storage, { since: "2000-01-01" })).length).toBe(5);
    await expect(searchEntries(storage.db, { since: "yesterday" })).rejects.toThrow(UsageError);
    await expect(searchEntries(storage.db, { cpe: "cpe:9" })).rejects.toThrow(/--cpe: invalid CPE/);
  });

  it("pages with a cursor in (updated, id) order, and `since` finds only what changed later", async () => {
    const storage = await open();
    await seed(storage);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await searchEntries(storage.db, { limit: 2, ...(cursor ? { cursor } : {}) });
      expect(page.entries.length).toBeLessThanOrEqual(2);
      seen.push(...page.entries.map((e) => e.id));
      cursor = page.next ?? undefined;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    await expect(searchEntries(storage.db, { cursor: "garbage" })).rejects.toThrow(/invalid cursor/);

    const later = new Date(Date.now() + 86_400_000);
    await syncSource(storage, testSource({ name: "nvd", feed: [raw("nvd", { sourceId: "CVE-2024-0003", title: "changed" })] }).source, { classify, now: () => later });
    const changed = await searchEntries(storage.db, { since: new Date(later.getTime() - 1000).toISOString() });
    expect(changed.entries.map((e) => e.aliases[0])).toEqual(["CVE-2024-0003"]);
    expect((await getEntry(storage.db, "CVE-2024-0003"))!.title?.value).toBe("changed");
  });
});
