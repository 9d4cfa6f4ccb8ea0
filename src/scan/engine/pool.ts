/**
 * The main thread's side of the probe workers (--workers N > 1): starts N worker threads (worker.ts), sends
 * each the targets of its networks in batches, and turns their result batches back into the runner's
 * `done` calls. The runner keeps drawing targets, tracking the checkpoint and committing results exactly
 * as with one thread; only where scan() runs changes.
 *
 * Each worker probes at most its share of --concurrency at once (so a target set that falls into few
 * networks, hence few workers, is probed with less than --concurrency at once). Targets are assigned by
 * network (/24 or /64), not round-robin: every packet into one network then
 * passes one worker's per-network limiter, so --per-net-rate stays exact; --rate is one shared limiter
 * (shared-rate.ts). Opt-out reloads of the main thread are forwarded to every worker at once.
 */
import { Worker } from "node:worker_threads";
import { describeError } from "../../core/errors.js";
import type { Logger } from "../../core/log/index.js";
import type { ModuleOptions, ScanModule } from "../modules/types.js";
import type { ScanBlocklist } from "./blocklist.js";
import type { ProbeDone } from "./prober.js";
import type { ProbeExecutor, ScanLimits } from "./runner.js";
import { SharedRateLimiter } from "./shared-rate.js";
import type { TargetSpace } from "./targets.js";
import type { FromWorker, ToWorker, WorkerInit } from "./worker.js";

export interface PoolOptions {
  workers: number;
  module: ScanModule;
  space: TargetSpace;
  blocklist: ScanBlocklist;
  limits: ScanLimits;
  deadlineMs: number;
  moduleOptions: ModuleOptions;
  logger: Logger;
  stop?: AbortSignal;
  done: ProbeDone;
  bug: (err: unknown) => void;
}

/** Targets per message: large enough to make messages rare, small enough to keep every worker busy. */
const BATCH = 256;

interface Slot {
  worker: Worker;
  pending: number[];
  /** Sent and not done yet: if the worker dies, they are given back as not done (a resume probes them). */
  outstanding: Set<number>;
  probes: number;
  closed: Promise<void>;
}

/**
 * How to start the worker: the compiled worker.js next to this file, or — when the sources run through
 * tsx or vitest — worker.ts with tsx's loader registered inside the new thread (loaders are per thread).
 */
function spawn(init: WorkerInit): Worker {
  const self = import.meta.url;
  if (!self.endsWith(".ts")) return new Worker(new URL("./worker.js", self), { workerData: init });
  const entry = new URL("./worker.ts", self).href;
  // Resolved here, next to this file: inside an eval'd worker a bare "tsx" resolves from the process's
  // working directory, which fails when iotscope runs from elsewhere. (vitest lacks import.meta.resolve;
  // it always runs from the repository, where the bare name resolves.)
  const api = typeof import.meta.resolve === "function" ? import.meta.resolve("tsx/esm/api") : "tsx/esm/api";
  const boot = `import { register } from ${JSON.stringify(api)}; register(); await import(${JSON.stringify(entry)});`;
  return new Worker(boot, { eval: true, workerData: init });
}

export class WorkerPool implements ProbeExecutor {
  private readonly slots: Slot[];
  private readonly unsubscribe: (() => void) | undefined;
  private readonly onStop: () => void;
  private closing = false;

  constructor(private readonly o: PoolOptions) {
    const init: Omit<WorkerInit, "rateCell"> = {
      // Each worker probes its share of --concurrency at once, and keeps as many again queued (window).
      maxActive: Math.max(1, Math.ceil(o.limits.concurrency / o.workers)),
      module: o.module.name,
      space: o.space.toJSON(),
      blocklist: o.blocklist.toData(),
      limits: o.limits,
      deadlineMs: o.deadlineMs,
      moduleOptions: o.moduleOptions,
      logLevel: o.logger.level,
    };
    const rateCell = SharedRateLimiter.createCell();
    this.slots = Array.from({ length: o.workers }, () => this.start({ ...init, rateCell }));
    this.unsubscribe = o.blocklist.optout?.onReload((set) => this.broadcast({ t: "optout", ranges: [...set.ranges()] }));
    this.onStop = () => this.broadcast({ t: "stop" });
    if (o.stop?.aborted) this.onStop();
    else o.stop?.addEventListener("abort", this.onStop, { once: true });
  }

  /**
   * Targets the runner may have handed over and not seen done: twice --concurrency. The workers hold the
   * extra ones in a queue and start them as probes finish, so a main thread busy committing a batch to the
   * database (tens of milliseconds) does not leave them idle. At most --concurrency are probed at once.
   */
  get window(): number {
    return 2 * this.o.limits.concurrency;
  }

  get probes(): number {
    let n = 0;
    for (const s of this.slots) n += s.probes;
    return n;
  }

  probe(seq: number, index: number): void {
    const slot = this.slots[this.o.space.networkOf(index) % this.slots.length]!;
    slot.pending.push(seq, index);
    if (slot.pending.length >= 2 * BATCH) this.send(slot);
  }

  flush(): void {
    for (const s of this.slots) if (s.pending.length > 0) this.send(s);
  }

  async close(): Promise<void> {
    this.closing = true;
    this.unsubscribe?.();
    this.o.stop?.removeEventListener("abort", this.onStop);
    this.broadcast({ t: "close" });
    await Promise.all(this.slots.map((s) => s.closed));
  }

  private start(init: WorkerInit): Slot {
    const worker = spawn(init);
    const slot: Slot = { worker, pending: [], outstanding: new Set(), probes: 0, closed: Promise.resolve() };
    slot.closed = new Promise<void>((resolve) => {
      worker.on("message", (m: FromWorker) => {
        if (m.t === "done") {
          slot.probes = m.probes;
          for (let i = 0; i < m.seqs.length; i++) {
            slot.outstanding.delete(m.seqs[i]!);
            this.o.done(m.seqs[i]!, m.ends[i]!, m.records[i] ?? undefined);
          }
        } else if (m.t === "bug") {
          this.o.bug(new Error(`probe worker: ${m.error}`));
        } else {
          // Everything is done; a module's stray timer must not keep the thread (and close()) waiting.
          slot.probes = m.probes;
          void worker.terminate();
        }
      });
      worker.on("error", (err) => this.o.bug(new Error(`probe worker failed: ${describeError(err)}`, { cause: err })));
      worker.on("exit", (code) => {
        if (!this.closing || slot.outstanding.size > 0) {
          this.o.bug(new Error(`probe worker exited (code ${code}) while the campaign was running`));
          for (const seq of slot.outstanding) this.o.done(seq, "cancelled");
          slot.outstanding.clear();
        }
        resolve();
      });
    });
    return slot;
  }

  private send(slot: Slot): void {
    const items = Float64Array.from(slot.pending);
    for (let i = 0; i < items.length; i += 2) slot.outstanding.add(items[i]!);
    slot.pending.length = 0;
    slot.worker.postMessage({ t: "probe", items } satisfies ToWorker, [items.buffer]);
  }

  private broadcast(m: ToWorker): void {
    for (const s of this.slots) s.worker.postMessage(m);
  }
}
