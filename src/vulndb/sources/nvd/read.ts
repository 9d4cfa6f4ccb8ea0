/**
 * Offline NVD input: an API page or 2.0 feed file (`{vulnerabilities:[{cve}]}`, `.json`, `.json.gz`
 * or inside a `.zip`), a bare `cve` object (fkie-cad/nvd-json-data-feeds stores one per file), or a
 * directory of any of these. One RawRecord per CVE; a file that is not JSON (or not a known shape)
 * is yielded whole so that `parse` reports it by name and the rest of the directory still goes in.
 */
import { fileId, isJsonName, readRecords, type FileText } from "../common/files.js";
import { isoUtc } from "../common/dates.js";
import { jsonRaw, parseJsonBody, prop, str } from "../common/json.js";
import type { FetchContext, RawRecord } from "../types.js";

export function readNvd(target: string, ctx: FetchContext): AsyncGenerator<RawRecord, void, void> {
  return readRecords(target, ctx, { source: "nvd", accept: isJsonName, mediaType: "application/json", split: splitNvdFile });
}

function splitNvdFile(file: FileText, fetchedAt: string): Iterable<RawRecord> {
  const fallbackId = fileId(file.name);
  const value = parseJsonBody({ source: "nvd", id: fallbackId, origin: file.origin, body: file.text });
  const vulns = prop(value, "vulnerabilities");
  if (Array.isArray(vulns) && (prop(value, "version") === undefined || String(prop(value, "version")).startsWith("2."))) {
    return vulns.map((item, i) => {
      const cve = prop(item, "cve") ?? item;
      return jsonRaw("nvd", str(prop(cve, "id")) ?? `${fallbackId}#${i}`, `${file.origin}#/vulnerabilities/${i}/cve`, cve, fetchedAt, isoUtc(str(prop(cve, "lastModified"))));
    });
  }
  const cve = prop(value, "id") === undefined && prop(value, "cve") !== undefined ? prop(value, "cve") : value;
  return [jsonRaw("nvd", str(prop(cve, "id")) ?? fallbackId, file.origin, file.text, fetchedAt, isoUtc(str(prop(cve, "lastModified"))))];
}
