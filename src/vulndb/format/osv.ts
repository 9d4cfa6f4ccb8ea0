/**
 * A merged entry as an OSV record (OSV schema 1.6.0, https://ossf.github.io/osv-schema/), so that OSV
 * tooling can consume the database. The mapping (docs/vulndb-format.md § OSV export) is lossy where
 * OSV has no field — devices are not packages — and what has no OSV home goes to
 * `database_specific.iotscope`, never dropped.
 */
import type { AffectedProduct, VersionRange } from "../record.js";
import type { VulnEntry } from "./entry.js";

export const OSV_SCHEMA_VERSION = "1.6.0";

interface OsvEvent {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
}

interface OsvAffected {
  package?: { ecosystem: string; name: string };
  ranges?: Array<{ type: "ECOSYSTEM"; events: OsvEvent[] }>;
  versions?: string[];
  database_specific?: Record<string, unknown>;
}

export interface OsvRecord {
  schema_version: string;
  id: string;
  modified: string;
  published?: string;
  withdrawn?: string;
  aliases?: string[];
  related?: string[];
  summary?: string;
  details?: string;
  severity?: Array<{ type: "CVSS_V2" | "CVSS_V3" | "CVSS_V4"; score: string }>;
  affected?: OsvAffected[];
  references?: Array<{ type: string; url: string }>;
  database_specific: Record<string, unknown>;
}

const CVSS_TYPE = { "2.0": "CVSS_V2", "3.0": "CVSS_V3", "3.1": "CVSS_V3", "4.0": "CVSS_V4" } as const;

/** NVD/CVE reference tags → OSV reference types; anything else is WEB. */
const REFERENCE_TYPE: Array<[RegExp, string]> = [
  [/exploit/i, "EVIDENCE"],
  [/patch|fix/i, "FIX"],
  [/advisory|us government resource|mitigation/i, "ADVISORY"],
  [/issue|bug/i, "REPORT"],
  [/mailing list|discussion/i, "DISCUSSION"],
  [/article|press|media/i, "ARTICLE"],
  [/product|vendor|release notes/i, "WEB"],
];

function referenceType(tags: string[] | undefined): string {
  for (const [re, type] of REFERENCE_TYPE) if (tags?.some((t) => re.test(t))) return type;
  return "WEB";
}

function rangesOf(versions: VersionRange[]): Pick<OsvAffected, "ranges" | "versions"> {
  const events: OsvEvent[] = [];
  const exact: string[] = [];
  for (const v of versions) {
    if (v.status === "unaffected" || v.status === "fixed") continue;
    if (v.lessThan !== undefined || v.lessThanOrEqual !== undefined) {
      events.push({ introduced: v.version && v.version !== "*" ? v.version : "0" });
      events.push(v.lessThan !== undefined ? { fixed: v.lessThan } : { last_affected: v.lessThanOrEqual! });
    } else if (v.version !== undefined) exact.push(v.version);
  }
  return { ...(events.length > 0 ? { ranges: [{ type: "ECOSYSTEM" as const, events }] } : {}), ...(exact.length > 0 ? { versions: exact } : {}) };
}

function affectedOf(a: AffectedProduct): OsvAffected {
  if (a.ecosystem && a.package) return { package: { ecosystem: a.ecosystem, name: a.package }, ...rangesOf(a.versions) };
  // A device or vendor product: OSV has no package for it, so the names and versions go to database_specific.
  return { database_specific: { vendor: a.vendor ?? null, product: a.product ?? null, versions: a.versions, ...(a.cpes ? { cpes: a.cpes } : {}) } };
}

export function toOsv(e: VulnEntry): OsvRecord {
  const scores = e.cvss ? [e.cvss, ...(e.cvss.alternatives ?? [])] : [];
  const severity: OsvRecord["severity"] = [];
  for (const s of scores) {
    const type = CVSS_TYPE[s.value.version];
    // OSV: one score per type; the shown one (first) wins, the others stay in database_specific.
    if (!severity.some((x) => x.type === type)) severity.push({ type, score: s.value.vector });
  }
  const modified = e.modified?.value ?? e.updatedAt;
  const status = e.status?.value;
  const aliases = e.aliases.filter((a) => !a.includes(":"));
  const osv: OsvRecord = {
    schema_version: OSV_SCHEMA_VERSION,
    id: e.id,
    modified,
    ...(e.published ? { published: e.published.value } : {}),
    ...(status === "rejected" || status === "withdrawn" ? { withdrawn: modified } : {}),
    ...(aliases.length > 0 ? { aliases } : {}),
    ...(e.related.length > 0 ? { related: e.related } : {}),
    ...(e.title ? { summary: e.title.value } : {}),
    ...(e.description ? { details: e.description.value.text } : {}),
    ...(severity.length > 0 ? { severity } : {}),
    ...(e.affected.length > 0 ? { affected: e.affected.map((a) => affectedOf(a.value)) } : {}),
    ...(e.references.length > 0 ? { references: e.references.map((r) => ({ type: referenceType(r.value.tags), url: r.value.url })) } : {}),
    database_specific: {
      cwe_ids: e.cwes.map((c) => c.value),
      iotscope: {
        kind: e.kind,
        previousIds: e.previousIds,
        flags: e.flags,
        iot: e.iot,
        cvss: scores,
        cpes: e.cpes,
        ...(e.kev ? { kev: e.kev } : {}),
        ...(e.epss ? { epss: e.epss } : {}),
        ...(e.exploitedSince ? { exploitedSince: e.exploitedSince } : {}),
        ...(e.exploitedBy ? { exploitedBy: e.exploitedBy } : {}),
        ...(e.targets ? { targets: e.targets } : {}),
        records: e.records,
      },
    },
  };
  return osv;
}
