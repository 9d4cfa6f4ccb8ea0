/**
 * Per-device window features (see spec.ts for the list). Windows are aligned to multiples of W
 * seconds since the epoch; a window's records are emitted when a packet of a later window arrives
 * (or on flush()), so memory is bounded by one window of traffic. Packets are counted "up" for the
 * device that sent them and "down" for the device they were sent to.
 */
import type { DecodedPacket } from "../../packet.js";
import { APPS, SIZE_BIN_EDGES, windowFeatureSpec, type WindowFeatureOptions } from "./spec.js";

export interface WindowRecord {
  /** Source MAC, else IP. */
  device: string;
  ip?: string;
  /** Window start and end (seconds since the epoch). */
  start: number;
  end: number;
  packetsUp: number;
  features: Float64Array;
}

interface DeviceWindow {
  ip?: string;
  sizes: number[];
  times: number[];
  down: number;
  bytesUp: number;
  bytesDown: number;
  tcp: number;
  udp: number;
  icmp: number;
  apps: Map<string, number>;
  syn: number;
  ports: Set<number>;
  endpoints: Set<string>;
  dns: Set<string>;
  sni: Set<string>;
}

const emptyWindow = (): DeviceWindow => ({ sizes: [], times: [], down: 0, bytesUp: 0, bytesDown: 0, tcp: 0, udp: 0, icmp: 0, apps: new Map(), syn: 0, ports: new Set(), endpoints: new Set(), dns: new Set(), sni: new Set() });

/** FNV-1a, 32 bits: a stable hash for feature hashing (the same name lands in the same bucket everywhere). */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class WindowFeatureExtractor {
  readonly spec: ReturnType<typeof windowFeatureSpec>;
  private windowStart = NaN;
  private devices = new Map<string, DeviceWindow>();

  constructor(options: WindowFeatureOptions = {}) {
    this.spec = windowFeatureSpec(options);
    if (!(this.spec.windowSeconds > 0)) throw new RangeError(`window length must be positive, got ${this.spec.windowSeconds}`);
  }

  /** Adds a packet; returns the records of windows it closed (usually none). */
  push(p: DecodedPacket): WindowRecord[] {
    const W = this.spec.windowSeconds;
    const start = Math.floor(p.ts / W) * W;
    let closed: WindowRecord[] = [];
    if (Number.isNaN(this.windowStart)) this.windowStart = start;
    else if (start > this.windowStart) {
      closed = this.flush();
      this.windowStart = start;
    }
    // A packet older than the open window (out of order) is counted in the open window.
    const src = p.srcMac ?? p.srcIp;
    const dst = p.dstMac ?? p.dstIp;
    if (src !== undefined) this.up(src, p);
    if (dst !== undefined && dst !== src) {
      const w = this.devices.get(dst) ?? this.devices.set(dst, emptyWindow()).get(dst)!;
      w.down++;
      w.bytesDown += p.wireLength;
    }
    return closed;
  }

  private up(key: string, p: DecodedPacket): void {
    const w = this.devices.get(key) ?? this.devices.set(key, emptyWindow()).get(key)!;
    if (p.srcIp !== undefined) w.ip ??= p.srcIp;
    w.sizes.push(p.wireLength);
    w.times.push(p.ts);
    w.bytesUp += p.wireLength;
    if (p.ipProto === 6) {
      w.tcp++;
      if (p.tcpFlags !== undefined && (p.tcpFlags & 0x12) === 0x02) w.syn++;
    } else if (p.ipProto === 17) w.udp++;
    else if (p.ipProto === 1 || p.ipProto === 58) w.icmp++;
    const app = p.app ?? "none";
    w.apps.set(app, (w.apps.get(app) ?? 0) + 1);
    if (p.dstPort !== undefined) w.ports.add(p.dstPort);
    const remote = p.dstIp ?? p.dstMac;
    if (remote !== undefined) w.endpoints.add(remote);
    if (p.dnsQuery) w.dns.add(p.dnsQuery.toLowerCase());
    if (p.tlsSni) w.sni.add(p.tlsSni.toLowerCase());
  }

  /** Emits the open window's records (devices that sent at least one packet) and starts afresh. */
  flush(): WindowRecord[] {
    const out: WindowRecord[] = [];
    const W = this.spec.windowSeconds;
    for (const [device, w] of this.devices) {
      if (w.sizes.length === 0) continue;
      out.push({ device, ...(w.ip !== undefined ? { ip: w.ip } : {}), start: this.windowStart, end: this.windowStart + W, packetsUp: w.sizes.length, features: this.vector(w) });
    }
    this.devices = new Map();
    return out;
  }

  private vector(w: DeviceWindow): Float64Array {
    const B = this.spec.nameBuckets;
    const f = new Float64Array(this.spec.names.length);
    const n = w.sizes.length;
    let i = 0;
    f[i++] = Math.log1p(n);
    f[i++] = Math.log1p(w.down);
    f[i++] = Math.log1p(w.bytesUp);
    f[i++] = Math.log1p(w.bytesDown);
    const hist = new Float64Array(SIZE_BIN_EDGES.length + 1);
    for (const s of w.sizes) {
      let b = 0;
      while (b < SIZE_BIN_EDGES.length && s >= SIZE_BIN_EDGES[b]!) b++;
      hist[b] = hist[b]! + 1 / n;
    }
    for (const h of hist) f[i++] = h;
    const sizes = Float64Array.from(w.sizes).sort();
    for (const q of [0.1, 0.5, 0.9]) f[i++] = Math.log1p(sortedQuantile(sizes, q));
    const times = Float64Array.from(w.times).sort();
    const iat = new Float64Array(Math.max(0, times.length - 1));
    for (let k = 1; k < times.length; k++) iat[k - 1] = times[k]! - times[k - 1]!;
    iat.sort();
    for (const q of [0.1, 0.5, 0.9]) f[i++] = iat.length ? Math.log1p(sortedQuantile(iat, q)) : 0;
    f[i++] = w.tcp / n;
    f[i++] = w.udp / n;
    f[i++] = w.icmp / n;
    f[i++] = (n - w.tcp - w.udp - w.icmp) / n;
    for (const a of APPS) f[i++] = (w.apps.get(a) ?? 0) / n;
    f[i++] = (w.apps.get("none") ?? 0) / n;
    f[i++] = w.tcp ? w.syn / w.tcp : 0;
    f[i++] = Math.log1p(w.ports.size);
    f[i++] = Math.log1p(w.endpoints.size);
    f[i++] = Math.log1p(w.dns.size);
    hashInto(f, i, B, w.dns);
    i += B;
    hashInto(f, i, B, w.sni);
    i += B;
    const [period, strength] = dominantPeriod(times, this.spec.windowSeconds);
    f[i++] = Math.log1p(period);
    f[i++] = strength;
    return f;
  }
}

