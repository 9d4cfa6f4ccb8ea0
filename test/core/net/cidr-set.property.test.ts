/**
 * CidrSet against the naive model in naive.ts: random sets of random CIDRs, ranges and single
 * addresses of both families, biased towards the edges of the space (0.0.0.0/0, /32, 255.255.255.255,
 * ::/0, the top of the IPv6 space) and towards small windows where ranges overlap and touch.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Cidr, IpRange } from "../../../src/core/net/index.js";
import { bigintToIpv6, CidrSet, formatCidr, ipv4Cidr, ipv6Cidr, numberToIpv4 } from "../../../src/core/net/index.js";
import type { Raw } from "./naive.js";
import { naiveCountV4, naiveCountV6, naiveHas, probesV4, probesV6 } from "./naive.js";

const MAX6 = (1n << 128n) - 1n;
const RUNS = { numRuns: 400 };

/** A generated member of a set: its bounds for the model, and what is handed to CidrSet.add. */
type Item<T extends number | bigint> = { bounds: readonly [T, T]; input: string | IpRange };

const addrV4 = fc.oneof(
  fc.constantFrom(0, 1, 2, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff),
  fc.integer({ min: 0, max: 300 }),
  fc.integer({ min: 0x0a000000, max: 0x0a000300 }),
  fc.integer({ min: 0xffffff00, max: 0xffffffff }),
  fc.integer({ min: 0, max: 0xffffffff }),
);
const prefixV4 = fc.oneof(fc.constantFrom(0, 1, 8, 31, 32), fc.integer({ min: 0, max: 32 }), fc.integer({ min: 22, max: 32 }));

const itemV4: fc.Arbitrary<Item<number>> = fc.oneof(
  fc.tuple(addrV4, prefixV4, fc.boolean()).map(([n, prefix, asText]): Item<number> => {
    const c = ipv4Cidr(n, prefix);
    return { bounds: [c.first, c.last], input: asText ? `${numberToIpv4(n)}/${prefix}` : c };
  }),
  fc.tuple(addrV4, addrV4, fc.boolean()).map(([a, b, asText]): Item<number> => {
    const [first, last] = a <= b ? [a, b] : [b, a];
    return { bounds: [first, last], input: asText ? `${numberToIpv4(first)}-${numberToIpv4(last)}` : { v: 4, first, last } };
  }),
  addrV4.map((n): Item<number> => ({ bounds: [n, n], input: numberToIpv4(n) })),
);

const addrV6 = fc.oneof(
  fc.constantFrom(0n, 1n, 0xffff00000000n, 1n << 64n, (1n << 64n) - 1n, 1n << 127n, MAX6 - 1n, MAX6),
  fc.bigInt({ min: 0n, max: 300n }),
  fc.bigInt({ min: 0xffff00000000n - 100n, max: 0xffff00000000n + 300n }),
  fc.bigInt({ min: MAX6 - 300n, max: MAX6 }),
  fc.bigInt({ min: 0n, max: MAX6 }),
);
const prefixV6 = fc.oneof(fc.constantFrom(0, 1, 64, 96, 127, 128), fc.integer({ min: 0, max: 128 }), fc.integer({ min: 118, max: 128 }));

const itemV6: fc.Arbitrary<Item<bigint>> = fc.oneof(
  fc.tuple(addrV6, prefixV6, fc.boolean()).map(([n, prefix, asText]): Item<bigint> => {
    const c = ipv6Cidr(n, prefix);
    return { bounds: [c.first, c.last], input: asText ? `${bigintToIpv6(n)}/${prefix}` : c };
  }),
  fc.tuple(addrV6, addrV6, fc.boolean()).map(([a, b, asText]): Item<bigint> => {
    const [first, last] = a <= b ? [a, b] : [b, a];
    return { bounds: [first, last], input: asText ? `${bigintToIpv6(first)}-${bigintToIpv6(last)}` : { v: 6, first, last } };
  }),
  addrV6.map((n): Item<bigint> => ({ bounds: [n, n], input: bigintToIpv6(n) })),
);

/** A random set of both families: the raw ranges for the model, the CidrSet under test. */
interface Generated {
  raw4: Raw<number>;
  raw6: Raw<bigint>;
  set: CidrSet;
}

const generated: fc.Arbitrary<Generated> = fc
  .tuple(fc.array(itemV4, { maxLength: 25 }), fc.array(itemV6, { maxLength: 25 }), fc.nat())
  .map(([items4, items6, split]) => {
    const set = new CidrSet();
    const inputs = [...items4, ...items6].map((i) => i.input);
    // Add in two batches with a query in between, so lazy merging into a built set is exercised.
    const cut = inputs.length === 0 ? 0 : split % (inputs.length + 1);
    inputs.slice(0, cut).forEach((i) => set.add(i));
    set.hasV4(0);
    inputs.slice(cut).forEach((i) => set.add(i));
    return { raw4: items4.map((i) => i.bounds), raw6: items6.map((i) => i.bounds), set };
  });

const extraV4 = fc.array(addrV4, { maxLength: 20 });
const extraV6 = fc.array(addrV6, { maxLength: 20 });

