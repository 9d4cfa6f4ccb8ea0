/**
 * What a campaign scans. Targets come as addresses, CIDRs, ranges "a-b" and `@file` lists; IPv4 is kept
 * as a CidrSet and never materialised, IPv6 must be listed (a hitlist) because its space cannot be
 * enumerated. The campaign's target space is (IPv4 targets − blocklist) + (IPv6 list − blocklist), times
 * the port list; `TargetSpace.at(i)` maps an index i ∈ [0, N) to (address, port) in O(log intervals)
 * through prefix sums over the IPv4 intervals, which is what lets the permutation address targets by
 * number.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describeError, UsageError } from "../../core/errors.js";
import { bigintToIpv6, CidrSet, numberToIpv4, parseRange, tryParseIp } from "../../core/net/index.js";
import type { Target } from "../modules/types.js";

export const IPV6_ENUMERATION_ERROR = "IPv6 targets must be listed, not enumerated; give a hitlist file";

/** The targets as requested, before the blocklist. */
export interface TargetInput {
  v4: CidrSet;
  /** Listed IPv6 addresses, sorted, without duplicates. */
  v6: bigint[];
  /** Host names given with single addresses ("192.0.2.1,printer.example"), by canonical address text. */
  domains: Map<string, string>;
}

const HOSTNAME = /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?)*\.?$/i;

/**
 * Reads target specs: "192.0.2.1", "192.0.2.0/24", "192.0.2.10-192.0.2.20", "2001:db8::1", or "@FILE"
 * with one such entry a line ("#" comments, blank lines skipped). A single address may carry a host
 * name after a comma (ZGrab2's "IP, DOMAIN" input), used for SNI and Host headers. Relative file names
 * resolve against `cwd`.
 */
export async function loadTargets(specs: readonly string[], cwd = process.cwd()): Promise<TargetInput> {
  const input: TargetInput = { v4: new CidrSet(), v6: [], domains: new Map() };
  const v6 = new Set<bigint>();
  for (const spec of specs) {
    if (spec.startsWith("@")) {
      const file = path.resolve(cwd, spec.slice(1));
      let text: string;
      try {
        text = await readFile(file, "utf8");
      } catch (err) {
        throw new UsageError(`cannot read target file ${file}: ${describeError(err)}`, { cause: err });
      }
      const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
      for (let i = 0; i < lines.length; i++) {
        const raw = lines[i]!;
        const hash = raw.indexOf("#");
        const entry = (hash === -1 ? raw : raw.slice(0, hash)).trim();
        if (entry !== "") addTarget(entry, `${file}:${i + 1}`, input, v6);
      }
    } else {
      addTarget(spec.trim(), "target", input, v6);
    }
  }
  input.v6 = [...v6].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return input;
}

function addTarget(text: string, where: string, input: TargetInput, v6: Set<bigint>): void {
  const comma = text.indexOf(",");
  const entry = (comma === -1 ? text : text.slice(0, comma)).trim();
  const domain = comma === -1 ? undefined : text.slice(comma + 1).trim();
  let range;
  try {
    range = parseRange(entry);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    throw new UsageError(`${where}: ${err.message}`, { cause: err });
  }
  if (range.v === 6 && range.first !== range.last) throw new UsageError(`${where}: ${IPV6_ENUMERATION_ERROR} (got ${entry})`);
  if (domain !== undefined) {
    if (range.first !== range.last) throw new UsageError(`${where}: a host name goes with a single address, not ${entry}`);
    if (!HOSTNAME.test(domain)) throw new UsageError(`${where}: invalid host name ${JSON.stringify(domain)}`);
  }
  if (range.v === 4) input.v4.addV4Range(range.first, range.last);
  else v6.add(range.first);
  if (domain) {
    const ip = range.v === 4 ? numberToIpv4(range.first) : bigintToIpv6(range.first);
    input.domains.set(ip, domain.toLowerCase().replace(/\.$/, ""));
  }
}

/** Parses a port list "80", "80,443,8080"; ranges "8000-8010" are accepted too. */
export function parsePorts(text: string): number[] {
  const ports = new Set<number>();
  for (const part of text.split(",")) {
    const m = /^\s*(\d{1,5})\s*(?:-\s*(\d{1,5})\s*)?$/.exec(part);
    const lo = m ? Number(m[1]) : NaN;
    const hi = m?.[2] !== undefined ? Number(m[2]) : lo;
    if (!(lo >= 1 && hi <= 65535 && lo <= hi)) throw new UsageError(`invalid port list ${JSON.stringify(text)}: use N[,M…] with ports 1-65535`);
    for (let p = lo; p <= hi; p++) ports.add(p);
  }
  return [...ports].sort((a, b) => a - b);
}

