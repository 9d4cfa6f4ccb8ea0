/**
 * Source records of one vulnerability → one merged entry, every field with its sources and trust
 * (../format/entry.ts). Pure and order-independent: the records are sorted first and every choice ends
 * in a total order (trust.ts states the rule), so the same records always give byte-identical JSON —
 * which is what lets a re-merge that changes nothing write nothing.
 */
import type { CvssScore, LocalizedText, Reference, SourceRecord, SsvcFacet } from "../record.js";
import type { Facet, MergedEntry, Provenanced } from "../format/entry.js";
import { canonicalAlias, recordKeys } from "./alias.js";
import { stableJson } from "./stable-json.js";
import { trustOf, type TrustField } from "./trust.js";

interface Candidate<T> {
  value: T;
  source: string;
  modified: string;
}

interface Group<T> {
  value: T;
  key: string;
  sources: Set<string>;
  trust: number;
  modified: string;
}

/** Groups equal values (by `key`), then orders them by the rule in trust.ts. */
function rank<T>(field: TrustField, cands: Candidate<T>[], prefer?: (a: T, b: T) => number, key: (v: T) => string = stableJson): Group<T>[] {
  const groups = new Map<string, Group<T>>();
  for (const c of cands) {
    const k = key(c.value);
    const trust = trustOf(c.source, field);
    const g = groups.get(k);
    if (!g) {
      groups.set(k, { value: c.value, key: k, sources: new Set([c.source]), trust, modified: c.modified });
      continue;
    }
    g.sources.add(c.source);
    // The value kept for a group is the one from its most trusted source.
    if (trust > g.trust) {
      g.trust = trust;
      g.value = c.value;
    }
    if (c.modified > g.modified) g.modified = c.modified;
  }
  return [...groups.values()].sort(
    (a, b) => b.trust - a.trust || (prefer ? prefer(a.value, b.value) : 0) || (a.modified < b.modified ? 1 : a.modified > b.modified ? -1 : 0) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
}

function provenanced<T>(g: Group<T>): Provenanced<T> {
  return { value: g.value, sources: [...g.sources].sort(), trust: g.trust };
}

function facet<T>(field: TrustField, cands: Candidate<T>[], prefer?: (a: T, b: T) => number, key?: (v: T) => string): Facet<T> | undefined {
  if (cands.length === 0) return undefined;
  const [first, ...rest] = rank(field, cands, prefer, key);
  const f: Facet<T> = provenanced(first!);
  if (rest.length > 0) f.alternatives = rest.map(provenanced);
  return f;
}

function items<T>(field: TrustField, cands: Candidate<T>[], key?: (v: T) => string, combine?: (kept: T, other: T) => T): Provenanced<T>[] {
  if (combine) {
    // Values that are "the same" by key but differ in detail (a reference's tags) are combined.
    const k = key ?? stableJson;
    const byKey = new Map<string, T>();
    for (const c of cands) {
      const prev = byKey.get(k(c.value));
      byKey.set(k(c.value), prev === undefined ? c.value : combine(prev, c.value));
    }
    cands = cands.map((c) => ({ ...c, value: byKey.get(k(c.value))! }));
  }
  return rank(field, cands, undefined, key).map(provenanced);
}

const CVSS_ORDER: Record<CvssScore["version"], number> = { "4.0": 4, "3.1": 3.1, "3.0": 3, "2.0": 2 };

/** English first (the translation of a non-English text counts as English). */
function englishFirst(a: LocalizedText, b: LocalizedText): number {
  const ea = a.lang.toLowerCase().startsWith("en") ? 0 : 1;
  const eb = b.lang.toLowerCase().startsWith("en") ? 0 : 1;
  return ea - eb;
}

function collect<T>(records: SourceRecord[], get: (r: SourceRecord) => T | T[] | undefined): Candidate<T>[] {
  const out: Candidate<T>[] = [];
  for (const r of records) {
    const v = get(r);
    if (v === undefined || v === null) continue;
    const modified = r.modified ?? r.published ?? "";
    for (const x of Array.isArray(v) ? v : [v]) if (x !== undefined && x !== null && x !== "") out.push({ value: x, source: r.source, modified });
  }
  return out;
}

function sortedUnion(lists: Iterable<string[] | undefined>, exclude = new Set<string>()): string[] {
  const s = new Set<string>();
  for (const l of lists) for (const x of l ?? []) if (x.trim() !== "") s.add(canonicalAlias(x));
  for (const x of exclude) s.delete(x);
  return [...s].sort();
}

export function mergeRecords(input: SourceRecord[]): MergedEntry {
  if (input.length === 0) throw new Error("mergeRecords: no records");
  const records = [...input].sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : a.sourceId < b.sourceId ? -1 : a.sourceId > b.sourceId ? 1 : 0));
  // An entry's kind is its records' kind; correlation never puts two kinds together (aliases are per kind).
  const kind = records[0]!.kind;
  const aliases = sortedUnion(records.map((r) => recordKeys(r)));
  const aliasSet = new Set(aliases);
  const cvssCands = collect(records, (r) => r.cvss);
  const maxCvss = cvssCands.reduce<number | null>((m, c) => (m === null || c.value.baseScore > m ? c.value.baseScore : m), null);
  const modifiedCands = collect(records, (r) => r.modified);

  const entry: MergedEntry = {
    kind,
    aliases,
    related: sortedUnion(records.map((r) => r.related), aliasSet),
    records: records.map((r) => ({ source: r.source, sourceId: r.sourceId, ...(r.modified ? { modified: r.modified } : {}) })),
    status: facet("status", collect(records, (r) => r.status)),
    title: facet("title", collect(records, (r) => r.title?.trim())),
    description: facet("description", collect(records, (r) => r.descriptions.filter((d) => d.text.trim() !== "")), englishFirst, (d) => `${d.lang}\u0000${d.text.trim()}`),
    published: facet("published", collect(records, (r) => r.published)),
    // The newest modification of any source wins here, before trust: "when did anything change".
    modified: facet("modified", modifiedCands, (a, b) => (a < b ? 1 : a > b ? -1 : 0)),
    assigner: facet("assigner", collect(records, (r) => r.assigner)),
    cvss: facet("cvss", cvssCands, (a, b) => CVSS_ORDER[b.version] - CVSS_ORDER[a.version], (c) => `${c.version}\u0000${c.vector}`),
    cwes: items("cwes", collect(records, (r) => r.cwes.map((c) => c.trim().toUpperCase())), (c) => c),
    cpes: items("cpes", collect(records, (r) => r.cpes)),
    affected: items("affected", collect(records, (r) => r.affected)),
    references: items("references", collect(records, (r) => r.references), (ref) => ref.url, combineReferences),
    remediations: items("remediations", collect(records, (r) => r.remediations)),
    kev: facet("kev", collect(records, (r) => r.kev)),
    epss: facet("epss", collect(records, (r) => r.epss)),
    exploitedSince: facet("exploitedSince", collect(records, (r) => r.exploitedSince)),
    ssvc: facet("ssvc", collect<SsvcFacet>(records, (r) => r.ssvc)),
    exploit: facet("exploit", collect(records, (r) => r.exploit)),
    maxCvss,
    iot: null,
  };
  if (entry.modified) {
    // Trust must not outrank recency for `modified`: re-sort by date alone.
    const all = [entry.modified, ...(entry.modified.alternatives ?? [])].map(({ value, sources, trust }) => ({ value, sources, trust }));
    all.sort((a, b) => (a.value < b.value ? 1 : a.value > b.value ? -1 : 0));
    entry.modified = { ...all[0]!, ...(all.length > 1 ? { alternatives: all.slice(1) } : {}) };
  }
  const exploits = sortedUnion(records.map((r) => r.exploits));
  if (exploits.length > 0) entry.exploits = exploits;
  // Drop absent facets so the JSON has no `"x": undefined` holes (stable output, smaller rows).
  for (const k of Object.keys(entry) as Array<keyof MergedEntry>) if (entry[k] === undefined) delete entry[k];
  return entry;
}

function combineReferences(a: Reference, b: Reference): Reference {
  const tags = [...new Set([...(a.tags ?? []), ...(b.tags ?? [])])].sort();
  return { ...a, ...(a.name ? {} : b.name ? { name: b.name } : {}), ...(tags.length > 0 ? { tags } : {}) };
}