/** Distinct names hashed into B buckets, as fractions of the distinct names. */
function hashInto(f: Float64Array, at: number, B: number, names: Set<string>): void {
  if (names.size === 0) return;
  for (const name of names) f[at + (fnv1a(name) % B)] += 1 / names.size;
}

function sortedQuantile(s: Float64Array, q: number): number {
  if (s.length === 0) return 0;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(s.length - 1, lo + 1);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

/**
 * The dominant period of a device's packet times within a window, FFT-free: packet counts in 1-second
 * bins (finer for short windows), then the lag (up to half the window) with the highest normalised
 * autocorrelation of the mean-removed counts. Returns [period seconds, correlation 0..1]; [0, 0] when
 * there is no repetition (fewer than 3 packets, or no positive correlation).
 */
export function dominantPeriod(sortedTimes: Float64Array, windowSeconds: number): [number, number] {
  if (sortedTimes.length < 3) return [0, 0];
  const bins = Math.min(256, Math.max(8, Math.ceil(windowSeconds)));
  const width = windowSeconds / bins;
  const t0 = sortedTimes[0]!;
  const counts = new Float64Array(bins);
  for (const t of sortedTimes) counts[Math.min(bins - 1, Math.floor((t - t0) / width))]! += 1;
  let mean = 0;
  for (const c of counts) mean += c / bins;
  let var0 = 0;
  for (let k = 0; k < bins; k++) {
    counts[k] = counts[k]! - mean;
    var0 += counts[k]! * counts[k]!;
  }
  if (var0 === 0) return [0, 0];
  const maxLag = bins >> 1;
  const r = new Float64Array(maxLag + 2);
  let best = 0;
  for (let lag = 1; lag <= maxLag; lag++) {
    let sum = 0;
    for (let k = 0; k + lag < bins; k++) sum += counts[k]! * counts[k + lag]!;
    // Normalised by the overlap so long lags are not penalised for having fewer terms.
    r[lag] = sum / (bins - lag) / (var0 / bins);
    if (r[lag]! > best) best = r[lag]!;
  }
  if (best <= 0) return [0, 0];
  // Multiples of the period correlate as well as the period itself: take the first local maximum
  // that comes close to the best, and refine it by a parabola through its neighbours (a period that
  // is not a whole number of bins splits its peak between two lags).
  for (let lag = 1; lag <= maxLag; lag++) {
    const here = r[lag]!;
    const before = lag > 1 ? r[lag - 1]! : -Infinity;
    const after = lag < maxLag ? r[lag + 1]! : -Infinity;
    if (here < 0.4 * best || here < before || here < after) continue;
    let offset = 0;
    if (lag > 1 && lag < maxLag) {
      const denom = before - 2 * here + after;
      if (denom < 0) offset = (0.5 * (before - after)) / denom;
    }
    return [(lag + offset) * width, Math.min(1, Math.max(here, lag < maxLag ? after : 0, lag > 1 ? before : 0))];
  }
  return [0, 0];
}
