/**
 * NVD API 2.0 `cve` objects → SourceRecord. Accepts a bare `cve` object (what fkie-cad's
 * nvd-json-data-feeds and our fetch store), a `{cve}` item, or a whole API page / 2.0 feed file
 * (`{vulnerabilities:[{cve}]}`), giving one record per CVE.
 */
import { z } from "zod";
import { emptyRecord, type CvssScore, type SourceRecord } from "../../record.js";
import { cpeMatchOf, cpeMatchSchema } from "../common/cpe.js";
import { dateField } from "../common/dates.js";
import { CVE_ID } from "../common/ids.js";
import { parseJsonBody, prop, str, validate } from "../common/json.js";
import { addReference, cweId, uniq } from "../common/values.js";
import { SourceParseError, type RawRecord } from "../types.js";

const text = z.looseObject({ lang: z.string(), value: z.string() });

const cvssData = z.looseObject({
  version: z.string(),
  vectorString: z.string(),
  baseScore: z.number(),
  baseSeverity: z.string().optional(),
});
const metric = z.looseObject({
  source: z.string().optional(),
  type: z.string().optional(),
  cvssData,
  /** v2 puts the severity beside cvssData. */
  baseSeverity: z.string().optional(),
});

const node = z.looseObject({
  operator: z.string().optional(),
  negate: z.boolean().optional(),
  cpeMatch: z.array(cpeMatchSchema).optional(),
});
const configuration = z.looseObject({
  operator: z.string().optional(),
  negate: z.boolean().optional(),
  nodes: z.array(node),
});

export const nvdCve = z.looseObject({
  id: z.string().regex(CVE_ID, "not a CVE id"),
  sourceIdentifier: z.string().optional(),
  published: z.string().optional(),
  lastModified: z.string().optional(),
  vulnStatus: z.string().optional(),
  cveTags: z.array(z.looseObject({ tags: z.array(z.string()).optional() })).optional(),
  descriptions: z.array(text).optional(),
  metrics: z
    .looseObject({
      cvssMetricV2: z.array(metric).optional(),
      cvssMetricV30: z.array(metric).optional(),
      cvssMetricV31: z.array(metric).optional(),
      cvssMetricV40: z.array(metric).optional(),
    })
    .optional(),
  weaknesses: z.array(z.looseObject({ source: z.string().optional(), type: z.string().optional(), description: z.array(text) })).optional(),
  configurations: z.array(configuration).optional(),
  references: z.array(z.looseObject({ url: z.string(), source: z.string().optional(), tags: z.array(z.string()).optional() })).optional(),
  cisaExploitAdd: z.string().optional(),
  cisaActionDue: z.string().optional(),
  cisaRequiredAction: z.string().optional(),
  cisaVulnerabilityName: z.string().optional(),
  evaluatorComment: z.string().optional(),
});
export type NvdCve = z.infer<typeof nvdCve>;

const METRIC_KEYS = [
  ["cvssMetricV2", "2.0"],
  ["cvssMetricV30", "3.0"],
  ["cvssMetricV31", "3.1"],
  ["cvssMetricV40", "4.0"],
] as const;

/** The `cve` objects a body holds: a page/feed gives many, a bare object or `{cve}` one. */
export function cveObjects(value: unknown, raw: RawRecord): { pointer: string; cve: unknown }[] {
  const vulns = prop(value, "vulnerabilities");
  if (vulns !== undefined) {
    if (!Array.isArray(vulns)) throw new SourceParseError(raw.source, raw.id, raw.origin, "vulnerabilities: not an array");
    if (typeof prop(value, "version") === "string" && !String(prop(value, "version")).startsWith("2.")) {
      throw new SourceParseError(raw.source, raw.id, raw.origin, `unknown NVD format version ${JSON.stringify(prop(value, "version"))} (2.x expected)`);
    }
    return vulns.map((v, i) => ({ pointer: `/vulnerabilities/${i}/cve`, cve: prop(v, "cve") ?? v }));
  }
  const inner = prop(value, "cve");
  if (inner !== undefined && prop(value, "id") === undefined) return [{ pointer: "/cve", cve: inner }];
  if (prop(value, "CVE_data_type") !== undefined || prop(value, "CVE_Items") !== undefined) {
    throw new SourceParseError(raw.source, raw.id, raw.origin, "NVD 1.1 feed format (retired in 2023) is not supported; use the API 2.0 or its 2.0 feeds");
  }
  return [{ pointer: "", cve: value }];
}

