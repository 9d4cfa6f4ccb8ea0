/**
 * A campaign from request to summary: resolve the module, load the blocklist and the targets, build the
 * target space and the permutation, record the campaign, run it with results and checkpoints committed
 * together, and record how it ended. `resumeCampaign` continues one from its last checkpoint.
 */
import { randomUUID } from "node:crypto";
import os from "node:os";
import { UsageError } from "../../core/errors.js";
import type { Logger, Progress } from "../../core/log/index.js";
import { silentLogger } from "../../core/log/index.js";
import type { Storage } from "../../core/storage/index.js";
import { appendAudit, nowIso } from "../../core/storage/index.js";
import { getScanModule } from "../modules/registry.js";
import type { ModuleOptions, ScanModule, Target } from "../modules/types.js";
import { ScanBlocklist } from "./blocklist.js";
import { emptyCounters, WatermarkTracker } from "./checkpoint.js";
import type { ScanRecord } from "./output.js";
import { CyclicPermutation } from "./permutation.js";
import { runShard, type ScanLimits } from "./runner.js";
import { randomSeed } from "./seed.js";
import { commitBatch, getCampaign, insertCampaign, loadTargetSpaceData, updateCampaign } from "./store.js";
import type { Campaign, CampaignState, RunnerInfo, StoredOptions, TargetsInfo } from "./store.js";
import { type CampaignSummary, summarize } from "./summary.js";
import { planTargets } from "./plan.js";
import { TargetSpace } from "./targets.js";

/** Defaults of the scan flags (docs/scan.md explains each). */
export const scanDefaults = {
  rate: 1000,
  perNetRate: 100,
  concurrency: 500,
  connectTimeoutMs: 5000,
  readTimeoutMs: 5000,
  maxReadBytes: 1 << 20,
  purpose: "unspecified",
  optoutPollMs: 1000,
} as const;

export interface CampaignRequest {
  /** A registered module's name, or a module object. */
  module: string | ScanModule;
  /** Addresses, CIDRs, ranges, `@file`s. */
  targets: readonly string[];
  /** Default: the module's default port. */
  ports?: readonly number[];
  seed?: string;
  shards?: number;
  shard?: number;
  maxTargets?: number;
  rate?: number;
  perNetRate?: number;
  concurrency?: number;
  connectTimeoutMs?: number;
  readTimeoutMs?: number;
  maxReadBytes?: number;
  probeTimeoutMs?: number;
  blocklistFiles?: readonly string[];
  optoutFile?: string;
  allowLocalTargets?: boolean;
  moduleOptions?: ModuleOptions;
  operator?: string;
  purpose?: string;
  /** Where relative file names resolve (default: the working directory). */
  cwd?: string;
}

export interface CampaignIo {
  storage: Storage;
  logger?: Logger;
  /** Creates the progress display once the number of targets is known. */
  progress?: (total: number, label: string) => Progress;
  /** Called with each committed batch of results (stdout, --output file), after the commit. */
  onResults?: (records: readonly ScanRecord[]) => Promise<void> | void;
  /** Called once the campaign is recorded, before the first probe. */
  onStart?: (campaign: Campaign) => void;
  /** Aborting stops the campaign gracefully: in-flight probes finish, results are committed, state `interrupted`. */
  stop?: AbortSignal;
  /** Sees every probe that leaves (tests, metrics). */
  onProbe?: (target: Target, kind: "tcp" | "udp") => void;
  /** Looks up a stored campaign's module on resume (default: the registry). */
  resolveModule?: (name: string) => ScanModule | undefined;
  /** Opt-out list polling interval (default 1 s). */
  optoutPollMs?: number;
  /** Result batch size and interval (defaults 1000 and 2000 ms). */
  batchSize?: number;
  /** Probe worker threads (default 1; see RunnerOptions.workers). A runtime knob: not stored with the campaign. */
  workers?: number;
  batchIntervalMs?: number;
}

export interface CampaignReport {
  campaign: Campaign;
  summary: CampaignSummary;
}

