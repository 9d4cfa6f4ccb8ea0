/**
 * The probing loop of one shard of one campaign: draws targets in permutation order, probes up to
 * `concurrency` of them at once through the module, and commits results with a checkpoint in batches.
 *
 * Every packet goes through the ProbeGate (context.ts): blocklist re-check, then a global and a
 * per-network rate token. A module's scan() that throws or hangs is a bug in that module: the target is
 * recorded as `unknown-error` with the message, the bug is logged, and the campaign goes on.
 */
import { describeError } from "../../core/errors.js";
import type { Logger, Progress } from "../../core/log/index.js";
import { silentLogger } from "../../core/log/index.js";
import { scanStatuses, type ModuleOptions, type ScanModule, type ScanOutcome, type ScanStatus, type Target } from "../modules/types.js";
import { type CampaignCounters, type Checkpoint, WatermarkTracker } from "./checkpoint.js";
import { createScanContext, ProbeGate, type ProbeTicket, type TargetCheck, UdpMux } from "./context.js";
import { buildRecord, type ScanRecord } from "./output.js";
import type { CyclicPermutation } from "./permutation.js";
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

export async function runShard(o: RunnerOptions): Promise<RunnerResult> {
  const logger = o.logger ?? silentLogger;
  const started = performance.now();
  const tracker = o.tracker ?? new WatermarkTracker();
  const base: CampaignCounters = structuredClone(o.counters ?? { done: 0, results: 0, refused: 0, probes: 0, statuses: {}, activeMs: 0 });
  const counters: CampaignCounters = structuredClone(base);
  const live: Partial<Record<ScanStatus | "refused", number>> = {};
  const batchSize = o.batchSize ?? 1000;
  const gate = new ProbeGate({
    check: o.check,
    rate: new RateLimiter(o.limits.rate),
    perNetwork: new KeyedRateLimiter(o.limits.perNetRate),
    ...(o.onProbe ? { onProbe: o.onProbe } : {}),
    // A stop withdraws the packets still waiting for a rate token: "in flight" means sent.
    ...(o.stop ? { stop: o.stop } : {}),
  });
  const udp = new UdpMux();
  const perm = o.permutation;
  const deadlineMs = probeDeadline(o.limits);
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
      counters.probes = base.probes + gate.probes;
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
    o.progress?.update(liveFields(live, gate.probes));
  }, o.batchIntervalMs ?? 2000);

  const finishTarget = (f: Finished, status: ScanStatus | "refused") => {
    buffer.push(f);
    live[status] = (live[status] ?? 0) + 1;
    o.progress?.tick();
    if (buffer.length >= batchSize) void commit();
  };

  const probe = async (seq: number, target: Target): Promise<void> => {
    const refusal = o.check.refusal(target);
    if (refusal !== undefined) return finishTarget({ seq }, "refused");
    const timestamp = new Date().toISOString();
    const ticket: ProbeTicket = { sent: 0, cancelled: false };
    const outcome = await scanOnce(o.module, target, {
      gate,
      udp,
      ticket,
      limits: o.limits,
      options: o.moduleOptions ?? {},
      deadlineMs,
      logger,
    });
    // Held back by a stop: the target is not done. It stays below the checkpoint's watermark (or out of
    // its finished set), so a resume probes it.
    if (ticket.cancelled) return;
    if (outcome.status === "blocklisted-target") return finishTarget({ seq }, "refused");
    finishTarget({ seq, record: buildRecord(target, o.module.name, outcome, timestamp) }, outcome.status);
  };

  skipFinished();
  try {
    while (failure === undefined && !o.stop?.aborted && emitted < limit) {
      if (active >= o.limits.concurrency) {
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      // A slow database must slow the scan down, not let finished results pile up in memory.
      if (buffer.length >= 10 * batchSize) await commit();
      const before = perm.state;
      const index = perm.next();
      if (index === -1) {
        exhausted = true;
        break;
      }
      const seq = emitted++;
      tracker.dispatch(seq, before);
      active++;
      void probe(seq, o.space.at(index))
        .catch((err: unknown) => {
          // Module failures are outcomes (scanOnce); anything thrown here is a bug in the engine: stop.
          failure ??= err;
        })
        .finally(() => {
          active--;
          signalWake();
        });
      skipFinished();
    }
    while (active > 0) await new Promise<void>((resolve) => (wake = resolve));
  } finally {
    o.stop?.removeEventListener("abort", signalWake);
    clearInterval(timer);
    udp.close();
  }
  if (perm.state.pos >= perm.positions) exhausted = true;
  await commit();
  if (failure !== undefined) throw failure;
  o.progress?.update(liveFields(live, gate.probes));
  return {
    complete: checkpoint!.complete,
    interrupted: !checkpoint!.complete,
    counters,
    checkpoint: checkpoint!,
    probes: gate.probes,
    durationMs: performance.now() - started,
  };
}

function liveFields(live: Partial<Record<string, number>>, probes: number): Record<string, number> {
  return { probes, ...(live as Record<string, number>) };
}

interface ScanDeps {
  gate: ProbeGate;
  udp: UdpMux;
  ticket: ProbeTicket;
  limits: ScanLimits;
  options: ModuleOptions;
  deadlineMs: number;
  logger: Logger;
}

/** Runs one module scan with a hard deadline; anything but a well-formed outcome becomes unknown-error. */
async function scanOnce(module: ScanModule, target: Target, d: ScanDeps): Promise<ScanOutcome> {
  const abort = new AbortController();
  const ctx = createScanContext({
    gate: d.gate,
    udp: d.udp,
    connectTimeoutMs: d.limits.connectTimeoutMs,
    readTimeoutMs: d.limits.readTimeoutMs,
    maxReadBytes: d.limits.maxReadBytes,
    options: d.options,
    signal: abort.signal,
    ticket: d.ticket,
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<ScanOutcome>((resolve) => {
    timer = setTimeout(() => {
      abort.abort();
      resolve({ status: "unknown-error", error: `module ${module.name} did not finish within ${d.deadlineMs} ms` });
    }, d.deadlineMs);
  });
  try {
    const outcome = await Promise.race([Promise.resolve().then(() => module.scan(target, ctx)), deadline]);
    if (!outcome || !(scanStatuses as readonly string[]).includes(outcome.status)) {
      const error = `module ${module.name} returned an invalid outcome: ${describeOutcome(outcome)}`;
      d.logger.error({ module: module.name, ip: target.ip, port: target.port }, error);
      return { status: "unknown-error", error };
    }
    if (outcome.status === "unknown-error" && abort.signal.aborted) {
      d.logger.error({ module: module.name, ip: target.ip, port: target.port }, outcome.error ?? "module timed out");
    }
    return outcome;
  } catch (err) {
    // A module must turn peer behaviour into statuses; a throw is a bug in the module. Record, log, go on.
    const error = `module ${module.name} threw: ${describeError(err)}`;
    d.logger.error({ module: module.name, ip: target.ip, port: target.port, err }, error);
    return { status: "unknown-error", error };
  } finally {
    clearTimeout(timer);
  }
}

function describeOutcome(outcome: unknown): string {
  try {
    return JSON.stringify(outcome)?.slice(0, 200) ?? String(outcome);
  } catch {
    return String(outcome);
  }
}
