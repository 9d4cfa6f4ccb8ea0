import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mulModBy } from "../../../src/scan/engine/mulmod.js";
import { CyclicPermutation, cyclicGroup } from "../../../src/scan/engine/permutation.js";
import { distinctPrimeFactors, isPrime, isPrimitiveRoot, nextPrimeAbove } from "../../../src/scan/engine/primes.js";

const order = (size: number, seed: string, shards = 1, shard = 0) => [...new CyclicPermutation({ size, seed, shards, shard })];

function isPermutationOf(seq: number[], n: number): boolean {
  if (seq.length !== n) return false;
  const seen = new Uint8Array(n);
  for (const i of seq) {
    if (!(Number.isInteger(i) && i >= 0 && i < n) || seen[i]) return false;
    seen[i] = 1;
  }
  return true;
}

/** Sizes worth testing: tiny ones, primes (p = next prime), and p − 1 (the walk has no index to skip). */
const sizeArb = fc.oneof(
  fc.integer({ min: 0, max: 3 }),
  fc.integer({ min: 1, max: 5000 }),
  fc.constantFrom(2, 3, 5, 7, 11, 13, 97, 101, 4093, 4096),
  fc.integer({ min: 2, max: 5000 }).map((k) => nextPrimeAbove(k) - 1), // N = p − 1
  fc.integer({ min: 2, max: 5000 }).map((k) => nextPrimeAbove(k)), // N prime
);
const seedArb = fc.string({ minLength: 0, maxLength: 12 });

describe("number theory", () => {
  it("agrees with trial division on primality", () => {
    const naive = (n: number) => {
      if (n < 2) return false;
      for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
      return true;
    };
    for (let n = 0; n < 5000; n++) expect(isPrime(n)).toBe(naive(n));
    // Strong pseudoprimes to several bases, and large known primes.
    for (const composite of [3215031751, 2152302898747, 3474749660383, 341550071728321]) expect(isPrime(composite)).toBe(false);
    for (const prime of [4294967311, 2 ** 31 - 1, 281474976710677]) expect(isPrime(prime)).toBe(true);
  });

  it("factors p − 1 and recognises primitive roots", () => {
    expect(distinctPrimeFactors(4294967310)).toEqual([2, 3, 5, 131, 364289]);
    expect(distinctPrimeFactors(1)).toEqual([]);
    // 3 is a primitive root mod 7 (order 6), 2 is not (order 3).
    expect(isPrimitiveRoot(3, 7, [2, 3])).toBe(true);
    expect(isPrimitiveRoot(2, 7, [2, 3])).toBe(false);
  });

  it("multiplies modulo p exactly at every size, up to 2^49", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 2n, max: 2n ** 49n }), fc.bigInt({ min: 0n, max: 2n ** 49n }), fc.bigInt({ min: 0n, max: 2n ** 49n }), (p, a, b) => {
        const k = b % p;
        const x = a % p;
        expect(BigInt(mulModBy(Number(k), Number(p))(Number(x)))).toBe((x * k) % p);
      }),
      { numRuns: 2000 },
    );
  });

  it("chooses the smallest prime above N and a primitive root", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), seedArb, (n, seed) => {
        const { p, g, x0 } = cyclicGroup(n, seed);
        expect(p).toBe(nextPrimeAbove(n));
        expect(p > n && isPrime(p)).toBe(true);
        expect(isPrimitiveRoot(g, p, distinctPrimeFactors(p - 1))).toBe(true);
        expect(x0 >= 1 && x0 < p).toBe(true);
      }),
      { numRuns: 50 },
    );
  });
});

describe("cyclic permutation", () => {
  it("is a permutation of [0, N) for any N and seed", () => {
    fc.assert(
      fc.property(sizeArb, seedArb, (n, seed) => {
        expect(isPermutationOf(order(n, seed), n)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("is deterministic for a seed and differs between seeds", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1000, max: 20000 }), seedArb, seedArb, (n, a, b) => {
        expect(order(n, a)).toEqual(order(n, a));
        fc.pre(a !== b);
        expect(order(n, a)).not.toEqual(order(n, b));
      }),
      { numRuns: 100 },
    );
  });

  it("looks random: neighbouring indices are not emitted next to each other", () => {
    const seq = order(65536, "spread");
    let adjacent = 0;
    for (let i = 1; i < seq.length; i++) if (Math.abs(seq[i]! - seq[i - 1]!) === 1) adjacent++;
    // A random order has about 2 adjacent pairs per N; a sequential one has N − 1.
    expect(adjacent).toBeLessThan(20);
  });

  it("shards partition [0, N): every index in exactly one shard", () => {
    fc.assert(
      fc.property(sizeArb, seedArb, fc.integer({ min: 1, max: 16 }), (n, seed, shards) => {
        const all: number[] = [];
        for (let i = 0; i < shards; i++) all.push(...order(n, seed, shards, i));
        expect(isPermutationOf(all, n)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it("shard i walks cycle positions i, i+n, i+2n, … of the unsharded walk", () => {
    const n = 1000;
    const whole = new CyclicPermutation({ size: n, seed: "s" });
    const positions: number[] = []; // index at each cycle position, or -1 where the position is skipped
    for (let x = whole.first, j = 0; j < whole.positions; j++, x = Number((BigInt(x) * BigInt(whole.g)) % BigInt(whole.p))) {
      positions.push(x <= n ? x - 1 : -1);
    }
    const shards = 3;
    for (let i = 0; i < shards; i++) {
      const expected = positions.filter((v, j) => j % shards === i && v !== -1);
      expect(order(n, "s", shards, i)).toEqual(expected);
    }
  });

  it("continues exactly from a saved state", () => {
    fc.assert(
      fc.property(sizeArb, seedArb, fc.integer({ min: 1, max: 4 }), fc.nat(), (n, seed, shards, cut) => {
        const full = order(n, seed, shards, 0);
        const perm = new CyclicPermutation({ size: n, seed, shards, shard: 0 });
        const head: number[] = [];
        for (let k = 0; k < cut % (full.length + 1); k++) head.push(perm.next());
        const resumed = new CyclicPermutation({ size: n, seed, shards, shard: 0 });
        resumed.seek(perm.state);
        expect([...head, ...resumed]).toEqual(full);
      }),
      { numRuns: 200 },
    );
  });

  it("refuses bad shard numbers and absurd sizes", () => {
    expect(() => new CyclicPermutation({ size: 10, seed: "s", shards: 2, shard: 2 })).toThrow(/--shard/);
    expect(() => new CyclicPermutation({ size: 10, seed: "s", shards: 0 })).toThrow(/--shards/);
    expect(() => new CyclicPermutation({ size: 2 ** 49, seed: "s" })).toThrow(/2\^48/);
  });
});
