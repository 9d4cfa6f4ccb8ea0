/**
 * A CSAF 2.0 advisory → one SourceRecord per `vulnerabilities[]` item. The advisory's id
 * (document.tracking.id) covers all of them, so it goes to `related`, never to `aliases`; a
 * vulnerability's own ids (its CVE, and `ids[]` entries that name only it) are its aliases.
 */
import { emptyRecord, type AffectedProduct, type CpeMatch, type CvssScore, type Reference, type SourceRecord, type VersionRange } from "../../record.js";
import { cpeOrDrop } from "../common/cpe.js";
import { anyDateUtc, dateField } from "../common/dates.js";
import { failFor } from "../common/errors.js";
import { parseJsonBody, validate } from "../common/json.js";
import { known, uniq } from "../common/values.js";
import type { RawRecord } from "../types.js";
import { resolveProductTree, type ProductInfo, type ResolvedTree } from "./product-tree.js";
import { csafSchema, type CsafDocument, type CsafVulnerability } from "./schema.js";

type Status = NonNullable<VersionRange["status"]>;

/** product_status lists → VersionRange status; `recommended` = the versions to move to, so not affected. */
const STATUS: Record<string, Status> = {
  known_affected: "affected",
  first_affected: "affected",
  last_affected: "affected",
  fixed: "fixed",
  first_fixed: "fixed",
  known_not_affected: "unaffected",
  recommended: "unaffected",
  under_investigation: "unknown",
};

const DESCRIPTION_NOTES = ["description", "summary", "details"];

export function parseCsaf(raw: RawRecord): SourceRecord[] {
  const fail = failFor(raw);
  const json = parseJsonBody(raw);
  const doc = (json as { document?: { csaf_version?: unknown } } | null)?.document;
  if (!doc || typeof doc !== "object") throw fail("not a CSAF document: no `document` object");
  if (doc.csaf_version === undefined) throw fail("not a CSAF document: no document.csaf_version");
  if (doc.csaf_version !== "2.0") throw fail(`unsupported csaf_version ${JSON.stringify(doc.csaf_version)} (this parser reads CSAF 2.0)`);
  const csaf = validate(csafSchema, json, raw, "invalid CSAF 2.0");
  const tree = resolveProductTree(csaf.product_tree);
  const vulns = csaf.vulnerabilities ?? [];
  // An `ids` text seen in several vulnerabilities of one advisory names the group, not one vulnerability.
  const idCount = new Map<string, number>();
  for (const v of vulns) for (const t of new Set((v.ids ?? []).map((i) => i.text.trim()))) idCount.set(t, (idCount.get(t) ?? 0) + 1);
  const dates = {
    initial: requiredDate(csaf.document.tracking.initial_release_date, "document.tracking.initial_release_date", raw),
    current: requiredDate(csaf.document.tracking.current_release_date, "document.tracking.current_release_date", raw),
  };
  const seen = new Set<string>();
  return vulns.map((v, i) => {
    const rec = vulnerabilityRecord(raw, csaf, v, i, tree, idCount, dates);
    if (seen.has(rec.sourceId)) rec.sourceId = `${rec.sourceId}#${i + 1}`;
    seen.add(rec.sourceId);
    return rec;
  });
}

function vulnerabilityRecord(
  raw: RawRecord,
  csaf: CsafDocument,
  v: CsafVulnerability,
  index: number,
  tree: ResolvedTree,
  idCount: Map<string, number>,
  dates: { initial: string; current: string },
): SourceRecord {
  const d = csaf.document;
  const advisory = d.tracking.id;
  const own: string[] = [];
  const shared: string[] = [];
  for (const { text } of v.ids ?? []) {
    const t = text.trim();
    if (!t) continue;
    if (t === advisory || (idCount.get(t) ?? 0) > 1) shared.push(t);
    else own.push(t);
  }
  const key = v.cve ?? own[0] ?? `vuln-${index + 1}`;
  const rec = emptyRecord(raw.source, `${advisory}/${key}`);
  rec.aliases = uniq([...(v.cve ? [v.cve] : []), ...own]);
  rec.related = uniq([advisory, ...shared]).filter((id) => !rec.aliases.includes(id));
  rec.title = v.title ?? d.title;
  const lang = d.lang ?? "en";
  rec.descriptions = (v.notes ?? [])
    .filter((n) => DESCRIPTION_NOTES.includes(n.category) && n.text.trim())
    .sort((a, b) => DESCRIPTION_NOTES.indexOf(a.category) - DESCRIPTION_NOTES.indexOf(b.category))
    .map((n) => ({ lang, text: n.text.trim() }));
  rec.published = dateField(v.release_date, `vulnerabilities.${index}.release_date`, raw, anyDateUtc) ?? dates.initial;
  rec.modified = dates.current;
  rec.assigner = d.publisher.name;
  rec.cvss = scores(v, d.publisher.name);
  if (v.cwe) rec.cwes = [v.cwe.id];
  const { affected, cpes } = productStatus(v, tree);
  rec.affected = affected;
  rec.cpes = cpes;
  const remediations = (v.remediations ?? []).map((r) => {
    const ids = [...(r.product_ids ?? []), ...(r.group_ids ?? []).flatMap((g) => tree.groups.get(g) ?? [])];
    const products = uniq(ids.map((id) => tree.products.get(id)?.name ?? id));
    return { category: r.category, details: r.details, ...(r.url && { url: r.url }), ...(products.length && { products }) };
  });
  if (remediations.length) rec.remediations = remediations;
  rec.references = references([...(v.references ?? []), ...(d.references ?? [])]);
  rec.extra = {
    advisory,
    advisoryVersion: d.tracking.version,
    trackingStatus: d.tracking.status,
    category: d.category,
    ...(d.distribution?.tlp && { tlp: d.distribution.tlp.label }),
    ...(v.discovery_date && { discoveryDate: v.discovery_date }),
  };
  return rec;
}

