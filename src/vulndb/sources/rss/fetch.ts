/**
 * Feeds online: the list comes from the option `feeds` (URLs separated by spaces, commas or newlines)
 * or `feedsFile` (one URL a line, `#` comments). Each feed is fetched conditionally with its own
 * ETag/Last-Modified, and only items newer than the newest item date of its last sync are yielded
 * (items without a date always are: the store drops unchanged ones by content hash). A feed that fails
 * is logged and skipped; the others go on. The cursor keys are per feed URL.
 */
import { readFile } from "node:fs/promises";
import { UsageError } from "../../../core/errors.js";
import { keepValidators, validatorsOf } from "../common/conditional.js";
import { anyDateUtc } from "../common/dates.js";
import { readRecords } from "../common/files.js";
import { failFor } from "../common/errors.js";
import { splitXmlDocument } from "../common/xml.js";
import type { Checkpoint, Cursor, FetchContext, RawRecord } from "../types.js";

export async function* fetchRss(cursor: Cursor | undefined, ctx: FetchContext): AsyncGenerator<RawRecord | Checkpoint, Cursor, void> {
  const feeds = await feedList(ctx);
  const next: Cursor = { ...(cursor ?? {}) };
  for (const url of feeds) {
    try {
      const res = await ctx.http.get(url, { signal: ctx.signal, ...validatorsOf(next, url) });
      if (res.notModified) continue;
      const records = splitFeed(res.body.toString("utf8"), url, ctx.now().toISOString());
      const newestKey = `newest ${url}`;
      const since = typeof next[newestKey] === "string" ? Date.parse(next[newestKey]) : Number.NEGATIVE_INFINITY;
      let newest = since;
      for (const r of records) {
        const t = r.modified ? Date.parse(r.modified) : NaN;
        if (!Number.isNaN(t)) {
          if (t <= since) continue;
          newest = Math.max(newest, t);
        }
        yield r;
      }
      if (Number.isFinite(newest)) next[newestKey] = new Date(newest).toISOString();
      keepValidators(next, res, url);
      yield { checkpoint: { ...next } };
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      ctx.log.warn({ url, err: (err as Error).message }, "rss: feed skipped");
    }
  }
  return next;
}

async function feedList(ctx: FetchContext): Promise<string[]> {
  let text = ctx.options.feeds ?? "";
  if (ctx.options.feedsFile) {
    try {
      text += `\n${await readFile(ctx.options.feedsFile, "utf8")}`;
    } catch (err) {
      throw new UsageError(`rss: cannot read feedsFile ${ctx.options.feedsFile}: ${(err as Error).message}`);
    }
  }
  const urls = text
    .split("\n")
    .map((l) => l.replace(/#.*$/, ""))
    .flatMap((l) => l.split(/[\s,]+/))
    .filter(Boolean);
  for (const u of urls) if (!/^https?:\/\//i.test(u)) throw new UsageError(`rss: ${JSON.stringify(u)} is not an http(s) feed URL`);
  if (!urls.length) throw new UsageError("rss: no feeds configured: set the option feeds=<url,…> or feedsFile=<file with one URL a line>");
  return [...new Set(urls)];
}

/**
 * A feed file (RSS 2.0, RSS 1.0, Atom) or a directory of them (*.xml, *.rss, *.atom); a file that is not
 * a well-formed feed is yielded whole so that parse names it.
 */
export function readRss(target: string, ctx: FetchContext): AsyncGenerator<RawRecord, void, void> {
  return readRecords(target, ctx, { source: "rss", accept: (name) => /\.(xml|rss|atom)(\.gz)?$/i.test(name), mediaType: "application/xml", split: (file, fetchedAt) => splitFeed(file.text, file.origin, fetchedAt) });
}

export function splitFeed(xml: string, origin: string, fetchedAt: string): RawRecord[] {
  const place = { source: "rss", id: "feed", origin };
  const split = splitXmlDocument(xml, (l) => l === "item" || l === "entry", place);
  if (!["rss", "RDF", "feed"].includes(split.root)) throw failFor(place)(`root element ${split.root} is not rss, rdf:RDF or feed`);
  return split.items.map((body, i) => {
    const id = itemId(body) ?? `#${i + 1}`;
    const d = itemDate(body);
    return { source: "rss", id, origin: `${origin}#${split.root === "feed" ? "entry" : "item"}[${i + 1}]`, mediaType: "application/xml" as const, body, fetchedAt, ...(d && { modified: d }) };
  });
}

/** The item's guid/id/link, read cheaply for error messages before parse (the item is the last element). */
function itemId(body: string): string | undefined {
  const item = body.slice(Math.max(body.lastIndexOf("<item"), body.lastIndexOf("<entry")));
  const m = /<(?:guid|id)\b[^>]*>\s*([^<]+?)\s*</.exec(item) ?? /<link\b[^>]*>\s*([^<]+?)\s*</.exec(item) ?? /<link\b[^>]*href="([^"]+)"/.exec(item);
  return m?.[1];
}

function itemDate(body: string): string | undefined {
  const item = body.slice(Math.max(body.lastIndexOf("<item"), body.lastIndexOf("<entry")));
  // Atom's `updated` is the entry's last change; RSS has only pubDate (or dc:date).
  const m = /<updated\b[^>]*>\s*([^<]+?)\s*</.exec(item) ?? /<(?:pubDate|published|dc:date)\b[^>]*>\s*([^<]+?)\s*</.exec(item);
  return anyDateUtc(m?.[1]);
}
