/**
 * The straightforward reading of AfterImage (one object per stream and per λ, lazy decay, Maps of
 * objects), written independently of the typed-array version to check it packet by packet.
 */
import type { DecodedPacket } from "../../../src/traffic/packet.js";
import { dampedVariance, sockets } from "../../../src/traffic/features/afterimage/index.js";

const LAMBDAS = [5, 3, 1, 0.1, 0.01];

class Inc {
  w = 0;
  ls = 0;
  ss = 0;
  constructor(
    readonly lambda: number,
    public last: number,
  ) {}
  decay(t: number): void {
    if (t > this.last) {
      const f = 2 ** (-this.lambda * (t - this.last));
      this.w *= f;
      this.ls *= f;
      this.ss *= f;
      this.last = t;
    }
  }
  add(v: number): void {
    this.w += 1;
    this.ls += v;
    this.ss += v * v;
  }
  mean(): number {
    return this.w > 0 ? this.ls / this.w : 0;
  }
  variance(): number {
    return dampedVariance(this.w, this.ls, this.ss);
  }
}

class Cov {
  sr = 0;
  res = new Map<string, number>();
  constructor(
    readonly lambda: number,
    public last: number,
  ) {}
  decay(t: number): void {
    if (t > this.last) {
      const f = 2 ** (-this.lambda * (t - this.last));
      this.sr *= f;
      for (const [k, r] of this.res) this.res.set(k, r * f);
      this.last = t;
    }
  }
}

export class NaiveAfterImage {
  private streams = new Map<string, Inc>();
  private covs = new Map<string, Cov>();
  private arrivals = new Map<string, number>();

  private stream(key: string, lambda: number, t: number): Inc {
    const k = `${key}#${lambda}`;
    let s = this.streams.get(k);
    if (!s) this.streams.set(k, (s = new Inc(lambda, t)));
    return s;
  }

  private oneD(key: string, t: number, v: number): number[] {
    return LAMBDAS.flatMap((l) => {
      const s = this.stream(key, l, t);
      s.decay(t);
      s.add(v);
      return [s.w, s.mean(), Math.sqrt(s.variance())];
    });
  }

  private twoD(group: string, src: string, dst: string, t: number, v: number): number[] {
    const pairKey = [src, dst].sort().join("|");
    return LAMBDAS.flatMap((l) => {
      const a = this.stream(`${group}:${src}>${dst}`, l, t);
      const b = this.stream(`${group}:${dst}>${src}`, l, t);
      a.decay(t);
      b.decay(t);
      a.add(v);
      const ck = `${group}:${pairKey}#${l}`;
      let c = this.covs.get(ck);
      if (!c) this.covs.set(ck, (c = new Cov(l, t)));
      c.decay(t);
      const res = v - a.mean();
      c.sr += res * (c.res.get(`${dst}>${src}`) ?? 0);
      c.res.set(`${src}>${dst}`, res);
      const cov = c.sr / (a.w + b.w);
      const sa = Math.sqrt(a.variance());
      const sb = Math.sqrt(b.variance());
      return [
        a.w,
        a.mean(),
        sa,
        Math.sqrt(a.mean() ** 2 + b.mean() ** 2),
        Math.sqrt(a.variance() ** 2 + b.variance() ** 2),
        cov,
        sa * sb > 0 ? cov / (sa * sb) : 0,
      ];
    });
  }

  update(p: DecodedPacket): number[] {
    const t = p.ts;
    const size = p.wireLength;
    const srcIp = p.srcIp ?? p.srcMac ?? "";
    const dstIp = p.dstIp ?? p.dstMac ?? "";
    const mi = this.oneD(`MI:${p.srcMac ?? ""}|${srcIp}`, t, size);
    const h = this.oneD(`H:${srcIp}`, t, size);
    const hh = this.twoD("HH", srcIp, dstIp, t, size);
    const jk = `${srcIp}>${dstIp}`;
    const last = this.arrivals.get(jk);
    const jv = last !== undefined && t > last ? t - last : 0;
    if (last === undefined || t > last) this.arrivals.set(jk, t);
    const jit = this.oneD(`JIT:${jk}`, t, jv);
    const [ss, ds] = sockets(p, srcIp, dstIp);
    const hphp = this.twoD("HpHp", ss, ds, t, size);
    return [...mi, ...h, ...hh, ...jit, ...hphp];
  }
}
