/**
 * JVN iPedia (JVNDB) XML → SourceRecords. Two shapes, both from the MyJVN API (and its file dumps):
 * - getVulnOverviewList: RSS 1.0/RDF `item`s with the `sec:` module (identifier, references, cpe, cvss);
 * - getVulnDetailInfo: VULDEF `Vulinfo` elements (affected products with versions, impact, solution).
 * Text stays in the language the document declares (xml:lang, mostly "ja"): the translation step
 * translates later and keeps this original. CVE ids in the references are aliases; JVN's own JVNVU/JVN#
 * advisories and ICS-CERT advisories can cover several vulnerabilities, so they are `related`.
 */
import { emptyRecord, type AffectedProduct, type CpeMatch, type CvssScore, type SourceRecord } from "../../record.js";
import { cpeOrDrop } from "../common/cpe.js";
import { anyDateUtc, dateField } from "../common/dates.js";
import { CVE_ID, JVNDB_ID } from "../common/ids.js";
import { cweId, known, uniq } from "../common/values.js";
import { failFor, type Fail } from "../common/errors.js";
import { attrOf, arrayOf, objOf, parseXmlRecord, textOf } from "../common/xml.js";
import type { RawRecord } from "../types.js";
export const JVN_PROVIDER = "JVNDB";


export function parseJvn(raw: RawRecord): SourceRecord[] {
  const fail = failFor(raw);
  const doc = parseXmlRecord(raw);
  const rdf = objOf(doc["rdf:RDF"]);
  if (rdf) {
    const lang = attrOf(rdf, "xml:lang") ?? attrOf(rdf["status:Status"], "lang") ?? "ja";
    const items = arrayOf(rdf.item);
    if (!items.length) throw fail("RDF document without any item");
    return items.map((item) => overviewItem(raw, objOf(item) ?? {}, lang, fail));
  }
  const vuldef = objOf(doc["VULDEF-Document"]) ?? objOf(doc["vuldef:VULDEF-Document"]);
  if (vuldef) {
    checkStatus(vuldef["status:Status"], fail);
    const lang = attrOf(vuldef, "xml:lang") ?? attrOf(vuldef["status:Status"], "lang") ?? "ja";
    const infos = arrayOf(vuldef.Vulinfo ?? vuldef["vuldef:Vulinfo"]);
    if (!infos.length) throw fail("VULDEF document without any Vulinfo");
    return infos.map((v) => vulinfo(raw, objOf(v) ?? {}, lang, fail));
  }
  throw fail(`root element ${JSON.stringify(Object.keys(doc).find((k) => !k.startsWith("?")) ?? "")} is neither rdf:RDF (getVulnOverviewList) nor VULDEF-Document (getVulnDetailInfo)`);
}

