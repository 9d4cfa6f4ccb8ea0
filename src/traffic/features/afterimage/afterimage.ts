/**
 * AfterImage (Kitsune, Mirsky et al., NDSS 2018): damped incremental statistics per packet, O(1) per
 * packet and no allocation beyond the stream keys. See spec.ts for the 115 features and their order.
 *
 * A damped 1D statistic of a stream is (w, LS, SS), each multiplied by 2^(-λ·Δt) before a value v is
 * added (w += 1, LS += v, SS += v²): mean = LS/w, std = sqrt(|SS/w − mean²|). The 2D statistics relate
 * the two directions i (this packet's) and j (the reverse) of a channel or socket pair: magnitude
 * sqrt(μi² + μj²), radius sqrt(σi⁴ + σj⁴), approximate covariance SR/(wi + wj) where SR is the damped
 * sum of residual products (v − μi)·r_j with r_j the last residual seen in direction j, and the
 * correlation coefficient cov/(σi·σj) (0 when either std is 0) — the paper's definitions.
 *
 * Choices where the paper leaves room (documented in docs/traffic.md):
 * - the channel's 1D statistics are those of the directed stream src IP → dst IP (the paper's H group
 *   already covers the whole source IP), and the 2D ones pair it with dst IP → src IP;
 * - both directions of a pair share one clock (decaying a sum twice by 2^(-λa), 2^(-λb) equals one
 *   decay by 2^(-λ(a+b))), and the last residuals decay with the pair's sums;
 * - a packet older than a stream's last update is counted at that last time (no negative decay);
 * - packets without IP use the MAC addresses in place of IPs; ARP sockets are MAC pairs, other
 *   port-less protocols use the protocol in place of the port (as Kitsune's extractor does).
 */
import type { DecodedPacket } from "../../packet.js";
import { AFTERIMAGE_FEATURE_COUNT, AFTERIMAGE_LAMBDAS, OFFSET } from "./spec.js";
import { StreamTable } from "./table.js";

const L = AFTERIMAGE_LAMBDAS.length;
const LAMBDA = Float64Array.from(AFTERIMAGE_LAMBDAS);
/** 1D slot: lastT, then (w, LS, SS) per λ. */
const STRIDE_1D = 1 + 3 * L;
/** Pair slot: lastT, lastArrival[0..1], seen mask, then per λ PER_LAMBDA numbers (see updatePair). */
const PAIR_HEAD = 4;
const PER_LAMBDA = 16;
const STRIDE_PAIR = PAIR_HEAD + PER_LAMBDA * L;

export interface AfterImageOptions {
  /** Most streams kept per group before stale ones are evicted (default 100,000). */
  maxStreams?: number;
}

/**
 * A variance below this fraction of E[x²] is floating-point cancellation noise, not spread: it is
 * taken as 0 so that the correlation coefficient (which divides by the stds) stays meaningful.
 */
const VAR_NOISE = 1e-10;

export function dampedVariance(w: number, ls: number, ss: number): number {
  if (w <= 0) return 0;
  const m2 = ss / w;
  const mean = ls / w;
  const v = Math.abs(m2 - mean * mean);
  return v <= VAR_NOISE * m2 ? 0 : v;
}

export class AfterImage {
  readonly featureCount = AFTERIMAGE_FEATURE_COUNT;
  private readonly mi: StreamTable;
  private readonly h: StreamTable;
  private readonly hh: StreamTable;
  private readonly hphp: StreamTable;
  private readonly factors = new Float64Array(L);

  constructor(options: AfterImageOptions = {}) {
    const cap = options.maxStreams ?? 100_000;
    this.mi = new StreamTable(cap, STRIDE_1D);
    this.h = new StreamTable(cap, STRIDE_1D);
    this.hh = new StreamTable(cap, STRIDE_PAIR);
    this.hphp = new StreamTable(cap, STRIDE_PAIR);
  }

  /** Streams currently held, per group (for bounded-memory checks and stats). */
  streamCounts(): { mi: number; h: number; hh: number; hphp: number } {
    return { mi: this.mi.size, h: this.h.size, hh: this.hh.size, hphp: this.hphp.size };
  }

  /** Updates the statistics with packet `p` and writes its 115 features into `out` at `offset`. */
  update(p: DecodedPacket, out: Float64Array, offset = 0): void {
    const t = p.ts;
    const size = p.wireLength;
    const srcIp = p.srcIp ?? p.srcMac ?? "";
    const dstIp = p.dstIp ?? p.dstMac ?? "";

    this.update1D(this.mi, `${p.srcMac ?? ""}|${srcIp}`, t, size, out, offset + OFFSET.MI);
    this.update1D(this.h, srcIp, t, size, out, offset + OFFSET.H);

    const hhForward = srcIp <= dstIp;
    this.updatePair(this.hh, hhForward ? `${srcIp}|${dstIp}` : `${dstIp}|${srcIp}`, hhForward ? 0 : 1, t, size, true, out, offset + OFFSET.HH, offset + OFFSET.JIT);

    const [srcSock, dstSock] = sockets(p, srcIp, dstIp);
    const spForward = srcSock <= dstSock;
    this.updatePair(this.hphp, spForward ? `${srcSock}|${dstSock}` : `${dstSock}|${srcSock}`, spForward ? 0 : 1, t, size, false, out, offset + OFFSET.HPHP, -1);
  }

