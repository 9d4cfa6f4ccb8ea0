/**
 * CVE JSON 5.x records (CVE Record Format 5.0/5.1/5.2) → SourceRecord. The CNA container gives the
 * description, affected products, CWE, CVSS (provider = the CNA's short name) and references; ADP
 * containers add to it: CISA's "Vulnrichment" ADP (short name CISA-ADP) brings SSVC decision points,
 * KEV membership, its own CVSS and CPEs; the "CVE Program Container" brings references.
 */
import { z } from "zod";
import { emptyRecord, type AffectedProduct, type CvssScore, type SourceRecord, type VersionRange } from "../../record.js";
import { cpeMatchOf, cpeMatchSchema, cpeOrFail } from "../common/cpe.js";
import { dateField } from "../common/dates.js";
import { CVE_ID } from "../common/ids.js";
import { parseJsonBody, prop, str, validate } from "../common/json.js";
import { addReference, cweId, known, uniq } from "../common/values.js";
import type { RawRecord } from "../types.js";

const text = z.looseObject({ lang: z.string(), value: z.string() });
const version = z.looseObject({
  version: z.string(),
  status: z.string(),
  versionType: z.string().optional(),
  lessThan: z.string().optional(),
  lessThanOrEqual: z.string().optional(),
});
const affected = z.looseObject({
  vendor: z.string().optional(),
  product: z.string().optional(),
  collectionURL: z.string().optional(),
  packageName: z.string().optional(),
  defaultStatus: z.string().optional(),
  versions: z.array(version).optional(),
  cpes: z.array(z.string()).optional(),
});
const cvss = z.looseObject({ version: z.string(), vectorString: z.string(), baseScore: z.number(), baseSeverity: z.string().optional() });
const metric = z.looseObject({
  format: z.string().optional(),
  cvssV2_0: cvss.optional(),
  cvssV3_0: cvss.optional(),
  cvssV3_1: cvss.optional(),
  cvssV4_0: cvss.optional(),
  other: z.looseObject({ type: z.string(), content: z.unknown() }).optional(),
});
const container = z.looseObject({
  providerMetadata: z.looseObject({ orgId: z.string().optional(), shortName: z.string().optional(), dateUpdated: z.string().optional() }).optional(),
  title: z.string().optional(),
  descriptions: z.array(text).optional(),
  rejectedReasons: z.array(text).optional(),
  affected: z.array(affected).optional(),
  problemTypes: z.array(z.looseObject({ descriptions: z.array(z.looseObject({ cweId: z.string().optional(), description: z.string().optional() })) })).optional(),
  metrics: z.array(metric).optional(),
  references: z.array(z.looseObject({ url: z.string(), name: z.string().optional(), tags: z.array(z.string()).optional() })).optional(),
  solutions: z.array(text).optional(),
  workarounds: z.array(text).optional(),
  cpeApplicability: z
    .array(z.looseObject({ operator: z.string().optional(), negate: z.boolean().optional(), nodes: z.array(z.looseObject({ operator: z.string().optional(), negate: z.boolean().optional(), cpeMatch: z.array(cpeMatchSchema).optional() })) }))
    .optional(),
});
export const cveRecord = z.looseObject({
  dataType: z.literal("CVE_RECORD"),
  dataVersion: z.string().regex(/^5\.\d+(\.\d+)?$/, "unknown dataVersion (5.x expected)"),
  cveMetadata: z.looseObject({
    cveId: z.string().regex(CVE_ID, "not a CVE id"),
    state: z.enum(["PUBLISHED", "REJECTED"]),
    assignerShortName: z.string().optional(),
    datePublished: z.string().optional(),
    dateUpdated: z.string().optional(),
    dateRejected: z.string().optional(),
  }),
  containers: z.looseObject({ cna: container, adp: z.array(container).optional() }),
});
type Container = z.infer<typeof container>;

const CVSS_KEYS = [
  ["cvssV2_0", "2.0"],
  ["cvssV3_0", "3.0"],
  ["cvssV3_1", "3.1"],
  ["cvssV4_0", "4.0"],
] as const;

