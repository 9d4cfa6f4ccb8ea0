/**
 * Token buckets for the probe rate. `RateLimiter` is the global packets-per-second cap; `KeyedRateLimiter`
 * caps probes per network (/24 for IPv4, /64 for IPv6) so that a small network is never hammered even when
 * the random order happens to cluster. The burst is kept small (10 ms worth, at least 2 tokens) so that
 * the rate holds over any second, not just on average. The floor of 2 matters at low rates: timers fire a
 * millisecond or two late, and a bucket that could hold only one token would lose that time on every
 * token (100/s would come out near 83/s); with room for two, a late timer's time is credited instead.
 */
interface Waiter {
  resolve: () => void;
  reject: (reason: Error) => void;
  signal: AbortSignal | undefined;
}

/** What the ProbeGate needs of a global rate limit (this file's RateLimiter, or SharedRateLimiter across threads). */
export interface TokenSource {
  /** Takes a token without waiting; false when none is available now. */
  tryTake(): boolean;
  /** Resolves when a token is taken; rejects when `signal` aborts first. */
  take(signal?: AbortSignal): Promise<void>;
  /** Rejects every waiter without giving it a token (the campaign is stopping). */
  withdrawAll(reason: Error): void;
}

export class RateLimiter implements TokenSource {
  private tokens: number;
  private last: number;
  private readonly burst: number;
  private readonly queue: Waiter[] = [];
  private readonly watched = new WeakSet<AbortSignal>();
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
   * wait for tokens it will never use. One abort listener per signal, not per waiter: thousands of
   * waiters on one campaign's stop signal would otherwise trip Node's MaxListenersExceededWarning.
   */
  take(signal?: AbortSignal): Promise<void> {
    return this.enqueue(signal, true);
  }

  /** take() for a caller that watches `signal` itself and calls withdraw() on abort (KeyedRateLimiter). */
  enqueue(signal: AbortSignal | undefined, watch: boolean): Promise<void> {
    this.refill();
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    if (this.queue.length === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      if (signal && watch && !this.watched.has(signal)) {
        this.watched.add(signal);
        signal.addEventListener("abort", () => this.withdraw(signal, signal.reason as Error), { once: true });
      }
      this.queue.push({ resolve, reject, signal });
      this.schedule();
    });
  }

  /** Rejects, without taking tokens, the waiters that came with `signal` (every waiter when undefined). */
  withdraw(signal: AbortSignal | undefined, reason: Error): void {
    const keep: Waiter[] = [];
    for (const w of this.queue) {
      if (signal === undefined || w.signal === signal) w.reject(reason);
      else keep.push(w);
    }
    this.queue.length = 0;
    this.queue.push(...keep);
  }

  withdrawAll(reason: Error): void {
    this.withdraw(undefined, reason);
  }

  /** How many callers wait for a token. */
  get waiting(): number {
    return this.queue.length;
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
    // While packets wait, a timer that fires late (a busy machine) releases the waiters that were due
    // meanwhile, up to 50 ms worth, instead of losing that time: the rate then holds under load too,
    // and a long stall (start-up, a blocked event loop) still cannot turn into a large burst. With
    // nobody waiting, the bucket holds at most `burst`.
    const cap = this.queue.length > 0 ? Math.max(this.burst, Math.min(this.queue.length, this.perSecond / 20)) : this.burst;
    this.tokens = Math.min(cap, this.tokens + ((t - this.last) / 1000) * this.perSecond);
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
        this.queue.shift()!.resolve();
      }
      if (this.queue.length > 0) this.schedule();
    }, wait);
  }
}

/** One small bucket per key, created on demand and forgotten when idle, so memory stays bounded. */
export class KeyedRateLimiter {
  private readonly buckets = new Map<string, RateLimiter>();
  private readonly watched = new WeakSet<AbortSignal>();
  private lastSweep: number;

  constructor(
    readonly perSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.lastSweep = now();
  }

  take(key: string, signal?: AbortSignal): Promise<void> {
    if (signal && !signal.aborted && !this.watched.has(signal)) {
      // One listener for all buckets: withdraws this signal's waiters wherever they wait.
      this.watched.add(signal);
      signal.addEventListener("abort", () => this.withdraw(signal, signal.reason as Error), { once: true });
    }
    return this.bucket(key).enqueue(signal, false);
  }

  /** Takes a token for `key` without waiting; false when none is available now. */
  tryTake(key: string): boolean {
    return this.bucket(key).tryTake();
  }

  /** Rejects the waiters that came with `signal` (all waiters when undefined), in every bucket. */
  withdraw(signal: AbortSignal | undefined, reason: Error): void {
    for (const b of this.buckets.values()) if (b.waiting > 0) b.withdraw(signal, reason);
  }

  private bucket(key: string): RateLimiter {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new RateLimiter(this.perSecond, this.now);
      this.buckets.set(key, bucket);
    }
    const t = this.now();
    if (t - this.lastSweep > 5_000) {
      // A bucket idle for a second is full again: dropping it changes nothing and bounds memory.
      for (const [k, b] of this.buckets) if (b !== bucket && b.isIdle(t)) this.buckets.delete(k);
      this.lastSweep = t;
    }
    return bucket;
  }

  get size(): number {
    return this.buckets.size;
  }
}
