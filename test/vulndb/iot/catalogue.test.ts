/**
 * Runs every example of the shipped device catalogue (Recog's lesson: knowledge is data with examples),
 * and checks the loader's errors on broken catalogue files.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
// The modules, not index.ts: index.ts also loads the source registry (registeredIotDenseSources).
import { defaultCatalogue, loadCatalogue, type CatalogueExample } from "../../../src/vulndb/iot/catalogue.js";
import { classify, matchFamilies, type ClassifyInput } from "../../../src/vulndb/iot/classify.js";

const catalogue = defaultCatalogue();

function inputOf(e: CatalogueExample): ClassifyInput {
  return {
    cpes: e.cpe ? [e.cpe] : [],
    affected: e.vendor !== undefined || e.product !== undefined ? [{ ...(e.vendor ? { vendor: e.vendor } : {}), ...(e.product ? { product: e.product } : {}) }] : [],
    descriptions: e.description ? [{ ...(e.lang ? { lang: e.lang } : {}), text: e.description }] : [],
    sources: [],
  };
}

describe("the shipped catalogue", () => {
  it("has at least 80 vendors, each with match and nomatch examples", () => {
    expect(catalogue.vendors.length).toBeGreaterThanOrEqual(80);
    for (const v of catalogue.vendors) {
      expect(v.examples.match.length, v.id).toBeGreaterThan(0);
      expect(v.examples.nomatch.length, v.id).toBeGreaterThan(0);
    }
  });

  for (const v of catalogue.vendors) {
    describe(`vendor ${v.id}`, () => {
      v.examples.match.forEach((e, i) => {
        it(`match example ${i + 1} classifies to ${v.id}${e.type ? ` as ${e.type}` : ""}: ${JSON.stringify(e)}`, () => {
          const result = classify(inputOf(e), catalogue);
          expect(result.vendors, result.reasons.join("; ")).toContain(v.id);
          if (e.type) {
            expect(result.iot, result.reasons.join("; ")).toBe(true);
            expect(result.deviceTypes, result.reasons.join("; ")).toContain(e.type);
          }
        });
      });
      v.examples.nomatch.forEach((e, i) => {
        it(`nomatch example ${i + 1} does not classify to ${v.id}: ${JSON.stringify(e)}`, () => {
          const result = classify(inputOf(e), catalogue);
          expect(result.vendors, result.reasons.join("; ")).not.toContain(v.id);
        });
      });
      for (const f of v.families) {
        it(`family ${f.name} matches its examples and not its counter-examples`, () => {
          for (const product of f.examples) expect(matchFamilies(catalogue, v.id, product), product).toContain(f.name);
          for (const product of f.not ?? []) expect(matchFamilies(catalogue, v.id, product), product).not.toContain(f.name);
        });
        it(`family ${f.name} examples classify as ${f.type} with the vendor named`, () => {
          for (const product of f.examples) {
            const result = classify({ cpes: [], affected: [{ vendor: v.name, product }], descriptions: [], sources: [] }, catalogue);
            expect(result.deviceTypes, `${product}: ${result.reasons.join("; ")}`).toContain(f.type);
          }
        });
      }
    });
  }

  for (const t of catalogue.deviceTypes) {
    it(`device type ${t.id}: description examples`, () => {
      for (const text of t.examples.match) {
        const result = classify({ cpes: [], affected: [], descriptions: [{ text }], sources: [] }, catalogue);
        expect(result.reasons.some((r) => r.endsWith(`(${t.id})`)), `${text}: ${result.reasons.join("; ")}`).toBe(true);
      }
      for (const text of t.examples.nomatch) {
        const result = classify({ cpes: [], affected: [], descriptions: [{ text }], sources: [] }, catalogue);
        expect(result.reasons.some((r) => r.endsWith(`(${t.id})`)), `${text}: ${result.reasons.join("; ")}`).toBe(false);
      }
    });
  }

  it("generic device words: examples", () => {
    for (const text of catalogue.genericExamples.match) {
      expect(classify({ cpes: [], affected: [], descriptions: [{ text }], sources: [] }, catalogue).reasons.join("; "), text).toMatch(/description mentions '/);
    }
    for (const text of catalogue.genericExamples.nomatch) {
      expect(classify({ cpes: [], affected: [], descriptions: [{ text }], sources: [] }, catalogue).reasons, text).toEqual([]);
    }
  });
});

describe("loading a catalogue", () => {
  const types = `generic:\n  keywords: { en: [firmware] }\n  examples: { match: [firmware], nomatch: [nothing] }\ntypes:\n  - id: router\n    name: Router\n    keywords: { en: [router] }\n    examples: { match: [a router], nomatch: [a table] }\n`;
  const vendor = (extra: string) =>
    `vendors:\n  - id: acme\n    name: Acme\n    aliases: [acme]\n    scope: devices\n    types: [router]\n${extra}    examples:\n      match: [{ vendor: acme }]\n      nomatch: [{ vendor: other }]\n`;

  function dirWith(files: Record<string, string>): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), "iotscope-catalogue-"));
    mkdirSync(path.join(dir, "vendors"));
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
    return dir;
  }

  it("loads a small valid catalogue from another directory", () => {
    const dir = dirWith({ "device-types.yaml": types, "vendors/a.yaml": vendor("") });
    const cat = loadCatalogue(dir);
    expect(cat.vendors.map((v) => v.id)).toEqual(["acme"]);
    expect(classify({ cpes: ["cpe:2.3:h:acme:box:-:*:*:*:*:*:*:*"], affected: [], descriptions: [], sources: [] }, cat).vendors).toEqual(["acme"]);
  });

  it("names the file and the entry when a vendor uses an unknown device type", () => {
    const dir = dirWith({ "device-types.yaml": types, "vendors/a.yaml": vendor("").replace("types: [router]", "types: [toaster]") });
    expect(() => loadCatalogue(dir)).toThrow(/a\.yaml: vendor acme: unknown device type toaster/);
  });

  it("names the file and path of a schema error", () => {
    const dir = dirWith({ "device-types.yaml": types, "vendors/a.yaml": vendor("    families:\n      - { name: X, type: router, patterns: [], examples: [x1] }\n") });
    expect(() => loadCatalogue(dir)).toThrow(/a\.yaml: vendors\[0\] \(acme\)\.families\[0\]\.patterns/);
  });

  it("refuses a vendor without nomatch examples", () => {
    const dir = dirWith({ "device-types.yaml": types, "vendors/a.yaml": vendor("").replace("      nomatch: [{ vendor: other }]\n", "") });
    expect(() => loadCatalogue(dir)).toThrow(/a\.yaml: vendors\[0\] \(acme\)\.examples\.nomatch/);
  });

  it("refuses one alias for two vendors", () => {
    const second = vendor("").replace("id: acme", "id: acme2").replace("name: Acme", "name: Acme Two");
    const dir = dirWith({ "device-types.yaml": types, "vendors/a.yaml": vendor(""), "vendors/b.yaml": second });
    expect(() => loadCatalogue(dir)).toThrow(/alias "acme" of acme2 is also an alias of acme/);
  });

  it("reports a YAML syntax error with the file name", () => {
    const dir = dirWith({ "device-types.yaml": types, "vendors/a.yaml": "vendors: [ { id: acme\n" });
    expect(() => loadCatalogue(dir)).toThrow(/catalogue: .*a\.yaml: /);
  });
});
