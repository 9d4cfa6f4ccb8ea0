/**
 * Offline OSV input: one record, a directory of records (e.g. a github/advisory-database checkout),
 * or a zip (`all.zip` from the osv.dev bucket), entry by entry. One RawRecord per file; a broken file
 * is yielded as is so `parse` names it.
 */
import { isoUtc } from "../common/dates.js";
import { fileId, isJsonName, readRecords, type FileText } from "../common/files.js";
import { jsonRaw, prop, str } from "../common/json.js";
import type { FetchContext, RawRecord } from "../types.js";

export function readOsv(target: string, ctx: FetchContext): AsyncGenerator<RawRecord, void, void> {
  return readRecords(target, ctx, { source: "osv", accept: isJsonName, mediaType: "application/json", split: (file, fetchedAt) => [osvRaw(file, fetchedAt)] });
}

/** One OSV file (from a tree or a zip) as a RawRecord, with its id and `modified` when it has them. */
export function osvRaw(file: FileText, fetchedAt: string): RawRecord {
  let id = fileId(file.name);
  let modified: string | undefined;
  try {
    const v: unknown = JSON.parse(file.text);
    id = str(prop(v, "id")) ?? id;
    modified = isoUtc(str(prop(v, "modified")));
  } catch {
    // parse() reports it with the file's name.
  }
  return jsonRaw("osv", id, file.origin, file.text, fetchedAt, modified);
}
