/**
 * Conditional GETs across syncs (kev, exploitdb, cve5, csaf, rss): the validators of the last answer
 * (ETag, Last-Modified) are kept in the source's cursor and sent back, so an unchanged document costs
 * one 304. A source with one document keeps them under `etag`/`lastModified`; one with many documents
 * names each (`etag <url>`), passing the document's URL as `scope`.
 */
import type { HttpRequest, HttpResponse } from "../http.js";
import type { Cursor } from "../types.js";

function keys(scope?: string): { etag: string; lastModified: string } {
  return scope === undefined ? { etag: "etag", lastModified: "lastModified" } : { etag: `etag ${scope}`, lastModified: `lastModified ${scope}` };
}

/** The request fields that make a GET conditional on what `cursor` remembers. */
export function validatorsOf(cursor: Cursor | undefined, scope?: string): Pick<HttpRequest, "etag" | "lastModified"> {
  const k = keys(scope);
  const etag = cursor?.[k.etag];
  const lastModified = cursor?.[k.lastModified];
  return { ...(typeof etag === "string" && { etag }), ...(typeof lastModified === "string" && { lastModified }) };
}

/** Remembers the answer's validators in `cursor` (call it once what the answer carried is safely handed on). */
export function keepValidators(cursor: Cursor, res: HttpResponse, scope?: string): void {
  const k = keys(scope);
  if (res.etag) cursor[k.etag] = res.etag;
  if (res.lastModified) cursor[k.lastModified] = res.lastModified;
}