export function parseCve5(raw: RawRecord): SourceRecord[] {
  const rec = validate(cveRecord, parseJsonBody(raw), raw, "CVE JSON 5 record");
  const meta = rec.cveMetadata;
  const at = { ...raw, id: meta.cveId };
  const out = emptyRecord("cve5", meta.cveId);
  out.aliases = [meta.cveId];
  out.status = meta.state === "REJECTED" ? "rejected" : "published";
  out.assigner = meta.assignerShortName ?? rec.containers.cna.providerMetadata?.shortName;
  out.published = dateField(meta.datePublished, "cveMetadata.datePublished", at);
  out.modified = dateField(meta.dateUpdated ?? meta.dateRejected, "cveMetadata.dateUpdated", at);

  const cna = rec.containers.cna;
  if (cna.title) out.title = cna.title;
  const texts = out.status === "rejected" && !cna.descriptions?.length ? (cna.rejectedReasons ?? []) : (cna.descriptions ?? []);
  out.descriptions = texts.filter((d) => d.value.trim()).map((d) => ({ lang: d.lang, text: d.value }));
  addContainer(out, cna, out.assigner, at);

  const adps: string[] = [];
  for (const [i, adp] of (rec.containers.adp ?? []).entries()) {
    const name = adp.providerMetadata?.shortName ?? `adp${i}`;
    adps.push(name);
    addContainer(out, adp, name, at);
    for (const m of adp.metrics ?? []) {
      if (!m.other) continue;
      const type = m.other.type.toLowerCase();
      if (type === "ssvc") out.ssvc = { ...out.ssvc, ...ssvcOf(m.other.content) };
      else if (type === "kev") {
        const dateAdded = dateField(str(prop(m.other.content, "dateAdded")), `adp ${name} kev.dateAdded`, at);
        if (dateAdded) out.kev = { ...out.kev, dateAdded: dateAdded.slice(0, 10) };
        const reference = str(prop(m.other.content, "reference"));
        if (reference) addReference(out.references, { url: reference, tags: ["kev"] });
      }
    }
  }
  out.cwes = uniq(out.cwes);
  if (adps.length) out.extra = { adp: adps };
  return [out];
}

function addContainer(out: SourceRecord, c: Container, provider: string | undefined, raw: RawRecord): void {
  for (const a of c.affected ?? []) {
    const product = productOf(a, raw);
    if (product) out.affected.push(product);
  }
  for (const p of c.problemTypes ?? []) {
    for (const d of p.descriptions) {
      const id = cweId(d.cweId) ?? cweId(d.description?.match(/^CWE-\d+/)?.[0]);
      if (id) out.cwes.push(id);
    }
  }
  for (const m of c.metrics ?? []) {
    for (const [key, version] of CVSS_KEYS) {
      const s = m[key];
      if (!s) continue;
      const score: CvssScore = { version, vector: s.vectorString, baseScore: s.baseScore };
      if (s.baseSeverity) score.baseSeverity = s.baseSeverity.toUpperCase();
      if (provider) score.provider = provider;
      out.cvss.push(score);
    }
  }
  for (const r of c.references ?? []) addReference(out.references, { url: r.url, tags: r.tags, name: r.name });
  // CVE 5 has no product links on solutions/workarounds: they apply to the record as a whole.
  for (const [category, list] of [["vendor_fix", c.solutions], ["workaround", c.workarounds]] as const) {
    for (const t of list ?? []) if (t.value.trim()) (out.remediations ??= []).push({ category, details: t.value });
  }
  for (const conf of c.cpeApplicability ?? []) {
    for (const node of conf.nodes) {
      for (const m of node.cpeMatch ?? []) {
        const match = cpeMatchOf(m, raw);
        if (!out.cpes.some((x) => JSON.stringify(x) === JSON.stringify(match))) out.cpes.push(match);
      }
    }
  }
}

function productOf(a: z.infer<typeof affected>, raw: RawRecord): AffectedProduct | undefined {
  const vendor = known(a.vendor);
  const product = known(a.product);
  const pkg = known(a.packageName);
  const versions: VersionRange[] = (a.versions ?? []).map((v) => {
    const r: VersionRange = {};
    const value = v.version.trim();
    // CVE 5 lets CNAs write prose in `version` ("All versions prior to 1.1.4 Build 20230219"): keep
    // it as text rather than pretend it is a version.
    if (/\s/.test(value) && !v.lessThan && !v.lessThanOrEqual) r.text = value;
    else if (value && value.toLowerCase() !== "n/a") r.version = value;
    if (v.lessThan) r.lessThan = v.lessThan;
    if (v.lessThanOrEqual) r.lessThanOrEqual = v.lessThanOrEqual;
    const status = v.status.toLowerCase();
    if (status === "affected" || status === "unaffected" || status === "unknown") r.status = status;
    if (v.versionType) r.type = v.versionType;
    return r;
  });
  const cpes = uniq((a.cpes ?? []).map((c) => cpeOrFail(c, raw)));
  if (!vendor && !product && !pkg && !cpes.length) return undefined;
  return {
    ...(vendor ? { vendor } : {}),
    ...(product ? { product } : {}),
    ...(pkg ? { package: pkg } : {}),
    ...(pkg && a.collectionURL ? { ecosystem: a.collectionURL } : {}),
    versions,
    ...(cpes.length ? { cpes } : {}),
  };
}

/** CISA ADP SSVC: `content.options` is a list of one-key objects ({"Exploitation": "none"}, …). */
function ssvcOf(content: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const options = prop(content, "options");
  if (!Array.isArray(options)) return out;
  for (const o of options) {
    if (o === null || typeof o !== "object") continue;
    for (const [k, v] of Object.entries(o as Record<string, unknown>)) if (typeof v === "string") out[k] = v;
  }
  return out;
}

