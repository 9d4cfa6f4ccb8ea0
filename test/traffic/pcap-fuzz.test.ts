/**
 * The reader and decoder against hostile input: random bytes, every truncation of a capture, mutated
 * headers. They must end (no hang), never throw anything but CaptureError (with an offset inside the
 * input), and the decoder must never throw at all. Round trip: what we read, we write and read back.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodePacket } from "../../src/traffic/decode/index.js";
import { CaptureError, CaptureWriter, readCaptureSync, type RawPacket } from "../../src/traffic/pcap/index.js";
import { describeWithShared, sharedFixture } from "../helpers/fixtures.js";
import { clientHello, dnsQuery, ether, ipv4, tcp, udp } from "./build.js";

function readSafely(buf: Uint8Array): { packets: RawPacket[]; error?: CaptureError } {
  const r = readCaptureSync(buf, { onError: "stop" });
  if (r.error) {
    expect(r.error).toBeInstanceOf(CaptureError);
    expect(r.error.offset).toBeGreaterThanOrEqual(0);
    expect(r.error.offset).toBeLessThanOrEqual(buf.length);
    expect(r.error.packetsRead).toBe(r.packets.length);
  }
  for (const p of r.packets) decodePacket(p); // must not throw
  return r;
}

/** A small capture of our own (so these tests run without the shared fixtures). */
function ownCapture(format: "pcap" | "pcapng"): Buffer {
  const w = new CaptureWriter({ format });
  const frames = [
    ether(0x0800, ipv4(17, udp(3333, 53, dnsQuery("fuzz.example.org")))),
    ether(0x0800, ipv4(6, tcp(50000, 443, 0x18, clientHello("fuzz.example")))),
    ether(0x0800, ipv4(6, tcp(40000, 80, 0x18, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")), [5]),
  ];
  frames.forEach((data, i) => w.write({ tsSec: 1_700_000_000 + i, tsNsec: i, wireLength: data.length, data, linkType: 1 }));
  return w.toBuffer();
}

describe("fuzzing the reader and decoder", () => {
  it("random bytes: CaptureError or packets, never a crash", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (buf) => {
        readSafely(buf);
      }),
      { numRuns: 500 },
    );
  });

  it("random bytes after a valid header (pcap and pcapng)", () => {
    for (const format of ["pcap", "pcapng"] as const) {
      const head = ownCapture(format).subarray(0, format === "pcap" ? 24 : 28 + 32);
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 4096 }), (tail) => {
          readSafely(Buffer.concat([head, tail]));
        }),
        { numRuns: 300 },
      );
    }
  });

  it.each(["pcap", "pcapng"] as const)("%s: every truncation is an error at or before the cut, except cuts between records", (format) => {
    const whole = ownCapture(format);
    const all = readCaptureSync(whole).packets.length;
    let cleanCuts = 0;
    for (let cut = 0; cut < whole.length; cut++) {
      const r = readSafely(whole.subarray(0, cut));
      expect(r.packets.length).toBeLessThan(all);
      // A cut exactly between records is a shorter valid capture; anywhere else it is an error there.
      if (r.error) expect(r.error.offset, `cut at ${cut}`).toBeLessThanOrEqual(cut);
      else cleanCuts++;
    }
    expect(cleanCuts).toBeLessThanOrEqual(all + (format === "pcapng" ? 2 : 1));
  });

  it.each(["pcap", "pcapng"] as const)("%s: mutated bytes anywhere never crash the reader or the decoder", (format) => {
    const whole = ownCapture(format);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(whole.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), (muts) => {
        const b = Buffer.from(whole);
        for (const [at, v] of muts) b[at] = v;
        readSafely(b);
      }),
      { numRuns: 1000 },
    );
  });

  it("random payloads behind valid headers never crash the decoder", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.constantFrom(23, 53, 80, 123, 443, 1883, 1900, 5353, 5683, 17501), fc.boolean(), (payload, port, isTcp) => {
        const data = ether(0x0800, ipv4(isTcp ? 6 : 17, isTcp ? tcp(40000, port, 0x18, payload) : udp(40000, port, payload)));
        const p = decodePacket({ index: 0, tsSec: 0, tsNsec: 0, wireLength: data.length, data, linkType: 1, iface: 0 });
        expect(p.dstPort).toBe(port);
      }),
      { numRuns: 2000 },
    );
  });
});

describeWithShared("shared captures: truncation and round trip", () => {
  const dir = sharedFixture("pcap");
  const captures = existsSync(dir) ? readdirSync(dir).filter((f) => !f.endsWith(".ndpi.out")) : [];

  it("every truncation of mqtt.pcap (pcapng) and tcp_scan.pcapng (pcap) keeps exactly the packets before the cut", () => {
    for (const name of ["mqtt.pcap", "tcp_scan.pcapng"]) {
      const whole = readFileSync(`${dir}/${name}`);
      const all = readCaptureSync(whole).packets;
      for (let cut = 0; cut < whole.length; cut++) {
        const r = readSafely(whole.subarray(0, cut));
        if (r.error) expect(r.error.offset, `${name} cut at ${cut}`).toBeLessThanOrEqual(cut);
        // The packets kept are exactly the first ones of the whole capture.
        expect(r.packets.map((p) => p.wireLength)).toEqual(all.slice(0, r.packets.length).map((p) => p.wireLength));
      }
    }
  });

  for (const name of captures) {
    it.each(["pcap", "pcapng"] as const)(`${name}: written as %s and read back identical`, (format) => {
      const original = readCaptureSync(readFileSync(`${dir}/${name}`)).packets;
      const w = new CaptureWriter({ format, nano: true });
      for (const p of original) w.write(p);
      const back = readCaptureSync(w.toBuffer()).packets;
      const norm = (ps: RawPacket[]) => ps.map((p) => ({ ...p, data: Buffer.from(p.data).toString("hex") }));
      expect(norm(back)).toEqual(norm(original));
    });
  }
});
