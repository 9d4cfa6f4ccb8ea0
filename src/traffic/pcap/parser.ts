/**
 * Incremental parser for pcap and pcapng. Hand-written on purpose: no maintained npm library reads
 * both formats, both byte orders and several pcapng sections/interfaces, streams, and survives
 * corrupt input with a byte offset (pcap-parser and pcap-ng-parser are unmaintained, event-based and
 * copy every packet). This one is a small state machine: feed it bytes with `push`, pull packets with
 * `next` (undefined = needs more bytes), call `finish` at the end of input. Packet bytes are views into
 * the pushed buffers; nothing is allocated from a length field without first checking it against a cap.
 */
import { CaptureError, MAX_BLOCK, MAX_PACKET, type CaptureFormat, type CaptureInterface, type RawPacket } from "./types.js";

const EMPTY = new Uint8Array(0);
const PCAPNG_SHB = 0x0a0d0d0a;
const BOM = 0x1a2b3c4d;

export class CaptureParser {
  format: CaptureFormat | undefined;
  /** Interfaces of the current pcapng section (a single one for pcap). */
  interfaces: CaptureInterface[] = [];
  /** Every link type seen, in order of appearance. */
  readonly linkTypes: number[] = [];
  sections = 0;
  packets = 0;

  private buf: Uint8Array = EMPTY;
  private view: DataView<ArrayBufferLike> = new DataView(EMPTY.buffer);
  private pos = 0;
  /** Absolute offset of buf[0] in the input. */
  private base = 0;
  private le = true;
  private nano = false;

  constructor(private readonly source?: string) {}

  /** Absolute byte offset of the next unread byte. */
  get offset(): number {
    return this.base + this.pos;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.pos >= this.buf.length) {
      this.base += this.buf.length;
      this.buf = chunk;
    } else {
      const rest = this.buf.subarray(this.pos);
      const joined = new Uint8Array(rest.length + chunk.length);
      joined.set(rest, 0);
      joined.set(chunk, rest.length);
      this.base += this.pos;
      this.buf = joined;
    }
    this.pos = 0;
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  /** Checks that the input ended on a record boundary. */
  finish(): void {
    const left = this.buf.length - this.pos;
    if (this.format === undefined) this.fail(this.offset, left === 0 ? "empty input: not a capture" : `only ${left} bytes: too short for a capture header`);
    if (left > 0) this.fail(this.offset, `truncated ${this.format === "pcap" ? "packet record" : "block"}: ${left} bytes left at end of input`);
  }

  /** The next packet, or undefined when more bytes are needed. Throws CaptureError on corrupt input. */
  next(): RawPacket | undefined {
    if (this.format === undefined && !this.readFileHeader()) return undefined;
    return this.format === "pcap" ? this.nextPcap() : this.nextPcapng();
  }

  private fail(offset: number, reason: string): never {
    throw new CaptureError(offset, reason, this.packets, this.source);
  }

  private u16(at: number): number {
    return this.view.getUint16(at, this.le);
  }
  private u32(at: number): number {
    return this.view.getUint32(at, this.le);
  }

  private readFileHeader(): boolean {
    const avail = this.buf.length - this.pos;
    if (avail < 4) return false;
    const magicBE = this.view.getUint32(this.pos, false);
    if (magicBE === PCAPNG_SHB) {
      this.format = "pcapng";
      return true;
    }
    let le: boolean;
    let nano: boolean;
    switch (magicBE) {
      case 0xd4c3b2a1: le = true; nano = false; break;
      case 0x4d3cb2a1: le = true; nano = true; break;
      case 0xa1b2c3d4: le = false; nano = false; break;
      case 0xa1b23c4d: le = false; nano = true; break;
      default:
        this.fail(this.offset, `unknown magic 0x${magicBE.toString(16).padStart(8, "0")}: neither pcap nor pcapng`);
    }
    if (avail < 24) return false;
    this.le = le;
    this.nano = nano;
    const snapLen = this.u32(this.pos + 16);
    const linkType = this.u32(this.pos + 20) & 0xffff;
    this.format = "pcap";
    this.interfaces = [{ linkType, snapLen, tsUnitsPerSec: nano ? 1e9 : 1e6, tsOffset: 0 }];
    this.linkTypes.push(linkType);
    this.sections = 1;
    this.pos += 24;
    return true;
  }

  private nextPcap(): RawPacket | undefined {
    const at = this.pos;
    if (this.buf.length - at < 16) return undefined;
    const tsSec = this.u32(at);
    const tsFrac = this.u32(at + 4);
    const capLen = this.u32(at + 8);
    const wireLength = this.u32(at + 12);
    if (capLen > MAX_PACKET) this.fail(this.base + at + 8, `packet ${this.packets}: captured length ${capLen} exceeds the ${MAX_PACKET}-byte cap`);
    if (tsFrac >= (this.nano ? 1e9 : 1e6)) this.fail(this.base + at + 4, `packet ${this.packets}: sub-second timestamp ${tsFrac} out of range`);
    if (this.buf.length - at - 16 < capLen) return undefined;
    this.pos = at + 16 + capLen;
    return {
      index: this.packets++,
      tsSec,
      tsNsec: this.nano ? tsFrac : tsFrac * 1000,
      wireLength,
      data: this.buf.subarray(at + 16, at + 16 + capLen),
      linkType: this.interfaces[0]!.linkType,
      iface: 0,
    };
  }

