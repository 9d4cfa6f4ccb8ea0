/**
 * The IoT relevance classifier: is a vulnerability about a device (router, camera, PLC, …)? It
 * collects independent signals — CPE part h, `o:*_firmware` CPEs and h+o pairs, catalogue vendors and
 * product families found in CPEs, affected vendor/product strings and CSAF product trees, description
 * keywords, IoT-dense sources, hardware exploit platforms — each with a human reason, and combines
 * their weights (weights.ts) into a deterministic score. docs/vulndb-iot.md documents the signals.
 */
import { parseCpe } from "../cpe.js";
import { defaultCatalogue, type Catalogue, type CompiledFamily, type VendorEntry } from "./catalogue.js";
import { productsFromCsafTree } from "./csaf.js";
import { compactKey, isUnknown, normalizeName, vendorKey } from "./normalize.js";
import { tokenize, type Tokens } from "./phrases.js";
import { IOT_THRESHOLD, MAX_DESCRIPTION_TYPES, PACKAGE_ONLY_FACTOR, WEIGHTS } from "./weights.js";

export interface ClassifyAffected {
  vendor?: string;
  product?: string;
  /** OSV-style package: a software library, not a device. */
  ecosystem?: string;
  package?: string;
  /** Where the pair comes from, for the reasons: "csaf" says "CSAF product tree". */
  origin?: string;
}

export interface ClassifyInput {
  /** CPE 2.3 (or 2.2) names, optionally with NVD's vulnerable flag. */
  cpes: Array<string | { criteria: string; vulnerable?: boolean }>;
  affected: ClassifyAffected[];
  descriptions: Array<{ lang?: string; text: string }>;
  /** Names of the sources that reported it; `iotDense` as their SourceMeta says. */
  sources: Array<string | { name: string; iotDense?: boolean }>;
  /** Raw CSAF 2.0 `product_tree` object(s): vendor/product names are read from their branches. */
  csafProductTree?: unknown;
  /** Exploit platforms (Exploit-DB's `platform` column). */
  platforms?: string[];
}

export interface Classification {
  iot: boolean;
  /** 0..1, three decimals. */
  score: number;
  /** One human sentence per signal, strongest first; then the score adjustments and notes. */
  reasons: string[];
  /** Device types (catalogue ids); empty when not IoT. */
  deviceTypes: string[];
  /** Catalogue vendor ids found, plus the CPE vendors of hardware/firmware CPEs outside the catalogue. */
  vendors: string[];
}

interface Collector {
  signals: Map<string, { weight: number; reason: string }>;
  notes: string[];
  familyTypes: Set<string>;
  descriptionTypes: string[];
  vendorTypes: Set<string>;
  vendors: Set<string>;
  hardwareOrFirmware: boolean;
}

/**
 * One signal per key (the same fact from two records or fields counts once). Of two wordings of one
 * signal the smaller string is kept, so the reasons, like the score, do not depend on input order.
 */
function add(c: Collector, key: string, weight: number, reason: string): void {
  const had = c.signals.get(key);
  if (!had || reason < had.reason) c.signals.set(key, { weight, reason });
}

export function classify(input: ClassifyInput, catalogue: Catalogue = defaultCatalogue()): Classification {
  const c: Collector = {
    signals: new Map(),
    notes: [],
    familyTypes: new Set(),
    descriptionTypes: [],
    vendorTypes: new Set(),
    vendors: new Set(),
    hardwareOrFirmware: false,
  };
  cpeSignals(c, catalogue, input.cpes);
  const affected = [...input.affected];
  if (input.csafProductTree !== undefined) {
    const trees = Array.isArray(input.csafProductTree) ? input.csafProductTree : [input.csafProductTree];
    for (const tree of trees) affected.push(...productsFromCsafTree(tree).map((p) => ({ ...p, origin: "csaf" })));
  }
  affectedSignals(c, catalogue, affected);
  descriptionSignals(c, catalogue, input.descriptions);
  for (const s of input.sources) {
    const name = typeof s === "string" ? s : s.name;
    if (typeof s !== "string" && s.iotDense) add(c, `source:${name}`, WEIGHTS.iotDenseSource, `reported by IoT-dense source ${name}`);
  }
  for (const p of input.platforms ?? []) {
    if (p.trim().toLowerCase() === "hardware") add(c, "platform:hardware", WEIGHTS.hardwarePlatform, "exploit platform is hardware");
  }

  let rest = 1;
  for (const { weight } of c.signals.values()) rest *= 1 - weight;
  let score = 1 - rest;
  // Strongest first; ties by wording, so the list is stable.
  const reasons = [...c.signals.values()]
    .sort((a, b) => b.weight - a.weight || (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0))
    .map((s) => s.reason);
  const packages = affected.filter((a) => a.ecosystem || a.package);
  if (packages.length > 0 && packages.length === affected.length && !c.hardwareOrFirmware && score > 0) {
    score *= PACKAGE_ONLY_FACTOR;
    const ecosystems = [...new Set(packages.map((p) => p.ecosystem ?? "package"))].sort().join(", ");
    reasons.push(`every affected entry is a software package (${ecosystems}): score × ${PACKAGE_ONLY_FACTOR}`);
  }
  score = Math.round(score * 1000) / 1000;
  const iot = score >= IOT_THRESHOLD;
  reasons.push(...[...new Set(c.notes)].sort());
  return { iot, score, reasons, deviceTypes: iot ? deviceTypes(c) : [], vendors: [...c.vendors].sort() };
}

