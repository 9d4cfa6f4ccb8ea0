import { describe, expect, it } from "vitest";
import { WindowFeatureExtractor, dominantPeriod, fnv1a, windowFeatureSpec, type WindowRecord } from "../../../src/traffic/features/window/index.js";
import type { DecodedPacket } from "../../../src/traffic/packet.js";

function pkt(ts: number, extra: Partial<DecodedPacket>): DecodedPacket {
  return { index: 0, ts, wireLength: 100, capturedLength: 100, iface: 0, linkType: 1, payloadLength: 46, srcMac: "aa", dstMac: "gw", srcIp: "10.0.0.2", dstIp: "1.2.3.4", ipProto: 6, srcPort: 5000, dstPort: 443, ...extra };
}

describe("window features", () => {
  it("describes itself: names match the vector, version set", () => {
    const spec = windowFeatureSpec({ nameBuckets: 8, windowSeconds: 30 });
    expect(spec.name).toBe("device-window");
    expect(new Set(spec.names).size).toBe(spec.names.length);
    const x = new WindowFeatureExtractor({ nameBuckets: 8, windowSeconds: 30 });
    x.push(pkt(0, {}));
    const [rec] = x.flush();
    expect(rec!.features).toHaveLength(spec.names.length);
  });

  it("summarises a periodic device per window and emits a window when the next one starts", () => {
    const x = new WindowFeatureExtractor({ windowSeconds: 60, nameBuckets: 16 });
    const records: WindowRecord[] = [];
    const T0 = 1_700_000_040; // a multiple of 60
    for (let t = 0; t < 60; t += 5) {
      records.push(...x.push(pkt(T0 + t, { wireLength: 120, app: "mqtt", dstPort: 1883 })));
      records.push(...x.push(pkt(T0 + t + 0.01, { srcMac: "gw", dstMac: "aa", srcIp: "1.2.3.4", dstIp: "10.0.0.2", wireLength: 60, srcPort: 1883, dstPort: 5000, app: "mqtt" })));
    }
    records.push(...x.push(pkt(T0 + 30, { wireLength: 80, ipProto: 17, srcPort: 5353, dstPort: 53, app: "dns", dnsQuery: "Api.Vendor.example", dstIp: "9.9.9.9" })));
    expect(records).toHaveLength(0);
    records.push(...x.push(pkt(T0 + 61, {})));
    const names = windowFeatureSpec().names;
    const rec = records.find((r) => r.device === "aa")!;
    expect(rec.start).toBe(T0);
    expect(rec.ip).toBe("10.0.0.2");
    const f = (n: string) => rec.features[names.indexOf(n)]!;
    expect(rec.packetsUp).toBe(13);
    expect(f("packets_up_log")).toBeCloseTo(Math.log1p(13), 12);
    expect(f("packets_down_log")).toBeCloseTo(Math.log1p(12), 12);
    expect(f("bytes_up_log")).toBeCloseTo(Math.log1p(12 * 120 + 80), 12);
    expect(f("bytes_down_log")).toBeCloseTo(Math.log1p(12 * 60), 12);
    expect(f("size_hist_size_lt_128")).toBeCloseTo(1, 12); // 80 and 120 are in [64, 128)
    expect(f("size_q50_log")).toBeCloseTo(Math.log1p(120), 12);
    expect(f("proto_tcp")).toBeCloseTo(12 / 13, 12);
    expect(f("proto_udp")).toBeCloseTo(1 / 13, 12);
    expect(f("app_mqtt")).toBeCloseTo(12 / 13, 12);
    expect(f("app_dns")).toBeCloseTo(1 / 13, 12);
    expect(f("dst_ports_log")).toBeCloseTo(Math.log1p(2), 12);
    expect(f("remote_endpoints_log")).toBeCloseTo(Math.log1p(2), 12);
    expect(f(`dns_bucket_${fnv1a("api.vendor.example") % 16}`)).toBe(1);
    expect(Math.expm1(f("period_log"))).toBeCloseTo(5, 1);
    expect(f("period_strength")).toBeGreaterThan(0.8);
    expect(records.find((r) => r.device === "gw")!.packetsUp).toBe(12);
    // The next window holds only the packet that closed this one.
    const next = x.flush();
    expect(next.map((r) => [r.device, r.start, r.packetsUp])).toEqual([["aa", T0 + 60, 1]]);
  });

  it("finds the dominant period of regular traffic and none in a single burst", () => {
    const regular = Float64Array.from({ length: 40 }, (_, i) => i * 7.5);
    const [p, s] = dominantPeriod(regular, 300);
    expect(p).toBeCloseTo(7.5, 0);
    expect(s).toBeGreaterThan(0.5);
    expect(dominantPeriod(Float64Array.from([1, 2]), 60)).toEqual([0, 0]);
  });
});
