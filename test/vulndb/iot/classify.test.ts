/**
 * The IoT classifier on the shared real records (TP-Link CVE-2023-1389 as NVD and CVE 5, the OSV GHSA,
 * a CISA ICS CSAF advisory; parsed minimally here) and on its individual signals. The same records
 * through the source parsers: records-from-parsers.test.ts.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { emptyRecord, type SourceRecord } from "../../../src/vulndb/record.js";
import { classify, type ClassifyInput } from "../../../src/vulndb/iot/classify.js";
import { productsFromCsafTree } from "../../../src/vulndb/iot/csaf.js";
import { classifyRecords } from "../../../src/vulndb/iot/records.js";
import { IOT_THRESHOLD, WEIGHTS } from "../../../src/vulndb/iot/weights.js";
import { describeWithShared, sharedFixture } from "../../helpers/fixtures.js";

const json = (name: string): any => JSON.parse(readFileSync(sharedFixture(`vulndb/${name}`), "utf8")); // eslint-disable-line @typescript-eslint/no-explicit-any
const empty: ClassifyInput = { cpes: [], affected: [], descriptions: [], sources: [] };

describeWithShared("classifier on the shared CVE-2023-1389 records (minimal parsing here)", () => {
  it("NVD: o:tp-link:archer_ax21_firmware + h:tp-link:archer_ax21 is an IoT router, with the reasons", () => {
    const cve = json("nvd2_CVE-2023-1389.json");
    const cpes = cve.configurations.flatMap((c: any) => c.nodes.flatMap((n: any) => n.cpeMatch.map((m: any) => ({ criteria: m.criteria, vulnerable: m.vulnerable })))); // eslint-disable-line @typescript-eslint/no-explicit-any
    const result = classify({ ...empty, cpes, descriptions: cve.descriptions.map((d: { lang: string; value: string }) => ({ lang: d.lang, text: d.value })), sources: ["nvd"] });
    expect(result.iot).toBe(true);
    expect(result.deviceTypes).toEqual(["router"]);
    expect(result.vendors).toEqual(["tp-link"]);
    expect(result.reasons).toContain("CPE part h: tp-link archer_ax21");
    expect(result.reasons).toContain("o:*_firmware CPE: tp-link archer_ax21_firmware");
    expect(result.reasons).toContain("h+o pair: tp-link archer_ax21 with archer_ax21_firmware");
    expect(result.reasons).toContain("vendor tp-link is an IoT vendor (catalogue)");
    expect(result.score).toBeGreaterThan(0.99);
  });

  it("CVE 5: vendor n/a, product 'TP-Link Archer AX21 (AX1800)' alone is enough", () => {
    const rec = json("cve5_CVE-2023-1389.json");
    const affected = rec.containers.cna.affected.map((a: { vendor: string; product: string }) => ({ vendor: a.vendor, product: a.product }));
    expect(affected[0].vendor).toBe("n/a");
    const result = classify({ ...empty, affected });
    expect(result).toMatchObject({ iot: true, deviceTypes: ["router"], vendors: ["tp-link"] });
    expect(result.reasons).toContain('vendor tp-link is an IoT vendor (catalogue): named in affected product "TP-Link Archer AX21 (AX1800)"');
    expect(result.reasons).toContain('affected product "TP-Link Archer AX21 (AX1800)" is a TP-Link Archer (router, catalogue)');
  });

  it("OSV GHSA for a Maven package is not IoT", () => {
    const rec = json("osv_GHSA-23xf-5535-62v5.json");
    const result = classify({
      cpes: [],
      affected: rec.affected.map((a: { package: { ecosystem: string; name: string } }) => ({ ecosystem: a.package.ecosystem, package: a.package.name })),
      descriptions: [{ lang: "en", text: rec.summary }, { lang: "en", text: rec.details }],
      sources: ["osv"],
    });
    expect(result).toEqual({ iot: false, score: 0, reasons: [], deviceTypes: [], vendors: [] });
  });

  it("CSAF product tree of a CISA ICS advisory: Rockwell Automation FactoryTalk is ICS (hmi)", () => {
    const doc = json("csaf_icsa-24-004-01.json");
    expect(productsFromCsafTree(doc.product_tree)).toContainEqual({ vendor: "Rockwell Automation", product: "Factory Talk Activation Manager" });
    const result = classify({ ...empty, csafProductTree: doc.product_tree });
    expect(result.iot).toBe(true);
    expect(result.deviceTypes).toEqual(["hmi"]);
    expect(result.reasons).toContain('CSAF product tree product "Factory Talk Activation Manager" is a Rockwell Automation FactoryTalk/PanelView (hmi, catalogue)');
  });
});

describe("classifier signals", () => {
  it("a device-type keyword alone stays below the threshold", () => {
    const result = classify({ ...empty, descriptions: [{ text: "A buffer overflow in the router allows remote attackers to crash it" }] });
    expect(result.score).toBe(WEIGHTS.descriptionType);
    expect(result.iot).toBe(false);
    expect(result.deviceTypes).toEqual([]);
    expect(result.reasons).toEqual(["description mentions 'router' (router)"]);
  });

  it("keyword plus an IoT-dense source crosses it", () => {
    const result = classify({ ...empty, descriptions: [{ text: "A flaw in the router" }], sources: [{ name: "jvn", iotDense: true }] });
    expect(result.iot).toBe(true);
    expect(result.reasons).toContain("reported by IoT-dense source jvn");
    expect(result.deviceTypes).toEqual(["router"]);
  });

  it("software 'routers' are excluded", () => {
    expect(classify({ ...empty, descriptions: [{ text: "react-router and vue-router mishandle redirects" }] }).reasons).toEqual([]);
  });

  it("a package-only record is damped even if its text sounds like a device", () => {
    const result = classify({
      ...empty,
      affected: [{ ecosystem: "npm", package: "router-firmware-tool" }],
      descriptions: [{ text: "The firmware of the router is parsed unsafely" }],
    });
    expect(result.iot).toBe(false);
    expect(result.reasons.at(-1)).toMatch(/every affected entry is a software package \(npm\): score × 0\.4/);
  });

  it("score is the same whatever the order of inputs, and independent of repetition", () => {
    const input: ClassifyInput = {
      cpes: ["cpe:2.3:h:hikvision:ds-2cd2032-i:-:*:*:*:*:*:*:*", "cpe:2.3:o:hikvision:ds-2cd2032-i_firmware:*:*:*:*:*:*:*:*"],
      affected: [{ vendor: "Hikvision", product: "DS-2CD2032-I" }],
      descriptions: [{ text: "IP camera firmware allows command injection" }],
      sources: [{ name: "x", iotDense: true }],
    };
    const reversed: ClassifyInput = {
      cpes: [...input.cpes].reverse(),
      affected: [...input.affected, ...input.affected],
      descriptions: [...input.descriptions].reverse(),
      sources: [...input.sources].reverse(),
    };
    const a = classify(input);
    const b = classify(reversed);
    expect(b.score).toBe(a.score);
    expect(b.deviceTypes).toEqual(a.deviceTypes);
    expect(a.deviceTypes).toEqual(["ip-camera"]);
    expect([...b.reasons].sort()).toEqual([...a.reasons].sort());
  });

  it("a JVN-style record: CPE 2.2 URI with part h and a Japanese description", () => {
    const result = classify({
      ...empty,
      cpes: ["cpe:/h:pcu:pcu"],
      descriptions: [{ lang: "ja", text: "2014 年以降に製造された不特定の乗用車のエアバッグコントロールユニットには、暗号アルゴリズムの使用に関する脆弱性が存在します。" }],
    });
    expect(result.iot).toBe(true);
    expect(result.reasons).toContain("CPE part h: pcu pcu");
    expect(result.deviceTypes).toEqual(["automotive"]);
    expect(result.vendors).toEqual(["pcu"]);
  });

  it("Exploit-DB platform hardware is a signal", () => {
    const result = classify({ ...empty, platforms: ["hardware"], descriptions: [{ text: "UCM6202 1.0.18.13 - Remote Command Injection" }] });
    expect(result.iot).toBe(true);
    expect(result.reasons).toContain("exploit platform is hardware");
  });

  it("'n/a', empty and '*' vendor/product values are unknown, not vendors", () => {
    expect(classify({ ...empty, affected: [{ vendor: "n/a", product: "n/a" }, { vendor: "", product: "*" }] })).toEqual({
      iot: false,
      score: 0,
      reasons: [],
      deviceTypes: [],
      vendors: [],
    });
  });

  it("a malformed CPE is noted and ignored, the rest still counts", () => {
    const result = classify({ ...empty, cpes: ["cpe:2.3:x:broken", "cpe:2.3:h:netgear:r7000:-:*:*:*:*:*:*:*"] });
    expect(result.iot).toBe(true);
    expect(result.reasons.some((r) => r.startsWith("ignored unparsable CPE"))).toBe(true);
  });

  it("an application CPE of a mixed vendor without a family is not IoT", () => {
    const result = classify({ ...empty, cpes: ["cpe:2.3:a:siemens:opcenter_quality:*:*:*:*:*:*:*:*"] });
    expect(result.iot).toBe(false);
    expect(result.score).toBe(WEIGHTS.mixedVendor);
    expect(result.score).toBeLessThan(IOT_THRESHOLD);
  });

  it("classifyRecords reads titles, KEV names and exploit platforms from records", () => {
    const exploit: SourceRecord = { ...emptyRecord("exploitdb", "EDB-48247", "exploit"), title: "Grandstream UCM6200 Series CTI Interface - 'user_password' SQL Injection", exploit: { platform: "hardware" } };
    const result = classifyRecords([exploit], new Set());
    expect(result.iot).toBe(true);
    expect(result.vendors).toContain("grandstream");
    expect(result.deviceTypes).toEqual(["voip"]);
  });
});
