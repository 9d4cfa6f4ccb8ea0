/** The storage layer's public API: import from here, not from the files behind it. */
export type { Dialect, Storage } from "./types.js";
export type { OpenStorageOptions } from "./open.js";
export { openStorage } from "./open.js";
export type { AuditLogTable, Database, DbBool, IsoTimestamp, JsonText, MetaTable } from "./schema.js";
export type { MigrationDb, StorageMigration } from "./schema-helpers.js";
export { columnType, idColumn } from "./schema-helpers.js";
export type { MigrationState } from "./migrate.js";
export { migrateToLatest, migrationStatus } from "./migrate.js";
export { migrations } from "./migrations/index.js";
export { fromDbBool, fromJson, nowIso, toDbBool, toIso, toJson } from "./values.js";
export { insertOrIgnore, upsert } from "./upsert.js";
export { withTransaction } from "./transaction.js";
export { META_CREATED_AT, META_INSTALL_ID, getMeta, setMeta } from "./meta.js";
export type { AuditEntry, NewAuditEntry } from "./audit.js";
export { appendAudit, listAudit } from "./audit.js";
export { DEFAULT_SQLITE_FILE, redactUrl } from "./url.js";
