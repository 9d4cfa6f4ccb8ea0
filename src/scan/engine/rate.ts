/**
 * Token buckets for the probe rate. `RateLimiter` is the global packets-per-second cap; `KeyedRateLimiter`
 * caps probes per network (/24 for IPv4, /64 for IPv6) so that a small network is never hammered even when
 * the random order happens to cluster. The burst is kept small (10 ms worth, at least 2 tokens) so that
 * the rate holds over any second, not just on average. The floor of 2 matters at low rates: timers fire a
 * millisecond or two late, and a bucket that could hold only one token would lose that time on every
 * token (100/s would come out near 83/s); with room for two, a late timer's time is credited instead.
 */
export class RateLimiter {
  private tokens: number;
  private last: number;
  private readonly burst: number;
  private readonly queue: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly perSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(perSecond > 0)) throw new RangeError("rate must be positive");
    this.burst = Math.max(2, perSecond / 100);
    this.tokens = 1;
    this.last = now();
  }

  /**
   * Resolves when a probe may be sent. Waiters are served in order. Aborting `signal` withdraws the
   * waiter (it rejects with the signal's reason) without taking a token, so a stopping campaign does not
   * wait for tokens it will never use.
   */
  take(signal?: AbortSignal): Promise<void> {
    this.refill();
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    if (this.queue.length === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter = () => {
        signal?.removeEventListener("abort", withdraw);
        resolve();
      };
      const withdraw = () => {
        const at = this.queue.indexOf(waiter);
        if (at !== -1) this.queue.splice(at, 1);
        reject(signal!.reason as Error);
      };
      signal?.addEventListener("abort", withdraw, { once: true });
      this.queue.push(waiter);
      this.schedule();
    });
  }

  /** True when nobody waits and the bucket has had a second to fill up again. */
  isIdle(t: number): boolean {
    return this.queue.length === 0 && t - this.last > 1000;
  }

  /** Takes a token without waiting; false when none is available. */
  tryTake(): boolean {
    this.refill();
    if (this.queue.length === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.perSecond);
    this.last = t;
  }

  private schedule(): void {
    if (this.timer) return;
    const wait = Math.max(1, ((1 - this.tokens) / this.perSecond) * 1000);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refill();
      while (this.queue.length > 0 && this.tokens >= 1) {
        this.tokens -= 1;
        this.queue.shift()!();
      }
      if (this.queue.length > 0) this.schedule();
    }, wait);
  }
}

/** One small bucket per key, created on demand and forgotten when idle, so memory stays bounded. */
export class KeyedRateLimiter {
  private readonly buckets = new Map<string, RateLimiter>();
  private lastSweep: number;

  constructor(
    readonly perSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.lastSweep = now();
  }

  take(key: string, signal?: AbortSignal): Promise<void> {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new RateLimiter(this.perSecond, this.now);
      this.buckets.set(key, bucket);
    }
    const t = this.now();
    if (t - this.lastSweep > 5_000) {
      // A bucket idle for a second is full again: dropping it changes nothing and bounds memory.
      for (const [k, b] of this.buckets) if (b.isIdle(t)) this.buckets.delete(k);
      this.lastSweep = t;
    }
    return bucket.take(signal);
  }

  get size(): number {
    return this.buckets.size;
  }
}
