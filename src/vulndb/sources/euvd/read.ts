/**
 * Offline EUVD input: one record (as the API's `/api/enisaid` or a dump such as sim0nx/euvdlist
 * gives it), an API search page (`{items, total}`), a JSON array of records, or a directory of them.
 * A file that is not JSON is yielded whole so that `parse` names it.
 */
import { fileId, isJsonName, readRecords, type FileText } from "../common/files.js";
import { jsonRaw, parseJsonBody, prop, str } from "../common/json.js";
import type { FetchContext, RawRecord } from "../types.js";
import { euvdDate } from "./parse.js";

export function readEuvd(target: string, ctx: FetchContext): AsyncGenerator<RawRecord, void, void> {
  return readRecords(target, ctx, { source: "euvd", accept: isJsonName, mediaType: "application/json", split: splitEuvdFile });
}

function splitEuvdFile(file: FileText, fetchedAt: string): Iterable<RawRecord> {
  const fallbackId = fileId(file.name);
  const value = parseJsonBody({ source: "euvd", id: fallbackId, origin: file.origin, body: file.text });
  const items = Array.isArray(value) ? value : prop(value, "items");
  if (!Array.isArray(items)) return [jsonRaw("euvd", str(prop(value, "id")) ?? fallbackId, file.origin, file.text, fetchedAt, modified(value))];
  const pointer = Array.isArray(value) ? "" : "/items";
  return items.map((item, i) => jsonRaw("euvd", str(prop(item, "id")) ?? `${fallbackId}#${i}`, `${file.origin}#${pointer}/${i}`, item, fetchedAt, modified(item)));
}

function modified(item: unknown): string | undefined {
  const v = str(prop(item, "dateUpdated"));
  return v ? euvdDate(v) : undefined;
}
