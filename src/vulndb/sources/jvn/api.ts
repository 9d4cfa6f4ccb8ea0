/**
 * The MyJVN API (https://jvndb.jvn.jp/myjvn, feed=hnd), as documented on jvndb.jvn.jp/apis
 * (getVulnOverviewList_api_hnd.html, getVulnDetailInfo_api_hnd.html, myjvnapi_faq.html):
 * - getVulnOverviewList: `startItem` (1-based) and `maxCountItem` (1–50) page through the result;
 *   `status:Status` says `totalRes` (all matches), `firstRes` and `totalResRet` (this page).
 *   The window on the "更新日" (date last updated, JVN iPedia 最終更新日) is
 *   `datePublishedStartY/M/D` … `datePublishedEndY/M/D`; the three preset ranges
 *   (`rangeDatePublic`, `rangeDatePublished`, `rangeDateFirstPublished`) are set to `n` (none) so
 *   that only that window applies. `lang` = ja | en.
 * - getVulnDetailInfo: `vulnId` = up to 10 JVNDB ids joined by "+" (its retMax), VULDEF XML.
 * Errors come back as HTTP 200 with `status:Status retCd="1" errCd=… errMsg=…`.
 * The FAQ asks for 2–3 requests a second at most for short runs and fewer for long ones: fetch.ts
 * asks the shared HTTP client to space requests to the API's host (500 ms apart by default).
 */
import { attrOf, parseXml } from "../common/xml.js";

export const JVN_API = "https://jvndb.jvn.jp/myjvn";
export const PAGE_SIZE = 50;
export const DETAIL_BATCH = 10;

/** Dates of the window are days in Japan time (the API's own calendar). */
export function jstDay(d: Date): string {
  return new Date(d.getTime() + 9 * 3600_000).toISOString().slice(0, 10);
}

export function overviewUrl(base: string, opts: { startItem: number; from: string; to: string; lang: string }): string {
  const [fy, fm, fd] = opts.from.split("-").map(Number) as [number, number, number];
  const [ty, tm, td] = opts.to.split("-").map(Number) as [number, number, number];
  const q = new URLSearchParams({
    method: "getVulnOverviewList",
    feed: "hnd",
    startItem: String(opts.startItem),
    maxCountItem: String(PAGE_SIZE),
    rangeDatePublic: "n",
    rangeDatePublished: "n",
    rangeDateFirstPublished: "n",
    datePublishedStartY: String(fy),
    datePublishedStartM: String(fm),
    datePublishedStartD: String(fd),
    datePublishedEndY: String(ty),
    datePublishedEndM: String(tm),
    datePublishedEndD: String(td),
    lang: opts.lang,
  });
  return `${base}?${q}`;
}

export function detailUrl(base: string, ids: string[], lang: string): string {
  // "+" joins ids in MyJVN; URLSearchParams would encode it as %2B, which the API does not split on.
  return `${base}?method=getVulnDetailInfo&feed=hnd&lang=${encodeURIComponent(lang)}&vulnId=${ids.map(encodeURIComponent).join("+")}`;
}

export interface PageStatus {
  totalRes: number;
  firstRes: number;
  totalResRet: number;
  ids: { id: string; modified?: string }[];
}

/** Reads a getVulnOverviewList page's status and item ids; an API error (retCd ≠ 0) throws with its message. */
export function readOverviewPage(xml: string, url: string): PageStatus {
  const doc = parseXml(xml);
  const rdf = doc["rdf:RDF"] as Record<string, unknown> | undefined;
  if (!rdf || typeof rdf !== "object") throw new Error(`${url}: not a getVulnOverviewList answer (no rdf:RDF root)`);
  const status = rdf["status:Status"];
  const retCd = attrOf(status, "retCd");
  if (retCd !== "0") throw new Error(`${url}: MyJVN error ${attrOf(status, "errCd") ?? "?"}: ${attrOf(status, "errMsg") || "(no message)"}`);
  const num = (name: string): number => {
    const n = Number(attrOf(status, name));
    if (!Number.isInteger(n) || n < 0) throw new Error(`${url}: status:Status ${name}=${JSON.stringify(attrOf(status, name))} is not a count`);
    return n;
  };
  const items = (Array.isArray(rdf.item) ? rdf.item : []) as Record<string, unknown>[];
  const ids = items.flatMap((it) => {
    const id = it["sec:identifier"];
    const modified = it["dcterms:modified"];
    return typeof id === "string" ? [{ id, ...(typeof modified === "string" && modified && { modified }) }] : [];
  });
  return { totalRes: num("totalRes"), firstRes: num("firstRes"), totalResRet: num("totalResRet"), ids };
}
