/**
 * MQTT framing: the fixed header (type nibble, flags nibble, "remaining length" varint of 1–4 bytes) that
 * says where one packet ends in a TCP stream. Everything here is bounded: at most 5 header bytes are
 * looked at, and a declared length above the caller's cap is refused before any byte of it is awaited.
 */
import { ProbeError } from "../types.js";

/** Control packet names by type nibble (index 0 is reserved: never valid on the wire). */
export const packetTypeNames = [
  "RESERVED",
  "CONNECT",
  "CONNACK",
  "PUBLISH",
  "PUBACK",
  "PUBREC",
  "PUBREL",
  "PUBCOMP",
  "SUBSCRIBE",
  "SUBACK",
  "UNSUBSCRIBE",
  "UNSUBACK",
  "PINGREQ",
  "PINGRESP",
  "DISCONNECT",
  "AUTH",
] as const;
export type MqttPacketType = (typeof packetTypeNames)[number];

export const CONNACK = 2;
export const PUBLISH = 3;
export const SUBACK = 9;
export const DISCONNECT = 14;

export interface MqttFixedHeader {
  type: number;
  flags: number;
  /** Bytes of the fixed header (1 + varint length). */
  headerLength: number;
  remainingLength: number;
}

/**
 * Reads the fixed header at the start of `buf`; undefined while its varint is incomplete. Throws
 * ProbeError for a varint longer than 4 bytes (the MQTT maximum, 268,435,455).
 */
export function readFixedHeader(buf: Buffer): MqttFixedHeader | undefined {
  const length = readRemainingLength(buf);
  if (length < 0) return undefined;
  return { type: buf[0]! >> 4, flags: buf[0]! & 0x0f, headerLength: remainingLengthEnd, remainingLength: length };
}

/**
 * Total size of the packet at the start of `buf` (header + body) once all of it is buffered, undefined
 * before (SocketReader's frame contract). Throws as soon as the header declares more than `maxPacketBytes`.
 * Allocation-free, since it runs on every chunk of every target.
 */
export function packetSize(buf: Buffer, maxPacketBytes: number): number | undefined {
  const length = readRemainingLength(buf);
  if (length < 0) return undefined;
  const size = remainingLengthEnd + length;
  if (size > maxPacketBytes) {
    throw new ProbeError(
      "protocol-error",
      `${packetTypeNames[buf[0]! >> 4]} declares ${length} bytes, more than the ${maxPacketBytes}-byte limit`,
    );
  }
  return size <= buf.length ? size : undefined;
}

// Second return value of readRemainingLength (where the body starts), kept in a module variable so the
// hot path allocates nothing. Safe: JavaScript runs this synchronously, read right after the call.
let remainingLengthEnd = 0;

/** The remaining-length varint after the first byte; -1 while incomplete. */
function readRemainingLength(buf: Buffer): number {
  let value = 0;
  let multiplier = 1;
  for (let i = 1; i <= 4; i++) {
    if (i >= buf.length) return -1;
    const b = buf[i]!;
    value += (b & 0x7f) * multiplier;
    if ((b & 0x80) === 0) {
      remainingLengthEnd = i + 1;
      return value;
    }
    multiplier *= 128;
  }
  throw new ProbeError("protocol-error", "remaining length varint longer than 4 bytes");
}

/**
 * Checks that `packet` is exactly one packet of the expected type and returns its header. `flags` is the
 * required flags nibble, or undefined when the type carries its own flags (PUBLISH).
 */
export function expectPacket(packet: Buffer, type: number, flags: number | undefined): MqttFixedHeader {
  if (packet.length === 0) throw new ProbeError("protocol-error", "empty packet");
  const header = readFixedHeader(packet);
  if (!header) throw new ProbeError("protocol-error", "truncated fixed header");
  if (header.type !== type) {
    throw new ProbeError("protocol-error", `expected ${packetTypeNames[type]}, got ${packetTypeNames[header.type]} (0x${packet[0]!.toString(16)})`);
  }
  if (flags !== undefined && header.flags !== flags) {
    throw new ProbeError("protocol-error", `${packetTypeNames[type]} with reserved flags 0x${header.flags.toString(16)}`);
  }
  const size = header.headerLength + header.remainingLength;
  if (size > packet.length) throw new ProbeError("protocol-error", `${packetTypeNames[type]} truncated: ${packet.length} of ${size} bytes`);
  if (size < packet.length) throw new ProbeError("protocol-error", `${packet.length - size} bytes after the ${packetTypeNames[type]}`);
  return header;
}
