/**
 * Parsers for the packets a broker sends a scanner: CONNACK, SUBACK, PUBLISH, DISCONNECT. Each takes
 * exactly one packet (as framed by `packetSize`), checks every length against the packet, and throws only
 * ProbeError("protocol-error"). Pure functions: the honeypot and traffic pillars reuse them.
 *
 * Hand-written instead of mqtt-packet's parser (mqtt-packet still encodes our requests): its stream parser
 * reads a truncated MQTT 5 CONNACK (`20 01 00`) as reason code 0, i.e. "accepted", which would turn garbage
 * into an anonymous-access finding, and it bounds reads by the buffered input rather than the packet.
 */
import { isUtf8 } from "node:buffer";
import { ProbeError } from "../types.js";
import { Cursor } from "./cursor.js";
import { CONNACK, DISCONNECT, expectPacket, packetTypeNames, PUBLISH, readFixedHeader, SUBACK, type MqttPacketType } from "./frame.js";
import { isEmpty, readProperties, type MqttProperties } from "./properties.js";

export interface MqttConnack {
  type: "CONNACK";
  session_present: boolean;
  /** v3 return code or v5 reason code (0 = accepted). */
  return_code: number;
  /** True when the body had the MQTT 5 layout (reason code + properties), false for the 2-byte v3 body. */
  v5: boolean;
  properties?: MqttProperties;
}

export interface MqttSuback {
  type: "SUBACK";
  packet_id: number;
  /** One per topic filter: granted QoS 0–2, or a failure code (0x80; v5: any code >= 0x80). */
  codes: number[];
  properties?: MqttProperties;
}

export interface MqttPublish {
  type: "PUBLISH";
  topic: string;
  qos: number;
  retain: boolean;
  dup: boolean;
  packet_id?: number;
  /** The first bytes of the payload (see `payload_encoding`). */
  payload: string;
  payload_encoding: "utf8" | "base64";
  /** Full payload size in bytes. */
  payload_length: number;
  payload_truncated: boolean;
  properties?: MqttProperties;
}

export interface MqttDisconnect {
  type: "DISCONNECT";
  /** v5 reason code; 0 when the packet carries none (v3, or a v5 body of 0 bytes). */
  reason_code: number;
  properties?: MqttProperties;
}

/** Any other packet: only its type and size are reported. */
export interface MqttOtherPacket {
  type: Exclude<MqttPacketType, "CONNACK" | "SUBACK" | "PUBLISH" | "DISCONNECT" | "RESERVED">;
  flags: number;
  remaining_length: number;
}

export type MqttPacket = MqttConnack | MqttSuback | MqttPublish | MqttDisconnect | MqttOtherPacket;

/** Payload bytes kept per PUBLISH by default. */
export const DEFAULT_PAYLOAD_CAP = 256;

/** `v5`: the protocol version the client asked for was 5 (a v3-only broker may still answer with 2 bytes). */
export function parseConnack(packet: Buffer, v5: boolean): MqttConnack {
  const h = expectPacket(packet, CONNACK, 0);
  if (h.remainingLength < 2) throw new ProbeError("protocol-error", `CONNACK body of ${h.remainingLength} bytes, needs at least 2`);
  const c = new Cursor(packet, h.headerLength, packet.length);
  const flags = c.u8("CONNACK flags");
  if (flags & 0xfe) throw new ProbeError("protocol-error", `CONNACK flags 0x${flags.toString(16)} set reserved bits`);
  const code = c.u8("CONNACK code");
  // A v3 body is exactly 2 bytes; a v3 client ignores anything after it. A v5 client seeing 2 bytes talks to
  // a broker that does not speak v5 (it answers in its own version, e.g. return code 1).
  if (!v5 || h.remainingLength === 2) return { type: "CONNACK", session_present: flags === 1, return_code: code, v5: false };
  const properties = readProperties(c);
  if (c.left > 0) throw new ProbeError("protocol-error", `${c.left} bytes after the CONNACK properties`);
  const out: MqttConnack = { type: "CONNACK", session_present: flags === 1, return_code: code, v5: true };
  if (!isEmpty(properties)) out.properties = properties;
  return out;
}