/** Family types first; description types when no family said; a one-type vendor's type last. */
function deviceTypes(c: Collector): string[] {
  if (c.familyTypes.size) return [...c.familyTypes].sort();
  if (c.descriptionTypes.length) return [...c.descriptionTypes];
  if (c.vendorTypes.size) return [...c.vendorTypes].sort();
  return [];
}

function cpeSignals(c: Collector, catalogue: Catalogue, cpes: ClassifyInput["cpes"]): void {
  const hardware = new Set<string>();
  const firmware: Array<{ vendor: string; product: string; stem: string }> = [];
  for (const item of cpes) {
    const criteria = typeof item === "string" ? item : item.criteria;
    let cpe;
    try {
      cpe = parseCpe(criteria);
    } catch {
      c.notes.push(`ignored unparsable CPE ${JSON.stringify(criteria.slice(0, 120))}`);
      continue;
    }
    if (isUnknown(cpe.vendor) || isUnknown(cpe.product)) continue;
    const vendor = cpe.vendor.toLowerCase();
    const product = cpe.product.toLowerCase();
    const entry = vendorEntry(catalogue, vendor);
    if (cpe.part === "h") {
      hardware.add(`${vendor}:${product}`);
      c.hardwareOrFirmware = true;
      c.vendors.add(entry?.id ?? vendor);
      add(c, `h:${vendor}:${product}`, WEIGHTS.hardwareCpe, `CPE part h: ${vendor} ${product}`);
    } else if (cpe.part === "o" && product.endsWith("_firmware")) {
      c.hardwareOrFirmware = true;
      c.vendors.add(entry?.id ?? vendor);
      firmware.push({ vendor, product, stem: product.slice(0, -"_firmware".length) });
      add(c, `o-fw:${vendor}:${product}`, WEIGHTS.firmwareCpe, `o:*_firmware CPE: ${vendor} ${product}`);
    }
    if (entry) {
      vendorSignal(c, entry);
      const stem = product.endsWith("_firmware") ? product.slice(0, -"_firmware".length) : product;
      familySignals(c, catalogue, entry, [stem], `CPE product ${product}`);
    }
  }
  for (const fw of firmware) {
    if (hardware.has(`${fw.vendor}:${fw.stem}`)) {
      add(c, `pair:${fw.vendor}:${fw.stem}`, WEIGHTS.hardwareFirmwarePair, `h+o pair: ${fw.vendor} ${fw.stem} with ${fw.product}`);
    }
  }
}

function affectedSignals(c: Collector, catalogue: Catalogue, affected: ClassifyAffected[]): void {
  for (const a of affected) {
    const label = a.origin === "csaf" ? "CSAF product tree" : "affected";
    const vendor = isUnknown(a.vendor) ? undefined : a.vendor!.trim();
    const product = isUnknown(a.product) ? undefined : a.product!.trim();
    let entries: VendorEntry[] = [];
    if (vendor) {
      // The whole field, not words in it: "Buffalo Wild Wings" is not Buffalo, "Aruba Bank" not Aruba.
      const exact = catalogue.vendorByKey.get(vendorKey(vendor)) ?? vendorEntry(catalogue, vendor);
      if (exact) entries = [exact];
      for (const e of entries) vendorSignal(c, e, `${label} vendor "${vendor}"`);
    }
    if (entries.length === 0 && product) {
      // No vendor (CVE 5 records often say "n/a") or one we do not know (a parent company, "Anker"
      // for eufy): a product string usually STARTS with the brand ("TP-Link Archer AX21 (AX1800)").
      entries = vendorsInText(catalogue, product, { atStart: true });
      for (const e of entries) vendorSignal(c, e, `named in ${label} product "${product}"`);
    }
    if (product) for (const e of entries) familySignals(c, catalogue, e, [product], `${label} product "${product}"`);
    if (product && entries.length === 0) distinctiveSignals(c, catalogue, normalizeName(product), `${label} product "${product}"`, WEIGHTS.family);
  }
}

