/**
 * ENISA EU Vulnerability Database records → SourceRecord. EUVD's JSON has its quirks: dates in a
 * Java `MEDIUM` locale format ("Mar 15, 2023, 12:00:00 AM", UTC), `aliases` and `references` as
 * newline-separated strings in the API but lists in dumps, EPSS as a percentage, and products and
 * vendors in two unrelated lists (`enisaIdProduct`, `enisaIdVendor`).
 */
import { z } from "zod";
import { emptyRecord, type AffectedProduct, type CvssScore, type SourceRecord, type VersionRange } from "../../record.js";
import { dateField, isoUtc } from "../common/dates.js";
import { EUVD_ID } from "../common/ids.js";
import { parseJsonBody, validate } from "../common/json.js";
import { addReference, known, uniq } from "../common/values.js";
import type { RawRecord } from "../types.js";

const listOrLines = z.union([z.array(z.string()), z.string()]).optional().nullable();
const named = z.looseObject({ name: z.string().optional().nullable() }).optional().nullable();

export const euvdRecord = z.looseObject({
  id: z.string().regex(EUVD_ID, "not an EUVD id"),
  description: z.string().optional().nullable(),
  datePublished: z.string().optional().nullable(),
  dateUpdated: z.string().optional().nullable(),
  baseScore: z.number().optional().nullable(),
  baseScoreVersion: z.string().optional().nullable(),
  baseScoreVector: z.string().optional().nullable(),
  references: listOrLines,
  aliases: listOrLines,
  assigner: z.string().optional().nullable(),
  epss: z.number().optional().nullable(),
  exploitedSince: z.string().optional().nullable(),
  cve: z.string().optional().nullable(),
  enisaIdProduct: z.array(z.looseObject({ product: named, product_version: z.string().optional().nullable() })).optional().nullable(),
  enisaIdVendor: z.array(z.looseObject({ vendor: named })).optional().nullable(),
  enisaIdAdvisory: z.array(z.looseObject({ advisory: z.looseObject({ id: z.string().optional().nullable() }).optional().nullable() })).optional().nullable(),
});

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/** "Mar 15, 2023, 12:00:00 AM" (also with the narrow no-break space newer JDKs put before AM/PM) → ISO UTC; ISO input passes through. */
export function euvdDate(value: string): string | undefined {
  const m = value.trim().match(/^([A-Za-z]{3})[a-z]*\.? (\d{1,2}), (\d{4}),? (\d{1,2}):(\d{2})(?::(\d{2}))?[\s\u202f\u00a0]*([AaPp][Mm])$/);
  if (!m) return isoUtc(value);
  const month = MONTHS.indexOf(m[1]!.toLowerCase());
  let hour = Number(m[4]);
  const day = Number(m[2]);
  if (month < 0 || hour < 1 || hour > 12 || day < 1 || day > 31) return undefined;
  if (m[7]!.toUpperCase() === "AM") hour = hour === 12 ? 0 : hour;
  else hour = hour === 12 ? 12 : hour + 12;
  const d = new Date(Date.UTC(Number(m[3]), month, day, hour, Number(m[5]), Number(m[6] ?? 0)));
  if (d.getUTCDate() !== day || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59) return undefined; // "Feb 31"
  return d.toISOString();
}

function list(v: string[] | string | null | undefined): string[] {
  const items = typeof v === "string" ? v.split(/\r?\n/) : (v ?? []);
  return items.map((s) => s.trim()).filter(Boolean);
}

export function parseEuvd(raw: RawRecord): SourceRecord[] {
  const r = validate(euvdRecord, parseJsonBody(raw), raw, "EUVD record");
  const at = { ...raw, id: r.id };
  const out = emptyRecord("euvd", r.id);
  out.aliases = uniq([r.id, ...list(r.aliases), ...(r.cve ? [r.cve.trim()] : [])]);
  out.status = "published";
  if (r.description?.trim()) out.descriptions = [{ lang: "en", text: r.description }];
  out.published = dateField(r.datePublished, "datePublished", at, euvdDate);
  out.modified = dateField(r.dateUpdated, "dateUpdated", at, euvdDate);
  if (r.assigner?.trim()) out.assigner = r.assigner.trim();

  const version = r.baseScoreVersion?.trim();
  // EUVD writes -1 / empty strings where there is no score.
  if (r.baseScore !== null && r.baseScore !== undefined && r.baseScore >= 0 && r.baseScore <= 10 && r.baseScoreVector && (version === "2.0" || version === "3.0" || version === "3.1" || version === "4.0")) {
    const score: CvssScore = { version, vector: r.baseScoreVector, baseScore: r.baseScore, provider: "ENISA EUVD" };
    out.cvss.push(score);
  }
  for (const url of list(r.references)) addReference(out.references, { url });

  if (typeof r.epss === "number" && r.epss >= 0 && r.epss <= 100) out.epss = { score: Math.round(r.epss * 100) / 10_000 };
  const exploited = dateField(r.exploitedSince, "exploitedSince", at, euvdDate);
  if (exploited) out.exploitedSince = exploited;

  // Products and vendors come as two lists with no link between them: one vendor applies to every
  // product; with several, products and vendors are kept apart rather than paired by guess.
  const vendors = uniq((r.enisaIdVendor ?? []).map((v) => known(v.vendor?.name)).filter((v): v is string => v !== undefined));
  const products: AffectedProduct[] = (r.enisaIdProduct ?? []).flatMap((p) => {
    const product = known(p.product?.name);
    if (!product) return [];
    const versions: VersionRange[] = [];
    const pv = known(p.product_version);
    if (pv) versions.push(/\s/.test(pv) ? { text: pv, status: "affected" } : { version: pv, status: "affected" });
    return [{ ...(vendors.length === 1 ? { vendor: vendors[0] } : {}), product, versions }];
  });
  out.affected = products;
  if (vendors.length > 1 || (vendors.length === 1 && products.length === 0)) {
    for (const vendor of vendors) out.affected.push({ vendor, versions: [] });
  }
  out.related = uniq((r.enisaIdAdvisory ?? []).map((a) => a.advisory?.id?.trim()).filter((v): v is string => !!v && !out.aliases.includes(v)));
  return [out];
}
