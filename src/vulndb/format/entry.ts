/**
 * The merged entry: one per vulnerability (or exploit, or article), built by src/vulndb/correlate from
 * every source's record, and the shape `vulns show --json`, `vulns export --format jsonl` and the REST
 * API return (docs/vulndb-format.md; JSON Schema in docs/schemas/vulndb-entry.schema.json, generated
 * from ./schema.ts).
 *
 * Provenance: every field carries the sources that gave its value and a trust (0..1, from the
 * per-field trust table in correlate/trust.ts). Single-valued fields are a `Facet`: the value shown plus
 * the conflicting `alternatives`, none dropped. Multi-valued fields are lists of `Provenanced` items.
 */
import type {
  AffectedProduct,
  CpeMatch,
  CvssScore,
  EpssFacet,
  ExploitFacet,
  KevFacet,
  LocalizedText,
  RecordKind,
  Reference,
  Remediation,
  SsvcFacet,
} from "../record.js";

export interface Provenanced<T> {
  value: T;
  /** Source names (`cve5`, `nvd`, …) that gave exactly this value, sorted. */
  sources: string[];
  /** The highest trust among those sources for this field. */
  trust: number;
}

export interface Facet<T> extends Provenanced<T> {
  /** Other values given by other sources, best first (same rule as the shown value). */
  alternatives?: Provenanced<T>[];
}

/** What the IoT classifier (src/vulndb/iot) said. */
export interface IotVerdict {
  iot: boolean;
  score: number;
  reasons: string[];
  deviceTypes: string[];
}

/** The part of an entry that is merged from source records (stored as the entry's JSON). */
export interface MergedEntry {
  kind: RecordKind;
  /** Every id of this vulnerability (CVE, GHSA, EUVD, JVNDB, vendor ids; EDB ids for an exploit), sorted. */
  aliases: string[];
  /** Other ids the sources mention (advisories covering several vulnerabilities): links, not merges. */
  related: string[];
  /** The source records merged here. */
  records: Array<{ source: string; sourceId: string; modified?: string }>;
  status?: Facet<string>;
  title?: Facet<string>;
  /** The description shown (English preferred), and every other description as an alternative. */
  description?: Facet<LocalizedText>;
  published?: Facet<string>;
  modified?: Facet<string>;
  assigner?: Facet<string>;
  /** The CVSS score shown; every other score (other version, other scorer) in `alternatives`. */
  cvss?: Facet<CvssScore>;
  cwes: Provenanced<string>[];
  cpes: Provenanced<CpeMatch>[];
  affected: Provenanced<AffectedProduct>[];
  references: Provenanced<Reference>[];
  remediations: Provenanced<Remediation>[];
  kev?: Facet<KevFacet>;
  epss?: Facet<EpssFacet>;
  exploitedSince?: Facet<string>;
  ssvc?: Facet<SsvcFacet>;
  exploit?: Facet<ExploitFacet>;
  /** For an exploit or article: the ids of the vulnerabilities it exploits or discusses. */
  exploits?: string[];
  /** Highest CVSS base score of any source, any version (what `max_cvss` filters on). */
  maxCvss: number | null;
  /** Null until the classifier has run on this entry. */
  iot: IotVerdict | null;
}

/** An entry as exported and served. */
export interface VulnEntry extends MergedEntry {
  /** Stable id (IOTS-VULN-2023-000001); never changes, survives merges (docs/vulndb-format.md). */
  id: string;
  /** Ids of entries merged into this one; they still resolve here. */
  previousIds: string[];
  flags: { kev: boolean; hasExploit: boolean };
  /** For a vulnerability: the exploit entries linked to it (resolved when read). */
  exploitedBy?: Array<{ id: string; aliases: string[] }>;
  /** For an exploit/article: each target alias and the entry it resolves to, when known. */
  targets?: Array<{ alias: string; id: string | null }>;
  createdAt: string;
  /** When iotscope last changed this entry (what `since=` compares with). */
  updatedAt: string;
}