function overviewItem(raw: RawRecord, item: Record<string, unknown>, lang: string, fail: Fail): SourceRecord {
  const id = textOf(item["sec:identifier"])?.trim() ?? "";
  if (!JVNDB_ID.test(id)) throw fail(id ? `sec:identifier ${JSON.stringify(id)} is not a JVNDB id` : "item without sec:identifier");
  const rec = emptyRecord(raw.source, id);
  rec.aliases = [id];
  const title = textOf(item.title)?.trim();
  if (title) rec.title = title;
  const description = textOf(item.description)?.trim();
  if (description) rec.descriptions = [{ lang, text: description }];
  const link = textOf(item.link)?.trim();
  if (link) rec.references.push({ url: link, name: id });
  for (const ref of arrayOf(item["sec:references"])) {
    const refId = attrOf(ref, "id")?.trim();
    const refSource = attrOf(ref, "source")?.trim();
    const url = textOf(ref)?.trim();
    if (refId && CVE_ID.test(refId)) rec.aliases.push(refId);
    else if (refId && cweId(refId)) rec.cwes.push(cweId(refId)!);
    else if (refId && refSource && looksLikeId(refId)) rec.related.push(refId);
    if (url && /^https?:\/\//.test(url) && !(refId && cweId(refId))) rec.references.push({ url, ...(refSource || refId ? { name: [refSource, refId].filter(Boolean).join(" ") } : {}) });
  }
  for (const c of arrayOf(item["sec:cpe"])) {
    const cpe = cpeOrDrop(textOf(c));
    const vendor = attrOf(c, "vendor")?.trim();
    const product = attrOf(c, "product")?.trim();
    if (cpe) rec.cpes.push({ criteria: cpe, vulnerable: true });
    if (vendor || product || cpe) addAffected(rec.affected, vendor, product, undefined, cpe);
  }
  for (const c of arrayOf(item["sec:cvss"])) {
    const score = cvss(attrOf(c, "version"), attrOf(c, "score"), attrOf(c, "vector"), attrOf(c, "severity"), fail);
    if (score) rec.cvss.push(score);
  }
  const published = dateField(textOf(item["dcterms:issued"]), "dcterms:issued", raw, anyDateUtc);
  const modified = dateField(textOf(item["dcterms:modified"]) ?? textOf(item["dc:date"]), "dcterms:modified", raw, anyDateUtc);
  if (published) rec.published = published;
  if (modified) rec.modified = modified;
  return tidy(rec);
}

function vulinfo(raw: RawRecord, v: Record<string, unknown>, lang: string, fail: Fail): SourceRecord {
  const id = textOf(v.VulinfoID)?.trim() ?? "";
  if (!JVNDB_ID.test(id)) throw fail(id ? `VulinfoID ${JSON.stringify(id)} is not a JVNDB id` : "Vulinfo without VulinfoID");
  const data = objOf(v.VulinfoData);
  if (!data) throw fail(`${id}: Vulinfo without VulinfoData`);
  const rec = emptyRecord(raw.source, id);
  rec.aliases = [id];
  const title = textOf(data.Title)?.trim();
  if (title) rec.title = title;
  for (const o of arrayOf(objOf(data.VulinfoDescription)?.Overview)) {
    const text = textOf(o)?.trim();
    if (text) rec.descriptions.push({ lang, text });
  }
  for (const a of arrayOf(objOf(data.Affected)?.AffectedItem)) {
    const item = objOf(a) ?? {};
    const versions = arrayOf(item.VersionNumber).map((x) => textOf(x)?.trim()).filter((x): x is string => !!x);
    const cpes = arrayOf(item.Cpe).map((c) => cpeOrDrop(textOf(c))).filter((c): c is string => !!c);
    for (const cpe of cpes) rec.cpes.push({ criteria: cpe, vulnerable: true });
    addAffected(rec.affected, textOf(item.Name)?.trim(), textOf(item.ProductName)?.trim(), versions, cpes[0], cpes.slice(1));
  }
  const impact = objOf(data.Impact);
  for (const c of arrayOf(impact?.Cvss)) {
    const o = objOf(c) ?? {};
    const score = cvss(attrOf(c, "version"), textOf(o.Base), textOf(o.Vector), textOf(o.Severity), fail);
    if (score) rec.cvss.push(score);
  }
  const impacts = arrayOf(impact?.ImpactItem).map((i) => textOf(objOf(i)?.Description)?.trim()).filter((x): x is string => !!x);
  const solutions = arrayOf(objOf(data.Solution)?.SolutionItem).map((i) => textOf(objOf(i)?.Description)?.trim()).filter((x): x is string => !!x);
  if (solutions.length) rec.remediations = solutions.map((details) => ({ category: "solution", details }));
  for (const r of arrayOf(objOf(data.Related)?.RelatedItem)) {
    const item = objOf(r) ?? {};
    const type = attrOf(r, "type");
    const refId = textOf(item.VulinfoID)?.trim();
    const name = textOf(item.Name)?.trim();
    const url = textOf(item.URL)?.trim();
    if (refId && CVE_ID.test(refId)) rec.aliases.push(refId);
    else if (refId && cweId(refId)) rec.cwes.push(cweId(refId)!);
    else if (refId && type === "advisory" && looksLikeId(refId)) rec.related.push(refId);
    if (url && /^https?:\/\//.test(url) && type !== "cwe") rec.references.push({ url, ...(name || refId ? { name: [name, refId].filter(Boolean).join(": ") } : {}) });
  }
  const published = dateField(textOf(data.DateFirstPublished), "DateFirstPublished", raw, anyDateUtc);
  const modified = dateField(textOf(data.DateLastUpdated), "DateLastUpdated", raw, anyDateUtc);
  const datePublic = dateField(textOf(data.DatePublic), "DatePublic", raw, anyDateUtc);
  if (published) rec.published = published;
  if (modified) rec.modified = modified;
  const extra: Record<string, unknown> = {};
  if (datePublic) extra.datePublic = datePublic;
  if (impacts.length) extra.impact = impacts.map((text) => ({ lang, text }));
  if (Object.keys(extra).length) rec.extra = extra;
  return tidy(rec);
}

function checkStatus(status: unknown, fail: Fail): void {
  const retCd = attrOf(status, "retCd");
  if (retCd !== undefined && retCd !== "0") throw fail(`MyJVN error ${attrOf(status, "errCd") ?? ""}: ${attrOf(status, "errMsg") ?? "(no message)"}`);
}

function addAffected(list: AffectedProduct[], vendor: string | undefined, product: string | undefined, versions: string[] = [], cpe?: string, moreCpes: string[] = []): void {
  const v = known(vendor);
  const p = known(product);
  let entry = list.find((a) => a.vendor === v && a.product === p);
  if (!entry) {
    entry = { ...(v && { vendor: v }), ...(p && { product: p }), versions: [] };
    list.push(entry);
  }
  for (const text of versions) if (!entry.versions.some((x) => x.text === text)) entry.versions.push({ text, status: "affected" });
  const cpes = [...(cpe ? [cpe] : []), ...moreCpes];
  if (cpes.length) entry.cpes = uniq([...(entry.cpes ?? []), ...cpes]);
}

function cvss(version: string | undefined, score: string | undefined, vector: string | undefined, severity: string | undefined, fail: Fail): CvssScore | undefined {
  if (score === undefined && vector === undefined) return undefined;
  const v = version === "2" ? "2.0" : version === "3" ? "3.0" : version;
  if (v !== "2.0" && v !== "3.0" && v !== "3.1" && v !== "4.0") throw fail(`CVSS version ${JSON.stringify(version)} is not 2.0, 3.0, 3.1 or 4.0`);
  const baseScore = Number(score);
  if (score === undefined || score.trim() === "" || !Number.isFinite(baseScore) || baseScore < 0 || baseScore > 10) throw fail(`CVSS ${v} score ${JSON.stringify(score)} is not a number 0–10`);
  // JVN writes v2 vectors in parentheses: "(AV:N/AC:L/Au:N/C:P/I:P/A:P)".
  const out: CvssScore = { version: v, vector: (vector ?? "").trim().replace(/^\((.*)\)$/, "$1"), baseScore, provider: JVN_PROVIDER };
  if (severity?.trim()) out.baseSeverity = severity.trim().toUpperCase();
  return out;
}


/** An advisory id such as "JVNVU#99709964" or "ICSA-25-091-01", not a document title. */
function looksLikeId(v: string): boolean {
  return v.length <= 64 && !/\s/.test(v);
}

function tidy(rec: SourceRecord): SourceRecord {
  rec.aliases = uniq(rec.aliases);
  rec.related = uniq(rec.related).filter((r) => !rec.aliases.includes(r));
  rec.cwes = uniq(rec.cwes);
  const seenCpe = new Set<string>();
  rec.cpes = rec.cpes.filter((c: CpeMatch) => !seenCpe.has(c.criteria) && !!seenCpe.add(c.criteria));
  const seenRef = new Set<string>();
  rec.references = rec.references.filter((r) => !seenRef.has(r.url) && !!seenRef.add(r.url));
  return rec;
}
