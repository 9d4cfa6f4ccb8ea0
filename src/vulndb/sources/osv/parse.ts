/**
 * OSV schema records (osv.dev, GitHub Advisory Database, and the many databases exporting OSV) →
 * SourceRecord. OSV gives CVSS only as vectors: the base score is computed (common/cvss.ts); a
 * vector that cannot be scored is kept in `extra.severity` rather than given a made-up score.
 */
import { z } from "zod";
import { emptyRecord, type AffectedProduct, type SourceRecord, type VersionRange } from "../../record.js";
import { scoreVector } from "../common/cvss.js";
import { dateField } from "../common/dates.js";
import { parseJsonBody, validate } from "../common/json.js";
import { addReference, cweId, uniq } from "../common/values.js";
import type { RawRecord } from "../types.js";

const event = z.looseObject({
  introduced: z.string().optional(),
  fixed: z.string().optional(),
  last_affected: z.string().optional(),
  limit: z.string().optional(),
});
const severity = z.looseObject({ type: z.string(), score: z.string() });
const affected = z.looseObject({
  package: z.looseObject({ ecosystem: z.string(), name: z.string(), purl: z.string().optional() }).optional(),
  ranges: z.array(z.looseObject({ type: z.string(), repo: z.string().optional(), events: z.array(event) })).optional(),
  versions: z.array(z.string()).optional(),
  severity: z.array(severity).optional(),
});
export const osvRecord = z.looseObject({
  schema_version: z.string().regex(/^1\.\d+(\.\d+)?$/, "unknown schema_version (1.x expected)").optional(),
  id: z.string().min(1),
  modified: z.string(),
  published: z.string().optional(),
  withdrawn: z.string().optional(),
  aliases: z.array(z.string()).optional().nullable(),
  related: z.array(z.string()).optional().nullable(),
  upstream: z.array(z.string()).optional().nullable(),
  summary: z.string().optional(),
  details: z.string().optional(),
  severity: z.array(severity).optional().nullable(),
  affected: z.array(affected).optional().nullable(),
  references: z.array(z.looseObject({ type: z.string().optional(), url: z.string() })).optional().nullable(),
  database_specific: z.looseObject({ cwe_ids: z.array(z.string()).optional(), severity: z.string().optional() }).optional().nullable(),
});

export function parseOsv(raw: RawRecord): SourceRecord[] {
  const r = validate(osvRecord, parseJsonBody(raw), raw, "OSV record");
  const at = { ...raw, id: r.id };
  const out = emptyRecord("osv", r.id);
  out.aliases = uniq([r.id, ...(r.aliases ?? [])].map((a) => a.trim()).filter(Boolean));
  out.related = uniq([...(r.related ?? []), ...(r.upstream ?? [])].map((a) => a.trim()).filter((a) => a && !out.aliases.includes(a)));
  out.modified = dateField(r.modified, "modified", at);
  out.published = dateField(r.published, "published", at);
  const withdrawn = dateField(r.withdrawn, "withdrawn", at);
  out.status = withdrawn ? "withdrawn" : "published";
  if (r.summary?.trim()) out.title = r.summary.trim();
  if (r.details?.trim()) out.descriptions = [{ lang: "en", text: r.details }];
  else if (r.summary?.trim()) out.descriptions = [{ lang: "en", text: r.summary }];

  const unscored: { type: string; score: string }[] = [];
  const addSeverity = (s: { type: string; score: string }) => {
    if (!s.type.startsWith("CVSS_")) return unscored.push(s);
    const scored = scoreVector(s.score, s.type === "CVSS_V2");
    if (!scored) return unscored.push(s);
    if (!out.cvss.some((c) => c.vector === scored.vector)) out.cvss.push(scored);
  };
  for (const s of r.severity ?? []) addSeverity(s);

  for (const a of r.affected ?? []) {
    for (const s of a.severity ?? []) addSeverity(s);
    const product: AffectedProduct = { versions: [] };
    if (a.package) {
      product.ecosystem = a.package.ecosystem;
      product.package = a.package.name;
    }
    for (const range of a.ranges ?? []) product.versions.push(...rangesOf(range.type.toLowerCase(), range.events));
    for (const v of a.versions ?? []) product.versions.push({ version: v, status: "affected", type: "ecosystem" });
    if (product.package || product.versions.length) out.affected.push(product);
  }

  for (const ref of r.references ?? []) addReference(out.references, { url: ref.url, ...(ref.type ? { tags: [ref.type] } : {}) });
  out.cwes = uniq((r.database_specific?.cwe_ids ?? []).map(cweId).filter((c): c is string => c !== undefined));

  const extra: Record<string, unknown> = {};
  if (withdrawn) extra.withdrawn = withdrawn;
  if (r.schema_version) extra.schemaVersion = r.schema_version;
  if (r.database_specific?.severity) extra.severity = r.database_specific.severity;
  if (unscored.length) extra.unscoredSeverity = unscored;
  if (Object.keys(extra).length) out.extra = extra;
  return [out];
}

/**
 * OSV range events, in order: `introduced` opens an affected interval, `fixed`/`limit` close it
 * (exclusive), `last_affected` closes it inclusive. An interval never closed is open-ended, written
 * `lessThan: "*"` as CVE 5 does. `introduced: "0"` means "from the beginning".
 */
export function rangesOf(type: string, events: z.infer<typeof event>[]): VersionRange[] {
  const out: VersionRange[] = [];
  let open: string | undefined;
  const close = (bound: Partial<VersionRange>) => {
    out.push({ version: open ?? "0", ...bound, status: "affected", type });
    open = undefined;
  };
  for (const e of events) {
    if (e.introduced !== undefined) {
      if (open !== undefined) close({ lessThan: "*" });
      open = e.introduced;
    } else if (e.fixed !== undefined) close({ lessThan: e.fixed });
    else if (e.last_affected !== undefined) close({ lessThanOrEqual: e.last_affected });
    else if (e.limit !== undefined && open !== undefined) close({ lessThan: e.limit });
  }
  if (open !== undefined) close({ lessThan: "*" });
  return out;
}