/** The serialised form of a TargetSpace, stored with the campaign so that a resume sees the same space. */
export interface TargetSpaceData {
  /** IPv4 intervals as a flat list [start0, end0, start1, end1, …] of unsigned 32-bit numbers. */
  v4: number[];
  v6: string[];
  ports: number[];
  domains: [string, string][];
}

export class TargetSpace {
  readonly ports: readonly number[];
  readonly v4Count: number;
  readonly v6Count: number;
  /** Addresses (IPv4 + IPv6) in the space. */
  readonly addresses: number;
  /** N = addresses × ports. */
  readonly size: number;
  private readonly starts: Float64Array;
  private readonly ends: Float64Array;
  /** before[k] = number of IPv4 addresses in intervals 0..k−1. */
  private readonly before: Float64Array;
  private readonly v6: readonly bigint[];
  private readonly domains: ReadonlyMap<string, string>;

  private constructor(intervals: [number, number][], v6: bigint[], ports: number[], domains: Map<string, string>) {
    if (ports.length === 0) throw new UsageError("no port to scan");
    this.starts = Float64Array.from(intervals, (r) => r[0]);
    this.ends = Float64Array.from(intervals, (r) => r[1]);
    this.before = new Float64Array(intervals.length);
    let count = 0;
    for (let k = 0; k < intervals.length; k++) {
      this.before[k] = count;
      count += this.ends[k]! - this.starts[k]! + 1;
    }
    this.v4Count = count;
    this.v6 = v6;
    this.v6Count = v6.length;
    this.ports = ports;
    this.addresses = count + v6.length;
    this.size = this.addresses * ports.length;
    this.domains = domains;
  }

  /** The requested targets minus `blocklist`, on `ports`. */
  static build(input: TargetInput, blocklist: CidrSet, ports: readonly number[]): TargetSpace {
    const v4 = [...input.v4.subtract(blocklist).intervalsV4()];
    const v6 = input.v6.filter((n) => !blocklist.hasV6(n));
    const kept = new Map<string, string>();
    for (const [ip, domain] of input.domains) {
      const a = tryParseIp(ip);
      if (a && !(a.v === 4 ? blocklist.hasV4(a.n) : blocklist.hasV6(a.n))) kept.set(ip, domain);
    }
    return new TargetSpace(v4, v6, [...ports], kept);
  }

  static fromJSON(data: TargetSpaceData): TargetSpace {
    const intervals: [number, number][] = [];
    for (let k = 0; k + 1 < data.v4.length; k += 2) intervals.push([data.v4[k]!, data.v4[k + 1]!]);
    const v6 = data.v6.map((t) => {
      const a = tryParseIp(t);
      if (!a || a.v !== 6) throw new RangeError(`stored target space holds a bad IPv6 address ${t}`);
      return a.n;
    });
    return new TargetSpace(intervals, v6, data.ports, new Map(data.domains));
  }

  toJSON(): TargetSpaceData {
    const v4: number[] = [];
    for (let k = 0; k < this.starts.length; k++) v4.push(this.starts[k]!, this.ends[k]!);
    return { v4, v6: this.v6.map(bigintToIpv6), ports: [...this.ports], domains: [...this.domains] };
  }

  /** SHA-256 of the canonical serialisation: two spaces with one digest scan the same targets in the same order. */
  digest(): string {
    return createHash("sha256").update(JSON.stringify(this.toJSON())).digest("hex");
  }

  /** The target with index i ∈ [0, size): address i / ports, port i mod ports. */
  at(i: number): Target {
    if (!(Number.isSafeInteger(i) && i >= 0 && i < this.size)) throw new RangeError(`target index ${i} outside [0, ${this.size})`);
    const nPorts = this.ports.length;
    const a = Math.floor(i / nPorts);
    const port = this.ports[i - a * nPorts]!;
    const target: Target =
      a < this.v4Count ? { ip: numberToIpv4(this.v4Address(a)), v: 4, port } : { ip: bigintToIpv6(this.v6[a - this.v4Count]!), v: 6, port };
    const domain = this.domains.get(target.ip);
    if (domain !== undefined) target.domain = domain;
    return target;
  }

  /**
   * A number for the /24 (IPv4) or /64 (IPv6) of target i, without building the target: the probe
   * workers are chosen by it, so that every packet into one network passes one worker's per-network limit.
   */
  networkOf(i: number): number {
    const a = Math.floor(i / this.ports.length);
    if (a < this.v4Count) return Math.floor(this.v4Address(a) / 256);
    return Number((this.v6[a - this.v4Count]! >> 64n) & 0xffffffffn);
  }

  /** The a-th IPv4 address of the space: the last interval whose first address index is <= a holds it. */
  private v4Address(a: number): number {
    let lo = 0;
    let hi = this.before.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.before[mid]! <= a) lo = mid;
      else hi = mid - 1;
    }
    return this.starts[lo]! + (a - this.before[lo]!);
  }
}