function expectNormalized(set: CidrSet): void {
  const i4 = [...set.intervalsV4()];
  i4.forEach(([s, e], i) => {
    expect(s).toBeLessThanOrEqual(e);
    if (i > 0) expect(i4[i - 1]![1] + 1).toBeLessThan(s); // sorted, no overlap, no adjacency
  });
  const i6 = [...set.intervalsV6()];
  i6.forEach(([s, e], i) => {
    expect(s <= e).toBe(true);
    if (i > 0) expect(i6[i - 1]![1] + 1n < s).toBe(true);
  });
}

function hostBits(c: Cidr): number {
  return (c.v === 4 ? 32 : 128) - c.prefix;
}

/** True when `a` and `b` are the two halves of one CIDR block of prefix - 1: a minimal list has no such pair. */
function siblings(a: Cidr, b: Cidr): boolean {
  if (a.v !== b.v || a.prefix !== b.prefix || a.prefix === 0) return false;
  if (a.v === 4 && b.v === 4) return a.last + 1 === b.first && a.first % 2 ** (hostBits(a) + 1) === 0;
  if (a.v === 6 && b.v === 6) return a.last + 1n === b.first && a.first % (1n << BigInt(hostBits(a) + 1)) === 0n;
  return false;
}

describe("CidrSet against a naive model (property)", () => {
  it("has: membership matches a linear scan over the raw ranges", () => {
    fc.assert(
      fc.property(generated, extraV4, extraV6, ({ raw4, raw6, set }, x4, x6) => {
        for (const p of probesV4(raw4, x4)) expect(set.hasV4(p), numberToIpv4(p)).toBe(naiveHas(raw4, p));
        for (const p of probesV6(raw6, x6)) expect(set.hasV6(p), bigintToIpv6(p)).toBe(naiveHas(raw6, p));
        expectNormalized(set);
      }),
      RUNS,
    );
  });

  it("size: counts each address once", () => {
    fc.assert(
      fc.property(generated, ({ raw4, raw6, set }) => {
        expect(set.size).toEqual({
          v4: naiveCountV4(raw4, (x) => naiveHas(raw4, x)),
          v6: naiveCountV6(raw6, (x) => naiveHas(raw6, x)),
        });
      }),
      RUNS,
    );
  });

  it("union, subtract, intersect: membership and size match the model", () => {
    fc.assert(
      fc.property(generated, generated, extraV4, extraV6, (a, b, x4, x6) => {
        const ops = [
          ["union", a.set.union(b.set), (inA: boolean, inB: boolean) => inA || inB],
          ["subtract", a.set.subtract(b.set), (inA: boolean, inB: boolean) => inA && !inB],
          ["intersect", a.set.intersect(b.set), (inA: boolean, inB: boolean) => inA && inB],
        ] as const;
        const all4 = [...a.raw4, ...b.raw4];
        const all6 = [...a.raw6, ...b.raw6];
        for (const [name, result, rule] of ops) {
          const member4 = (x: number): boolean => rule(naiveHas(a.raw4, x), naiveHas(b.raw4, x));
          const member6 = (x: bigint): boolean => rule(naiveHas(a.raw6, x), naiveHas(b.raw6, x));
          for (const p of probesV4(all4, x4)) expect(result.hasV4(p), `${name} ${numberToIpv4(p)}`).toBe(member4(p));
          for (const p of probesV6(all6, x6)) expect(result.hasV6(p), `${name} ${bigintToIpv6(p)}`).toBe(member6(p));
          expect(result.size, name).toEqual({ v4: naiveCountV4(all4, member4), v6: naiveCountV6(all6, member6) });
          expectNormalized(result);
        }
      }),
      RUNS,
    );
  });

  it("set identities: (A - B) + (A & B) = A, (A - B) & B = {}, merge = union", () => {
    fc.assert(
      fc.property(generated, generated, (a, b) => {
        expect(a.set.subtract(b.set).union(a.set.intersect(b.set)).equals(a.set)).toBe(true);
        expect(a.set.subtract(b.set).intersect(b.set).isEmpty()).toBe(true);
        expect(a.set.clone().merge(b.set).equals(a.set.union(b.set))).toBe(true);
        expect(a.set.union(b.set).equals(b.set.union(a.set))).toBe(true);
      }),
      RUNS,
    );
  });

  it("toCidrs: aligned, ordered, minimal, and round-trips to the same set", () => {
    fc.assert(
      fc.property(generated, ({ set }) => {
        const list = set.toCidrs();
        list.forEach((c, i) => {
          if (c.v === 4) {
            const size = 2 ** hostBits(c);
            expect(c.first % size).toBe(0);
            expect(c.last - c.first + 1).toBe(size);
          } else {
            const size = 1n << BigInt(hostBits(c));
            expect(c.first % size).toBe(0n);
            expect(c.last - c.first + 1n).toBe(size);
          }
          const prev = list[i - 1];
          if (prev !== undefined && prev.v === c.v) {
            expect(prev.last < c.first, `${formatCidr(prev)} before ${formatCidr(c)}`).toBe(true);
            expect(siblings(prev, c), `${formatCidr(prev)} and ${formatCidr(c)} should be one block`).toBe(false);
          }
        });
        expect(CidrSet.from(list).equals(set)).toBe(true);
        expect(CidrSet.from(list.map(formatCidr)).equals(set)).toBe(true);
      }),
      RUNS,
    );
  });
});
