/** The honeypot collector: sensor registry, ingest (dedup, enrichment, aggregates), stats, import, export. */
export { authenticateSensor, createEnrolToken, DEFAULT_ENROL_TTL_MS, EnrolRefused, enrolSensor, ensureImportedSensor, fleetView, recordHeartbeat, SENSOR_ID, STALE_AFTER_S } from "./registry.js";
export type { EnrolTokenResult, FleetView, SensorFacts, SensorView } from "./registry.js";
export { ingestEvents, ingestInTransaction, type IngestOptions, type IngestResult } from "./ingest.js";
export { commandFingerprint, credentialKey, dimensions, net24Of, type Dimension } from "./keys.js";
export { DEFAULT_EVENTS_LIMIT, DEFAULT_STATS_LIMIT, honeypotStats, MAX_EVENTS_LIMIT, MAX_STATS_LIMIT, parseDimension, queryEvents } from "./stats.js";
export type { EventsQuery, StatsQuery, StatsResult, StatsRow, StoredEvent } from "./stats.js";
export { parseSince } from "./since.js";
export { CowrieMapper, importCowrie, lineEventId, type CowrieImportResult } from "./cowrie.js";
export { exportFormats, exportShadowserver, shadowserverColumns, type ExportFormat } from "./export.js";
export { collectorSettings, type CollectorSettings } from "./settings.js";
export { hashToken, newToken, tokenMatches } from "./tokens.js";
export { receiveBatch, type BatchOutcome, type RejectedEvent } from "./batch.js";
