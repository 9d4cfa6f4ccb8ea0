/** Runs one shard through the real runner with an in-memory result sink (no database). */
import type { Checkpoint } from "../../../../src/scan/engine/checkpoint.js";
import { WatermarkTracker } from "../../../../src/scan/engine/checkpoint.js";
import { CyclicPermutation } from "../../../../src/scan/engine/permutation.js";
import { planTargets, type TargetPlan } from "../../../../src/scan/engine/plan.js";
import { runShard, type RunnerResult, type ScanLimits, type SequencedRecord } from "../../../../src/scan/engine/runner.js";
import type { ModuleOptions, ScanModule, Target } from "../../../../src/scan/modules/types.js";

export interface MemoryRun {
  plan: TargetPlan;
  records: SequencedRecord[];
  checkpoints: Checkpoint[];
  result: RunnerResult;
}

export interface MemoryRunOptions {
  module: ScanModule;
  targets: string[];
  ports: number[];
  seed?: string;
  shards?: number;
  shard?: number;
  maxTargets?: number;
  blocklistFiles?: string[];
  optoutFile?: string;
  limits?: Partial<ScanLimits>;
  moduleOptions?: ModuleOptions;
  onProbe?: (target: Target, kind: "tcp" | "udp") => void;
  stop?: AbortSignal;
  batchSize?: number;
  /** Runs alongside the campaign (e.g. edits the opt-out list); the run waits for it too. */
  during?: (plan: TargetPlan) => Promise<void>;
  /** Resume from this checkpoint. */
  from?: Checkpoint;
  /** Probe worker threads (needs a registered module and no onProbe). */
  workers?: number;
}

export const fastLimits: ScanLimits = {
  rate: 100_000,
  perNetRate: 100_000,
  concurrency: 64,
  connectTimeoutMs: 2000,
  readTimeoutMs: 2000,
  maxReadBytes: 1 << 16,
};

export async function runInMemory(o: MemoryRunOptions): Promise<MemoryRun> {
  const plan = await planTargets({
    targets: o.targets,
    ports: o.ports,
    allowLocalTargets: true,
    blocklistFiles: o.blocklistFiles ?? [],
    ...(o.optoutFile !== undefined ? { optoutFile: o.optoutFile } : {}),
  });
  const permutation = new CyclicPermutation({ size: plan.space.size, seed: o.seed ?? "test", shards: o.shards ?? 1, shard: o.shard ?? 0 });
  let tracker: WatermarkTracker | undefined;
  if (o.from) {
    permutation.seek({ x: o.from.x, pos: o.from.pos });
    tracker = new WatermarkTracker({ w: o.from.w, above: o.from.above });
  }
  const records: SequencedRecord[] = [];
  const checkpoints: Checkpoint[] = [];
  const stopWatching = plan.blocklist.optout?.watch(50);
  try {
    const running = runShard({
      module: o.module,
      space: plan.space,
      permutation,
      seed: o.seed ?? "test",
      ...(tracker ? { tracker } : {}),
      ...(o.from ? { counters: o.from.counters } : {}),
      ...(o.maxTargets !== undefined ? { maxTargets: o.maxTargets } : {}),
      check: plan.blocklist,
      limits: { ...fastLimits, ...o.limits },
      moduleOptions: o.moduleOptions ?? {},
      sink: {
        commit(batch, checkpoint) {
          records.push(...batch);
          checkpoints.push(checkpoint);
          return Promise.resolve();
        },
      },
      ...(o.onProbe ? { onProbe: o.onProbe } : {}),
      ...(o.stop ? { stop: o.stop } : {}),
      ...(o.workers !== undefined ? { workers: o.workers } : {}),
      batchSize: o.batchSize ?? 50,
      batchIntervalMs: 100,
    });
    const [result] = await Promise.all([running, o.during?.(plan)]);
    return { plan, records, checkpoints, result };
  } finally {
    stopWatching?.();
  }
}
