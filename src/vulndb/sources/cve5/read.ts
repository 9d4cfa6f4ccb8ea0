/**
 * Offline CVE 5 input: one record file, a cvelistV5 checkout (`cves/YYYY/NNxxx/CVE-….json`, walked
 * one directory at a time, never loaded whole), or a zip of it — the daily release zip
 * (`…_all_CVEs_at_midnight.zip`, which nests `cves.zip`) or a delta zip — read entry by entry with
 * yauzl. One RawRecord per file; a broken file is yielded as is so `parse` names it.
 */
import { isoUtc } from "../common/dates.js";
import { fileId, isJsonName, readRecords } from "../common/files.js";
import { jsonRaw, prop, str } from "../common/json.js";
import type { FetchContext, RawRecord } from "../types.js";

/**
 * In a tree or zip only `CVE-YYYY-N….json` files are records: cvelistV5 also keeps delta.json,
 * deltaLog.json and tooling JSON beside them. A single file named on the command line is read whatever its name.
 */
export const isCveFile = (name: string): boolean => isJsonName(name) && /^CVE-\d{4}-\d{4,}\.json/i.test(name);

export function readCve5(target: string, ctx: FetchContext): AsyncGenerator<RawRecord, void, void> {
  return readRecords(target, ctx, { source: "cve5", accept: isCveFile, mediaType: "application/json", split: (file, fetchedAt) => [rawOf(file.text, file.origin, fileId(file.name), fetchedAt)] });
}

export function rawOf(text: string, origin: string, fallbackId: string, fetchedAt: string): RawRecord {
  let id = fallbackId;
  let modified: string | undefined;
  try {
    const meta = prop(JSON.parse(text), "cveMetadata");
    id = str(prop(meta, "cveId")) ?? fallbackId;
    modified = isoUtc(str(prop(meta, "dateUpdated")));
  } catch {
    // parse() reports it with the file's name.
  }
  return jsonRaw("cve5", id, origin, text, fetchedAt, modified);
}