export function parseSuback(packet: Buffer, v5: boolean): MqttSuback {
  const h = expectPacket(packet, SUBACK, 0);
  const c = new Cursor(packet, h.headerLength, packet.length);
  const packetId = c.u16("SUBACK packet id");
  const properties = v5 ? readProperties(c) : undefined;
  if (c.left === 0) throw new ProbeError("protocol-error", "SUBACK without return codes");
  const codes: number[] = [];
  // One code per topic we sent; a broker sending more is cut (the packet size is already capped).
  while (c.left > 0 && codes.length < 64) codes.push(c.u8("SUBACK code"));
  const out: MqttSuback = { type: "SUBACK", packet_id: packetId, codes };
  if (properties && !isEmpty(properties)) out.properties = properties;
  return out;
}

export function parsePublish(packet: Buffer, v5: boolean, payloadCap = DEFAULT_PAYLOAD_CAP): MqttPublish {
  const h = expectPacket(packet, PUBLISH, undefined);
  const qos = (h.flags >> 1) & 3;
  if (qos === 3) throw new ProbeError("protocol-error", "PUBLISH with QoS 3");
  const c = new Cursor(packet, h.headerLength, packet.length);
  const topic = c.text("PUBLISH topic");
  const packetId = qos > 0 ? c.u16("PUBLISH packet id") : undefined;
  const properties = v5 ? readProperties(c) : undefined;
  const payload = packet.subarray(c.pos);
  const out: MqttPublish = {
    type: "PUBLISH",
    topic,
    qos,
    retain: (h.flags & 1) === 1,
    dup: (h.flags & 8) === 8,
    ...(packetId !== undefined ? { packet_id: packetId } : {}),
    ...payloadText(payload, payloadCap),
    payload_length: payload.length,
    payload_truncated: payload.length > payloadCap,
  };
  if (properties && !isEmpty(properties)) out.properties = properties;
  return out;
}

export function parseDisconnect(packet: Buffer): MqttDisconnect {
  const h = expectPacket(packet, DISCONNECT, 0);
  const c = new Cursor(packet, h.headerLength, packet.length);
  // v5: a body of 0 bytes means reason 0; 1 byte is the reason without properties (5.0 section 3.14.2.1).
  const reason = c.left > 0 ? c.u8("DISCONNECT reason") : 0;
  const properties = c.left > 0 ? readProperties(c) : undefined;
  if (c.left > 0) throw new ProbeError("protocol-error", `${c.left} bytes after the DISCONNECT properties`);
  const out: MqttDisconnect = { type: "DISCONNECT", reason_code: reason };
  if (properties && !isEmpty(properties)) out.properties = properties;
  return out;
}

/** Any one MQTT packet: the four above in full, the rest by type and size. */
export function parseMqttPacket(packet: Buffer, v5: boolean, payloadCap = DEFAULT_PAYLOAD_CAP): MqttPacket {
  const h = packet.length > 0 ? readFixedHeader(packet) : undefined;
  if (!h) throw new ProbeError("protocol-error", "truncated fixed header");
  switch (h.type) {
    case CONNACK:
      return parseConnack(packet, v5);
    case SUBACK:
      return parseSuback(packet, v5);
    case PUBLISH:
      return parsePublish(packet, v5, payloadCap);
    case DISCONNECT:
      return parseDisconnect(packet);
    case 0:
      throw new ProbeError("protocol-error", "reserved packet type 0");
    default: {
      const type = packetTypeNames[h.type] as MqttOtherPacket["type"];
      expectPacket(packet, h.type, undefined);
      return { type, flags: h.flags, remaining_length: h.remainingLength };
    }
  }
}

/**
 * The first `cap` bytes of a payload as text when they are printable UTF-8 (what sensors mostly publish),
 * otherwise as base64 so binary payloads survive JSON intact.
 */
export function payloadText(payload: Buffer, cap: number): { payload: string; payload_encoding: "utf8" | "base64" } {
  const head = payload.subarray(0, cap);
  if (printable(head)) return { payload: head.toString("utf8"), payload_encoding: "utf8" };
  // A cut can split a multi-byte character: back off up to 3 bytes before giving up on text.
  if (payload.length > cap) {
    for (let back = 1; back <= 3 && back < head.length; back++) {
      const shorter = head.subarray(0, head.length - back);
      if (printable(shorter)) return { payload: shorter.toString("utf8"), payload_encoding: "utf8" };
    }
  }
  return { payload: head.toString("base64"), payload_encoding: "base64" };
}

function printable(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) {
    const x = b[i]!;
    if ((x < 0x20 && x !== 0x09 && x !== 0x0a && x !== 0x0d) || x === 0x7f) return false;
  }
  return isUtf8(b);
}