  private nextPcapng(): RawPacket | undefined {
    for (;;) {
      const at = this.pos;
      const avail = this.buf.length - at;
      if (avail < 12) return undefined;
      const abs = this.base + at;
      const typeBE = this.view.getUint32(at, false);
      if (typeBE === PCAPNG_SHB) {
        // The section header sets the byte order for everything up to the next one.
        const bom = this.view.getUint32(at + 8, true);
        if (bom === BOM) this.le = true;
        else if (bom === 0x4d3c2b1a) this.le = false;
        else this.fail(abs + 8, `section header with bad byte-order magic 0x${bom.toString(16)}`);
      } else if (this.sections === 0) {
        this.fail(abs, "pcapng without a leading section header block");
      }
      const type = this.u32(at);
      const len = this.u32(at + 4);
      if (len < 12 || len % 4 !== 0) this.fail(abs + 4, `block length ${len} invalid (must be ≥ 12 and a multiple of 4)`);
      if (len > MAX_BLOCK) this.fail(abs + 4, `block length ${len} exceeds the ${MAX_BLOCK}-byte cap`);
      if (avail < len) return undefined;
      if (this.u32(at + len - 4) !== len) this.fail(abs + len - 4, `block type 0x${type.toString(16)}: trailing length ${this.u32(at + len - 4)} ≠ leading length ${len}`);
      this.pos = at + len;
      switch (type) {
        case PCAPNG_SHB:
          if (len < 28) this.fail(abs + 4, `section header block too short (${len} bytes)`);
          this.sections++;
          this.interfaces = [];
          break;
        case 1:
          this.readIdb(at, len, abs);
          break;
        case 6: {
          if (len < 32) this.fail(abs + 4, `enhanced packet block too short (${len} bytes)`);
          const ifId = this.u32(at + 8);
          const capLen = this.u32(at + 20);
          const wireLength = this.u32(at + 24);
          if (capLen > len - 32) this.fail(abs + 20, `packet ${this.packets}: captured length ${capLen} exceeds its block (${len} bytes)`);
          if (capLen > MAX_PACKET) this.fail(abs + 20, `packet ${this.packets}: captured length ${capLen} exceeds the ${MAX_PACKET}-byte cap`);
          const iface = this.interfaces[ifId];
          if (!iface) this.fail(abs + 8, `packet ${this.packets}: interface ${ifId} not described by an interface block`);
          return this.packet(iface, ifId, this.u32(at + 12), this.u32(at + 16), wireLength, at + 28, capLen);
        }
        case 3: {
          if (len < 16) this.fail(abs + 4, `simple packet block too short (${len} bytes)`);
          const iface = this.interfaces[0];
          if (!iface) this.fail(abs, `packet ${this.packets}: simple packet block before any interface block`);
          const wireLength = this.u32(at + 8);
          let capLen = Math.min(wireLength, len - 16);
          if (iface.snapLen > 0) capLen = Math.min(capLen, iface.snapLen);
          return this.packet(iface, 0, 0, 0, wireLength, at + 12, capLen, true);
        }
        default:
          // OPB (2, obsolete), NRB (4), ISB (5), DSB (10), custom and unknown blocks: skipped.
          break;
      }
    }
  }

  private packet(iface: CaptureInterface, ifId: number, hi: number, lo: number, wireLength: number, dataAt: number, capLen: number, noTs = false): RawPacket {
    let tsSec = 0;
    let tsNsec = 0;
    if (!noTs) {
      const ups = iface.tsUnitsPerSec;
      const units = hi * 4294967296 + lo;
      if (units <= Number.MAX_SAFE_INTEGER) {
        tsSec = Math.floor(units / ups);
        tsNsec = Math.round(((units - tsSec * ups) * 1e9) / ups);
      } else {
        // ns since the epoch exceed 2^53: exact split with BigInt (rare enough not to matter for speed).
        const u = (BigInt(hi) << 32n) | BigInt(lo);
        const b = BigInt(ups);
        tsSec = Number(u / b);
        tsNsec = Math.round((Number(u % b) * 1e9) / ups);
      }
      if (tsNsec >= 1e9) {
        tsSec += 1;
        tsNsec -= 1e9;
      }
      tsSec += iface.tsOffset;
    }
    return {
      index: this.packets++,
      tsSec,
      tsNsec,
      wireLength,
      data: this.buf.subarray(dataAt, dataAt + capLen),
      linkType: iface.linkType,
      iface: ifId,
    };
  }

  private readIdb(at: number, len: number, abs: number): void {
    if (len < 20) this.fail(abs + 4, `interface description block too short (${len} bytes)`);
    const iface: CaptureInterface = { linkType: this.u16(at + 8), snapLen: this.u32(at + 12), tsUnitsPerSec: 1e6, tsOffset: 0 };
    // Options: code(2) length(2) value padded to 4; opt_endofopt (0) ends them.
    let o = at + 16;
    const end = at + len - 4;
    while (o + 4 <= end) {
      const code = this.u16(o);
      const olen = this.u16(o + 2);
      if (code === 0) break;
      if (o + 4 + olen > end) this.fail(this.base + o + 2, `interface option ${code} length ${olen} overruns its block`);
      if (code === 9 && olen >= 1) {
        const r = this.buf[o + 4]!;
        const exp = r & 0x7f;
        if (exp > 63 || ((r & 0x80) === 0 && exp > 15)) this.fail(this.base + o + 4, `if_tsresol 0x${r.toString(16)} out of range`);
        iface.tsUnitsPerSec = r & 0x80 ? 2 ** exp : 10 ** exp;
      } else if (code === 14 && olen >= 8) {
        iface.tsOffset = Number(this.view.getBigInt64(o + 4, this.le));
      }
      o += 4 + ((olen + 3) & ~3);
    }
    this.interfaces.push(iface);
    if (!this.linkTypes.includes(iface.linkType)) this.linkTypes.push(iface.linkType);
  }
}
