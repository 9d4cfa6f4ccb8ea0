/**
 * Synthetic DecodedPacket streams for the KitNET tests and bench (the pillar's real generator is
 * another helper's work): a few devices sending periodic MQTT telemetry to a broker and DNS/NTP now
 * and then (with replies), and, from a chosen time, one device scanning like Mirai (TCP SYNs to port
 * 23/2323 of random addresses). Deterministic for a seed.
 */
import { mulberry32 } from "../../../src/traffic/models/common/index.js";
import type { DecodedPacket } from "../../../src/traffic/packet.js";

export interface LabelledPacket {
  packet: DecodedPacket;
  attack: boolean;
}

export interface SyntheticOptions {
  seed?: number;
  devices?: number;
  /** Seconds of benign traffic before the scan starts (and the scan continues for scanSeconds). */
  benignSeconds: number;
  scanSeconds?: number;
  /** Scan SYNs per second. */
  scanRate?: number;
  startTs?: number;
}

const BROKER = "10.0.0.1";
const BROKER_MAC = "02:00:00:00:00:01";

export function syntheticTraffic(o: SyntheticOptions): LabelledPacket[] {
  const random = mulberry32(o.seed ?? 7);
  const start = o.startTs ?? 1_700_000_000;
  const devices = o.devices ?? 5;
  const scanSeconds = o.scanSeconds ?? 0;
  const end = start + o.benignSeconds + scanSeconds;
  const events: { ts: number; make: (ts: number) => { p: Omit<DecodedPacket, "index">; attack: boolean }[] }[] = [];
  const base = (ts: number, src: number | "broker", dst: number | "broker", size: number, extra: Partial<DecodedPacket>): Omit<DecodedPacket, "index"> => ({
    ts,
    wireLength: size,
    capturedLength: size,
    iface: 0,
    linkType: 1,
    etherType: 0x0800,
    ipVersion: 4,
    srcMac: src === "broker" ? BROKER_MAC : `02:00:00:00:01:${(src + 16).toString(16)}`,
    dstMac: dst === "broker" ? BROKER_MAC : `02:00:00:00:01:${(dst + 16).toString(16)}`,
    srcIp: src === "broker" ? BROKER : `10.0.0.${10 + src}`,
    dstIp: dst === "broker" ? BROKER : `10.0.0.${10 + dst}`,
    ttl: 64,
    payloadLength: Math.max(0, size - 54),
    ...extra,
  });
  for (let d = 0; d < devices; d++) {
    const period = 1 + d * 0.25;
    const port = 40000 + d;
    for (let t = start + random() * period; t < end; t += period * (0.95 + 0.1 * random())) {
      const size = 90 + d * 10 + Math.floor(random() * 6);
      events.push({
        ts: t,
        make: (ts) => [
          { p: base(ts, d, "broker", size, { ipProto: 6, srcPort: port, dstPort: 1883, tcpFlags: 0x18, app: "mqtt", mqttType: "PUBLISH", mqttTopic: `home/dev${d}/state` }), attack: false },
          { p: base(ts + 0.002 + random() * 0.002, "broker", d, 58, { ipProto: 6, srcPort: 1883, dstPort: port, tcpFlags: 0x18, app: "mqtt", mqttType: "PUBACK" }), attack: false },
        ],
      });
    }
    for (let t = start + random() * 30; t < end; t += 30 + random() * 2) {
      events.push({
        ts: t,
        make: (ts) => [
          { p: base(ts, d, "broker", 80, { ipProto: 17, srcPort: 50000 + d, dstPort: 53, app: "dns", dnsQuery: `dev${d}.vendor.example` }), attack: false },
          { p: base(ts + 0.01, "broker", d, 120, { ipProto: 17, srcPort: 53, dstPort: 50000 + d, app: "dns", dnsQuery: `dev${d}.vendor.example` }), attack: false },
        ],
      });
    }
  }
  if (scanSeconds > 0) {
    const rate = o.scanRate ?? 50;
    const scanner = 1;
    for (let t = start + o.benignSeconds; t < end; t += (-Math.log(1 - random()) / rate)) {
      events.push({
        ts: t,
        make: (ts) => {
          const dst = `${1 + Math.floor(random() * 222)}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}.${1 + Math.floor(random() * 254)}`;
          const p = base(ts, scanner, "broker", 60, { dstIp: dst, dstMac: BROKER_MAC, ipProto: 6, srcPort: 1024 + Math.floor(random() * 60000), dstPort: random() < 0.9 ? 23 : 2323, tcpFlags: 0x02, app: "telnet" });
          return [{ p, attack: true }];
        },
      });
    }
  }
  const out = events
    .sort((a, b) => a.ts - b.ts)
    .flatMap((e) => e.make(e.ts))
    .sort((a, b) => a.p.ts - b.p.ts);
  return out.map((x, index) => ({ packet: { index, ...x.p }, attack: x.attack }));
}

/** Area under the ROC curve: P(score of a random positive > score of a random negative), ties ½. */
export function auc(positives: readonly number[], negatives: readonly number[]): number {
  const all = [...positives.map((s) => ({ s, pos: true })), ...negatives.map((s) => ({ s, pos: false }))].sort((a, b) => a.s - b.s);
  let rankSum = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j]!.s === all[i]!.s) j++;
    const avgRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (all[k]!.pos) rankSum += avgRank;
    i = j;
  }
  const np = positives.length;
  const nn = negatives.length;
  return (rankSum - (np * (np + 1)) / 2) / (np * nn);
}