function descriptionSignals(c: Collector, catalogue: Catalogue, descriptions: ClassifyInput["descriptions"]): void {
  const typeWords = new Map<string, string>();
  for (const d of descriptions) {
    const a = analyseText(catalogue, d.text);
    if (a.named.length === 0) applyDistinctive(c, a.distinctive, "description", WEIGHTS.familyInDescription);
    for (const e of a.named) {
      c.vendors.add(e.id);
      if (e.scope === "devices") {
        add(c, `desc-vendor:${e.id}`, WEIGHTS.vendorInDescription, `description names IoT vendor ${e.name}`);
      }
    }
    for (const { vendor: e, family: f, model } of a.families) {
      c.familyTypes.add(f.type);
      add(c, `desc-family:${e.id}:${f.name}`, WEIGHTS.familyInDescription, `description names ${e.name} ${f.name} model ${model} (${f.type}, catalogue)`);
    }
    for (const [id, text] of a.typeWords) {
      const had = typeWords.get(id);
      if (had === undefined || text < had) typeWords.set(id, text);
    }
    if (a.generic !== undefined) add(c, "desc-generic", WEIGHTS.descriptionGeneric, `description mentions '${a.generic}'`);
  }
  // In catalogue order, so that which types count does not depend on the order of the texts.
  for (const type of catalogue.deviceTypes) {
    const word = typeWords.get(type.id);
    if (word === undefined) continue;
    if (c.descriptionTypes.length < MAX_DESCRIPTION_TYPES) add(c, `desc-type:${type.id}`, WEIGHTS.descriptionType, `description mentions '${word}' (${type.id})`);
    c.descriptionTypes.push(type.id);
  }
}

/** What one description says, whatever record it is in: a pure function of the catalogue and the text. */
interface TextAnalysis {
  named: VendorEntry[];
  /** Distinctive family models, looked for only when no vendor is named. */
  distinctive: DistinctiveHit[];
  families: Array<{ vendor: VendorEntry; family: CompiledFamily; model: string }>;
  /** Device type id → the smallest wording found. */
  typeWords: Map<string, string>;
  generic?: string;
}

interface DistinctiveHit {
  family: CompiledFamily;
  vendor: VendorEntry;
  model: string;
}

// Memo of text analyses per catalogue. The same description is classified again and again: CVE 5 and
// NVD carry the same text, and every re-merge of an entry re-classifies the texts of all its records.
// Bounded by clearing: a cache miss only costs the analysis.
const MEMO_SIZE = 20_000;
const textMemo = new WeakMap<Catalogue, Map<string, TextAnalysis>>();
const distinctiveMemo = new WeakMap<Catalogue, Map<string, DistinctiveHit[]>>();

function memoOf<V>(memo: WeakMap<Catalogue, Map<string, V>>, catalogue: Catalogue): Map<string, V> {
  let m = memo.get(catalogue);
  if (!m) memo.set(catalogue, (m = new Map()));
  else if (m.size >= MEMO_SIZE) m.clear();
  return m;
}

function analyseText(catalogue: Catalogue, text: string): TextAnalysis {
  const memo = memoOf(textMemo, catalogue);
  const had = memo.get(text);
  if (had) return had;
  const tokens = tokenize(text);
  const named = vendorsFound(catalogue, tokens);
  const normalized = normalizeName(tokens.text);
  const families: TextAnalysis["families"] = [];
  for (const e of named) {
    for (const f of catalogue.families.get(e.id) ?? []) {
      const model = familyInText(f, normalized);
      if (model) families.push({ vendor: e, family: f, model });
    }
  }
  const skip = new Set<number>();
  for (const x of catalogue.excludePhrases.find(tokens)) for (let i = x.start; i < x.end; i++) skip.add(i);
  const typeWords = new Map<string, string>();
  for (const hit of catalogue.typePhrases.find(tokens, { plural: true, skip })) {
    const w = typeWords.get(hit.value.id);
    if (w === undefined || hit.text < w) typeWords.set(hit.value.id, hit.text);
  }
  const generic = catalogue.genericPhrases.find(tokens, { plural: true })[0]?.text;
  const a: TextAnalysis = {
    named,
    distinctive: named.length === 0 ? distinctiveHits(catalogue, normalized) : [],
    families,
    typeWords,
    ...(generic !== undefined && { generic }),
  };
  memo.set(text, a);
  return a;
}

