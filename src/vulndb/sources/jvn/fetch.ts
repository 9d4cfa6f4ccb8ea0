/**
 * JVN online: one window of "date last updated" per sync, from the day of the previous sync (that day
 * included: the API counts whole days, the store drops re-sent records by content hash) to today, paged
 * 50 at a time; each page's ids are then fetched in detail (VULDEF, 10 per request) so records carry
 * affected products and versions. With the option detail=false the overview items themselves are
 * yielded (fewer requests, no versions). The cursor is `{ lastUpdated: "YYYY-MM-DD" }` (Japan time).
 */
import { anyDateUtc } from "../common/dates.js";
import { readRecords } from "../common/files.js";
import { splitXmlDocument } from "../common/xml.js";
import type { Checkpoint, Cursor, FetchContext, RawRecord } from "../types.js";
import { detailUrl, DETAIL_BATCH, JVN_API, jstDay, overviewUrl, readOverviewPage } from "./api.js";

/** Where a first sync starts when no `since` option is given: JVN iPedia's oldest entries. */
const FIRST_DAY = "1998-01-01";

export async function* fetchJvn(cursor: Cursor | undefined, ctx: FetchContext): AsyncGenerator<RawRecord | Checkpoint, Cursor, void> {
  const base = ctx.options.baseUrl ?? JVN_API;
  const lang = ctx.options.lang === "en" ? "en" : "ja";
  const detail = ctx.options.detail !== "false";
  const from = typeof cursor?.lastUpdated === "string" ? cursor.lastUpdated : (ctx.options.since ?? FIRST_DAY);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(from)) throw new Error(`jvn: since/lastUpdated ${JSON.stringify(from)} is not YYYY-MM-DD`);
  const to = jstDay(ctx.now());
  // MyJVN's FAQ asks for at most 2–3 requests a second: the shared client spaces requests to the API's
  // host (option intervalMs, default 500 ms against jvndb.jvn.jp, none against another base URL such
  // as a test server).
  const host = new URL(base).host;
  ctx.http.setHostInterval(host, Number(ctx.options.intervalMs ?? (host === new URL(JVN_API).host ? 500 : 0)));
  const get = (url: string) => ctx.http.get(url, { signal: ctx.signal });
  let startItem = 1;
  for (;;) {
    const url = overviewUrl(base, { startItem, from, to, lang });
    const res = await get(url);
    const body = res.body.toString("utf8");
    const page = readOverviewPage(body, url);
    const fetchedAt = ctx.now().toISOString();
    if (detail) {
      for (let i = 0; i < page.ids.length; i += DETAIL_BATCH) {
        const ids = page.ids.slice(i, i + DETAIL_BATCH).map((x) => x.id);
        const durl = detailUrl(base, ids, lang);
        const dres = await get(durl);
        yield* splitRecords(dres.body.toString("utf8"), durl, fetchedAt);
      }
    } else {
      yield* splitRecords(body, url, fetchedAt);
    }
    if (page.totalResRet === 0) break;
    const next = page.firstRes + page.totalResRet;
    // A server that answers the same page again would loop forever: stop with its numbers.
    if (next <= startItem) throw new Error(`${url}: MyJVN paging did not advance (firstRes=${page.firstRes}, totalResRet=${page.totalResRet})`);
    startItem = next;
    if (startItem > page.totalRes) break;
  }
  return { lastUpdated: to };
}

/**
 * A getVulnOverviewList page or a VULDEF document (or a directory of *.xml): one RawRecord per item /
 * Vulinfo; a file that is not well-formed XML is yielded whole so that parse names it.
 */
export function readJvn(target: string, ctx: FetchContext): AsyncGenerator<RawRecord, void, void> {
  return readRecords(target, ctx, { source: "jvn", accept: (name) => /\.xml(\.gz)?$/i.test(name), mediaType: "application/xml", split: (file, fetchedAt) => splitRecords(file.text, file.origin, fetchedAt) });
}

export function splitRecords(xml: string, origin: string, fetchedAt: string): RawRecord[] {
  const split = splitXmlDocument(xml, (l) => l === "item" || l === "Vulinfo", { source: "jvn", id: "document", origin });
  return split.items.map((body, i) => {
    const id = /<(?:sec:identifier|(?:vuldef:)?VulinfoID)>\s*([^<\s]+)/.exec(body)?.[1] ?? `#${i + 1}`;
    const modified = anyDateUtc(/<(?:dcterms:modified|(?:vuldef:)?DateLastUpdated)>\s*([^<\s]+)/.exec(body)?.[1]);
    return {
      source: "jvn",
      id,
      origin: `${origin}#${split.root === "RDF" ? "item" : "Vulinfo"}[${i + 1}]`,
      mediaType: "application/xml" as const,
      body,
      fetchedAt,
      ...(modified && { modified }),
    };
  });
}