export function parseNvd(raw: RawRecord): SourceRecord[] {
  const value = parseJsonBody(raw);
  return cveObjects(value, raw).map(({ pointer, cve }) => {
    const id = str(prop(cve, "id")) ?? raw.id;
    const at = { ...raw, id, origin: pointer ? `${raw.origin}#${pointer}` : raw.origin };
    return toRecord(validate(nvdCve, cve, at, "NVD cve object"), at);
  });
}

export function toRecord(cve: NvdCve, raw: RawRecord): SourceRecord {
  const rec = emptyRecord("nvd", cve.id);
  rec.aliases = [cve.id];
  rec.assigner = cve.sourceIdentifier;
  rec.published = dateField(cve.published, "published", raw);
  rec.modified = dateField(cve.lastModified, "lastModified", raw);
  const tags = (cve.cveTags ?? []).flatMap((t) => t.tags ?? []);
  rec.status = cve.vulnStatus === "Rejected" ? "rejected" : tags.includes("disputed") ? "disputed" : "published";
  rec.descriptions = (cve.descriptions ?? []).filter((d) => d.value.trim()).map((d) => ({ lang: d.lang, text: d.value }));

  for (const [key, version] of METRIC_KEYS) {
    for (const m of cve.metrics?.[key] ?? []) {
      const score: CvssScore = { version, vector: m.cvssData.vectorString, baseScore: m.cvssData.baseScore };
      const severity = m.cvssData.baseSeverity ?? m.baseSeverity;
      if (severity) score.baseSeverity = severity.toUpperCase();
      if (m.source) score.provider = m.source;
      if (m.type) score.type = m.type;
      rec.cvss.push(score);
    }
  }

  rec.cwes = uniq((cve.weaknesses ?? []).flatMap((w) => w.description.map((d) => cweId(d.value)).filter((c): c is string => c !== undefined)));

  // CPE matches are flattened (what the classifier and searches use); the AND/OR tree is kept in
  // extra.configurations so "firmware X running on hardware Y" can still be evaluated exactly.
  const seen = new Set<string>();
  const tree: unknown[] = [];
  for (const conf of cve.configurations ?? []) {
    const nodes = conf.nodes.map((n) => {
      const criteria: string[] = [];
      for (const m of n.cpeMatch ?? []) {
        const match = cpeMatchOf(m, raw, "configurations");
        criteria.push(match.criteria);
        const key = JSON.stringify(match);
        if (!seen.has(key)) {
          seen.add(key);
          rec.cpes.push(match);
        }
      }
      return { operator: n.operator ?? "OR", negate: n.negate ?? false, criteria };
    });
    tree.push({ operator: conf.operator ?? "OR", ...(conf.negate ? { negate: true } : {}), nodes });
  }

  for (const r of cve.references ?? []) addReference(rec.references, { url: r.url, tags: r.tags });

  if (cve.cisaExploitAdd) {
    const dateAdded = dateField(cve.cisaExploitAdd, "cisaExploitAdd", raw)!.slice(0, 10);
    rec.kev = { dateAdded };
    const due = dateField(cve.cisaActionDue, "cisaActionDue", raw);
    if (due) rec.kev.dueDate = due.slice(0, 10);
    if (cve.cisaRequiredAction) rec.kev.requiredAction = cve.cisaRequiredAction;
    if (cve.cisaVulnerabilityName) rec.kev.vulnerabilityName = cve.cisaVulnerabilityName;
  }

  const extra: Record<string, unknown> = {};
  if (cve.vulnStatus) extra.vulnStatus = cve.vulnStatus;
  if (tree.length) extra.configurations = tree;
  if (tags.length) extra.cveTags = uniq(tags);
  if (cve.evaluatorComment) extra.evaluatorComment = cve.evaluatorComment;
  if (Object.keys(extra).length) rec.extra = extra;
  return rec;
}
