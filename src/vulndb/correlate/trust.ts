/**
 * How much each source is trusted for each field, 0..1 — the first key of the rule that picks the value
 * shown when sources disagree (docs/vulndb-format.md § Which value is shown):
 *   1. highest trust of the sources giving the value, for that field;
 *   2. then the field's own preference (CVSS: newer version; descriptions: English);
 *   3. then the most recently modified source record;
 *   4. then the value's text, so that the choice never depends on ingest order.
 * The reasoning behind the numbers: the CNA (cve5) wrote the description and usually the first score;
 * NVD curates CPE configurations; CISA's KEV is the authority on exploitation, EUVD on EPSS; CSAF
 * advisories are the vendor's own word on products and fixes; Exploit-DB on its exploits.
 */
export type TrustField =
  | "status"
  | "title"
  | "description"
  | "published"
  | "modified"
  | "assigner"
  | "cvss"
  | "cwes"
  | "cpes"
  | "affected"
  | "references"
  | "remediations"
  | "kev"
  | "epss"
  | "exploitedSince"
  | "ssvc"
  | "exploit";

/** Trust of a source for fields not listed in `byField`. */
const base: Record<string, number> = {
  cve5: 0.9,
  nvd: 0.85,
  csaf: 0.8,
  kev: 0.8,
  osv: 0.75,
  euvd: 0.7,
  jvn: 0.7,
  exploitdb: 0.6,
  rss: 0.3,
};

const byField: Partial<Record<TrustField, Record<string, number>>> = {
  title: { cve5: 1, csaf: 0.9, kev: 0.8, jvn: 0.7, osv: 0.7, exploitdb: 0.7 },
  description: { cve5: 1, csaf: 0.9, nvd: 0.85, osv: 0.8, euvd: 0.75, jvn: 0.7, kev: 0.5 },
  published: { cve5: 1, nvd: 0.9, csaf: 0.8, osv: 0.8, euvd: 0.7, jvn: 0.7 },
  cvss: { cve5: 0.95, nvd: 0.9, csaf: 0.85, osv: 0.7, jvn: 0.65, euvd: 0.6 },
  cpes: { nvd: 1, cve5: 0.85, csaf: 0.8, jvn: 0.7 },
  affected: { csaf: 1, cve5: 0.95, osv: 0.9, nvd: 0.8, euvd: 0.7, jvn: 0.7, kev: 0.6 },
  remediations: { csaf: 1, cve5: 0.9, kev: 0.8 },
  kev: { kev: 1, nvd: 0.9, cve5: 0.85 },
  epss: { euvd: 1 },
  exploitedSince: { euvd: 1, kev: 0.9 },
  ssvc: { cve5: 1 },
  exploit: { exploitdb: 1 },
};

const UNKNOWN_SOURCE = 0.5;

export function trustOf(source: string, field: TrustField): number {
  return byField[field]?.[source] ?? base[source] ?? UNKNOWN_SOURCE;
}

/** The table as data, for `vulns sources --json` and the docs. */
export function trustTable(): { base: Record<string, number>; byField: typeof byField; unknown: number } {
  return { base: { ...base }, byField, unknown: UNKNOWN_SOURCE };
}
