/**
 * Probes one target at a time through a module, for the runner's loop (one thread) or for a probe worker
 * (worker.ts): target index → blocklist check → module.scan through the ProbeGate → ZGrab2-shaped record.
 *
 * A module's scan() that throws or never returns is a bug in that module: the target is recorded as
 * `unknown-error` with the message, the bug is logged, and the campaign goes on. The "never returns"
 * case is caught by one watchdog timer for all probes in flight (every probe has the same deadline, so the
 * oldest are the first due), not by a timer, an AbortController and a Promise.race per target.
 */
import { describeError } from "../../core/errors.js";
import type { Logger } from "../../core/log/index.js";
import { scanStatuses, type ModuleOptions, type ScanModule, type ScanOutcome, type ScanStatus, type Target } from "../modules/types.js";
import { ProbeContext, type ProbeEnv, type ProbeGate, type TargetCheck, UdpMux } from "./context.js";
import { buildRecord, type ScanRecord } from "./output.js";
import type { TargetSpace } from "./targets.js";

/**
 * How one target ended: a status with its record, `refused` (blocklisted at probe time: no record), or
 * `cancelled` (a stop held its packet back: not done, a resume probes it).
 */
export type ProbeEnd = ScanStatus | "refused" | "cancelled";

export type ProbeDone = (seq: number, end: ProbeEnd, record?: ScanRecord) => void;

export interface ProberOptions {
  module: ScanModule;
  space: TargetSpace;
  check: TargetCheck;
  gate: ProbeGate;
  connectTimeoutMs: number;
  readTimeoutMs: number;
  maxReadBytes: number;
  /** The hard limit on one scan() (see probeDeadline in runner.ts). */
  deadlineMs: number;
  /** One object for the whole run: modules cache their parsed flags per options object. */
  moduleOptions: ModuleOptions;
  logger: Logger;
  done: ProbeDone;
  /** An exception outside the module (a bug in the engine): the run must stop. */
  bug: (err: unknown) => void;
}

interface InFlight {
  seq: number;
  target: Target;
  timestamp: string;
  ctx: ProbeContext;
  due: number;
  settled: boolean;
}

const validStatuses = new Set<string>(scanStatuses);

export class Prober {
  private readonly env: ProbeEnv;
  private readonly udp = new UdpMux();
  /** In start order, which is deadline order: the watchdog looks at the head only. */
  private readonly inFlight = new Map<number, InFlight>();
  private watchdog: NodeJS.Timeout | undefined;
  private readonly clock = new IsoClock();

  constructor(private readonly o: ProberOptions) {
    this.env = {
      gate: o.gate,
      udp: this.udp,
      connectTimeoutMs: o.connectTimeoutMs,
      readTimeoutMs: o.readTimeoutMs,
      maxReadBytes: o.maxReadBytes,
      options: o.moduleOptions,
    };
  }

  get active(): number {
    return this.inFlight.size;
  }

  /** Starts probing target `index` as sequence number `seq`; `done` is called exactly once for it. */
  probe(seq: number, index: number): void {
    const o = this.o;
    const target = o.space.at(index);
    if (o.check.refusal(target) !== undefined) {
      o.done(seq, "refused");
      return;
    }
    const f: InFlight = { seq, target, timestamp: this.clock.now(), ctx: new ProbeContext(this.env), due: performance.now() + o.deadlineMs, settled: false };
    this.inFlight.set(seq, f);
    this.armWatchdog();
    let running: Promise<ScanOutcome>;
    try {
      running = o.module.scan(target, f.ctx);
    } catch (err) {
      running = Promise.reject(err);
    }
    Promise.resolve(running).then(
      (outcome) => this.settle(f, this.checked(f, outcome)),
      (err: unknown) => this.settle(f, this.thrown(f, err)),
    );
  }

  close(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = undefined;
    this.udp.close();
  }

  private checked(f: InFlight, outcome: ScanOutcome | undefined): ScanOutcome {
    const name = this.o.module.name;
    if (!outcome || !validStatuses.has(outcome.status)) {
      const error = `module ${name} returned an invalid outcome: ${describeOutcome(outcome)}`;
      this.o.logger.error({ module: name, ip: f.target.ip, port: f.target.port }, error);
      return { status: "unknown-error", error };
    }
    return outcome;
  }

  private thrown(f: InFlight, err: unknown): ScanOutcome {
    // A module must turn peer behaviour into statuses; a throw is a bug in the module. Record, log, go on.
    const name = this.o.module.name;
    const error = `module ${name} threw: ${describeError(err)}`;
    this.o.logger.error({ module: name, ip: f.target.ip, port: f.target.port, err }, error);
    return { status: "unknown-error", error };
  }

  private settle(f: InFlight, outcome: ScanOutcome): void {
    if (f.settled) return; // the watchdog gave up on it earlier: its late outcome is dropped
    f.settled = true;
    this.inFlight.delete(f.seq);
    try {
      // Held back by a stop: the target is not done. It stays below the checkpoint's watermark (or out of
      // its finished set), so a resume probes it.
      if (f.ctx.cancelled) return this.o.done(f.seq, "cancelled");
      if (outcome.status === "blocklisted-target") return this.o.done(f.seq, "refused");
      this.o.done(f.seq, outcome.status, buildRecord(f.target, this.o.module.name, outcome, f.timestamp));
    } catch (err) {
      this.o.bug(err);
    }
  }

  private armWatchdog(): void {
    if (this.watchdog) return;
    // A coarse tick is enough: the deadline only catches modules that never return.
    const tick = Math.min(250, Math.max(5, Math.floor(this.o.deadlineMs / 8)));
    // Not unref'd: a module that never returns leaves nothing else to keep the process alive until then.
    this.watchdog = setInterval(() => this.expire(), tick);
  }

  private expire(): void {
    const now = performance.now();
    const name = this.o.module.name;
    for (const f of this.inFlight.values()) {
      if (f.due > now) break;
      const error = `module ${name} did not finish within ${this.o.deadlineMs} ms`;
      this.o.logger.error({ module: name, ip: f.target.ip, port: f.target.port }, error);
      f.ctx.abort();
      this.settle(f, { status: "unknown-error", error });
    }
    if (this.inFlight.size === 0 && this.watchdog) {
      clearInterval(this.watchdog);
      this.watchdog = undefined;
    }
  }
}

/** ISO-8601 "now", formatted once per millisecond however many probes start in it. */
export class IsoClock {
  private ms = -1;
  private text = "";

  now(): string {
    const t = Date.now();
    if (t !== this.ms) {
      this.ms = t;
      this.text = new Date(t).toISOString();
    }
    return this.text;
  }
}

function describeOutcome(outcome: unknown): string {
  try {
    return JSON.stringify(outcome)?.slice(0, 200) ?? String(outcome);
  } catch {
    return String(outcome);
  }
}
