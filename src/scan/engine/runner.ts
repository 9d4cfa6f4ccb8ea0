/**
 * The probing loop of one shard of one campaign: draws targets in permutation order, probes up to
 * `concurrency` of them at once through the module, and commits results with a checkpoint in batches.
 *
 * Every packet goes through the ProbeGate (context.ts): blocklist re-check, then a global and a
 * per-network rate token. A module's scan() that throws or hangs is a bug in that module: the target is
 * recorded as `unknown-error` with the message, the bug is logged, and the campaign goes on.
 */
import type { Logger, Progress } from "../../core/log/index.js";
import { silentLogger } from "../../core/log/index.js";
import type { ModuleOptions, ScanModule, ScanStatus, Target } from "../modules/types.js";
import { type CampaignCounters, type Checkpoint, WatermarkTracker } from "./checkpoint.js";
import { isBuiltinModule } from "../modules/registry.js";
import { ScanBlocklist } from "./blocklist.js";
import { ProbeGate, type TargetCheck } from "./context.js";
import type { ScanRecord } from "./output.js";
import type { CyclicPermutation } from "./permutation.js";
import { WorkerPool } from "./pool.js";
import { type ProbeDone, Prober } from "./prober.js";
import { KeyedRateLimiter, RateLimiter } from "./rate.js";
import type { TargetSpace } from "./targets.js";

export interface ScanLimits {
  /** Probes per second, all targets together (a probe = a TCP connection attempt or a UDP datagram). */
  rate: number;
  /** Probes per second into one /24 (IPv4) or /64 (IPv6). */
  perNetRate: number;
  /** Targets probed at the same time. */
  concurrency: number;
  connectTimeoutMs: number;
  readTimeoutMs: number;
  maxReadBytes: number;
  /** Hard limit on one target's scan(), after which it counts as a module bug (default: see probeDeadline). */
  probeTimeoutMs?: number;
}

/** A result and the sequence number it completes. */
export interface SequencedRecord {
  seq: number;
  record: ScanRecord;
}

/** Where results go: `commit` must store the records and the checkpoint atomically. */
export interface ResultSink {
  commit(records: readonly SequencedRecord[], checkpoint: Checkpoint): Promise<void>;
}

export interface RunnerOptions {
  module: ScanModule;
  space: TargetSpace;
  /** Positioned where the run starts (fresh, or the checkpoint's state). */
  permutation: CyclicPermutation;
  seed: string;
  /** Restored from the checkpoint on resume. */
  tracker?: WatermarkTracker;
  /** Stop after this many targets of this shard have been drawn (--max-targets). */
  maxTargets?: number;
  check: TargetCheck;
  limits: ScanLimits;
  moduleOptions?: ModuleOptions;
  sink: ResultSink;
  /** Counters from earlier runs of the campaign. */
  counters?: CampaignCounters;
  /** Aborting stops drawing new targets; probes in flight finish and are committed. */
  stop?: AbortSignal;
  progress?: Progress;
  logger?: Logger;
  /** Sees every probe that actually leaves (after the gate). */
  onProbe?: (target: Target, kind: "tcp" | "udp") => void;
  /**
   * Probe worker threads (default 1: probes run in this thread). More than one needs a built-in module,
   * a ScanBlocklist as `check` and no `onProbe` (the gate runs in the workers); otherwise one is used.
   */
  workers?: number;
  /** Commit after this many finished targets (default 1000) or this long (default 2000 ms). */
  batchSize?: number;
  batchIntervalMs?: number;
}

export interface RunnerResult {
  /** Every target of the shard is finished (the campaign is done). */
  complete: boolean;
  /** Stopped by `stop` before completing. */
  interrupted: boolean;
  counters: CampaignCounters;
  checkpoint: Checkpoint;
  /** Probes sent by this run. */
  probes: number;
  durationMs: number;
}

/** The default hard limit on one scan(): generous, it only catches modules that never return. */
export function probeDeadline(limits: ScanLimits): number {
  return limits.probeTimeoutMs ?? limits.connectTimeoutMs + 10 * limits.readTimeoutMs + 5_000;
}

interface Finished {
  seq: number;
  record?: ScanRecord;
}

