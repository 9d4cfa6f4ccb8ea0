/**
 * Splits an inclusive range into the fewest CIDR blocks that cover exactly it: greedily take the
 * largest block that both starts aligned at the current address and fits before the range's end.
 * Greedy is optimal here because any CIDR cover of [s, e] must start with a block at s, and the
 * largest aligned one that fits dominates every smaller choice.
 */
import type { Cidr, Ipv4Cidr, Ipv6Cidr, IpRange } from "./ip.js";

const TWO_32 = 2 ** 32;

/** Appends the minimal CIDR cover of IPv4 [first, last] (integers, 0 <= first <= last < 2^32). */
export function splitV4(first: number, last: number, out: Ipv4Cidr[]): void {
  let s = first;
  while (s <= last) {
    // Host bits of the largest block aligned at s: the lowest set bit of s (any size for s = 0).
    // `& -s` works on the int32 bit pattern; >>> 0 turns bit 31 back into a positive 2^31.
    let bits = s === 0 ? 32 : 31 - Math.clz32((s & -s) >>> 0);
    const len = last - s + 1;
    const fit = len >= TWO_32 ? 32 : 31 - Math.clz32(len); // largest power of two <= len
    if (fit < bits) bits = fit;
    const size = 2 ** bits;
    out.push({ v: 4, first: s, last: s + size - 1, prefix: 32 - bits });
    s += size;
  }
}

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** Appends the minimal CIDR cover of IPv6 [first, last]. */
export function splitV6(first: bigint, last: bigint, out: Ipv6Cidr[]): void {
  let s = first;
  while (s <= last) {
    let hostBits = s === 0n ? 128 : bitLength(s & -s) - 1;
    const fit = bitLength(last - s + 1n) - 1;
    if (fit < hostBits) hostBits = fit;
    const size = 1n << BigInt(hostBits);
    out.push({ v: 6, first: s, last: s + size - 1n, prefix: 128 - hostBits });
    s += size;
  }
}

/** The fewest CIDR blocks covering exactly `range`, in address order. */
export function rangeToCidrs(range: IpRange): Cidr[] {
  if (range.v === 4) {
    const out: Ipv4Cidr[] = [];
    splitV4(range.first, range.last, out);
    return out;
  }
  const out: Ipv6Cidr[] = [];
  splitV6(range.first, range.last, out);
  return out;
}
