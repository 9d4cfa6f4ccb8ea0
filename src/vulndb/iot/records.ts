/**
 * The classifier's input from normalised source records: what the core calls with the records of one
 * merged entry (or with one record). Titles count as descriptions (Exploit-DB and KEV put the device
 * name there), translated texts are read in both languages, and KEV's vendorProject/product are
 * affected names.
 */
import type { SourceRecord } from "../record.js";
import type { Catalogue } from "./catalogue.js";
import { classify, type Classification, type ClassifyAffected, type ClassifyInput } from "./classify.js";

/**
 * `iotDenseSources`: names of the sources whose meta says `iotDense` (the core passes
 * `registeredIotDenseSources()`); none when absent.
 */
export function inputFromRecords(records: readonly SourceRecord[], iotDenseSources: ReadonlySet<string> = new Set()): ClassifyInput {
  const cpes: ClassifyInput["cpes"] = [];
  const affected: ClassifyAffected[] = [];
  const descriptions: ClassifyInput["descriptions"] = [];
  const sourceNames = new Set<string>();
  const platforms: string[] = [];
  for (const r of records) {
    sourceNames.add(r.source);
    for (const m of r.cpes) cpes.push({ criteria: m.criteria, vulnerable: m.vulnerable });
    for (const a of r.affected) {
      affected.push({
        ...(a.vendor !== undefined ? { vendor: a.vendor } : {}),
        ...(a.product !== undefined ? { product: a.product } : {}),
        ...(a.ecosystem !== undefined ? { ecosystem: a.ecosystem } : {}),
        ...(a.package !== undefined ? { package: a.package } : {}),
        ...(r.source === "csaf" ? { origin: "csaf" } : {}),
      });
      for (const cpe of a.cpes ?? []) cpes.push(cpe);
    }
    if (r.kev?.vendorProject || r.kev?.product) {
      affected.push({
        ...(r.kev.vendorProject ? { vendor: r.kev.vendorProject } : {}),
        ...(r.kev.product ? { product: r.kev.product } : {}),
      });
    }
    if (r.title) descriptions.push({ text: r.title });
    if (r.kev?.vulnerabilityName) descriptions.push({ lang: "en", text: r.kev.vulnerabilityName });
    for (const d of r.descriptions) {
      descriptions.push({ lang: d.lang, text: d.text });
      if (d.translated) descriptions.push({ lang: d.translated.from, text: d.translated.original });
    }
    if (r.exploit?.platform) platforms.push(r.exploit.platform);
  }
  return {
    cpes,
    affected,
    descriptions,
    sources: [...sourceNames].sort().map((name) => ({ name, iotDense: iotDenseSources.has(name) })),
    platforms,
  };
}

/** Classifies the records of one entry (or one record) together. */
export function classifyRecords(records: readonly SourceRecord[], iotDenseSources?: ReadonlySet<string>, catalogue?: Catalogue): Classification {
  return classify(inputFromRecords(records, iotDenseSources), catalogue);
}