  private decayFactors(dt: number): void {
    for (let k = 0; k < L; k++) this.factors[k] = Math.pow(2, -LAMBDA[k]! * dt);
  }

  private update1D(table: StreamTable, key: string, t: number, v: number, out: Float64Array, at: number): void {
    const base = table.lookup(key);
    const s = table.slab;
    if (table.created) s[base] = t;
    const dt = t - s[base]!;
    if (dt > 0) {
      this.decayFactors(dt);
      for (let k = 0; k < L; k++) {
        const f = this.factors[k]!;
        const b = base + 1 + 3 * k;
        s[b] = s[b]! * f;
        s[b + 1] = s[b + 1]! * f;
        s[b + 2] = s[b + 2]! * f;
      }
      s[base] = t;
    }
    for (let k = 0; k < L; k++) {
      const b = base + 1 + 3 * k;
      const w = s[b]! + 1;
      const ls = s[b + 1]! + v;
      const ss = s[b + 2]! + v * v;
      s[b] = w;
      s[b + 1] = ls;
      s[b + 2] = ss;
      const o = at + 3 * k;
      out[o] = w;
      out[o + 1] = ls / w;
      out[o + 2] = Math.sqrt(dampedVariance(w, ls, ss));
    }
  }

  /**
   * Per λ at b = base + PAIR_HEAD + k·PER_LAMBDA: direction 0 (w, LS, SS) at b..b+2, direction 1 at
   * b+3..b+5, SR at b+6, last residuals at b+7 and b+8, jitter direction 0 at b+9..b+11 and direction 1
   * at b+12..b+14. Head: lastT, last arrival per direction, mask of directions seen.
   */
  private updatePair(table: StreamTable, key: string, d: 0 | 1, t: number, v: number, jitter: boolean, out: Float64Array, at: number, jitAt: number): void {
    const base = table.lookup(key);
    const s = table.slab;
    if (table.created) s[base] = t;
    const dt = t - s[base]!;
    if (dt > 0) {
      this.decayFactors(dt);
      for (let k = 0; k < L; k++) {
        const f = this.factors[k]!;
        const b = base + PAIR_HEAD + k * PER_LAMBDA;
        for (let i = 0; i < 15; i++) s[b + i] = s[b + i]! * f;
      }
      s[base] = t;
    }
    let jv = 0;
    if (jitter) {
      const seen = (s[base + 3]! >> d) & 1;
      const last = s[base + 1 + d]!;
      if (seen && t > last) jv = t - last;
      if (!seen || t > last) s[base + 1 + d] = t;
      s[base + 3] = s[base + 3]! | (1 << d);
    }
    const me = 3 * d;
    const other = 3 - me;
    for (let k = 0; k < L; k++) {
      const b = base + PAIR_HEAD + k * PER_LAMBDA;
      const w = s[b + me]! + 1;
      const ls = s[b + me + 1]! + v;
      const ss = s[b + me + 2]! + v * v;
      s[b + me] = w;
      s[b + me + 1] = ls;
      s[b + me + 2] = ss;
      const mean = ls / w;
      const variance = dampedVariance(w, ls, ss);
      const wo = s[b + other]!;
      const meanO = wo > 0 ? s[b + other + 1]! / wo : 0;
      const varO = dampedVariance(wo, s[b + other + 1]!, s[b + other + 2]!);
      const res = v - mean;
      const sr = s[b + 6]! + res * s[b + 8 - d]!;
      s[b + 6] = sr;
      s[b + 7 + d] = res;
      const std = Math.sqrt(variance);
      const stdO = Math.sqrt(varO);
      const cov = sr / (w + wo);
      const o = at + 7 * k;
      out[o] = w;
      out[o + 1] = mean;
      out[o + 2] = std;
      out[o + 3] = Math.sqrt(mean * mean + meanO * meanO);
      out[o + 4] = Math.sqrt(variance * variance + varO * varO);
      out[o + 5] = cov;
      out[o + 6] = std * stdO > 0 ? cov / (std * stdO) : 0;
      if (jitter) {
        const j = b + 9 + 3 * d;
        const jw = s[j]! + 1;
        const jls = s[j + 1]! + jv;
        const jss = s[j + 2]! + jv * jv;
        s[j] = jw;
        s[j + 1] = jls;
        s[j + 2] = jss;
        const oj = jitAt + 3 * k;
        out[oj] = jw;
        out[oj + 1] = jls / jw;
        out[oj + 2] = Math.sqrt(dampedVariance(jw, jls, jss));
      }
    }
  }
}

const PROTO_NAMES: Record<number, string> = { 1: "icmp", 6: "tcp", 17: "udp", 47: "gre", 58: "icmp6" };

/** The socket endpoints of a packet: ARP by MAC, port-less protocols by protocol name. */
export function sockets(p: DecodedPacket, srcIp: string, dstIp: string): [string, string] {
  if (p.etherType === 0x0806 || p.app === "arp") return [p.srcMac ?? srcIp, p.dstMac ?? dstIp];
  if (p.srcPort !== undefined && p.dstPort !== undefined) return [`${srcIp}:${p.srcPort}`, `${dstIp}:${p.dstPort}`];
  const proto = p.ipProto === undefined ? "" : (PROTO_NAMES[p.ipProto] ?? String(p.ipProto));
  return [`${srcIp}:${proto}`, `${dstIp}:${proto}`];
}
