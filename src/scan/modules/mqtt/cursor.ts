/**
 * A bounds-checked reader over one packet body: every read checks the bytes are there first and throws
 * ProbeError("protocol-error") otherwise, so parsers never read past a packet or trust a length blindly.
 */
import { ProbeError } from "../types.js";

/** Longest string kept in a result; longer ones are cut (the packet itself is already size-capped). */
export const MAX_TEXT_CHARS = 256;

export class Cursor {
  constructor(
    readonly buf: Buffer,
    public pos: number,
    public end: number,
  ) {}

  get left(): number {
    return this.end - this.pos;
  }

  need(n: number, what: string): void {
    if (n > this.end - this.pos) throw new ProbeError("protocol-error", `${what} truncated: needs ${n} bytes, ${this.end - this.pos} left`);
  }

  u8(what: string): number {
    this.need(1, what);
    return this.buf[this.pos++]!;
  }

  u16(what: string): number {
    this.need(2, what);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  u32(what: string): number {
    this.need(4, what);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** MQTT variable byte integer (1–4 bytes). */
  varint(what: string): number {
    let value = 0;
    let multiplier = 1;
    for (let i = 0; i < 4; i++) {
      const b = this.u8(what);
      value += (b & 0x7f) * multiplier;
      if ((b & 0x80) === 0) return value;
      multiplier *= 128;
    }
    throw new ProbeError("protocol-error", `${what}: varint longer than 4 bytes`);
  }

  /** Length-prefixed bytes (u16 length), as a view of the packet. */
  bytes(what: string): Buffer {
    const n = this.u16(what);
    this.need(n, what);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Length-prefixed UTF-8 string, cut to MAX_TEXT_CHARS (invalid UTF-8 becomes U+FFFD: we record, not judge). */
  text(what: string): string {
    return capText(this.bytes(what).toString("utf8"));
  }
}

export function capText(s: string): string {
  return s.length > MAX_TEXT_CHARS ? s.slice(0, MAX_TEXT_CHARS) : s;
}