function positive(name: string, value: number | undefined, fallback: number, integer = false): number {
  const v = value ?? fallback;
  if (!(Number.isFinite(v) && v > 0) || (integer && !Number.isInteger(v))) {
    throw new UsageError(`${name} must be a positive ${integer ? "integer" : "number"}, not ${String(value)}`);
  }
  return v;
}

function defaultOperator(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? "unknown";
  }
}

function runnerInfo(): RunnerInfo {
  return { host: os.hostname(), pid: process.pid, since: nowIso() };
}

function resolveModule(module: string | ScanModule, lookup: (name: string) => ScanModule | undefined): ScanModule {
  if (typeof module !== "string") return module;
  const found = lookup(module);
  if (!found) throw new UsageError(`no scan module ${JSON.stringify(module)} (see iotscope scan modules)`);
  return found;
}

/** Only JSON-able module option values are stored (undefined ones are simply absent). */
function storableOptions(options: ModuleOptions | undefined): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(options ?? {})) if (v !== undefined) out[k] = v;
  return out;
}

/** Starts a new campaign and runs it to the end (or until `io.stop`). */
export async function runCampaign(req: CampaignRequest, io: CampaignIo): Promise<CampaignReport> {
  const logger = io.logger ?? silentLogger;
  const module = resolveModule(req.module, io.resolveModule ?? getScanModule);
  const limits: ScanLimits = {
    rate: positive("--rate", req.rate, scanDefaults.rate),
    perNetRate: positive("--per-net-rate", req.perNetRate, scanDefaults.perNetRate),
    concurrency: positive("--concurrency", req.concurrency, scanDefaults.concurrency, true),
    connectTimeoutMs: positive("--connect-timeout", req.connectTimeoutMs, scanDefaults.connectTimeoutMs),
    readTimeoutMs: positive("--read-timeout", req.readTimeoutMs, scanDefaults.readTimeoutMs),
    maxReadBytes: positive("--max-read", req.maxReadBytes, scanDefaults.maxReadBytes, true),
    ...(req.probeTimeoutMs !== undefined ? { probeTimeoutMs: positive("probe timeout", req.probeTimeoutMs, 1) } : {}),
  };
  const maxTargets = req.maxTargets === undefined ? undefined : positive("--max-targets", req.maxTargets, 1, true);
  const ports = req.ports && req.ports.length > 0 ? [...req.ports] : [module.defaultPort];
  const plan = await planTargets({
    targets: req.targets,
    ports,
    allowLocalTargets: req.allowLocalTargets ?? false,
    blocklistFiles: req.blocklistFiles ?? [],
    ...(req.optoutFile !== undefined ? { optoutFile: req.optoutFile } : {}),
    ...(req.cwd !== undefined ? { cwd: req.cwd } : {}),
    logger,
  });
  const { blocklist, space } = plan;
  if (!req.purpose?.trim() && plan.localAddresses < plan.requestedAddresses) {
    // Not refused (a lab scan of public test hosts is fine), but a campaign on the internet should say why.
    logger.warn("no --purpose given for a campaign with public targets; it is recorded as \"unspecified\"");
  }

  const seed = req.seed ?? randomSeed();
  const permutation = new CyclicPermutation({ size: space.size, seed, shards: req.shards ?? 1, shard: req.shard ?? 0 });
  const targets: TargetsInfo = {
    specs: [...req.targets],
    requestedAddresses: plan.requestedAddresses,
    blocklistedAddresses: plan.blocklistedAddresses,
    addresses: space.addresses,
    size: space.size,
    spaceSha256: space.digest(),
  };
  const options: StoredOptions = {
    connectTimeoutMs: limits.connectTimeoutMs,
    readTimeoutMs: limits.readTimeoutMs,
    maxReadBytes: limits.maxReadBytes,
    ...(limits.probeTimeoutMs !== undefined ? { probeTimeoutMs: limits.probeTimeoutMs } : {}),
    ...(maxTargets !== undefined ? { maxTargets } : {}),
    allowLocalTargets: blocklist.allowLocalTargets,
    blocklistFiles: blocklist.files.map((f) => f.file),
    ...(blocklist.optout ? { optoutFile: blocklist.optout.file } : {}),
    moduleOptions: storableOptions(req.moduleOptions),
  };
  const now = nowIso();
  const campaign: Campaign = {
    id: randomUUID(),
    module: module.name,
    ports,
    createdAt: now,
    startedAt: now,
    finishedAt: null,
    state: "running",
    operator: req.operator?.trim() || defaultOperator(),
    purpose: req.purpose?.trim() || scanDefaults.purpose,
    targets,
    blocklist: blocklist.info(),
    rate: limits.rate,
    perNetRate: limits.perNetRate,
    concurrency: limits.concurrency,
    seed,
    shards: permutation.shards,
    shard: permutation.shard,
    options,
    runner: runnerInfo(),
    checkpoint: null,
    summary: null,
  };
  await insertCampaign(io.storage.db, campaign, space);
  await appendAudit(io.storage.db, {
    actor: campaign.operator,
    action: "scan.campaign.start",
    details: { campaign: campaign.id, module: module.name, targets: targets.specs, ports, purpose: campaign.purpose, shard: campaign.shard, shards: campaign.shards },
  });
  return execute(campaign, { module, space, permutation, blocklist, limits, tracker: new WatermarkTracker() }, io);
}

