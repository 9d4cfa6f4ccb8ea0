/**
 * CoAP message format (RFC 7252 §3), parsed strictly.
 *
 * Hand-written rather than `coap-packet`'s `parse()` (we still use its `generate()` for requests, see
 * request.ts), because that parser is not safe on hostile input — checked against 1.1.1:
 *  - a header shorter than 4 bytes or a truncated extended delta/length throws a RangeError, not an error
 *    we can classify;
 *  - an option whose length runs past the end of the datagram is silently cut (Buffer#slice clamps), so a
 *    truncated reply looks valid;
 *  - token lengths 9–12 are accepted (RFC 7252 makes them a format error), and 13/14 read an RFC 8974
 *    extended length that the scanner never negotiated;
 *  - a payload marker followed by no payload is accepted (a format error per §3);
 *  - option numbers are not bounded and parsing keeps its cursor in a module-global variable.
 * This parser checks every length before reading and throws only ProbeError("protocol-error").
 */
import { ProbeError } from "../types.js";
import { messageTypes, type CoapMessageType } from "./registry.js";

export interface CoapOption {
  number: number;
  value: Buffer;
}

export interface CoapMessage {
  type: CoapMessageType;
  /** Raw code byte (class << 5 | detail). */
  code: number;
  messageId: number;
  token: Buffer;
  /** In wire order (ascending option numbers). */
  options: CoapOption[];
  payload: Buffer;
}

const PAYLOAD_MARKER = 0xff;
const MAX_OPTION_NUMBER = 0xffff;

function fail(why: string): never {
  throw new ProbeError("protocol-error", `CoAP: ${why}`);
}

/** Parses one CoAP-over-UDP datagram. */
export function parseCoapMessage(buf: Buffer): CoapMessage {
  if (buf.length < 4) fail(`datagram of ${buf.length} bytes is shorter than the 4-byte header`);
  const first = buf[0]!;
  const version = first >> 6;
  if (version !== 1) fail(`version ${version} (expected 1)`);
  const type = messageTypes[(first >> 4) & 0x3]!;
  const tkl = first & 0x0f;
  if (tkl > 8) fail(`token length ${tkl} is reserved (must be 0-8)`);
  const code = buf[1]!;
  const messageId = buf.readUInt16BE(2);
  if (buf.length < 4 + tkl) fail(`token of ${tkl} bytes runs past the end of the datagram`);
  const token = Buffer.from(buf.subarray(4, 4 + tkl));

  if (code === 0) {
    // Empty message (§4.1): nothing may follow the header.
    if (tkl !== 0 || buf.length !== 4) fail("empty message (code 0.00) carries a token, options or payload");
    return { type, code, messageId, token, options: [], payload: Buffer.alloc(0) };
  }

  const options: CoapOption[] = [];
  let pos = 4 + tkl;
  let number = 0;
  let payload = Buffer.alloc(0);
  while (pos < buf.length) {
    const head = buf[pos]!;
    if (head === PAYLOAD_MARKER) {
      if (pos + 1 >= buf.length) fail("payload marker followed by an empty payload");
      payload = Buffer.from(buf.subarray(pos + 1));
      break;
    }
    pos++;
    const delta = readExtended(buf, head >> 4, pos, "delta");
    pos += delta.used;
    const length = readExtended(buf, head & 0x0f, pos, "length");
    pos += length.used;
    number += delta.value;
    if (number > MAX_OPTION_NUMBER) fail(`option number ${number} exceeds ${MAX_OPTION_NUMBER}`);
    if (pos + length.value > buf.length) {
      fail(`option ${number} declares ${length.value} bytes but only ${buf.length - pos} remain`);
    }
    options.push({ number, value: Buffer.from(buf.subarray(pos, pos + length.value)) });
    pos += length.value;
  }
  return { type, code, messageId, token, options, payload };
}

/** Option delta/length nibble with its 13/14 extensions (§3.1); 15 is reserved outside the payload marker. */
function readExtended(buf: Buffer, nibble: number, pos: number, what: string): { value: number; used: number } {
  if (nibble < 13) return { value: nibble, used: 0 };
  if (nibble === 13) {
    if (pos + 1 > buf.length) fail(`extended option ${what} runs past the end of the datagram`);
    return { value: buf[pos]! + 13, used: 1 };
  }
  if (nibble === 14) {
    if (pos + 2 > buf.length) fail(`extended option ${what} runs past the end of the datagram`);
    return { value: buf.readUInt16BE(pos) + 269, used: 2 };
  }
  return fail(`option ${what} nibble 15 is reserved`);
}

/** Big-endian unsigned integer of 0-4 bytes (RFC 7252 §3.2 "uint"); longer values are a format error. */
export function decodeUint(value: Buffer): number {
  if (value.length > 4) fail(`uint option of ${value.length} bytes (at most 4)`);
  let n = 0;
  for (const b of value) n = n * 256 + b;
  return n;
}

/** Shortest big-endian encoding of a uint option value (zero is the empty string). */
export function encodeUint(n: number): Buffer {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`not a uint32: ${n}`);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Buffer.from(bytes);
}

export function findOption(msg: CoapMessage, number: number): CoapOption | undefined {
  return msg.options.find((o) => o.number === number);
}
