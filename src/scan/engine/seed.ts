/**
 * Seeds: a campaign's order is a pure function of its seed, so that `--seed` reproduces a scan and every
 * shard of a sharded campaign agrees on the same permutation. Any text is a seed; the stream of random
 * numbers drawn from it is SHA-256 in counter mode, which is portable and needs no state but a counter.
 */
import { createHash, randomBytes } from "node:crypto";

/** A fresh random seed: 64 bits as decimal text (what ZMap's --seed takes). */
export function randomSeed(): string {
  return randomBytes(8).readBigUInt64BE().toString();
}

/** Uniform random integers drawn deterministically from a seed. */
export class SeedStream {
  private counter = 0;

  constructor(private readonly seed: string) {}

  /** 52 uniformly random bits as a number. */
  private bits52(): number {
    const digest = createHash("sha256").update(`iotscope-scan\0${this.seed}\0${this.counter++}`).digest();
    return (digest.readUInt32BE(0) & 0xfffff) * 2 ** 32 + digest.readUInt32BE(4);
  }

  /** A uniform integer in [lo, hi] (inclusive), by rejection so that no value is favoured. */
  int(lo: number, hi: number): number {
    const range = hi - lo + 1;
    if (!(Number.isSafeInteger(lo) && Number.isSafeInteger(hi) && range >= 1 && range <= 2 ** 52)) {
      throw new RangeError(`bad range ${lo}..${hi}`);
    }
    const limit = Math.floor(2 ** 52 / range) * range;
    for (;;) {
      const r = this.bits52();
      if (r < limit) return lo + (r % range);
    }
  }
}
