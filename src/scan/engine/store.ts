/**
 * Campaigns and results in the database (tables from migration 0002_scan). Results are written in
 * batches, each in one transaction with the checkpoint that covers it, so that what is stored and what
 * the checkpoint says is done never disagree.
 */
import type { Kysely, Selectable } from "kysely";
import { UsageError } from "../../core/errors.js";
import type { Database, Storage } from "../../core/storage/index.js";
import { fromJson, toJson, withTransaction } from "../../core/storage/index.js";
import type { ScanStatus } from "../modules/types.js";
import type { BlocklistInfo } from "./blocklist.js";
import type { Checkpoint } from "./checkpoint.js";
import type { ModuleResponse, ScanRecord } from "./output.js";
import type { SequencedRecord } from "./runner.js";
import type { CampaignSummary } from "./summary.js";
import type { TargetSpace, TargetSpaceData } from "./targets.js";

export type CampaignState = "running" | "finished" | "interrupted" | "failed";

/** What the targets of a campaign were, as given and as counted at load time. */
export interface TargetsInfo {
  specs: string[];
  /** Addresses the specs name (IPv4 + IPv6), before the blocklist. */
  requestedAddresses: number;
  /** Addresses removed at load time by the blocklist (built-in, files, opt-out). */
  blocklistedAddresses: number;
  /** Addresses left, and N = addresses × ports. */
  addresses: number;
  size: number;
  /** SHA-256 of the enumerated target space (checked on resume). */
  spaceSha256: string;
}

/** Settings a resume needs to run the campaign the same way. */
export interface StoredOptions {
  connectTimeoutMs: number;
  readTimeoutMs: number;
  maxReadBytes: number;
  probeTimeoutMs?: number;
  maxTargets?: number;
  allowLocalTargets: boolean;
  blocklistFiles: string[];
  optoutFile?: string;
  moduleOptions: Record<string, string | number | boolean>;
}

export interface RunnerInfo {
  host: string;
  pid: number;
  since: string;
}

export interface Campaign {
  id: string;
  module: string;
  ports: number[];
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  state: CampaignState;
  operator: string;
  purpose: string;
  targets: TargetsInfo;
  blocklist: BlocklistInfo;
  rate: number;
  perNetRate: number;
  concurrency: number;
  seed: string;
  shards: number;
  shard: number;
  options: StoredOptions;
  runner: RunnerInfo | null;
  checkpoint: Checkpoint | null;
  summary: CampaignSummary | null;
}

export type NewCampaign = Omit<Campaign, "finishedAt" | "checkpoint" | "summary">;

type CampaignRow = Selectable<Database["scan_campaigns"]>;

function fromRow(r: Omit<CampaignRow, "target_space">): Campaign {
  return {
    id: r.id,
    module: r.module,
    ports: fromJson<number[]>(r.ports),
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    state: r.state as CampaignState,
    operator: r.operator,
    purpose: r.purpose,
    targets: fromJson<TargetsInfo>(r.targets),
    blocklist: fromJson<BlocklistInfo>(r.blocklist),
    rate: Number(r.rate),
    perNetRate: Number(r.per_net_rate),
    concurrency: r.concurrency,
    seed: r.seed,
    shards: r.shards,
    shard: r.shard,
    options: fromJson<StoredOptions>(r.options),
    runner: r.runner === null ? null : fromJson<RunnerInfo>(r.runner),
    checkpoint: r.checkpoint === null ? null : fromJson<Checkpoint>(r.checkpoint),
    summary: r.summary === null ? null : fromJson<CampaignSummary>(r.summary),
  };
}

// Every column but the (possibly large) target space.
const campaignColumns = [
  "id",
  "module",
  "ports",
  "created_at",
  "started_at",
  "finished_at",
  "state",
  "operator",
  "purpose",
  "targets",
  "blocklist",
  "rate",
  "per_net_rate",
  "concurrency",
  "seed",
  "shards",
  "shard",
  "options",
  "runner",
  "checkpoint",
  "summary",
] as const;

export async function insertCampaign(db: Kysely<Database>, c: NewCampaign, space: TargetSpace): Promise<void> {
  await db
    .insertInto("scan_campaigns")
    .values({
      id: c.id,
      module: c.module,
      ports: toJson(c.ports),
      created_at: c.createdAt,
      started_at: c.startedAt,
      finished_at: null,
      state: c.state,
      operator: c.operator,
      purpose: c.purpose,
      targets: toJson(c.targets),
      target_space: toJson(space.toJSON()),
      blocklist: toJson(c.blocklist),
      rate: c.rate,
      per_net_rate: c.perNetRate,
      concurrency: c.concurrency,
      seed: c.seed,
      shards: c.shards,
      shard: c.shard,
      options: toJson(c.options),
      runner: c.runner === null ? null : toJson(c.runner),
      checkpoint: null,
      summary: null,
    })
    .execute();
}

export interface CampaignPatch {
  state?: CampaignState;
  startedAt?: string;
  finishedAt?: string | null;
  blocklist?: BlocklistInfo;
  runner?: RunnerInfo | null;
  checkpoint?: Checkpoint;
  summary?: CampaignSummary;
}

