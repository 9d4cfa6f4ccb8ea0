/**
 * Writing captures: classic pcap (µs or ns, either byte order) and pcapng (one section, one interface
 * block per (link type, snaplen) seen, ns timestamps via if_tsresol=9). Used by the traffic generator
 * and by round-trip tests. Output is built in memory chunks; callers stream `chunks()` or take `toBuffer()`.
 */
import { MAX_PACKET, type RawPacket } from "./types.js";

export interface WriterOptions {
  format: "pcap" | "pcapng";
  /** pcap only: link type of every packet (pcap has one per file). Default: the first packet's. */
  linkType?: number;
  /** pcap only: nanosecond timestamps (magic a1b23c4d). Default false (µs). */
  nano?: boolean;
  /** Byte order; default little-endian. */
  bigEndian?: boolean;
  snapLen?: number;
}

type PacketIn = Pick<RawPacket, "tsSec" | "tsNsec" | "wireLength" | "data" | "linkType"> & { iface?: number };

export class CaptureWriter {
  private readonly out: Uint8Array[] = [];
  private headerDone = false;
  private readonly le: boolean;
  /** pcapng: our interface ids by "iface:linkType" of the input. */
  private readonly ifaceIds = new Map<string, number>();

  constructor(private readonly opts: WriterOptions) {
    this.le = !opts.bigEndian;
  }

  write(p: PacketIn): void {
    const data = p.data.length > MAX_PACKET ? p.data.subarray(0, MAX_PACKET) : p.data;
    if (this.opts.format === "pcap") {
      if (!this.headerDone) this.pcapHeader(this.opts.linkType ?? p.linkType);
      const rec = new Uint8Array(16 + data.length);
      const v = new DataView(rec.buffer);
      v.setUint32(0, p.tsSec, this.le);
      v.setUint32(4, this.opts.nano ? p.tsNsec : Math.floor(p.tsNsec / 1000), this.le);
      v.setUint32(8, data.length, this.le);
      v.setUint32(12, p.wireLength, this.le);
      rec.set(data, 16);
      this.out.push(rec);
      return;
    }
    if (!this.headerDone) this.shb();
    const key = `${p.iface ?? 0}:${p.linkType}`;
    let id = this.ifaceIds.get(key);
    if (id === undefined) {
      id = this.ifaceIds.size;
      this.ifaceIds.set(key, id);
      this.idb(p.linkType);
    }
    const padded = (data.length + 3) & ~3;
    const len = 32 + padded;
    const blk = new Uint8Array(len);
    const v = new DataView(blk.buffer);
    // ns resolution: ts units = sec·1e9 + ns, split into high and low 32 bits exactly.
    const units = BigInt(p.tsSec) * 1_000_000_000n + BigInt(p.tsNsec);
    v.setUint32(0, 6, this.le);
    v.setUint32(4, len, this.le);
    v.setUint32(8, id, this.le);
    v.setUint32(12, Number(units >> 32n), this.le);
    v.setUint32(16, Number(units & 0xffffffffn), this.le);
    v.setUint32(20, data.length, this.le);
    v.setUint32(24, p.wireLength, this.le);
    blk.set(data, 28);
    v.setUint32(len - 4, len, this.le);
    this.out.push(blk);
  }

  /** Takes the bytes written so far (for streaming to a file or stdout). */
  drain(): Uint8Array[] {
    return this.out.splice(0, this.out.length);
  }

  /** Everything not yet drained, as one Buffer (a valid capture when nothing was drained). */
  toBuffer(): Buffer {
    if (!this.headerDone) {
      if (this.opts.format === "pcap") this.pcapHeader(this.opts.linkType ?? 1);
      else this.shb();
    }
    return Buffer.concat(this.drain());
  }

  private pcapHeader(linkType: number): void {
    const h = new DataView(new ArrayBuffer(24));
    h.setUint32(0, this.opts.nano ? 0xa1b23c4d : 0xa1b2c3d4, this.le);
    h.setUint16(4, 2, this.le);
    h.setUint16(6, 4, this.le);
    h.setUint32(16, this.opts.snapLen ?? MAX_PACKET, this.le);
    h.setUint32(20, linkType, this.le);
    this.out.push(new Uint8Array(h.buffer));
    this.headerDone = true;
  }

  private shb(): void {
    const v = new DataView(new ArrayBuffer(28));
    v.setUint32(0, 0x0a0d0d0a, this.le);
    v.setUint32(4, 28, this.le);
    v.setUint32(8, 0x1a2b3c4d, this.le);
    v.setUint16(12, 1, this.le);
    v.setUint16(14, 0, this.le);
    v.setBigInt64(16, -1n, this.le); // section length unknown
    v.setUint32(24, 28, this.le);
    this.out.push(new Uint8Array(v.buffer));
    this.headerDone = true;
  }

  private idb(linkType: number): void {
    // linktype, reserved, snaplen, option if_tsresol=9 (1 byte, padded), opt_endofopt, trailing length.
    const len = 32;
    const v = new DataView(new ArrayBuffer(len));
    v.setUint32(0, 1, this.le);
    v.setUint32(4, len, this.le);
    v.setUint16(8, linkType, this.le);
    v.setUint32(12, this.opts.snapLen ?? MAX_PACKET, this.le);
    v.setUint16(16, 9, this.le);
    v.setUint16(18, 1, this.le);
    v.setUint8(20, 9);
    v.setUint16(24, 0, this.le);
    v.setUint16(26, 0, this.le);
    v.setUint32(28, len, this.le);
    this.out.push(new Uint8Array(v.buffer));
  }
}