/** Where the probes run: in this thread (a Prober) or in probe workers (pool.ts). */
export interface ProbeExecutor {
  /** Starts probing target `index` as sequence number `seq`; the executor's `done` follows, exactly once. */
  probe(seq: number, index: number): void;
  /** Targets handed over and not done that the runner may have (default: --concurrency). */
  readonly window?: number;
  /** Probes (connections and datagrams) let out by the gate(s) so far. */
  readonly probes: number;
  /** Hands over work queued by probe() (called before the loop waits). */
  flush(): void;
  close(): Promise<void>;
}

function createExecutor(o: RunnerOptions, logger: Logger, done: ProbeDone, bug: (err: unknown) => void): ProbeExecutor {
  const workers = o.workers ?? 1;
  if (workers <= 1) return localExecutor(o, logger, done, bug);
  // Workers load the module by name in their own thread and run their own gate; where that cannot be,
  // the probes run here (a plug-in registered at run time exists only in the thread that registered it).
  const why = !isBuiltinModule(o.module)
    ? `module ${o.module.name} is not built in`
    : o.onProbe
      ? "an onProbe observer needs the gate in this thread"
      : !(o.check instanceof ScanBlocklist)
        ? "the target check is not a ScanBlocklist"
        : undefined;
  if (why !== undefined || !(o.check instanceof ScanBlocklist)) {
    logger.info(`probing in the main thread, not in ${workers} workers: ${why ?? ""}`);
    return localExecutor(o, logger, done, bug);
  }
  return new WorkerPool({
    workers,
    module: o.module,
    space: o.space,
    blocklist: o.check,
    limits: o.limits,
    deadlineMs: probeDeadline(o.limits),
    moduleOptions: o.moduleOptions ?? {},
    logger,
    ...(o.stop ? { stop: o.stop } : {}),
    done,
    bug,
  });
}

/** Probing in the runner's own thread, through one gate. */
function localExecutor(o: RunnerOptions, logger: Logger, done: ProbeDone, bug: (err: unknown) => void): ProbeExecutor {
  const gate = new ProbeGate({
    check: o.check,
    rate: new RateLimiter(o.limits.rate),
    perNetwork: new KeyedRateLimiter(o.limits.perNetRate),
    ...(o.onProbe ? { onProbe: o.onProbe } : {}),
    // A stop withdraws the packets still waiting for a rate token: "in flight" means sent.
    ...(o.stop ? { stop: o.stop } : {}),
  });
  const prober = new Prober({
    module: o.module,
    space: o.space,
    check: o.check,
    gate,
    connectTimeoutMs: o.limits.connectTimeoutMs,
    readTimeoutMs: o.limits.readTimeoutMs,
    maxReadBytes: o.limits.maxReadBytes,
    deadlineMs: probeDeadline(o.limits),
    moduleOptions: o.moduleOptions ?? {},
    logger,
    done,
    bug,
  });
  return {
    probe: (seq, index) => prober.probe(seq, index),
    get probes() {
      return gate.probes;
    },
    flush() {},
    close() {
      prober.close();
      gate.dispose();
      return Promise.resolve();
    },
  };
}

