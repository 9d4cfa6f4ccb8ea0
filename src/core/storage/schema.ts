/**
 * The shape of every table, for Kysely's type checking. The DDL lives in ./migrations; keep the two in step.
 *
 * A later pillar adds its tables by declaring `interface ScanRunTable { ... }` here (or in a file it owns,
 * imported here) and adding `scan_run: ScanRunTable` to `Database`, next to a migration that creates it.
 *
 * Column conventions (identical on SQLite and PostgreSQL, so there is one code path):
 * - ids: `Generated<number>` (PostgreSQL bigint is parsed to a JS number; see postgres.ts);
 * - timestamps: `IsoTimestamp`, ISO-8601 UTC text (`nowIso()`), which sorts correctly as text;
 * - JSON: `JsonText`, written with `toJson` and read with `fromJson`;
 * - booleans: `DbBool` (0/1), converted with `toDbBool`/`fromDbBool`.
 */
import type { Generated } from "kysely";

/** ISO-8601 UTC text, e.g. `2024-05-01T12:00:00.000Z`. */
export type IsoTimestamp = string;
/** A JSON document stored as text; see values.ts for why not jsonb. */
export type JsonText = string;
/** A boolean stored as integer 0/1: SQLite has no boolean type. */
export type DbBool = 0 | 1;

/** Small key/value facts about this installation (install id, creation time, ...). */
export interface MetaTable {
  key: string;
  value: string;
}

/** A generic record of who did what and when, shared by campaigns and the other pillars. */
export interface AuditLogTable {
  id: Generated<number>;
  at: IsoTimestamp;
  /** Who: a user name, `cli`, `server`, a scheduler job name, ... */
  actor: string;
  /** What, as a dotted verb: `campaign.start`, `share.publish`, ... */
  action: string;
  /** Any extra context, as a JSON object. */
  details: JsonText;
}

/** States of a scan campaign: `running` until it finishes, is interrupted (resumable) or fails. */
export type ScanCampaignState = "running" | "finished" | "interrupted" | "failed";

/** One scan campaign (one shard of it, when sharded). Written by src/scan/engine/store.ts. */
export interface ScanCampaignsTable {
  /** A UUID. */
  id: string;
  module: string;
  /** JSON array of port numbers. */
  ports: JsonText;
  created_at: IsoTimestamp;
  started_at: IsoTimestamp | null;
  finished_at: IsoTimestamp | null;
  state: ScanCampaignState;
  /** Who ran it (--operator, default the OS user) and why (--purpose). */
  operator: string;
  purpose: string;
  /** JSON: the target specs as given and the counts they gave. */
  targets: JsonText;
  /** JSON: the exact target space enumerated (so a resume walks the same one). */
  target_space: JsonText;
  /** JSON: the blocklist sources, sizes and hashes. */
  blocklist: JsonText;
  rate: number;
  per_net_rate: number;
  concurrency: number;
  seed: string;
  shards: number;
  shard: number;
  /** JSON: timeouts, limits, module options, files. */
  options: JsonText;
  /** JSON: the process running it ({host, pid, since}), set when a run starts. */
  runner: JsonText | null;
  /** JSON: where the campaign stands (see src/scan/engine/checkpoint.ts); written with each result batch. */
  checkpoint: JsonText | null;
  /** JSON: counts and rates once it stops. */
  summary: JsonText | null;
}

/** One probed target of a campaign. */
export interface ScanResultsTable {
  id: Generated<number>;
  campaign_id: string;
  /** The target's position in the campaign's permutation order; unique per campaign. */
  seq: number;
  ip: string;
  port: number;
  domain: string | null;
  module: string;
  status: string;
  timestamp: IsoTimestamp;
  /** JSON: the module's ZGrab2 response `{status, protocol, timestamp, result?, error?}`. */
  data: JsonText;
}

export interface Database {
  meta: MetaTable;
  audit_log: AuditLogTable;
  scan_campaigns: ScanCampaignsTable;
  scan_results: ScanResultsTable;
  device_tags: DeviceTagsTable;
  vuln_sources: VulnSourcesTable;
  vuln_raw_records: VulnRawRecordsTable;
  vuln_source_records: VulnSourceRecordsTable;
  vuln_alias_edges: VulnAliasEdgesTable;
  vuln_entries: VulnEntriesTable;
  vuln_entry_aliases: VulnEntryAliasesTable;
  vuln_entry_products: VulnEntryProductsTable;
  vuln_exploit_links: VulnExploitLinksTable;
  vuln_counters: VulnCountersTable;
  honeypot_sensors: HoneypotSensorsTable;
  honeypot_enrol_tokens: HoneypotEnrolTokensTable;
  honeypot_events: HoneypotEventsTable;
  honeypot_daily: HoneypotDailyTable;
  honeypot_command_sequences: HoneypotCommandSequencesTable;
}

/** One rule's naming of one target (see migrations/0003_tag.ts, 0004_tag_store.ts; written by src/tag/store/). */
export interface DeviceTagsTable {
  id: Generated<number>;
  /** Campaign id, or `file:<name>` for results tagged from a file. */
  source: string;
  campaign_id: string | null;
  ip: string;
  port: number;
  module: string;
  rule: string;
  rule_file: string;
  /** Content hash of the rule's text: which version of the rule said this. */
  rule_hash: string;
  state: "active" | "testing";
  vendor: string | null;
  product: string | null;
  device_type: string | null;
  version: string | null;
  cpe: string | null;
  /** JSON: the tag as `iotscope tag` prints it (values, `overridden`, provenance). */
  tags: JsonText;
  /** JSON: the paths of the tests that held. */
  matched: JsonText;
  tagged_at: IsoTimestamp;
}

