/**
 * Reading the KEV catalogue, online or from a file: one RawRecord per entry. The catalogue is small
 * (~1,500 entries) and entries change in place (notes, ransomware use), so a changed catalogue is
 * yielded whole and the store's content hash drops what did not change; an unchanged one costs one 304
 * (ETag/Last-Modified) or, when the server ignores validators, nothing beyond the download
 * (same catalogVersion + dateReleased).
 */
import { keepValidators, validatorsOf } from "../common/conditional.js";
import { fileId, isJsonName, readRecords, type FileText } from "../common/files.js";
import { jsonRaw, parseJsonBody, prop, str, validate } from "../common/json.js";
import type { Cursor, FetchContext, RawRecord } from "../types.js";
import { kevCatalogueSchema } from "./schema.js";

export const KEV_URL = "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json";

export async function* fetchKev(cursor: Cursor | undefined, ctx: FetchContext): AsyncGenerator<RawRecord, Cursor, void> {
  const url = ctx.options.url ?? KEV_URL;
  const res = await ctx.http.get(url, { signal: ctx.signal, ...validatorsOf(cursor) });
  if (res.notModified) {
    ctx.log.info({ url }, "kev: catalogue not modified");
    return cursor ?? {};
  }
  const fetchedAt = ctx.now().toISOString();
  const { version, released, records } = splitCatalogue(res.body.toString("utf8"), url, fetchedAt);
  const next: Cursor = { catalogVersion: version, dateReleased: released };
  keepValidators(next, res);
  if (cursor?.catalogVersion === version && cursor?.dateReleased === released) {
    ctx.log.info({ url, version }, "kev: same catalogue version, nothing to do");
    return next;
  }
  yield* records;
  return next;
}

/**
 * A catalogue file, a bare entry, or a directory of either (*.json); a file that is neither is yielded
 * whole so that parse names it.
 */
export function readKev(target: string, ctx: FetchContext): AsyncGenerator<RawRecord, void, void> {
  return readRecords(target, ctx, { source: "kev", accept: isJsonName, mediaType: "application/json", split: splitKevFile });
}

function splitKevFile(file: FileText, fetchedAt: string): RawRecord[] {
  const json = parseJsonBody({ source: "kev", id: fileId(file.name), origin: file.origin, body: file.text });
  const bare = prop(json, "cveID") !== undefined && prop(json, "vulnerabilities") === undefined;
  if (bare) return [jsonRaw("kev", idOf(json, fileId(file.name)), file.origin, file.text, fetchedAt)];
  return splitCatalogue(file.text, file.origin, fetchedAt).records;
}

/** The catalogue's envelope must be right (else nothing in it can be trusted); its entries are checked one by one in parse. */
export function splitCatalogue(text: string, origin: string, fetchedAt: string): { version: string; released: string; records: RawRecord[] } {
  const place = { source: "kev", id: "catalogue", origin, body: text };
  const cat = validate(kevCatalogueSchema, parseJsonBody(place), place, "not a KEV catalogue");
  const records = cat.vulnerabilities.map((entry, i) => jsonRaw("kev", idOf(entry, `#${i}`), `${origin}#/vulnerabilities/${i}`, entry, fetchedAt, cat.dateReleased));
  return { version: cat.catalogVersion, released: cat.dateReleased, records };
}

function idOf(entry: unknown, fallback: string): string {
  return str(prop(entry, "cveID")) || fallback;
}