function scores(v: CsafVulnerability, provider: string): CvssScore[] {
  const out = new Map<string, CvssScore>();
  for (const s of v.scores ?? []) {
    for (const c of [s.cvss_v3, s.cvss_v2]) {
      if (!c) continue;
      const version = c.version === "2.0" || c.version === "3.0" || c.version === "3.1" ? c.version : undefined;
      if (!version) continue;
      const score: CvssScore = { version, vector: c.vectorString, baseScore: c.baseScore, provider };
      if (c.baseSeverity) score.baseSeverity = c.baseSeverity.toUpperCase();
      out.set(`${version}|${c.vectorString}|${c.baseScore}`, score);
    }
  }
  return [...out.values()];
}

/** product_status → one AffectedProduct per vendor/product, each version with its status; helper CPEs → cpes. */
function productStatus(v: CsafVulnerability, tree: ResolvedTree): { affected: AffectedProduct[]; cpes: CpeMatch[] } {
  const byProduct = new Map<string, AffectedProduct>();
  const cpes = new Map<string, CpeMatch>();
  // In STATUS order (affected first), whatever the key order of the document.
  for (const [list, status] of Object.entries(STATUS)) {
    const ids = v.product_status?.[list] ?? [];
    for (const id of ids) {
      const info: ProductInfo = tree.products.get(id) ?? { id, name: id };
      const vendor = known(info.vendor);
      const product = known(info.product) ?? (info.vendor ? undefined : known(info.name));
      const k = `${vendor ?? ""}\u0000${product ?? ""}`;
      let entry = byProduct.get(k);
      if (!entry) {
        entry = { ...(vendor && { vendor }), ...(product && { product }), versions: [] };
        byProduct.set(k, entry);
      }
      const range: VersionRange = { status };
      if (info.version) range.version = info.version;
      else if (info.range) {
        range.text = info.range;
        if (info.range.startsWith("vers:")) range.type = "vers";
      } else if (info.name !== product) range.text = info.name;
      if (info.context) range.text = range.text ? `${range.text} (${info.context})` : info.context;
      if (!entry.versions.some((x) => x.version === range.version && x.text === range.text && x.status === range.status)) entry.versions.push(range);
      // A malformed helper CPE is dropped; the product's names still carry it.
      const cpe = cpeOrDrop(info.cpe);
      if (cpe) {
        entry.cpes = uniq([...(entry.cpes ?? []), cpe]);
        const vulnerable = status === "affected";
        const prev = cpes.get(cpe);
        // The same CPE listed both affected and fixed (a range CPE) counts as vulnerable.
        cpes.set(cpe, { criteria: cpe, vulnerable: vulnerable || (prev?.vulnerable ?? false) });
      }
    }
  }
  return { affected: [...byProduct.values()], cpes: [...cpes.values()] };
}

function references(refs: { url: string; summary?: string | undefined; category?: string | undefined }[]): Reference[] {
  const out = new Map<string, Reference>();
  for (const r of refs) {
    if (out.has(r.url)) continue;
    out.set(r.url, { url: r.url, ...(r.summary && { name: r.summary }), ...(r.category && { tags: [r.category] }) });
  }
  return [...out.values()];
}

function requiredDate(value: string, field: string, raw: RawRecord): string {
  const date = dateField(value, field, raw, anyDateUtc);
  if (date === undefined) throw failFor(raw)(`${field}: empty`);
  return date;
}
