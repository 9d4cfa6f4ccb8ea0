/**
 * Set algebra on normalized interval lists, shared by the IPv4 (number) and IPv6 (bigint) halves of
 * CidrSet. A normalized list holds inclusive intervals sorted by start, with every interval at least
 * one value away from the next (overlapping and adjacent ones are merged), so each set has exactly
 * one representation: equality is element-wise, and each operation is a single linear sweep.
 */

export interface Intervals<T extends number | bigint> {
  readonly starts: ArrayLike<T>;
  readonly ends: ArrayLike<T>;
}

/** Growable output of the sweeps below. */
export interface IntervalBuilder<T extends number | bigint> {
  starts: T[];
  ends: T[];
}

/** The value after `x`: the sweeps need it to merge adjacent intervals and to cut holes. */
export interface Step<T extends number | bigint> {
  succ(x: T): T;
  pred(x: T): T;
}

export const numberStep: Step<number> = { succ: (x) => x + 1, pred: (x) => x - 1 };
export const bigintStep: Step<bigint> = { succ: (x) => x + 1n, pred: (x) => x - 1n };

/** Appends [s, e] to a list whose last interval starts at or before `s`, merging overlap and adjacency. */
function push<T extends number | bigint>(out: IntervalBuilder<T>, s: T, e: T, step: Step<T>): void {
  const last = out.ends.length - 1;
  if (last >= 0 && s <= step.succ(out.ends[last]!)) {
    if (e > out.ends[last]!) out.ends[last] = e;
  } else {
    out.starts.push(s);
    out.ends.push(e);
  }
}

/**
 * Normalizes intervals given in any order. `order` lists the indexes of `starts`/`ends` sorted by
 * start; the caller sorts because the fastest sort differs between numbers and bigints.
 */
export function mergeSorted<T extends number | bigint>(
  starts: ArrayLike<T>,
  ends: ArrayLike<T>,
  order: ArrayLike<number>,
  step: Step<T>,
): IntervalBuilder<T> {
  const out: IntervalBuilder<T> = { starts: [], ends: [] };
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    push(out, starts[i]!, ends[i]!, step);
  }
  return out;
}

export function union<T extends number | bigint>(a: Intervals<T>, b: Intervals<T>, step: Step<T>): IntervalBuilder<T> {
  const out: IntervalBuilder<T> = { starts: [], ends: [] };
  let i = 0;
  let j = 0;
  const na = a.starts.length;
  const nb = b.starts.length;
  while (i < na || j < nb) {
    if (j >= nb || (i < na && a.starts[i]! <= b.starts[j]!)) {
      push(out, a.starts[i]!, a.ends[i]!, step);
      i++;
    } else {
      push(out, b.starts[j]!, b.ends[j]!, step);
      j++;
    }
  }
  return out;
}

/** The values of `a` that are not in `b`. */
export function subtract<T extends number | bigint>(a: Intervals<T>, b: Intervals<T>, step: Step<T>): IntervalBuilder<T> {
  const out: IntervalBuilder<T> = { starts: [], ends: [] };
  const nb = b.starts.length;
  let j = 0;
  for (let i = 0; i < a.starts.length; i++) {
    const e = a.ends[i]!;
    let cur: T | undefined = a.starts[i]!;
    // Intervals of b ending before this one starts cannot touch it or any later one.
    while (j < nb && b.ends[j]! < cur) j++;
    let k = j;
    while (k < nb && b.starts[k]! <= e) {
      if (b.starts[k]! > cur) {
        out.starts.push(cur);
        out.ends.push(step.pred(b.starts[k]!));
      }
      if (b.ends[k]! >= e) {
        cur = undefined; // the rest of this interval is covered; b[k] may reach into the next one
        break;
      }
      cur = step.succ(b.ends[k]!);
      k++;
    }
    j = k;
    if (cur !== undefined) {
      out.starts.push(cur);
      out.ends.push(e);
    }
  }
  return out;
}

export function intersect<T extends number | bigint>(a: Intervals<T>, b: Intervals<T>): IntervalBuilder<T> {
  const out: IntervalBuilder<T> = { starts: [], ends: [] };
  let i = 0;
  let j = 0;
  while (i < a.starts.length && j < b.starts.length) {
    const lo = a.starts[i]! > b.starts[j]! ? a.starts[i]! : b.starts[j]!;
    const hi = a.ends[i]! < b.ends[j]! ? a.ends[i]! : b.ends[j]!;
    if (lo <= hi) {
      out.starts.push(lo);
      out.ends.push(hi);
    }
    if (a.ends[i]! < b.ends[j]!) i++;
    else j++;
  }
  return out;
}

/** Index of the interval containing `x`, or -1. Binary search over starts[lo, hi). */
export function findInterval<T extends number | bigint>(list: Intervals<T>, x: T, lo = 0, hi = list.starts.length): number {
  const starts = list.starts;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (starts[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 && x <= list.ends[lo - 1]! ? lo - 1 : -1;
}
