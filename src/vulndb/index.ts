/**
 * Public API of the vulndb pillar. Other pillars, the CLI and the server import only from here.
 */
import { pillars } from "../core/pillars.js";

export const pillar = pillars.find((p) => p.folder === "vulndb")!;

export type { SourceRecord, RecordKind } from "./record.js";
export type { VulnSource, SourceMeta, RawRecord, Cursor } from "./sources/types.js";
export { SourceParseError } from "./sources/types.js";
export { sources, sourceNames } from "./sources/registry.js";
export type { Facet, Provenanced, MergedEntry, VulnEntry, IotVerdict } from "./format/entry.js";
export { syncSource, type SyncOptions, type SyncReport, type SyncProgress } from "./ingest/sync.js";
export type { IngestError } from "./ingest/batch.js";
export { getEntry, resolveAlias, searchEntries, MAX_LIMIT, type SearchFilters, type SearchPage } from "./store/entries.js";
export { sourceStates, entryCounts, type SourceState } from "./store/sources.js";
export { canonicalAlias } from "./correlate/alias.js";
export { trustTable } from "./correlate/trust.js";
export type { Classifier } from "./correlate/correlate.js";
export { sourceRecordsOf } from "./store/entries.js";
export { exportEntries, exportFormats, type ExportFormat } from "./format/export.js";
export { toOsv, OSV_SCHEMA_VERSION, type OsvRecord } from "./format/osv.js";
export { vulnEntrySchema, vulnEntryJsonSchema } from "./format/schema.js";
export { defaultClassifier } from "./correlate/iot.js";
export { HttpClient } from "./sources/http.js";
export { mergeRecords } from "./correlate/merge.js";
