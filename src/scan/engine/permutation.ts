/**
 * The scan order: ZMap's cyclic-group walk. For N targets take the smallest prime p > N; the
 * multiplicative group of integers mod p is cyclic of order p − 1, so for a primitive root g the walk
 * x, x·g, x·g², … visits every element of [1, p − 1] exactly once before it returns to x. Emitting x − 1
 * whenever it is < N gives a permutation of [0, N) that looks random (neighbouring indices, and so
 * neighbouring addresses, are far apart in time), costs O(1) memory, and is fully determined by
 * (p, g, x0) — which the seed fixes — so a campaign can be reproduced, sharded and resumed.
 *
 * Sharding: the walk has p − 1 positions; shard i of n takes positions j ≡ i (mod n), i.e. it starts at
 * x0·g^i and steps by g^n. Shards partition the positions, so together they emit every index once.
 */
import { UsageError } from "../../core/errors.js";
import { mulModBy } from "./mulmod.js";
import { distinctPrimeFactors, isPrimitiveRoot, nextPrimeAbove, powMod } from "./primes.js";
import { SeedStream } from "./seed.js";

/** Most targets (addresses × ports) one campaign may hold: all of IPv4 on every port. */
export const MAX_CAMPAIGN_TARGETS = 2 ** 48;

export interface PermutationParams {
  /** N: the number of indices to permute. */
  size: number;
  seed: string;
  /** Number of shards n (default 1) and this shard's number i in [0, n). */
  shards?: number;
  shard?: number;
}

/** Where a walk is: the element to examine next and how many positions of the shard are used up. */
export interface CycleState {
  x: number;
  pos: number;
}

/** The group parameters a seed selects for a size. */
export interface CyclicGroup {
  p: number;
  g: number;
  /** Start element of the whole walk (position 0 of shard 0). */
  x0: number;
}

/** Chooses (p, g, x0) for N indices from the seed. */
export function cyclicGroup(size: number, seed: string): CyclicGroup {
  if (!(Number.isSafeInteger(size) && size >= 0 && size <= MAX_CAMPAIGN_TARGETS)) {
    throw new UsageError(`cannot scan ${size} targets: at most 2^48 (addresses × ports) per campaign`);
  }
  const p = nextPrimeAbove(size);
  const random = new SeedStream(seed);
  let g = 1;
  if (p > 2) {
    const factors = distinctPrimeFactors(p - 1);
    // Primitive roots are dense (φ(p−1)/(p−1) of the group), so a few draws find one.
    do g = random.int(2, p - 1);
    while (!isPrimitiveRoot(g, p, factors));
  }
  const x0 = random.int(1, p - 1);
  return { p, g, x0 };
}

export class CyclicPermutation {
  readonly size: number;
  readonly p: number;
  readonly g: number;
  readonly shards: number;
  readonly shard: number;
  /** Element at this shard's first position, and the multiplier between its positions (g^n). */
  readonly first: number;
  readonly step: number;
  /** How many positions of the walk belong to this shard. */
  readonly positions: number;
  private x: number;
  private pos = 0;
  private readonly mul: (x: number) => number;

  constructor(params: PermutationParams) {
    const shards = params.shards ?? 1;
    const shard = params.shard ?? 0;
    if (!(Number.isSafeInteger(shards) && shards >= 1)) throw new UsageError(`--shards must be a positive integer, not ${shards}`);
    if (!(Number.isSafeInteger(shard) && shard >= 0 && shard < shards)) {
      throw new UsageError(`--shard must be an integer in 0..${shards - 1}, not ${shard}`);
    }
    const { p, g, x0 } = cyclicGroup(params.size, params.seed);
    this.size = params.size;
    this.p = p;
    this.g = g;
    this.shards = shards;
    this.shard = shard;
    this.first = Number((BigInt(x0) * powMod(g, shard, p)) % BigInt(p));
    this.step = Number(powMod(g, shards, p));
    this.positions = shard < p - 1 ? Math.floor((p - 2 - shard) / shards) + 1 : 0;
    this.mul = mulModBy(this.step, p);
    this.x = this.first;
  }

  /** The next index of this shard, or −1 once the shard is exhausted. */
  next(): number {
    const n = this.size;
    while (this.pos < this.positions) {
      const cur = this.x;
      this.x = this.mul(cur);
      this.pos++;
      if (cur <= n) return cur - 1;
    }
    return -1;
  }

  get state(): CycleState {
    return { x: this.x, pos: this.pos };
  }

  /** Continues from a state taken earlier from a permutation with the same parameters. */
  seek(state: CycleState): void {
    if (!(Number.isSafeInteger(state.x) && state.x >= 1 && state.x < this.p && Number.isSafeInteger(state.pos))) {
      throw new RangeError(`invalid permutation state ${JSON.stringify(state)} for p = ${this.p}`);
    }
    if (state.pos < 0 || state.pos > this.positions) throw new RangeError(`position ${state.pos} outside the shard`);
    this.x = state.x;
    this.pos = state.pos;
  }

  /** Every index of the shard in order, from the current state (tests and small campaigns). */
  *[Symbol.iterator](): IterableIterator<number> {
    for (let i = this.next(); i !== -1; i = this.next()) yield i;
  }
}
