/**
 * A probe worker (--workers > 1): a worker thread that probes the targets the main thread sends it and
 * sends back their records in batches. The main thread (pool.ts, runner.ts) keeps the permutation, the
 * checkpoint, the database and the output; the worker has its own ProbeGate, so the blocklist is still
 * checked right before every packet, in the thread that sends it. The global rate is one shared
 * SharedRateLimiter; the per-network rate is exact because the main thread sends every target of one
 * /24 (/64) to the same worker.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { LogLevel } from "../../core/config.js";
import { describeError } from "../../core/errors.js";
import { createLogger } from "../../core/log/index.js";
import { CidrSet, type IpRange } from "../../core/net/index.js";
import { getScanModule } from "../modules/registry.js";
import type { ModuleOptions } from "../modules/types.js";
import { type BlocklistData, ScanBlocklist } from "./blocklist.js";
import { ProbeGate } from "./context.js";
import type { ScanRecord } from "./output.js";
import { type ProbeEnd, Prober } from "./prober.js";
import { KeyedRateLimiter } from "./rate.js";
import type { ScanLimits } from "./runner.js";
import { SharedRateLimiter } from "./shared-rate.js";
import { TargetSpace, type TargetSpaceData } from "./targets.js";

/** What a worker is started with (workerData). */
export interface WorkerInit {
  module: string;
  space: TargetSpaceData;
  blocklist: BlocklistData;
  limits: ScanLimits;
  deadlineMs: number;
  moduleOptions: ModuleOptions;
  rateCell: SharedArrayBuffer;
  logLevel: string;
  /** Targets this worker probes at once; more wait in its queue (see pool.ts). */
  maxActive: number;
}

/** Main thread → worker. `probe` carries [seq, index, seq, index, …]. */
export type ToWorker = { t: "probe"; items: Float64Array } | { t: "stop" } | { t: "optout"; ranges: IpRange[] } | { t: "close" };

/** Worker → main thread. */
export type FromWorker =
  | { t: "done"; seqs: number[]; ends: ProbeEnd[]; records: (ScanRecord | null)[]; probes: number }
  | { t: "bug"; error: string }
  | { t: "closed"; probes: number };

const port = parentPort;
if (!port) throw new Error("scan/engine/worker.ts runs as a worker thread only");
const init = workerData as WorkerInit;
const module = getScanModule(init.module);
if (!module) throw new Error(`probe worker: no scan module ${init.module}`);

const blocklist = ScanBlocklist.fromData(init.blocklist);
const stop = new AbortController();
const gate = new ProbeGate({
  check: blocklist,
  rate: new SharedRateLimiter(init.rateCell, init.limits.rate),
  perNetwork: new KeyedRateLimiter(init.limits.perNetRate),
  stop: stop.signal,
});

/** Targets received and not started: [seq, index] pairs from `head` on. */
let queue: number[] = [];
let head = 0;
let stopped = false;

let seqs: number[] = [];
let ends: ProbeEnd[] = [];
let records: (ScanRecord | null)[] = [];
let flushing = false;

/** Results go back once per turn of the event loop, however many probes finished in it. */
const flush = () => {
  flushing = false;
  if (seqs.length === 0) return;
  const msg: FromWorker = { t: "done", seqs, ends, records, probes: gate.probes };
  seqs = [];
  ends = [];
  records = [];
  port.postMessage(msg);
};

const prober = new Prober({
  module,
  space: TargetSpace.fromJSON(init.space),
  check: blocklist,
  gate,
  connectTimeoutMs: init.limits.connectTimeoutMs,
  readTimeoutMs: init.limits.readTimeoutMs,
  maxReadBytes: init.limits.maxReadBytes,
  deadlineMs: init.deadlineMs,
  moduleOptions: init.moduleOptions,
  logger: createLogger(init.logLevel as LogLevel, "iotscope-probe-worker"),
  done(seq, end, record) {
    report(seq, end, record);
    startQueued();
  },
  bug(err) {
    port.postMessage({ t: "bug", error: describeError(err) } satisfies FromWorker);
  },
});

function report(seq: number, end: ProbeEnd, record?: ScanRecord): void {
  seqs.push(seq);
    ends.push(end);
  records.push(record ?? null);
  if (!flushing) {
    flushing = true;
    setImmediate(flush);
  }
}

/** Starts queued targets while there is room; after a stop, queued targets go back as not started. */
function startQueued(): void {
  while (head < queue.length && (stopped || prober.active < init.maxActive)) {
    const seq = queue[head++]!;
    const index = queue[head++]!;
    if (stopped) report(seq, "cancelled");
    else prober.probe(seq, index);
  }
  if (head === queue.length) {
    queue = [];
    head = 0;
  }
}

port.on("message", (m: ToWorker) => {
  switch (m.t) {
    case "probe":
      for (const v of m.items) queue.push(v);
      startQueued();
      break;
    case "stop":
      stopped = true;
      stop.abort();
      startQueued();
      break;
    case "optout":
      blocklist.optout?.replace(CidrSet.from(m.ranges).freeze());
      break;
    case "close":
      flush();
      prober.close();
      gate.dispose();
      port.postMessage({ t: "closed", probes: gate.probes } satisfies FromWorker);
      port.close();
      break;
  }
});
