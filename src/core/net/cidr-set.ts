/**
 * CidrSet: a set of IPv4 and IPv6 addresses held as sorted, merged, non-overlapping intervals, with
 * O(log n) membership. The scanner asks `hasV4` before every probe, so that path allocates nothing:
 * IPv4 intervals live in two Uint32Arrays, and large sets get a 65,536-entry index by the top 16
 * address bits that narrows each binary search to the intervals of one /16.
 *
 * Additions are buffered and merged lazily on the next query (or `freeze()`), so loading a
 * million-line blocklist costs one sort, not a million insertions. IPv4-mapped IPv6 addresses are
 * IPv6 here (::ffff:10.0.0.1 is not 10.0.0.1): call `unmapIpv4` first when the IPv4 host is meant.
 */
import { splitV4, splitV6 } from "./cidr-split.js";
import type { Cidr, IpAddr, Ipv4Cidr, Ipv6Cidr, IpRange } from "./ip.js";
import { parseIp, parseRange } from "./ip.js";
import type { Intervals } from "./intervals.js";
import { bigintStep, findInterval, intersect, mergeSorted, numberStep, subtract, union } from "./intervals.js";
import { IPV6_MAX } from "./ipv6.js";
import { PendingV4 } from "./pending-v4.js";

/** What `add` and `CidrSet.from` take: "192.0.2.0/24", "10.0.0.1", "10.0.0.1-10.0.0.9", a parsed address, range or CIDR. */
export type CidrSetItem = string | IpAddr | IpRange;

const EMPTY_U32 = new Uint32Array(0);
/** Sets with at least this many IPv4 intervals get the /16 index (256 KiB); smaller ones search directly. */
const INDEX_MIN_INTERVALS = 1024;

export class CidrSet {
  // Normalized contents (see intervals.ts); replaced, never mutated, so iterators stay valid.
  #v4s: Uint32Array = EMPTY_U32;
  #v4e: Uint32Array = EMPTY_U32;
  #v6s: bigint[] = [];
  #v6e: bigint[] = [];
  // index[h] = number of IPv4 intervals starting below h * 65536, for h in 0..65536.
  #index: Uint32Array | undefined;
  // Buffered additions, merged by #build().
  #p4 = new PendingV4();
  #p6s: bigint[] = [];
  #p6e: bigint[] = [];
  #dirty = false;
  #frozen = false;
  #size4 = 0;
  #size6 = 0n;

  /** A set holding every item; strings are parsed with `parseRange` (UsageError on bad text). */
  static from(items: Iterable<CidrSetItem>): CidrSet {
    const set = new CidrSet();
    for (const item of items) set.add(item);
    return set;
  }

