import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { CaptureError, CaptureReadError, CaptureWriter, readCapture, readCaptureSync, type RawPacket } from "../../src/traffic/pcap/index.js";
import { bytes } from "./build.js";

const frames = [bytes([1, 2, 3, 4, 5]), bytes("hello, capture"), new Uint8Array(60).fill(7)];

function packets(linkType = 1): RawPacket[] {
  return frames.map((data, i) => ({ index: i, tsSec: 1_700_000_000 + i, tsNsec: 123_456_789 * (i + 1) % 1e9, wireLength: data.length + i, data, linkType, iface: 0 }));
}

/** A pcap file written by hand (not by our writer), so the reader is checked against the format itself. */
function handPcap(magic: number, le: boolean, linkType: number, recs: { sec: number; frac: number; data: Uint8Array }[]): Uint8Array {
  const out: Buffer[] = [];
  const h = Buffer.alloc(24);
  const w32 = (b: Buffer, v: number, at: number) => (le ? b.writeUInt32LE(v, at) : b.writeUInt32BE(v, at));
  w32(h, magic, 0);
  (le ? h.writeUInt16LE.bind(h) : h.writeUInt16BE.bind(h))(2, 4);
  (le ? h.writeUInt16LE.bind(h) : h.writeUInt16BE.bind(h))(4, 6);
  w32(h, 65535, 16);
  w32(h, linkType, 20);
  out.push(h);
  for (const r of recs) {
    const rh = Buffer.alloc(16);
    w32(rh, r.sec, 0);
    w32(rh, r.frac, 4);
    w32(rh, r.data.length, 8);
    w32(rh, r.data.length, 12);
    out.push(rh, Buffer.from(r.data));
  }
  return Buffer.concat(out);
}

/** pcapng blocks by hand: type, body (padded), trailing length. */
function block(le: boolean, type: number, body: Uint8Array): Buffer {
  const padded = Buffer.alloc((body.length + 3) & ~3);
  padded.set(body);
  const len = 12 + padded.length;
  const b = Buffer.alloc(len);
  const w = (v: number, at: number) => (le ? b.writeUInt32LE(v, at) : b.writeUInt32BE(v, at));
  w(type, 0);
  w(len, 4);
  b.set(padded, 8);
  w(len, len - 4);
  return b;
}

function ngBody(le: boolean, spec: [number, number][]): Buffer {
  // [value, width] little/big endian fields
  const parts = spec.map(([v, width]) => {
    const b = Buffer.alloc(width);
    if (width === 1) b.writeUInt8(v);
    else if (width === 2) b[le ? "writeUInt16LE" : "writeUInt16BE"](v);
    else b[le ? "writeUInt32LE" : "writeUInt32BE"](v);
    return b;
  });
  return Buffer.concat(parts);
}

function shb(le: boolean): Buffer {
  return block(le, 0x0a0d0d0a, Buffer.concat([ngBody(le, [[0x1a2b3c4d, 4], [1, 2], [0, 2]]), Buffer.alloc(8, 0xff)]));
}
function idb(le: boolean, linkType: number, tsresol?: number): Buffer {
  const opts = tsresol === undefined ? Buffer.alloc(0) : Buffer.concat([ngBody(le, [[9, 2], [1, 2]]), Buffer.from([tsresol, 0, 0, 0]), ngBody(le, [[0, 2], [0, 2]])]);
  return block(le, 1, Buffer.concat([ngBody(le, [[linkType, 2], [0, 2], [65535, 4]]), opts]));
}
function epb(le: boolean, iface: number, hi: number, lo: number, data: Uint8Array): Buffer {
  const padded = Buffer.alloc((data.length + 3) & ~3);
  padded.set(data);
  return block(le, 6, Buffer.concat([ngBody(le, [[iface, 4], [hi, 4], [lo, 4], [data.length, 4], [data.length, 4]]), padded]));
}

