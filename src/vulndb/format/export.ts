/**
 * Export: every entry matching the filters, page by page (1,000 at a time, keyset paging — memory stays
 * flat on a full database), as entries (`jsonl`) or OSV records (`osv`), one JSON document per line.
 */
import type { Kysely } from "kysely";
import type { Database } from "../../core/storage/index.js";
import { searchEntries, type SearchFilters } from "../store/entries.js";
import { toOsv } from "./osv.js";

export type ExportFormat = "jsonl" | "osv";
export const exportFormats: readonly ExportFormat[] = ["jsonl", "osv"];

export async function* exportEntries(db: Kysely<Database>, format: ExportFormat, filters: Omit<SearchFilters, "limit" | "cursor"> = {}): AsyncGenerator<string> {
  let cursor: string | undefined;
  do {
    const page = await searchEntries(db, { ...filters, limit: 1000, ...(cursor ? { cursor } : {}) });
    for (const e of page.entries) yield JSON.stringify(format === "osv" ? toOsv(e) : e);
    cursor = page.next ?? undefined;
  } while (cursor);
}
