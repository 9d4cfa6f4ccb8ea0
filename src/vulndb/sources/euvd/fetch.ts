/**
 * Online EUVD: the search endpoint of ENISA's public API (`/api/search`, no key), filtered by update
 * date (`fromUpdatedDate`/`toUpdatedDate`, whole days, inclusive) and paged by `page` (from 0) and
 * `size` (at most 100), answering `{items, total}`. The API does not document a stable sort nor how
 * deep paging may go, so a window whose `total` exceeds `maxWindowResults` (default 10,000, the
 * usual search-engine paging limit) is split in halves until it fits; the cursor is the last whole
 * day fetched, and the next run starts again at that day (re-ingesting a record changes nothing).
 */
import { isoUtc } from "../common/dates.js";
import { jsonRaw, prop, str } from "../common/json.js";
import type { Checkpoint, Cursor, FetchContext, RawRecord } from "../types.js";
import { euvdDate } from "./parse.js";

export const EUVD_API = "https://euvdservices.enisa.europa.eu/api/search";
const DAY = 86_400_000;

export async function* fetchEuvd(cursor: Cursor | undefined, ctx: FetchContext): AsyncGenerator<RawRecord | Checkpoint, Cursor, void> {
  const base = ctx.options.baseUrl ?? EUVD_API;
  const size = Math.min(100, Math.max(1, Number(ctx.options.pageSize ?? 100)));
  const maxResults = Math.max(size, Number(ctx.options.maxWindowResults ?? 10_000));
  const windowDays = Math.max(1, Number(ctx.options.windowDays ?? 365));
  const start = typeof cursor?.dateUpdated === "string" ? cursor.dateUpdated : (ctx.options.since ?? "1999-01-01");
  let from = Date.parse(`${start}T00:00:00Z`);
  if (!Number.isFinite(from)) throw new Error(`euvd: start date ${JSON.stringify(start)} is not YYYY-MM-DD`);
  const today = Date.parse(`${ctx.now().toISOString().slice(0, 10)}T00:00:00Z`);

  const page = async (a: number, b: number, n: number): Promise<{ url: string; items: unknown[]; total: number }> => {
    const params = new URLSearchParams({ fromUpdatedDate: day(a), toUpdatedDate: day(b), size: String(size), page: String(n) });
    const url = `${base}?${params.toString()}`;
    const { json } = await ctx.http.getJson(url, { signal: ctx.signal });
    const items = prop(json, "items");
    const total = prop(json, "total");
    if (!Array.isArray(items) || typeof total !== "number") throw new Error(`GET ${url}: not an EUVD search page (no items/total)`);
    return { url, items, total };
  };

  // Depth-first over [a, b] (whole days): split while a window holds more than the API pages through.
  async function* window(a: number, b: number): AsyncGenerator<RawRecord, void, void> {
    let first = await page(a, b, 0);
    if (first.total > maxResults && b > a) {
      const mid = a + Math.floor((b - a) / DAY / 2) * DAY;
      yield* window(a, mid);
      yield* window(mid + DAY, b);
      return;
    }
    let n = 0;
    let seen = 0;
    for (;;) {
      const fetchedAt = ctx.now().toISOString();
      for (const [i, item] of first.items.entries()) {
        const updated = str(prop(item, "dateUpdated"));
        yield jsonRaw("euvd", str(prop(item, "id")) ?? `${first.url}#${i}`, `${first.url}#/items/${i}`, item, fetchedAt, updated ? (euvdDate(updated) ?? isoUtc(updated)) : undefined);
      }
      seen += first.items.length;
      if (first.items.length === 0 || seen >= first.total) break;
      if (seen >= maxResults) {
        ctx.log.warn({ source: "euvd", day: day(a), total: first.total, fetched: seen }, "more EUVD updates in one day than the API pages through; the rest of that day is missing");
        break;
      }
      first = await page(a, b, ++n);
    }
  }

  while (from <= today) {
    const to = Math.min(today, from + (windowDays - 1) * DAY);
    yield* window(from, to);
    yield { checkpoint: { dateUpdated: day(to) } };
    from = to + DAY;
  }
  return { dateUpdated: day(today) };
}

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
