/**
 * NVD API 2.0 client. Incremental: `lastModStartDate`/`lastModEndDate` windows of at most 120 days
 * (the API's limit) from the stored cursor to now, `resultsPerPage` 2000 with `startIndex` paging, a
 * checkpoint after each window. First sync (no cursor): the whole collection paged by `startIndex`,
 * which NVD's own workflow guide recommends, with a checkpoint after every page so a crash resumes at
 * that page. Politeness: NVD asks for ~6 s between requests without an API key (5 requests per
 * rolling 30 s) and allows ~10x more with one; the key goes in the `apiKey` header, never in URLs.
 */
import { isoUtc } from "../common/dates.js";
import { jsonRaw, prop, str } from "../common/json.js";
import type { HttpRequest } from "../http.js";
import type { Checkpoint, Cursor, FetchContext, RawRecord } from "../types.js";

export const NVD_API = "https://services.nvd.nist.gov/rest/json/cves/2.0";
const MAX_WINDOW_DAYS = 120;
const MAX_PAGE = 2000;
const DAY = 86_400_000;
const NVD_RETRY_STATUSES = [403, 429, 502, 503, 504];

interface Page {
  totalResults: number;
  vulnerabilities: unknown[];
}

export async function* fetchNvd(cursor: Cursor | undefined, ctx: FetchContext): AsyncGenerator<RawRecord | Checkpoint, Cursor, void> {
  const base = ctx.options.baseUrl ?? NVD_API;
  const apiKey = ctx.options.apiKey;
  // The pace depends on whether this run has a key: asked of the shared client for NVD's host.
  ctx.http.setHostInterval(new URL(base).host, ctx.options.intervalMs !== undefined ? Number(ctx.options.intervalMs) : apiKey ? 600 : 6000);
  const request: HttpRequest = {
    headers: apiKey ? { apiKey } : {},
    signal: ctx.signal,
    // NVD answers 403 (not 429) when it rate-limits, so 403 is waited out like the usual statuses.
    retryStatuses: NVD_RETRY_STATUSES,
    retries: Number(ctx.options.retries ?? 4),
    // Pages of 2,000 CVEs are tens of MB and NVD is often slow to build them: a longer timeout than the default.
    timeoutMs: Number(ctx.options.timeoutMs ?? 180_000),
  };
  const perPage = Math.min(MAX_PAGE, Math.max(1, Number(ctx.options.resultsPerPage ?? MAX_PAGE)));
  const windowDays = Math.min(MAX_WINDOW_DAYS, Math.max(1, Number(ctx.options.windowDays ?? MAX_WINDOW_DAYS)));

  const getPage = async (params: Record<string, string>): Promise<{ url: string; page: Page }> => {
    const url = `${base}?${new URLSearchParams(params).toString()}`;
    const { json } = await ctx.http.getJson(url, request);
    const total = prop(json, "totalResults");
    const vulns = prop(json, "vulnerabilities");
    if (typeof total !== "number" || !Array.isArray(vulns)) throw new Error(`GET ${url}: not an NVD API 2.0 page (no totalResults/vulnerabilities)`);
    return { url, page: { totalResults: total, vulnerabilities: vulns } };
  };

  const lastModified = typeof cursor?.lastModified === "string" ? cursor.lastModified : undefined;
  if (!lastModified) {
    // Full sync, resumable by page.
    const startedAt = typeof cursor?.fullSyncStartedAt === "string" ? cursor.fullSyncStartedAt : ctx.now().toISOString();
    let startIndex = typeof cursor?.startIndex === "number" ? cursor.startIndex : 0;
    for (;;) {
      const { url, page } = await getPage({ resultsPerPage: String(perPage), startIndex: String(startIndex) });
      yield* records(url, page, ctx);
      startIndex += page.vulnerabilities.length;
      if (page.vulnerabilities.length === 0 || startIndex >= page.totalResults) break;
      yield { checkpoint: { fullSyncStartedAt: startedAt, startIndex } };
    }
    ctx.log.info({ source: "nvd", records: startIndex }, "nvd full sync done");
    return { lastModified: startedAt };
  }

  const end = ctx.now().getTime();
  let from = Date.parse(lastModified);
  if (!Number.isFinite(from)) throw new Error(`nvd: stored cursor lastModified ${JSON.stringify(lastModified)} is not a date`);
  while (from < end) {
    const to = Math.min(end, from + windowDays * DAY);
    const window = { lastModStartDate: nvdDate(from), lastModEndDate: nvdDate(to) };
    let startIndex = 0;
    for (;;) {
      const { url, page } = await getPage({ ...window, resultsPerPage: String(perPage), startIndex: String(startIndex) });
      yield* records(url, page, ctx);
      startIndex += page.vulnerabilities.length;
      if (page.vulnerabilities.length === 0 || startIndex >= page.totalResults) break;
    }
    const done = new Date(to).toISOString();
    yield { checkpoint: { lastModified: done } };
    from = to;
  }
  return { lastModified: new Date(Math.max(end, from)).toISOString() };
}

/** Extended ISO 8601 with an explicit UTC offset, the form NVD's documentation shows. */
export function nvdDate(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "+00:00");
}

function* records(url: string, page: Page, ctx: FetchContext): Generator<RawRecord, void, void> {
  const fetchedAt = ctx.now().toISOString();
  for (const [i, item] of page.vulnerabilities.entries()) {
    const cve = prop(item, "cve") ?? item;
    const id = str(prop(cve, "id")) ?? `${url}#${i}`;
    yield jsonRaw("nvd", id, `${url}#/vulnerabilities/${i}/cve`, cve, fetchedAt, isoUtc(str(prop(cve, "lastModified"))));
  }
}
