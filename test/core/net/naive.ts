/**
 * A deliberately naive model of a set of address ranges, the oracle for CidrSet's property tests:
 * membership is a linear scan over the raw, unmerged ranges, and sizes sum the elementary segments
 * between all range boundaries. Nothing here shares code with src/core/net.
 */
export type Raw<T extends number | bigint> = readonly (readonly [T, T])[];

export function naiveHas<T extends number | bigint>(ranges: Raw<T>, x: T): boolean {
  return ranges.some(([s, e]) => s <= x && x <= e);
}

/*
 * Number of addresses x with `member(x)`, where membership can only change at the boundaries of
 * `ranges` (a start, or an end + 1): testing one address per elementary segment is then enough.
 */

export function naiveCountV4(ranges: Raw<number>, member: (x: number) => boolean): number {
  const points = [...new Set(ranges.flatMap(([s, e]) => [s, e + 1]))].sort((a, b) => a - b);
  let total = 0;
  for (let i = 0; i + 1 < points.length; i++) if (member(points[i]!)) total += points[i + 1]! - points[i]!;
  return total;
}

export function naiveCountV6(ranges: Raw<bigint>, member: (x: bigint) => boolean): bigint {
  const points = [...new Set(ranges.flatMap(([s, e]) => [s, e + 1n]))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let total = 0n;
  for (let i = 0; i + 1 < points.length; i++) if (member(points[i]!)) total += points[i + 1]! - points[i]!;
  return total;
}

/** Addresses worth probing: every boundary of every range and its neighbours, clipped to [0, max]. */
export function probesV4(ranges: Raw<number>, extra: readonly number[] = []): number[] {
  const out = new Set<number>(extra);
  for (const [s, e] of ranges) for (const x of [s - 1, s, s + 1, e - 1, e, e + 1]) if (x >= 0 && x <= 0xffffffff) out.add(x);
  return [...out];
}

export function probesV6(ranges: Raw<bigint>, extra: readonly bigint[] = []): bigint[] {
  const max = (1n << 128n) - 1n;
  const out = new Set<bigint>(extra);
  for (const [s, e] of ranges) for (const x of [s - 1n, s, s + 1n, e - 1n, e, e + 1n]) if (x >= 0n && x <= max) out.add(x);
  return [...out];
}
