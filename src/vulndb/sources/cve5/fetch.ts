/**
 * Online CVE 5: cvelistV5's `cves/deltaLog.json` — the repository's own change log, one entry per
 * ~7-minute update with the CVE ids added (`new`) and changed (`updated`) — and the raw file of each
 * changed CVE. It is the simplest honest route: no API credentials (CVE Services needs an org
 * account to page through changes), two kinds of plain GET, and the cursor is the entry's
 * `fetchTime`. The log only reaches back about a month, so a first sync (or one after a longer pause)
 * cannot be complete from it: the gap is logged and the baseline comes from the daily release zip or
 * a checkout via `--from-file`.
 */
import { z } from "zod";
import { keepValidators, validatorsOf } from "../common/conditional.js";
import { CVE_ID } from "../common/ids.js";
import type { Checkpoint, Cursor, FetchContext, RawRecord } from "../types.js";
import { rawOf } from "./read.js";

export const RAW_BASE = "https://raw.githubusercontent.com/CVEProject/cvelistV5/main/";

const change = z.looseObject({ cveId: z.string().regex(CVE_ID) });
const entry = z.looseObject({
  fetchTime: z.string(),
  new: z.array(change).optional(),
  updated: z.array(change).optional(),
});
const deltaLog = z.array(entry);

/** Where cvelistV5 keeps a CVE: cves/2023/1xxx/CVE-2023-1389.json. */
export function cvePath(cveId: string): string {
  const m = cveId.match(/^CVE-(\d{4})-(\d+)$/);
  if (!m) throw new Error(`not a CVE id: ${cveId}`);
  return `cves/${m[1]}/${Math.floor(Number(m[2]) / 1000)}xxx/${cveId}.json`;
}

export async function* fetchCve5(cursor: Cursor | undefined, ctx: FetchContext): AsyncGenerator<RawRecord | Checkpoint, Cursor, void> {
  const base = ctx.options.baseUrl ?? RAW_BASE;
  const logUrl = new URL("cves/deltaLog.json", base).toString();
  const since = typeof cursor?.fetchTime === "string" ? Date.parse(cursor.fetchTime) : undefined;
  const { res, json } = await ctx.http.getJson(logUrl, { signal: ctx.signal, ...validatorsOf(cursor) });
  if (res.notModified && cursor) return cursor;
  const parsed = deltaLog.safeParse(json);
  if (!parsed.success) throw new Error(`GET ${logUrl}: not a cvelistV5 deltaLog (${parsed.error.issues[0]?.message ?? "bad shape"})`);
  const entries = parsed.data
    .map((e) => ({ ...e, at: Date.parse(e.fetchTime) }))
    .filter((e) => Number.isFinite(e.at))
    .sort((a, b) => a.at - b.at);
  const oldest = entries[0]?.at;
  if (since === undefined) ctx.log.warn({ source: "cve5" }, "first online sync: cvelistV5's deltaLog covers only its last weeks; load the full list once with --from-file <cvelistV5 checkout or release zip>");
  else if (oldest !== undefined && since < oldest) ctx.log.warn({ source: "cve5", cursor: cursor?.fetchTime, oldest: entries[0]!.fetchTime }, "changes between the cursor and the oldest deltaLog entry are not in the log; reload with --from-file to close the gap");

  const todo = entries.filter((e) => since === undefined || e.at > since);
  // Fetch each CVE once, in the last entry that names it: a crash after an entry's checkpoint then
  // leaves nothing behind that the remaining entries do not cover.
  const lastEntry = new Map<string, number>();
  todo.forEach((e, i) => {
    for (const c of [...(e.new ?? []), ...(e.updated ?? [])]) lastEntry.set(c.cveId, i);
  });
  let latest = cursor?.fetchTime;
  for (const [i, e] of todo.entries()) {
    const ids = [...new Set([...(e.new ?? []), ...(e.updated ?? [])].map((c) => c.cveId))].filter((id) => lastEntry.get(id) === i);
    for (const id of ids) {
      const url = new URL(cvePath(id), base).toString();
      const r = await ctx.http.get(url, { signal: ctx.signal });
      yield rawOf(r.body.toString("utf8"), url, id, ctx.now().toISOString());
    }
    latest = new Date(e.at).toISOString();
    yield { checkpoint: { fetchTime: latest } };
  }
  const next: Cursor = {};
  if (latest !== undefined) next.fetchTime = latest;
  keepValidators(next, res);
  return next;
}