export async function runShard(o: RunnerOptions): Promise<RunnerResult> {
  const logger = o.logger ?? silentLogger;
  const started = performance.now();
  const tracker = o.tracker ?? new WatermarkTracker();
  const base: CampaignCounters = structuredClone(o.counters ?? { done: 0, results: 0, refused: 0, probes: 0, statuses: {}, activeMs: 0 });
  const counters: CampaignCounters = structuredClone(base);
  const live: Partial<Record<ScanStatus | "refused", number>> = {};
  const batchSize = o.batchSize ?? 1000;
  const perm = o.permutation;
  const limit = o.maxTargets ?? Number.POSITIVE_INFINITY;

  let emitted = tracker.watermark;
  let exhausted = false;
  let active = 0;
  let wake: (() => void) | undefined;
  let buffer: Finished[] = [];
  let committing: Promise<void> = Promise.resolve();
  let failure: unknown;
  let checkpoint: Checkpoint | undefined;

  const signalWake = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  o.stop?.addEventListener("abort", signalWake);

  const done: ProbeDone = (seq, end, record) => {
    active--;
    // Held back by a stop: not done (a resume probes it), so neither buffered nor counted.
    if (end !== "cancelled") {
      buffer.push(record ? { seq, record } : { seq });
      live[end] = (live[end] ?? 0) + 1;
      o.progress?.tick();
      if (buffer.length >= batchSize) void commit();
    }
    signalWake();
  };
  const bug = (err: unknown) => {
    // Module failures are outcomes (Prober); anything thrown here is a bug in the engine: stop.
    failure ??= err;
    signalWake();
  };
  const executor = createExecutor(o, logger, done, bug);

  /** Draws past targets finished in an earlier run, so that the next draw is always new work. */
  const skipFinished = () => {
    while (emitted < limit && tracker.isFinished(emitted)) {
      if (perm.next() === -1) {
        exhausted = true;
        return;
      }
      emitted++;
    }
  };

  const makeCheckpoint = (): Checkpoint => {
    const at = tracker.position(emitted, perm.state);
    const done = exhausted || emitted >= limit;
    return {
      version: 1,
      seed: o.seed,
      p: perm.p,
      g: perm.g,
      shards: perm.shards,
      shard: perm.shard,
      w: at.w,
      x: at.state.x,
      pos: at.state.pos,
      above: at.above,
      complete: done && tracker.pendingCount === 0 && buffer.length === 0,
      counters: structuredClone(counters),
      at: new Date().toISOString(),
    };
  };

  /** Commits what has finished so far, with a checkpoint; commits are serialised. */
  const commit = (): Promise<void> => {
    committing = committing.then(async () => {
      if (failure !== undefined) return;
      const batch = buffer;
      buffer = [];
      const records: { seq: number; record: ScanRecord }[] = [];
      for (const f of batch) {
        tracker.finish(f.seq);
        counters.done++;
        if (f.record) {
          records.push({ seq: f.seq, record: f.record });
          counters.results++;
          counters.statuses[f.record.status] = (counters.statuses[f.record.status] ?? 0) + 1;
        } else {
          counters.refused++;
        }
      }
      counters.probes = base.probes + executor.probes;
      counters.activeMs = base.activeMs + Math.round(performance.now() - started);
      checkpoint = makeCheckpoint();
      try {
        await o.sink.commit(records, checkpoint);
      } catch (err) {
        failure = err;
        signalWake();
      }
    });
    return committing;
  };

  const timer = setInterval(() => {
    if (buffer.length > 0) void commit();
    o.progress?.update(liveFields(live, executor.probes));
  }, o.batchIntervalMs ?? 2000);

  const waitForWake = () => {
    executor.flush();
    return new Promise<void>((resolve) => (wake = resolve));
  };

  const window = executor.window ?? o.limits.concurrency;
  skipFinished();
  try {
    while (failure === undefined && !o.stop?.aborted && emitted < limit) {
      if (active >= window) {
        await waitForWake();
        continue;
      }
      // A slow database must slow the scan down, not let finished results pile up in memory.
      if (buffer.length >= 10 * batchSize) {
        executor.flush();
        await commit();
      }
      const before = perm.state;
      const index = perm.next();
      if (index === -1) {
        exhausted = true;
        break;
      }
      const seq = emitted++;
      tracker.dispatch(seq, before);
      active++;
      executor.probe(seq, index);
      skipFinished();
    }
    while (active > 0) await waitForWake();
  } finally {
    o.stop?.removeEventListener("abort", signalWake);
    clearInterval(timer);
    await executor.close();
  }
  if (perm.state.pos >= perm.positions) exhausted = true;
  await commit();
  if (failure !== undefined) throw failure;
  o.progress?.update(liveFields(live, executor.probes));
  return {
    complete: checkpoint!.complete,
    interrupted: !checkpoint!.complete,
    counters,
    checkpoint: checkpoint!,
    probes: executor.probes,
    durationMs: performance.now() - started,
  };
}

function liveFields(live: Partial<Record<string, number>>, probes: number): Record<string, number> {
  return { probes, ...(live as Record<string, number>) };
}
