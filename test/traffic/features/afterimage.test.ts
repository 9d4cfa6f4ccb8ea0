import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AFTERIMAGE_FEATURE_COUNT, AFTERIMAGE_FEATURE_NAMES, AfterImage, StreamTable } from "../../../src/traffic/features/afterimage/index.js";
import type { DecodedPacket } from "../../../src/traffic/packet.js";
import { NaiveAfterImage } from "./afterimage-naive.js";

function pkt(ts: number, src: string, dst: string, size: number, extra: Partial<DecodedPacket> = {}): DecodedPacket {
  return { index: 0, ts, wireLength: size, capturedLength: size, iface: 0, linkType: 1, payloadLength: 0, srcMac: `mac-${src}`, srcIp: src, dstIp: dst, ipProto: 6, srcPort: 1000, dstPort: 80, ...extra };
}

describe("AfterImage", () => {
  it("names 115 features in Kitsune's order", () => {
    expect(AFTERIMAGE_FEATURE_NAMES).toHaveLength(AFTERIMAGE_FEATURE_COUNT);
    expect(AFTERIMAGE_FEATURE_NAMES[0]).toBe("MI_dir_L5_weight");
    expect(AFTERIMAGE_FEATURE_NAMES[15]).toBe("H_L5_weight");
    expect(AFTERIMAGE_FEATURE_NAMES[30 + 3]).toBe("HH_L5_magnitude");
    expect(AFTERIMAGE_FEATURE_NAMES[65]).toBe("HH_jit_L5_weight");
    expect(AFTERIMAGE_FEATURE_NAMES[114]).toBe("HpHp_L0.01_pcc");
  });

  it("gives the hand-computed statistics for λ = 1 on a four-packet exchange", () => {
    const ai = new AfterImage();
    const out = new Float64Array(115);
    ai.update(pkt(0, "A", "B", 100), out);
    ai.update(pkt(1, "A", "B", 200), out);
    // λ = 1, Δt = 1: previous sums halve, then the packet is added: w = 1.5, LS = 250, SS = 45000.
    expect(out[6]).toBeCloseTo(1.5, 12);
    expect(out[7]).toBeCloseTo(250 / 1.5, 9);
    const varAB = 45000 / 1.5 - (250 / 1.5) ** 2; // 2222.2…
    expect(out[8]).toBeCloseTo(Math.sqrt(varAB), 9);
    // Channel A→B: same 1D stats, magnitude = |μ|, radius = σ², no reverse traffic → cov = pcc = 0.
    expect(out[44]).toBeCloseTo(1.5, 12);
    expect(out[47]).toBeCloseTo(250 / 1.5, 9);
    expect(out[48]).toBeCloseTo(varAB, 6);
    expect(out[49]).toBe(0);
    expect(out[50]).toBe(0);
    // Jitter A→B: values 0 then 1 s: w = 1.5, LS = 1, SS = 1.
    expect(out[71]).toBeCloseTo(1.5, 12);
    expect(out[72]).toBeCloseTo(1 / 1.5, 12);
    expect(out[73]).toBeCloseTo(Math.sqrt(1 / 1.5 - (1 / 1.5) ** 2), 12);

    ai.update(pkt(1, "B", "A", 60, { srcPort: 80, dstPort: 1000 }), out);
    expect(out[44]).toBe(1); // B→A weight
    expect(out[47]).toBeCloseTo(Math.sqrt(60 ** 2 + (250 / 1.5) ** 2), 9);
    expect(out[48]).toBeCloseTo(varAB, 6);

    ai.update(pkt(2, "B", "A", 100, { srcPort: 80, dstPort: 1000 }), out);
    // Δt = 1 halves everything: A→B (0.75, 125, 22500), B→A (0.5, 30, 1800) then + 100 → (1.5, 130, 11800).
    const meanBA = 130 / 1.5;
    const varBA = 11800 / 1.5 - meanBA ** 2;
    const resAB = (200 - 250 / 1.5) * 0.5; // A→B's last residual, decayed with the pair
    const sr = (100 - meanBA) * resAB;
    const cov = sr / (1.5 + 0.75);
    expect(out[44]).toBeCloseTo(1.5, 12);
    expect(out[45]).toBeCloseTo(meanBA, 9);
    expect(out[49]).toBeCloseTo(cov, 9);
    expect(out[50]).toBeCloseTo(cov / (Math.sqrt(varBA) * Math.sqrt(varAB)), 9);
    expect(out[50]).toBeGreaterThan(0);
  });

  it("matches the naive implementation on random packet sequences", () => {
    const hosts = ["10.0.0.1", "10.0.0.2", "10.0.0.3", "8.8.8.8"];
    const arbPacket = fc.record({
      gap: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5000 }).map((ms) => ms / 1000), fc.double({ min: 0, max: 200, noNaN: true })),
      src: fc.integer({ min: 0, max: 3 }),
      hop: fc.integer({ min: 1, max: 3 }),
      size: fc.oneof(fc.constantFrom(60, 60, 1514), fc.integer({ min: 42, max: 1514 })),
      kind: fc.constantFrom("tcp", "udp", "icmp", "arp", "nomac"),
      sport: fc.constantFrom(1000, 1001, 53),
      dport: fc.constantFrom(80, 23, 53),
    });
    fc.assert(
      fc.property(fc.array(arbPacket, { minLength: 1, maxLength: 120 }), (specs) => {
        const fast = new AfterImage();
        const naive = new NaiveAfterImage();
        const out = new Float64Array(115);
        let ts = 1_700_000_000;
        for (const s of specs) {
          ts += s.gap;
          const src = hosts[s.src]!;
          const dst = hosts[(s.src + s.hop) % 4]!;
          const p =
            s.kind === "arp"
              ? pkt(ts, src, dst, s.size, { etherType: 0x0806, app: "arp", dstMac: `mac-${dst}`, srcIp: undefined, dstIp: undefined, srcPort: undefined, dstPort: undefined, ipProto: undefined })
              : s.kind === "icmp"
                ? pkt(ts, src, dst, s.size, { ipProto: 1, srcPort: undefined, dstPort: undefined })
                : pkt(ts, src, dst, s.size, { ipProto: s.kind === "udp" ? 17 : 6, srcPort: s.sport, dstPort: s.dport, ...(s.kind === "nomac" ? { srcMac: undefined } : {}) });
          fast.update(p, out);
          const expected = naive.update(p);
          for (let i = 0; i < 115; i++) {
            const a = out[i]!;
            const b = expected[i]!;
            if (Math.abs(a - b) > 1e-9 * Math.max(1, Math.abs(a), Math.abs(b))) {
              throw new Error(`feature ${AFTERIMAGE_FEATURE_NAMES[i]} differs at ts ${ts}: ${a} vs ${b}`);
            }
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  it("keeps at most maxStreams streams per group, evicting stale ones first", () => {
    const ai = new AfterImage({ maxStreams: 8 });
    const out = new Float64Array(115);
    for (let i = 0; i < 1000; i++) ai.update(pkt(i, `10.1.${i >> 8}.${i & 255}`, "10.0.0.1", 100), out);
    const counts = ai.streamCounts();
    expect(Math.max(counts.mi, counts.h, counts.hh, counts.hphp)).toBe(8);
    expect(out.every(Number.isFinite)).toBe(true);

    const table = new StreamTable(2, 1);
    table.lookup("a");
    table.lookup("b");
    // Both referenced: the clock clears "a", then "b", then evicts "a" (the oldest).
    table.lookup("c");
    expect(table.evictions).toBe(1);
    table.lookup("b");
    expect(table.created).toBe(false);
    table.lookup("a");
    expect(table.created).toBe(true);
  });
});