// ---- vulndb (migrations/0005_vulndb.ts; written by src/vulndb/ingest + correlate, read by src/vulndb/store)

/** Where one vulnerability source stands. */
export interface VulnSourcesTable {
  name: string;
  /** JSON: the source's own cursor keys, saved only after the records before it are committed. */
  cursor: JsonText | null;
  last_sync_at: IsoTimestamp | null;
  last_success_at: IsoTimestamp | null;
  /** Source records stored for this source. */
  records: number;
  /** Records that failed to parse in the last sync. */
  errors: number;
  last_error: string | null;
  updated_at: IsoTimestamp;
}

/** A record as received; unique per (source, sha256). */
export interface VulnRawRecordsTable {
  id: Generated<number>;
  source: string;
  record_id: string;
  origin: string;
  media_type: string;
  sha256: string;
  body: string;
  modified: IsoTimestamp | null;
  fetched_at: IsoTimestamp;
}

/** One source's normalised record (the latest version), and the entry it is merged into. */
export interface VulnSourceRecordsTable {
  source: string;
  source_id: string;
  raw_sha256: string;
  norm_sha256: string;
  kind: string;
  /** JSON: the SourceRecord. */
  data: JsonText;
  modified: IsoTimestamp | null;
  entry_id: string;
  ingested_at: IsoTimestamp;
}

export interface VulnAliasEdgesTable {
  source: string;
  source_id: string;
  alias: string;
}

/** One merged vulnerability / exploit / article. */
export interface VulnEntriesTable {
  id: string;
  seq: number;
  kind: string;
  /** JSON: the merged entry (docs/vulndb-format.md) without the read-time fields. */
  data: JsonText;
  iot: DbBool | null;
  iot_score: number | null;
  iot_reasons: JsonText | null;
  kev: DbBool;
  has_exploit: DbBool;
  max_cvss: number | null;
  published: IsoTimestamp | null;
  modified: IsoTimestamp | null;
  created_at: IsoTimestamp;
  updated_at: IsoTimestamp;
}

/** alias → entry; `redirect` = 1 for the id of an entry merged into this one. */
export interface VulnEntryAliasesTable {
  alias: string;
  kind: string;
  entry_id: string;
  redirect: DbBool;
}

export interface VulnEntryProductsTable {
  entry_id: string;
  vendor: string | null;
  product: string | null;
  part: string | null;
  device_type: string | null;
}

export interface VulnExploitLinksTable {
  exploit_entry_id: string;
  target_alias: string;
}

export interface VulnCountersTable {
  name: string;
  value: number;
}

// ---- honeypot (migrations/0006_honeypot.ts; written and read by src/honeypot/collector)

/** One sensor of the fleet. Only the SHA-256 (hex) of its bearer token is stored. */
export interface HoneypotSensorsTable {
  id: string;
  token_hash: string | null;
  country: string | null;
  asn: number | null;
  net24: string | null;
  location: string | null;
  /** JSON array of persona names. */
  personas: JsonText;
  origin: "enrol" | "import";
  created_at: IsoTimestamp;
  enrolled_at: IsoTimestamp | null;
  last_heartbeat: IsoTimestamp | null;
  /** Sensor clock minus collector clock at the last heartbeat, ms. */
  clock_skew_ms: number | null;
  events_per_s: number | null;
  spooled: number | null;
  sessions_open: number | null;
  /** JSON array of emulator names, from the last heartbeat. */
  emulators: JsonText | null;
  last_batch_at: IsoTimestamp | null;
  events_received: number;
}

/** A one-time enrolment token (SHA-256 hex), valid until `expires_at`, spent when `used_at` is set. */
export interface HoneypotEnrolTokensTable {
  token_hash: string;
  sensor: string;
  created_at: IsoTimestamp;
  expires_at: IsoTimestamp;
  used_at: IsoTimestamp | null;
}

/** One honeypot event, stored once (the id is the deduplication key), enriched at ingest. */
export interface HoneypotEventsTable {
  id: string;
  eventid: string;
  timestamp: IsoTimestamp;
  sensor: string;
  session: string;
  protocol: string;
  src_ip: string;
  src_port: number;
  dst_port: number;
  src_country: string | null;
  src_asn: number | null;
  /** `a.b.c.0/24` for IPv4, the /48 for IPv6. */
  src_net24: string;
  username: string | null;
  password: string | null;
  input: string | null;
  url: string | null;
  /** JSON: the event's fields that have no column of their own (src/honeypot/collector/residual.ts merges them back on read). */
  data: JsonText;
  received_at: IsoTimestamp;
}

/** Per-day counts; `protocol` is the events' protocol, so stats can be cut by it. */
export interface HoneypotDailyTable {
  day: string;
  dimension: string;
  key: string;
  protocol: string;
  count: number;
}

export interface HoneypotCommandSequencesTable {
  fingerprint: string;
  /** JSON array of the command lines, in order. */
  commands: JsonText;
  first_seen: IsoTimestamp;
}