describe("pcap reader", () => {
  const recs = [
    { sec: 1_600_000_000, frac: 250_000, data: frames[0]! },
    { sec: 1_600_000_001, frac: 999_999, data: frames[1]! },
  ];

  it.each([
    ["little-endian µs", 0xa1b2c3d4, true, false],
    ["big-endian µs", 0xa1b2c3d4, false, false],
    ["little-endian ns", 0xa1b23c4d, true, true],
    ["big-endian ns", 0xa1b23c4d, false, true],
  ])("reads %s pcap", (_name, magic, le, nano) => {
    const r = readCaptureSync(handPcap(magic, le, 113, recs));
    expect(r.format).toBe("pcap");
    expect(r.linkTypes).toEqual([113]);
    expect(r.packets.map((p) => [p.tsSec, p.tsNsec, Buffer.from(p.data).toString("hex"), p.linkType])).toEqual(
      recs.map((x) => [x.sec, nano ? x.frac : x.frac * 1000, Buffer.from(x.data).toString("hex"), 113]),
    );
  });

  it("rejects an unknown magic with its offset", () => {
    expect(() => readCaptureSync(bytes("not a capture at all, sorry"))).toThrow(/byte 0: unknown magic/);
  });

  it("keeps the packets read before a truncated record and says where it broke", () => {
    const whole = handPcap(0xa1b2c3d4, true, 1, recs);
    const cut = whole.subarray(0, whole.length - 3);
    let err: unknown;
    try {
      readCaptureSync(cut);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CaptureReadError);
    const e = err as CaptureReadError;
    expect(e.packets).toHaveLength(1);
    expect(e.offset).toBe(24 + 16 + recs[0]!.data.length);
    expect(e.message).toMatch(/truncated packet record/);
    const stopped = readCaptureSync(cut, { onError: "stop" });
    expect(stopped.packets).toHaveLength(1);
    expect(stopped.error?.offset).toBe(e.offset);
  });

  it("refuses a record length above the cap instead of waiting for or allocating it", () => {
    const b = Buffer.from(handPcap(0xa1b2c3d4, true, 1, recs));
    b.writeUInt32LE(0x7fffffff, 24 + 8);
    expect(() => readCaptureSync(b)).toThrow(/byte 32: packet 0: captured length 2147483647 exceeds/);
  });

  it("streams from a Readable in 1-byte chunks with the same result as the sync reader", async () => {
    const data = handPcap(0xa1b23c4d, false, 1, recs);
    const chunks = Array.from(data, (x) => Buffer.from([x]));
    const reader = readCapture(Readable.from(chunks));
    const got: RawPacket[] = [];
    for await (const p of reader) got.push({ ...p, data: Uint8Array.from(p.data) });
    expect(got.map((p) => Buffer.from(p.data).toString("hex"))).toEqual(readCaptureSync(data).packets.map((p) => Buffer.from(p.data).toString("hex")));
    expect(reader.format).toBe("pcap");
    expect(reader.packets).toBe(2);
  });

  it("streams from a file path, and stops cleanly when the consumer breaks early", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "iotscope-pcap-")), "x.cap");
    writeFileSync(file, handPcap(0xa1b2c3d4, true, 1, recs));
    const all: number[] = [];
    for await (const p of readCapture(file)) all.push(p.wireLength);
    expect(all).toEqual(recs.map((r) => r.data.length));
    for await (const p of readCapture(file)) {
      expect(p.index).toBe(0);
      break;
    }
  });

  it("async iterator yields the good packets, then throws the CaptureError (or stops quietly)", async () => {
    const whole = handPcap(0xa1b2c3d4, true, 1, recs);
    const cut = whole.subarray(0, whole.length - 1);
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const p of readCapture(Readable.from([cut]))) seen.push(p.index);
      })(),
    ).rejects.toBeInstanceOf(CaptureError);
    expect(seen).toEqual([0]);
    const reader = readCapture(Readable.from([cut]), { onError: "stop" });
    const seen2: number[] = [];
    for await (const p of reader) seen2.push(p.index);
    expect(seen2).toEqual([0]);
    expect(reader.error?.reason).toMatch(/truncated/);
  });
});