export async function updateCampaign(db: Kysely<Database>, id: string, patch: CampaignPatch): Promise<void> {
  const set: Partial<CampaignRow> = {};
  if (patch.state !== undefined) set.state = patch.state;
  if (patch.startedAt !== undefined) set.started_at = patch.startedAt;
  if (patch.finishedAt !== undefined) set.finished_at = patch.finishedAt;
  if (patch.blocklist !== undefined) set.blocklist = toJson(patch.blocklist);
  if (patch.runner !== undefined) set.runner = patch.runner === null ? null : toJson(patch.runner);
  if (patch.checkpoint !== undefined) set.checkpoint = toJson(patch.checkpoint);
  if (patch.summary !== undefined) set.summary = toJson(patch.summary);
  if (Object.keys(set).length === 0) return;
  await db.updateTable("scan_campaigns").set(set).where("id", "=", id).execute();
}

/** Rows per INSERT: 10 parameters each stays far below SQLite's and PostgreSQL's parameter limits. */
const INSERT_CHUNK = 500;

/** Stores a batch of results and the checkpoint that covers them, atomically. */
export async function commitBatch(storage: Storage, campaignId: string, records: readonly SequencedRecord[], checkpoint: Checkpoint): Promise<void> {
  await withTransaction(storage, async (trx) => {
    for (let i = 0; i < records.length; i += INSERT_CHUNK) {
      await trx
        .insertInto("scan_results")
        .values(
          records.slice(i, i + INSERT_CHUNK).map(({ seq, record }) => ({
            campaign_id: campaignId,
            seq,
            ip: record.ip,
            port: record.port,
            domain: record.domain ?? null,
            module: record.module,
            status: record.status,
            timestamp: record.timestamp,
            data: toJson(record.data[record.module]),
          })),
        )
        .execute();
    }
    await trx.updateTable("scan_campaigns").set({ checkpoint: toJson(checkpoint) }).where("id", "=", campaignId).execute();
  });
}

/** A campaign by id, or by a unique prefix of its id (at least 4 characters). UsageError when none or several match. */
export async function getCampaign(db: Kysely<Database>, idOrPrefix: string): Promise<Campaign> {
  const exact = await db.selectFrom("scan_campaigns").select(campaignColumns).where("id", "=", idOrPrefix).executeTakeFirst();
  if (exact) return fromRow(exact);
  if (idOrPrefix.length >= 4 && /^[0-9a-f-]+$/i.test(idOrPrefix)) {
    const rows = await db
      .selectFrom("scan_campaigns")
      .select(campaignColumns)
      .where("id", "like", `${idOrPrefix.toLowerCase()}%`)
      .limit(2)
      .execute();
    if (rows.length === 1) return fromRow(rows[0]!);
    if (rows.length > 1) throw new UsageError(`campaign id prefix ${idOrPrefix} is ambiguous: give more of the id (see iotscope scan campaigns)`);
  }
  throw new UsageError(`no scan campaign ${idOrPrefix} (see iotscope scan campaigns)`);
}

export async function loadTargetSpaceData(db: Kysely<Database>, id: string): Promise<TargetSpaceData> {
  const row = await db.selectFrom("scan_campaigns").select("target_space").where("id", "=", id).executeTakeFirstOrThrow();
  return fromJson<TargetSpaceData>(row.target_space);
}

/** Latest first. */
export async function listCampaigns(db: Kysely<Database>, opts: { limit?: number } = {}): Promise<Campaign[]> {
  const rows = await db
    .selectFrom("scan_campaigns")
    .select(campaignColumns)
    .orderBy("created_at", "desc")
    .orderBy("id")
    .limit(opts.limit ?? 100)
    .execute();
  return rows.map(fromRow);
}

/** Counts of stored results by status. */
export async function countResults(db: Kysely<Database>, campaignId: string): Promise<Partial<Record<ScanStatus, number>>> {
  const rows = await db
    .selectFrom("scan_results")
    .select(["status", (eb) => eb.fn.countAll<number | string>().as("n")])
    .where("campaign_id", "=", campaignId)
    .groupBy("status")
    .execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/** The stored results of a campaign in probe order, as records, read in pages. */
export async function* readResults(db: Kysely<Database>, campaignId: string, pageSize = 1000): AsyncGenerator<SequencedRecord> {
  let after = -1;
  for (;;) {
    const rows = await db
      .selectFrom("scan_results")
      .select(["seq", "ip", "port", "domain", "module", "status", "timestamp", "data"])
      .where("campaign_id", "=", campaignId)
      .where("seq", ">", after)
      .orderBy("seq")
      .limit(pageSize)
      .execute();
    for (const r of rows) {
      const record: ScanRecord = {
        ip: r.ip,
        port: r.port,
        ...(r.domain !== null ? { domain: r.domain } : {}),
        module: r.module,
        status: r.status as ScanStatus,
        timestamp: r.timestamp,
        data: { [r.module]: fromJson<ModuleResponse>(r.data) },
      };
      yield { seq: r.seq, record };
    }
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1]!.seq;
  }
}
