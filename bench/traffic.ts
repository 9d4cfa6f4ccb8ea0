/**
 * Traffic benchmark (issue 7's goal: decode + AfterImage + KitNET scoring at ≥ 100,000 packets/s on one
 * core). A seeded synthetic day-part — periodic MQTT/DNS telemetry from 20 devices plus a Mirai-style
 * SYN scan — is written as a pcap (Ethernet/IPv4/TCP|UDP frames), then:
 *   1. KitNET trains on the first packets' AfterImage features (FM and AD grace; reported, not the goal);
 *   2. AfterImage + KitNET scoring over every packet (DecodedPackets already in memory);
 *   3. the whole path: parse the capture buffer, decode every frame, AfterImage, KitNET score.
 * Rates are per CPU second of the process (with the wall-clock rate beside); single-threaded.
 *
 *   npm run bench -- traffic [--json]
 */
import { AFTERIMAGE_FEATURE_COUNT, AfterImage } from "../src/traffic/features/afterimage/index.js";
import { decodePacket } from "../src/traffic/decode/index.js";
import { KitNET } from "../src/traffic/models/kitnet/index.js";
import type { DecodedPacket } from "../src/traffic/packet.js";
import { CaptureWriter, readCaptureSync } from "../src/traffic/pcap/index.js";
import { syntheticTraffic } from "../test/traffic/kitnet/synthetic.js";

const GOAL_RATE = 100_000;
const FM_GRACE = 5_000;
const AD_GRACE = 20_000;

function measure<T>(fn: () => T): { result: T; cpuSeconds: number; seconds: number } {
  const cpu = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const result = fn();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const used = process.cpuUsage(cpu);
  return { result, seconds, cpuSeconds: (used.user + used.system) / 1e6 };
}

const ipBytes = (ip: string) => ip.split(".").map(Number);
const macBytes = (mac: string) => mac.split(":").map((h) => parseInt(h, 16));

/** An Ethernet/IPv4/TCP|UDP frame for a synthetic packet (checksums left zero: the decoder does not check them). */
function frame(p: DecodedPacket): Uint8Array {
  const b = new Uint8Array(Math.max(p.wireLength, 14 + 20 + (p.ipProto === 6 ? 20 : 8)));
  const v = new DataView(b.buffer);
  b.set(macBytes(p.dstMac!), 0);
  b.set(macBytes(p.srcMac!), 6);
  v.setUint16(12, 0x0800);
  b[14] = 0x45;
  v.setUint16(16, b.length - 14);
  b[22] = p.ttl ?? 64;
  b[23] = p.ipProto!;
  b.set(ipBytes(p.srcIp!), 26);
  b.set(ipBytes(p.dstIp!), 30);
  v.setUint16(34, p.srcPort!);
  v.setUint16(36, p.dstPort!);
  if (p.ipProto === 6) {
    v.setUint32(38, p.tcpSeq ?? 0);
    b[46] = 0x50;
    b[47] = p.tcpFlags ?? 0x10;
    v.setUint16(48, 65535);
  } else v.setUint16(38, b.length - 34);
  return b;
}

export default async function run(args: string[]): Promise<void> {
  const json = args.includes("--json");
  const traffic = syntheticTraffic({ seed: 2026, devices: 20, benignSeconds: 7200, scanSeconds: 300, scanRate: 300 });
  const packets = traffic.map((t) => t.packet);
  const writer = new CaptureWriter({ format: "pcap", linkType: 1, nano: true });
  for (const p of packets) writer.write({ tsSec: Math.floor(p.ts), tsNsec: Math.round((p.ts % 1) * 1e9), wireLength: p.wireLength, data: frame(p), linkType: 1 });
  const capture = writer.toBuffer();

  // 1. Training (features of the first FM + AD packets).
  const x = new Float64Array(AFTERIMAGE_FEATURE_COUNT);
  const train = measure(() => {
    const ai = new AfterImage();
    const k = new KitNET(AFTERIMAGE_FEATURE_COUNT, { fmGrace: FM_GRACE, adGrace: AD_GRACE, seed: 1 });
    for (let i = 0; i < FM_GRACE + AD_GRACE; i++) {
      ai.update(packets[i]!, x);
      k.process(x);
    }
    return k;
  });
  const kitnet = train.result;

  // 2. AfterImage + KitNET scoring over DecodedPackets.
  const score = measure(() => {
    const ai = new AfterImage();
    let sum = 0;
    for (const p of packets) {
      ai.update(p, x);
      sum += kitnet.score(x);
    }
    return sum;
  });

  // 3. Capture bytes → parse → decode → AfterImage → KitNET.
  const full = measure(() => {
    const ai = new AfterImage();
    const { packets: raw } = readCaptureSync(capture);
    let sum = 0;
    for (const r of raw) {
      ai.update(decodePacket(r), x);
      sum += kitnet.score(x);
    }
    return { count: raw.length, sum };
  });
  if (full.result.count !== packets.length) throw new Error(`decoded ${full.result.count} packets, wrote ${packets.length}`);
  // The same scores (up to timestamp rounding to ns) from decoded frames as from the in-memory packets.
  if (Math.abs(full.result.sum - score.result) > 1e-4 * Math.abs(score.result)) throw new Error(`scores differ after decode: ${full.result.sum} vs ${score.result}`);

  const rate = (n: number, s: number) => Math.round(n / s);
  const figures = {
    packets: packets.length,
    attackPackets: traffic.filter((t) => t.attack).length,
    clusters: kitnet.featureMap().length,
    trainRate: rate(FM_GRACE + AD_GRACE, train.cpuSeconds),
    scoreRate: rate(packets.length, score.cpuSeconds),
    scoreWallRate: rate(packets.length, score.seconds),
    fullRate: rate(packets.length, full.cpuSeconds),
    fullWallRate: rate(packets.length, full.seconds),
    goal: GOAL_RATE,
    pass: rate(packets.length, full.cpuSeconds) >= GOAL_RATE,
  };
  if (json) {
    process.stdout.write(`${JSON.stringify(figures)}\n`);
    return;
  }
  const f = (n: number) => n.toLocaleString("en-US");
  process.stdout.write(
    [
      `traffic: ${f(figures.packets)} synthetic packets (${f(figures.attackPackets)} scan), capture ${f(capture.length)} bytes, KitNET ${figures.clusters} autoencoders`,
      `  training (AfterImage + KitNET FM ${f(FM_GRACE)} / AD ${f(AD_GRACE)}): ${f(figures.trainRate)} packets/s`,
      `  AfterImage + KitNET scoring: ${f(figures.scoreRate)} packets/s per CPU second (${f(figures.scoreWallRate)} wall)`,
      `  parse + decode + AfterImage + KitNET scoring: ${f(figures.fullRate)} packets/s per CPU second (${f(figures.fullWallRate)} wall)`,
      `  goal ≥ ${f(GOAL_RATE)} packets/s (parse + decode + score): ${figures.pass ? "PASS" : "FAIL"}`,
      "",
    ].join("\n"),
  );
}
