/**
 * Online OSV: the public osv.dev export bucket (plain HTTPS, no key). Incremental: `modified_id.csv`
 * (root or `<ecosystem>/`), one `<modified>,<id>` line per record, newest first (the root file
 * prefixes ids with `<ecosystem>/`), read up to the cursor's time, then each changed record's JSON
 * oldest first, with checkpoints at timestamp boundaries. First sync (no cursor): `all.zip` of the
 * ecosystem (or the whole bucket), walked entry by entry; the cursor becomes the newest `modified`
 * seen. Choose an ecosystem with the `ecosystem` option (e.g. Maven, PyPI, "Debian:12").
 */
import { HttpError } from "../http.js";
import { zipBufferEntries } from "../common/files.js";
import { isoUtc } from "../common/dates.js";
import { jsonRaw } from "../common/json.js";
import type { Checkpoint, Cursor, FetchContext, RawRecord } from "../types.js";
import { osvRaw } from "./read.js";

export const OSV_BUCKET = "https://osv-vulnerabilities.storage.googleapis.com/";
const CHECKPOINT_EVERY = 500;

export async function* fetchOsv(cursor: Cursor | undefined, ctx: FetchContext): AsyncGenerator<RawRecord | Checkpoint, Cursor, void> {
  const base = ctx.options.baseUrl ?? OSV_BUCKET;
  const eco = ctx.options.ecosystem?.trim();
  const prefix = eco ? `${encodeURIComponent(eco)}/` : "";
  const since = typeof cursor?.modified === "string" ? cursor.modified : undefined;

  if (!since) {
    const url = new URL(`${prefix}all.zip`, base).toString();
    const res = await ctx.http.get(url, { signal: ctx.signal });
    let newest: string | undefined;
    for await (const file of zipBufferEntries(res.body, url)) {
      const raw = osvRaw(file, ctx.now().toISOString());
      if (raw.modified && (!newest || raw.modified > newest)) newest = raw.modified;
      yield raw;
    }
    return newest ? { modified: newest } : {};
  }

  const csvUrl = new URL(`${prefix}modified_id.csv`, base).toString();
  const csv = (await ctx.http.get(csvUrl, { signal: ctx.signal })).body.toString("utf8");
  const changed: { modified: string; eco: string; id: string }[] = [];
  for (const line of csv.split("\n")) {
    const comma = line.indexOf(",");
    if (comma < 0) continue;
    const modified = isoUtc(line.slice(0, comma));
    const rest = line.slice(comma + 1).trim();
    if (!modified || !rest) continue;
    if (modified <= since) break; // newest first: everything below is older
    const slash = eco ? -1 : rest.indexOf("/");
    changed.push({ modified, eco: eco ?? rest.slice(0, slash), id: slash < 0 ? rest : rest.slice(slash + 1) });
  }
  changed.reverse();
  const every = Math.max(1, Number(ctx.options.checkpointEvery ?? CHECKPOINT_EVERY));
  let last = since;
  for (const [i, c] of changed.entries()) {
    const url = new URL(`${encodeURIComponent(c.eco)}/${encodeURIComponent(c.id)}.json`, base).toString();
    try {
      const res = await ctx.http.get(url, { signal: ctx.signal });
      yield jsonRaw("osv", c.id, url, res.body.toString("utf8"), ctx.now().toISOString(), c.modified);
    } catch (err) {
      if (!(err instanceof HttpError && err.status === 404)) throw err;
      ctx.log.warn({ source: "osv", url }, "listed in modified_id.csv but gone from the bucket; skipped");
    }
    last = c.modified;
    const next = changed[i + 1];
    if ((i + 1) % every === 0 && next && next.modified > c.modified) yield { checkpoint: { modified: c.modified } };
  }
  return { modified: last };
}
