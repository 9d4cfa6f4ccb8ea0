/**
 * CSAF online: for each configured provider, read provider-metadata.json, then each ROLIE feed or
 * directory `changes.csv`, and download the advisories whose `updated` is newer than the cursor kept
 * for that feed/directory. Feed indexes are fetched conditionally (ETag/Last-Modified). When a ROLIE
 * entry lists a .sha256/.sha512 file the advisory is checked against it and dropped (with an error in
 * the log) on mismatch. A feed that fails (401 on a TLP:AMBER feed, 404) is logged and skipped; the
 * others go on. After each feed a checkpoint carries the cursor so far.
 */
import { createHash } from "node:crypto";
import { stat } from "node:fs/promises";
import path from "node:path";
import { UsageError } from "../../../core/errors.js";
import { keepValidators, validatorsOf } from "../common/conditional.js";
import { anyDateUtc } from "../common/dates.js";
import { fileId, isJsonName, readRecords } from "../common/files.js";
import { jsonRaw } from "../common/json.js";
import type { Checkpoint, Cursor, FetchContext, RawRecord } from "../types.js";
import { providerMetadataUrl, readChangesCsv, readProviderMetadata, readRolieFeed, type AdvisoryLocation } from "./discover.js";

export async function* fetchCsaf(cursor: Cursor | undefined, ctx: FetchContext): AsyncGenerator<RawRecord | Checkpoint, Cursor, void> {
  const providers = (ctx.options.provider ?? ctx.options.providers ?? "").split(/[\s,]+/).filter(Boolean);
  if (!providers.length) throw new UsageError("csaf: no provider given: set the option provider=<domain or provider-metadata.json URL> (several: comma-separated)");
  const next: Cursor = { ...(cursor ?? {}) };
  const failures: Error[] = [];
  for (const provider of providers) {
    const metaUrl = providerMetadataUrl(provider);
    let meta;
    try {
      const { json } = await ctx.http.getJson(metaUrl, { signal: ctx.signal });
      meta = readProviderMetadata(json, metaUrl);
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      // One unreachable provider must not stop the others; when none answers, the sync fails.
      failures.push(err as Error);
      ctx.log.error({ provider: metaUrl, err: (err as Error).message }, "csaf: provider skipped");
      continue;
    }
    for (const dist of meta.distributions ?? []) {
      for (const feed of dist.rolie?.feeds ?? []) {
        const feedUrl = new URL(feed.url, metaUrl).href;
        yield* syncIndex(feedUrl, "rolie", next, ctx);
        yield { checkpoint: { ...next } };
      }
      if (dist.directory_url) {
        const dir = new URL(dist.directory_url, metaUrl).href;
        yield* syncIndex(dir, "directory", next, ctx);
        yield { checkpoint: { ...next } };
      }
    }
  }
  if (failures.length === providers.length) throw failures[0]!;
  return next;
}

async function* syncIndex(indexUrl: string, kind: "rolie" | "directory", cursor: Cursor, ctx: FetchContext): AsyncGenerator<RawRecord, void, void> {
  const url = kind === "rolie" ? indexUrl : `${indexUrl.replace(/\/+$/, "")}/changes.csv`;
  let locations: AdvisoryLocation[];
  try {
    const res = await ctx.http.get(url, { signal: ctx.signal, ...validatorsOf(cursor, url) });
    if (res.notModified) return;
    const text = res.body.toString("utf8");
    locations = kind === "rolie" ? readRolieFeed(JSON.parse(text), url) : readChangesCsv(text, indexUrl);
    keepValidators(cursor, res, url);
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    ctx.log.warn({ url, err: (err as Error).message }, "csaf: index unreadable, skipped");
    return;
  }
  const sinceKey = `updated ${url}`;
  const since = typeof cursor[sinceKey] === "string" ? Date.parse(cursor[sinceKey]) : Number.NEGATIVE_INFINITY;
  const todo = locations
    .map((l) => ({ ...l, t: Date.parse(l.updated) }))
    .filter((l) => !Number.isNaN(l.t) && l.t > since)
    .sort((a, b) => a.t - b.t);
  let newest = since;
  for (const loc of todo) {
    const record = await download(loc, ctx);
    if (record) yield record;
    newest = Math.max(newest, loc.t);
  }
  if (Number.isFinite(newest)) cursor[sinceKey] = new Date(newest).toISOString();
}

async function download(loc: AdvisoryLocation, ctx: FetchContext): Promise<RawRecord | undefined> {
  try {
    const res = await ctx.http.get(loc.url, { signal: ctx.signal });
    if (loc.hashUrl) {
      const listed = (await ctx.http.get(loc.hashUrl, { signal: ctx.signal })).body.toString("utf8").trim().split(/\s+/)[0]?.toLowerCase() ?? "";
      const algo = /\.sha512$/i.test(loc.hashUrl) ? "sha512" : "sha256";
      const actual = createHash(algo).update(res.body).digest("hex");
      if (listed !== actual) {
        ctx.log.error({ url: loc.url, hashUrl: loc.hashUrl }, `csaf: ${algo} mismatch, advisory dropped`);
        return undefined;
      }
    }
    const body = res.body.toString("utf8");
    const id = trackingId(body) ?? loc.id ?? fileId(path.posix.basename(new URL(loc.url).pathname));
    return jsonRaw("csaf", id, loc.url, body, ctx.now().toISOString(), anyDateUtc(loc.updated));
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    ctx.log.warn({ url: loc.url, err: (err as Error).message }, "csaf: advisory not downloaded");
    return undefined;
  }
}

/**
 * One advisory file, or a directory of them (a csaf_downloader mirror: *.json recursively). ROLIE feeds
 * and provider metadata found in a directory are passed over: a mirror always holds them beside the
 * advisories, as a cvelistV5 checkout holds delta files (they are indexes, not bad input); any other
 * file is yielded, so that parse names what is wrong with it.
 */
export async function* readCsaf(target: string, ctx: FetchContext): AsyncGenerator<RawRecord, void, void> {
  const inDirectory = (await stat(target)).isDirectory();
  yield* readRecords(target, ctx, {
    source: "csaf",
    accept: isJsonName,
    mediaType: "application/json",
    split: (file, fetchedAt) => {
      if (inDirectory && isIndex(file.text)) {
        ctx.log.debug({ file: file.origin }, "csaf: index file skipped");
        return [];
      }
      return [jsonRaw("csaf", trackingId(file.text) ?? fileId(file.name), file.origin, file.text, fetchedAt)];
    },
  });
}

function isIndex(body: string): boolean {
  try {
    const j = JSON.parse(body) as Record<string, unknown>;
    return !!j && typeof j === "object" && !("document" in j) && ("feed" in j || "metadata_version" in j);
  } catch {
    return false;
  }
}

function trackingId(body: string): string | undefined {
  try {
    const id = (JSON.parse(body) as { document?: { tracking?: { id?: unknown } } }).document?.tracking?.id;
    return typeof id === "string" && id ? id : undefined;
  } catch {
    return undefined;
  }
}