// One alternation of every distinctive family's regex: most texts name no such model, and one scan
// that says so is cheaper than one scan per family.
const anyDistinctive = new WeakMap<Catalogue, RegExp | null>();

/** Families whose model names identify their vendor, found in a normalised text. */
function distinctiveHits(catalogue: Catalogue, normalized: string): DistinctiveHit[] {
  let any = anyDistinctive.get(catalogue);
  if (any === undefined) {
    const fams = catalogue.distinctiveFamilies;
    any = fams.length ? new RegExp(fams.map((f) => f.textRegex.source).join("|"), "u") : null;
    anyDistinctive.set(catalogue, any);
  }
  if (any === null || !any.test(normalized)) return [];
  const memo = memoOf(distinctiveMemo, catalogue);
  const had = memo.get(normalized);
  if (had) return had;
  const hits: DistinctiveHit[] = [];
  for (const f of catalogue.distinctiveFamilies) {
    const model = familyInText(f, normalized);
    if (!model) continue;
    hits.push({ family: f, vendor: catalogue.vendors.find((v) => v.id === f.vendor)!, model });
  }
  memo.set(normalized, hits);
  return hits;
}

/** Families whose model names identify their vendor, looked for where no vendor was named. */
function distinctiveSignals(c: Collector, catalogue: Catalogue, normalized: string, via: string, weight: number): void {
  applyDistinctive(c, distinctiveHits(catalogue, normalized), via, weight);
}

function applyDistinctive(c: Collector, hits: readonly DistinctiveHit[], via: string, weight: number): void {
  for (const { family: f, vendor: e, model } of hits) {
    c.vendors.add(e.id);
    c.familyTypes.add(f.type);
    add(c, `family:${e.id}:${f.name}`, weight, `${via} names model ${model}, a ${e.name} ${f.name} (${f.type}, catalogue)`);
  }
}

/** A model name of the family in a normalised description, or undefined (see CompiledFamily.textRegex). */
function familyInText(f: CompiledFamily, normalized: string): string | undefined {
  for (const m of normalized.matchAll(f.textRegex)) {
    const group = m.findIndex((g, i) => i > 0 && g !== undefined) - 1;
    if (f.strong[group] || /\p{N}/u.test(m[0])) return m[0];
  }
  return undefined;
}

function vendorEntry(catalogue: Catalogue, name: string): VendorEntry | undefined {
  const key = compactKey(name);
  return key ? catalogue.vendorByKey.get(key) : undefined;
}

/**
 * Catalogue vendors named inside a text (`exact` aliases excluded), in catalogue order; with `atStart`,
 * only a name that begins the text.
 */
export function vendorsInText(catalogue: Catalogue, text: string, opts: { atStart?: boolean } = {}): VendorEntry[] {
  return vendorsFound(catalogue, tokenize(text), opts);
}

function vendorsFound(catalogue: Catalogue, tokens: Tokens, opts: { atStart?: boolean } = {}): VendorEntry[] {
  const found = new Set(catalogue.vendorPhrases.find(tokens, opts).map((h) => h.value));
  return catalogue.vendors.filter((v) => found.has(v));
}

function vendorSignal(c: Collector, e: VendorEntry, via?: string): void {
  c.vendors.add(e.id);
  if (e.types.length === 1) c.vendorTypes.add(e.types[0]!);
  const suffix = via ? `: ${via}` : "";
  if (e.scope === "devices") add(c, `vendor:${e.id}`, WEIGHTS.deviceVendor, `vendor ${e.id} is an IoT vendor (catalogue)${suffix}`);
  else add(c, `vendor:${e.id}`, WEIGHTS.mixedVendor, `vendor ${e.id} makes IoT devices among other products (catalogue)${suffix}`);
}

function familySignals(c: Collector, catalogue: Catalogue, e: VendorEntry, products: string[], via: string): void {
  for (const product of products) {
    const normalized = normalizeName(product);
    for (const f of catalogue.families.get(e.id) ?? []) {
      if (!f.regex.test(normalized)) continue;
      c.familyTypes.add(f.type);
      add(c, `family:${e.id}:${f.name}`, WEIGHTS.family, `${via} is a ${e.name} ${f.name} (${f.type}, catalogue)`);
    }
  }
}

/** Whether one product name matches a family of a vendor (the catalogue tests use it). */
export function matchFamilies(catalogue: Catalogue, vendorId: string, product: string): string[] {
  const normalized = normalizeName(product);
  return (catalogue.families.get(vendorId) ?? []).filter((f) => f.regex.test(normalized)).map((f) => f.name);
}