describe("pcapng reader", () => {
  it.each([true, false])("reads sections, interfaces, if_tsresol, EPB/SPB and skips other blocks (little-endian %s)", (le) => {
    const usUnits = 1_600_000_000_500_000;
    const unknown = block(le, 0x00000bad, Buffer.from("whatever"));
    const nrb = block(le, 4, Buffer.alloc(8));
    const isb = block(le, 5, Buffer.alloc(12));
    const opb = block(le, 2, Buffer.alloc(24));
    const spb = block(le, 3, Buffer.concat([ngBody(le, [[frames[1]!.length, 4]]), Buffer.from(frames[1]!), Buffer.alloc(2)]));
    const file = Buffer.concat([
      shb(le),
      idb(le, 1), // µs (default)
      idb(le, 101, 9), // ns
      epb(le, 0, Math.floor(usUnits / 2 ** 32), usUnits % 2 ** 32, frames[0]!), // 1,600,000,000.5 s in µs
      nrb,
      epb(le, 1, 0x1634_57f2, 0x9d3a_8015, frames[2]!), // ns
      unknown,
      opb,
      isb,
      // A second section in the other byte order with its own interfaces.
      shb(!le),
      idb(!le, 276, 0x80 | 10), // 2^-10 s units
      epb(!le, 0, 0, 1024 * 3 + 512, frames[1]!),
    ]);
    const r = readCaptureSync(file);
    expect(r.format).toBe("pcapng");
    expect(r.linkTypes).toEqual([1, 101, 276]);
    expect(r.packets.map((p) => [p.index, p.linkType, p.iface, p.tsSec, p.tsNsec, p.data.length])).toEqual([
      [0, 1, 0, 1_600_000_000, 500_000_000, 5],
      [1, 101, 1, Math.floor((0x163457f2 * 2 ** 32 + 0x9d3a8015) / 1e9), Number(((0x163457f2n << 32n) | 0x9d3a8015n) % 1_000_000_000n), 60],
      [2, 276, 0, 3, 500_000_000, frames[1]!.length],
    ]);
    // SPB: length from the block, interface 0 of the section.
    const withSpb = readCaptureSync(Buffer.concat([shb(le), idb(le, 1), spb]));
    expect(withSpb.packets.map((p) => Buffer.from(p.data).toString("latin1"))).toEqual(["hello, capture"]);
  });

  it("errors on a packet for an undescribed interface and on a bad trailing length, with offsets", () => {
    const f = Buffer.concat([shb(true), idb(true, 1), epb(true, 3, 0, 0, frames[0]!)]);
    expect(() => readCaptureSync(f)).toThrow(/byte 56: packet 0: interface 3 not described/);
    const g = Buffer.concat([shb(true), idb(true, 1), epb(true, 0, 0, 0, frames[0]!)]);
    g.writeUInt32LE(999, g.length - 4);
    expect(() => readCaptureSync(g)).toThrow(new RegExp(`byte ${g.length - 4}: block type 0x6: trailing length 999`));
  });

  it("refuses a block length above the cap", () => {
    const f = Buffer.concat([shb(true), idb(true, 1)]);
    const bogus = Buffer.alloc(12);
    bogus.writeUInt32LE(6, 0);
    bogus.writeUInt32LE(0x10000000, 4);
    expect(() => readCaptureSync(Buffer.concat([f, bogus]))).toThrow(/exceeds the .*-byte cap/);
  });
});

describe("capture writer", () => {
  it.each([
    { format: "pcap" as const, nano: false },
    { format: "pcap" as const, nano: true, bigEndian: true },
    { format: "pcapng" as const },
    { format: "pcapng" as const, bigEndian: true },
  ])("round-trips %o", (opts) => {
    const w = new CaptureWriter(opts);
    const input = packets();
    for (const p of input) w.write(p);
    const back = readCaptureSync(w.toBuffer());
    expect(back.format).toBe(opts.format);
    expect(back.packets.map((p) => ({ ...p, data: Buffer.from(p.data).toString("hex") }))).toEqual(
      input.map((p) => ({ ...p, tsNsec: opts.format === "pcap" && !opts.nano ? Math.floor(p.tsNsec / 1000) * 1000 : p.tsNsec, data: Buffer.from(p.data).toString("hex") })),
    );
  });

  it("pcapng keeps several interfaces with their link types", () => {
    const w = new CaptureWriter({ format: "pcapng" });
    w.write({ ...packets(1)[0]!, iface: 0 });
    w.write({ ...packets(101)[1]!, iface: 1 });
    w.write({ ...packets(1)[2]!, iface: 0 });
    const back = readCaptureSync(w.toBuffer());
    expect(back.packets.map((p) => [p.iface, p.linkType])).toEqual([
      [0, 1],
      [1, 101],
      [0, 1],
    ]);
  });
});
