/**
 * Exactly-once progress for a campaign whose probes finish out of order.
 *
 * Every target a shard emits gets a sequence number (0, 1, 2, … in permutation order). The tracker keeps
 * the low watermark W — every sequence number below W is finished — and the finished numbers above W.
 * For each dispatched but unfinished number it remembers the permutation state it was emitted from, so
 * that the state "at W" is always known: resuming from it re-emits W, W+1, …, and the numbers already
 * finished above W are skipped. The runner persists a checkpoint in the same database transaction as the
 * results it covers, so results and checkpoint never disagree: after a crash, a resume probes exactly the
 * targets that have no stored result.
 */
import type { ScanStatus } from "../modules/types.js";
import type { CycleState } from "./permutation.js";

/** Counters carried across resumes; they describe what the stored results and checkpoint cover. */
export interface CampaignCounters {
  /** Targets finished (with or without a stored result). */
  done: number;
  /** Results stored. */
  results: number;
  /** Targets refused at probe time (opt-out reload, blocklist re-check): no result is stored for them. */
  refused: number;
  /** Probes (TCP connection attempts + UDP datagrams) sent, as counted by the ProbeGate. */
  probes: number;
  statuses: Partial<Record<ScanStatus, number>>;
  /** Time spent running, over all runs of the campaign. */
  activeMs: number;
}

export function emptyCounters(): CampaignCounters {
  return { done: 0, results: 0, refused: 0, probes: 0, statuses: {}, activeMs: 0 };
}

export interface Checkpoint {
  version: 1;
  /** Permutation identity, checked on resume. */
  seed: string;
  p: number;
  g: number;
  shards: number;
  shard: number;
  /** Low watermark and the permutation state that emits it. */
  w: number;
  x: number;
  pos: number;
  /** Finished sequence numbers above W, as inclusive ranges. */
  above: [number, number][];
  /** True once every target of the shard is emitted and finished. */
  complete: boolean;
  counters: CampaignCounters;
  at: string;
}

/** Sorted numbers as inclusive ranges: [1,2,3,7] → [[1,3],[7,7]]. */
export function toRanges(sorted: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const n of sorted) {
    const last = out[out.length - 1];
    if (last && n === last[1] + 1) last[1] = n;
    else out.push([n, n]);
  }
  return out;
}

export function fromRanges(ranges: readonly (readonly [number, number])[]): number[] {
  const out: number[] = [];
  for (const [a, b] of ranges) for (let n = a; n <= b; n++) out.push(n);
  return out;
}

export class WatermarkTracker {
  private w: number;
  private readonly finished = new Set<number>();
  private readonly states = new Map<number, CycleState>();

  constructor(from?: { w: number; above: readonly (readonly [number, number])[] }) {
    this.w = from?.w ?? 0;
    for (const n of fromRanges(from?.above ?? [])) if (n >= this.w) this.finished.add(n);
  }

  get watermark(): number {
    return this.w;
  }

  /** How many sequence numbers are finished (below W, and above it). */
  get finishedCount(): number {
    return this.w + this.finished.size;
  }

  /** How many are dispatched and not finished. */
  get pendingCount(): number {
    return this.states.size;
  }

  /** True when `seq` finished in an earlier run (a resume must not probe it again). */
  isFinished(seq: number): boolean {
    return seq < this.w || this.finished.has(seq);
  }

  /** Records that `seq` was emitted from permutation state `before` and is being probed. */
  dispatch(seq: number, before: CycleState): void {
    if (this.isFinished(seq) || this.states.has(seq)) throw new Error(`sequence number ${seq} dispatched twice`);
    this.states.set(seq, before);
  }

  /** Marks `seq` finished (its result is being committed) and advances the watermark. */
  finish(seq: number): void {
    if (this.isFinished(seq)) throw new Error(`sequence number ${seq} finished twice`);
    this.states.delete(seq);
    if (seq !== this.w) {
      this.finished.add(seq);
      return;
    }
    this.w++;
    while (this.finished.delete(this.w)) this.w++;
  }

  /**
   * Where to resume: W, the permutation state that emits W, and the finished numbers above it.
   * `emitted` is how many sequence numbers the runner has drawn and `current` the permutation's state
   * now; they give the state at W when W has not been drawn yet.
   */
  position(emitted: number, current: CycleState): { w: number; state: CycleState; above: [number, number][] } {
    const state = this.w >= emitted ? current : this.states.get(this.w);
    if (!state) throw new Error(`no permutation state for watermark ${this.w} (emitted ${emitted})`);
    return { w: this.w, state, above: toRanges([...this.finished].sort((a, b) => a - b)) };
  }
}
