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
}

/** One rule's naming of one target (see migrations/0003_tag.ts). */
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
  tags: JsonText;
  matched: JsonText;
  tagged_at: IsoTimestamp;
}
