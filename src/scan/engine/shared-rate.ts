/**
 * The global probe rate shared by the probe workers of one campaign (--workers > 1): one 64-bit cell in a
 * SharedArrayBuffer holds the "theoretical arrival time" of the generic cell rate algorithm (GCRA, the
 * token bucket written as a time): every token is a time slot `interval` after the previous one, and a
 * burst of up to `burst` slots may lie in the past. Threads reserve slots with a compare-and-swap, so
 * the pps limit holds exactly over all workers together, with no message per packet.
 *
 * Times are process.hrtime.bigint() nanoseconds (CLOCK_MONOTONIC): the same clock in every thread, unlike
 * performance.now(), whose origin is per thread. The burst matches RateLimiter's (10 ms worth, at least 2).
 */
import type { TokenSource } from "./rate.js";

interface Waiter {
  slot: bigint;
  resolve: () => void;
  reject: (reason: Error) => void;
}

export class SharedRateLimiter implements TokenSource {
  private readonly cell: BigInt64Array;
  private readonly interval: bigint;
  /** How far in the past a slot may be: burst − 1 intervals. */
  private readonly tolerance: bigint;
  private readonly queue: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;

  /** A fresh cell for a campaign run; hand the same buffer to every worker. */
  static createCell(): SharedArrayBuffer {
    return new SharedArrayBuffer(8);
  }

  constructor(
    buffer: SharedArrayBuffer,
    readonly perSecond: number,
  ) {
    if (!(perSecond > 0)) throw new RangeError("rate must be positive");
    this.cell = new BigInt64Array(buffer, 0, 1);
    this.interval = BigInt(Math.max(1, Math.round(1e9 / perSecond)));
    this.tolerance = BigInt(Math.max(1, Math.floor(Math.max(2, perSecond / 100)) - 1)) * this.interval;
  }

  tryTake(): boolean {
    if (this.queue.length > 0) return false;
    const now = process.hrtime.bigint();
    for (;;) {
      const tat = Atomics.load(this.cell, 0);
      const floor = now - this.tolerance;
      const slot = tat > floor ? tat : floor;
      if (slot > now) return false;
      if (Atomics.compareExchange(this.cell, 0, tat, slot + this.interval) === tat) return true;
    }
  }

  /**
   * Reserves the next free slot and resolves at its time. A withdrawn waiter's slot stays used: the rate
   * can only come out lower, never higher.
   */
  take(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    if (this.tryTake()) return Promise.resolve();
    const slot = this.reserve();
    return new Promise((resolve, reject) => {
      this.queue.push({ slot, resolve, reject });
      this.schedule();
    });
  }

  /** Rejects every waiter (the campaign is stopping). */
  withdrawAll(reason: Error): void {
    const waiting = this.queue.splice(0);
    for (const w of waiting) w.reject(reason);
  }

  private reserve(): bigint {
    for (;;) {
      const now = process.hrtime.bigint();
      const tat = Atomics.load(this.cell, 0);
      const floor = now - this.tolerance;
      const slot = tat > floor ? tat : floor;
      if (Atomics.compareExchange(this.cell, 0, tat, slot + this.interval) === tat) return slot;
    }
  }

  /** One timer for the queue head; slots in the queue are increasing (each reservation follows the last). */
  private schedule(): void {
    if (this.timer || this.queue.length === 0) return;
    const wait = Number(this.queue[0]!.slot - process.hrtime.bigint()) / 1e6;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        const now = process.hrtime.bigint();
        while (this.queue.length > 0 && this.queue[0]!.slot <= now) this.queue.shift()!.resolve();
        this.schedule();
      },
      Math.max(0, Math.ceil(wait)),
    );
  }
}