  static #of(v4: Intervals<number>, v6: Intervals<bigint>): CidrSet {
    const set = new CidrSet();
    set.#install(Uint32Array.from(v4.starts), Uint32Array.from(v4.ends), Array.from(v6.starts), Array.from(v6.ends));
    return set;
  }

  /** Adds an address, a range or a CIDR block. Throws TypeError once frozen. */
  add(item: CidrSetItem): this {
    if (typeof item === "string") item = parseRange(item);
    if ("n" in item) {
      if (item.v === 4) this.addV4Range(item.n, item.n);
      else this.addV6Range(item.n, item.n);
    } else if (item.v === 4) {
      this.addV4Range(item.first, item.last);
    } else {
      this.addV6Range(item.first, item.last);
    }
    return this;
  }

  /** Adds the inclusive IPv4 range [first, last] given as unsigned 32-bit numbers. */
  addV4Range(first: number, last: number): this {
    this.#checkMutable();
    if (!(Number.isInteger(first) && Number.isInteger(last) && first >= 0 && first <= last && last <= 0xffffffff)) {
      throw new RangeError(`not an IPv4 range: ${first}-${last}`);
    }
    this.#p4.push(first, last);
    this.#dirty = true;
    return this;
  }

  /** Adds the inclusive IPv6 range [first, last] given as 128-bit bigints. */
  addV6Range(first: bigint, last: bigint): this {
    this.#checkMutable();
    if (!(typeof first === "bigint" && typeof last === "bigint" && first >= 0n && first <= last && last <= IPV6_MAX)) {
      throw new RangeError(`not an IPv6 range: ${String(first)}-${String(last)}`);
    }
    this.#p6s.push(first);
    this.#p6e.push(last);
    this.#dirty = true;
    return this;
  }

  /** Adds every address of `other` to this set, in place (`union` returns a new set instead). */
  merge(other: CidrSet): this {
    this.#checkMutable();
    other.#build();
    this.#build();
    const v4 = union<number>({ starts: this.#v4s, ends: this.#v4e }, { starts: other.#v4s, ends: other.#v4e }, numberStep);
    const v6 = union<bigint>({ starts: this.#v6s, ends: this.#v6e }, { starts: other.#v6s, ends: other.#v6e }, bigintStep);
    this.#install(Uint32Array.from(v4.starts), Uint32Array.from(v4.ends), v6.starts, v6.ends);
    return this;
  }

  /** Merges pending additions now and refuses further changes; for sets shared between callers. */
  freeze(): this {
    this.#build();
    this.#frozen = true;
    return this;
  }

  get frozen(): boolean {
    return this.#frozen;
  }

  /** Membership of an address; a string is parsed with `parseIp` (UsageError on bad text). */
  has(addr: IpAddr | string): boolean {
    const a = typeof addr === "string" ? parseIp(addr) : addr;
    return a.v === 4 ? this.hasV4(a.n) : this.hasV6(a.n);
  }

  /**
   * Membership of the IPv4 address `n` (unsigned 32-bit). The scanner's hot path: no allocation.
   * Anything that is not a number in 0..2^32-1 (negative, NaN, too big) is simply not a member.
   */
  hasV4(n: number): boolean {
    if (this.#dirty) this.#build();
    if (!(n >= 0 && n <= 0xffffffff)) return false;
    const starts = this.#v4s;
    let lo = 0;
    let hi = starts.length;
    const index = this.#index;
    if (index !== undefined) {
      const bucket = n >>> 16;
      lo = index[bucket]!;
      hi = index[bucket + 1]!;
    }
    // Count the intervals starting at or before n; the last of them is the only one that may hold n.
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid]! <= n) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 && n <= this.#v4e[lo - 1]!;
  }

  /** Membership of the IPv6 address `n` (128-bit bigint). */
  hasV6(n: bigint): boolean {
    if (this.#dirty) this.#build();
    return findInterval({ starts: this.#v6s, ends: this.#v6e }, n) !== -1;
  }

  /** Address counts: IPv4 as a number (at most 2^32), IPv6 as a bigint (up to 2^128). */
  get size(): { v4: number; v6: bigint } {
    this.#build();
    return { v4: this.#size4, v6: this.#size6 };
  }

  /** How many merged intervals each family holds (the cost of a lookup is log2 of this). */
  get intervalCount(): { v4: number; v6: number } {
    this.#build();
    return { v4: this.#v4s.length, v6: this.#v6s.length };
  }

  isEmpty(): boolean {
    this.#build();
    return this.#v4s.length === 0 && this.#v6s.length === 0;
  }

  /** A new set with the addresses in this set or in `other`. */
  union(other: CidrSet): CidrSet {
    this.#build();
    other.#build();
    return CidrSet.#of(
      union<number>(this.#v4(), other.#v4(), numberStep),
      union<bigint>(this.#v6(), other.#v6(), bigintStep),
    );
  }

  /** A new set with the addresses in this set but not in `other` (e.g. target space minus blocklist). */
  subtract(other: CidrSet): CidrSet {
    this.#build();
    other.#build();
    return CidrSet.#of(
      subtract<number>(this.#v4(), other.#v4(), numberStep),
      subtract<bigint>(this.#v6(), other.#v6(), bigintStep),
    );
  }

  /** A new set with the addresses in both sets. */
  intersect(other: CidrSet): CidrSet {
    this.#build();
    other.#build();
    return CidrSet.#of(intersect<number>(this.#v4(), other.#v4()), intersect<bigint>(this.#v6(), other.#v6()));
  }

  /** True when both sets hold exactly the same addresses. */
  equals(other: CidrSet): boolean {
    this.#build();
    other.#build();
    const same = <T>(a: ArrayLike<T>, b: ArrayLike<T>): boolean => {
      if (a.length !== b.length) return false;
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
      return true;
    };
    return same(this.#v4s, other.#v4s) && same(this.#v4e, other.#v4e) && same(this.#v6s, other.#v6s) && same(this.#v6e, other.#v6e);
  }

  /** An unfrozen copy. */
  clone(): CidrSet {
    this.#build();
    return CidrSet.#of(this.#v4(), this.#v6());
  }

  /** The merged IPv4 intervals as inclusive [start, end] pairs, in address order. */
  *intervalsV4(): IterableIterator<[number, number]> {
    this.#build();
    const s = this.#v4s;
    const e = this.#v4e;
    for (let i = 0; i < s.length; i++) yield [s[i]!, e[i]!];
  }

  /** The merged IPv6 intervals as inclusive [start, end] pairs, in address order. */
  *intervalsV6(): IterableIterator<[bigint, bigint]> {
    this.#build();
    const s = this.#v6s;
    const e = this.#v6e;
    for (let i = 0; i < s.length; i++) yield [s[i]!, e[i]!];
  }

  /** The merged intervals of both families as ranges: IPv4 first, each family in address order. */
  *ranges(): IterableIterator<IpRange> {
    for (const [first, last] of this.intervalsV4()) yield { v: 4, first, last };
    for (const [first, last] of this.intervalsV6()) yield { v: 6, first, last };
  }

  /** The fewest CIDR blocks covering exactly this set: IPv4 first, each family in address order. */
  toCidrs(): Cidr[] {
    this.#build();
    const v4: Ipv4Cidr[] = [];
    for (let i = 0; i < this.#v4s.length; i++) splitV4(this.#v4s[i]!, this.#v4e[i]!, v4);
    const v6: Ipv6Cidr[] = [];
    for (let i = 0; i < this.#v6s.length; i++) splitV6(this.#v6s[i]!, this.#v6e[i]!, v6);
    return [...v4, ...v6];
  }

  #v4(): Intervals<number> {
    return { starts: this.#v4s, ends: this.#v4e };
  }

  #v6(): Intervals<bigint> {
    return { starts: this.#v6s, ends: this.#v6e };
  }

  #checkMutable(): void {
    if (this.#frozen) throw new TypeError("CidrSet is frozen: clone() it to add more");
  }

  /** Merges buffered additions into the normalized arrays. */
  #build(): void {
    if (!this.#dirty) return;
    let v4s = this.#v4s;
    let v4e = this.#v4e;
    if (this.#p4.length > 0) {
      const added = this.#p4.drain();
      if (v4s.length === 0) {
        v4s = added.starts;
        v4e = added.ends;
      } else {
        const all = union<number>({ starts: v4s, ends: v4e }, added, numberStep);
        v4s = Uint32Array.from(all.starts);
        v4e = Uint32Array.from(all.ends);
      }
    }
    let v6s = this.#v6s;
    let v6e = this.#v6e;
    if (this.#p6s.length > 0) {
      const ps = this.#p6s;
      const pe = this.#p6e;
      const order = Array.from(ps.keys()).sort((a, b) => (ps[a]! < ps[b]! ? -1 : ps[a]! > ps[b]! ? 1 : 0));
      const added = mergeSorted(ps, pe, order, bigintStep);
      const all = union<bigint>({ starts: v6s, ends: v6e }, added, bigintStep);
      v6s = all.starts;
      v6e = all.ends;
    }
    this.#p6s = [];
    this.#p6e = [];
    this.#install(v4s, v4e, v6s, v6e);
  }

  /** Replaces the contents with normalized intervals and recomputes what derives from them. */
  #install(v4s: Uint32Array, v4e: Uint32Array, v6s: bigint[], v6e: bigint[]): void {
    this.#v4s = v4s;
    this.#v4e = v4e;
    this.#v6s = v6s;
    this.#v6e = v6e;
    this.#dirty = this.#p4.length > 0 || this.#p6s.length > 0;
    let size4 = 0;
    for (let i = 0; i < v4s.length; i++) size4 += v4e[i]! - v4s[i]! + 1;
    let size6 = 0n;
    for (let i = 0; i < v6s.length; i++) size6 += v6e[i]! - v6s[i]! + 1n;
    this.#size4 = size4;
    this.#size6 = size6;
    this.#index = v4s.length >= INDEX_MIN_INTERVALS ? buildIndex(v4s) : undefined;
  }
}

function buildIndex(starts: Uint32Array): Uint32Array {
  const index = new Uint32Array(65537);
  let i = 0;
  for (let h = 0; h <= 65536; h++) {
    const bound = h * 65536;
    while (i < starts.length && starts[i]! < bound) i++;
    index[h] = i;
  }
  return index;
}