/** Continues an interrupted (or crashed) campaign exactly where its last checkpoint left it. */
export async function resumeCampaign(idOrPrefix: string, io: CampaignIo & { force?: boolean; cwd?: string }): Promise<CampaignReport> {
  const stored = await getCampaign(io.storage.db, idOrPrefix);
  if (stored.state === "finished") throw new UsageError(`campaign ${stored.id} is finished: nothing to resume`);
  if (stored.state === "running" && !io.force) {
    const r = stored.runner;
    if (r && r.host === os.hostname() && r.pid !== process.pid && processAlive(r.pid)) {
      throw new UsageError(`campaign ${stored.id} is running (pid ${r.pid}); stop it first (Ctrl-C or kill -TERM ${r.pid})`);
    }
    if (r && r.host !== os.hostname()) {
      throw new UsageError(`campaign ${stored.id} is marked running on ${r.host}; if it is not, resume with --force`);
    }
  }
  const module = resolveModule(stored.module, io.resolveModule ?? getScanModule);
  const o = stored.options;
  const blocklist = await ScanBlocklist.load({
    allowLocalTargets: o.allowLocalTargets,
    files: o.blocklistFiles,
    ...(o.optoutFile !== undefined ? { optoutFile: o.optoutFile } : {}),
    ...(io.cwd !== undefined ? { cwd: io.cwd } : {}),
    ...(io.logger ? { logger: io.logger } : {}),
  });
  const space = TargetSpace.fromJSON(await loadTargetSpaceData(io.storage.db, stored.id));
  if (space.digest() !== stored.targets.spaceSha256) throw new Error(`campaign ${stored.id}: stored target space does not match its digest`);
  const permutation = new CyclicPermutation({ size: space.size, seed: stored.seed, shards: stored.shards, shard: stored.shard });
  const cp = stored.checkpoint;
  let tracker = new WatermarkTracker();
  if (cp) {
    if (cp.p !== permutation.p || cp.g !== permutation.g) {
      throw new Error(`campaign ${stored.id}: checkpoint was made with p=${cp.p}, g=${cp.g} but the seed gives p=${permutation.p}, g=${permutation.g}`);
    }
    permutation.seek({ x: cp.x, pos: cp.pos });
    tracker = new WatermarkTracker({ w: cp.w, above: cp.above });
  }
  const limits: ScanLimits = {
    rate: stored.rate,
    perNetRate: stored.perNetRate,
    concurrency: stored.concurrency,
    connectTimeoutMs: o.connectTimeoutMs,
    readTimeoutMs: o.readTimeoutMs,
    maxReadBytes: o.maxReadBytes,
    ...(o.probeTimeoutMs !== undefined ? { probeTimeoutMs: o.probeTimeoutMs } : {}),
  };
  const campaign: Campaign = { ...stored, state: "running", finishedAt: null, runner: runnerInfo(), blocklist: blocklist.info() };
  await updateCampaign(io.storage.db, stored.id, { state: "running", finishedAt: null, runner: campaign.runner, blocklist: campaign.blocklist });
  await appendAudit(io.storage.db, {
    actor: stored.operator,
    action: "scan.campaign.resume",
    details: { campaign: stored.id, from: cp ? cp.counters.done : 0 },
  });
  return execute(campaign, { module, space, permutation, blocklist, limits, tracker, counters: cp?.counters }, io);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

interface Prepared {
  module: ScanModule;
  space: TargetSpace;
  permutation: CyclicPermutation;
  blocklist: ScanBlocklist;
  limits: ScanLimits;
  tracker: WatermarkTracker;
  counters?: ReturnType<typeof emptyCounters> | undefined;
}

async function execute(campaign: Campaign, p: Prepared, io: CampaignIo): Promise<CampaignReport> {
  const logger = io.logger ?? silentLogger;
  const counters = p.counters ?? emptyCounters();
  const shardTotal = Math.min(
    p.permutation.shards === 1 ? p.space.size : Math.ceil(p.space.size / p.permutation.shards),
    campaign.options.maxTargets ?? Number.POSITIVE_INFINITY,
  );
  io.onStart?.(campaign);
  const progress = io.progress?.(shardTotal, `scan ${p.module.name} ${campaign.id.slice(0, 8)}`);
  progress?.set(counters.done);
  const stopWatching = p.blocklist.optout?.watch(io.optoutPollMs ?? scanDefaults.optoutPollMs);
  const meta = { id: campaign.id, module: campaign.module, size: p.space.size, blocklistedAtLoad: campaign.targets.blocklistedAddresses * campaign.ports.length };
  try {
    const result = await runShard({
      module: p.module,
      space: p.space,
      permutation: p.permutation,
      seed: campaign.seed,
      tracker: p.tracker,
      ...(campaign.options.maxTargets !== undefined ? { maxTargets: campaign.options.maxTargets } : {}),
      check: p.blocklist,
      limits: p.limits,
      moduleOptions: campaign.options.moduleOptions,
      counters,
      sink: {
        commit: async (records, checkpoint) => {
          await commitBatch(io.storage, campaign.id, records, checkpoint);
          await io.onResults?.(records.map((r) => r.record));
        },
      },
      ...(io.stop ? { stop: io.stop } : {}),
      ...(progress ? { progress } : {}),
      logger,
      ...(io.onProbe ? { onProbe: io.onProbe } : {}),
      ...(io.batchSize !== undefined ? { batchSize: io.batchSize } : {}),
      ...(io.workers !== undefined ? { workers: io.workers } : {}),
      ...(io.batchIntervalMs !== undefined ? { batchIntervalMs: io.batchIntervalMs } : {}),
    });
    const state: CampaignState = result.complete ? "finished" : "interrupted";
    const summary = summarize({ ...meta, state }, result.counters);
    const finishedAt = nowIso();
    await updateCampaign(io.storage.db, campaign.id, { state, finishedAt, summary, checkpoint: result.checkpoint });
    await appendAudit(io.storage.db, { actor: campaign.operator, action: `scan.campaign.${state === "finished" ? "finish" : "interrupt"}`, details: { campaign: campaign.id, summary } });
    return { campaign: { ...campaign, state, finishedAt, summary, checkpoint: result.checkpoint }, summary };
  } catch (err) {
    // The last committed checkpoint stays valid: a failed campaign can be resumed once the cause is fixed.
    await updateCampaign(io.storage.db, campaign.id, { state: "failed", finishedAt: nowIso() }).catch(() => {});
    throw err;
  } finally {
    stopWatching?.();
    progress?.finish();
  }
}
